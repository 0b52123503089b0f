package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.QueueProgressIndicators;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue;

/**
 * A process's mailbox: a JCTools multi-producer single-consumer queue plus a wake-up protocol.
 *
 * <p>IMPLEMENTATION NOTES. {@link #put} may be called by any thread; {@link #poll},
 * {@link #take} and {@link #size} by the SINGLE owner thread only (size by anyone, as an
 * estimate). The queue is {@code org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue}:
 * the {@code atomic} variants use field updaters, not {@code sun.misc.Unsafe}, so JDK 25 prints no
 * warning, and the unpadded layout keeps a million idle mailboxes small (measured in the
 * benchmarks module against the padded and Unsafe variants).
 *
 * <p>The padded variant, {@code MpscUnboundedAtomicArrayQueue}, is chosen JVM-wide with
 * {@code -Dotpj.mailbox.padded=true}. It keeps the producers' index and the consumer's index on
 * separate cache lines, so a mailbox under a steady stream of messages does not bounce one line
 * between the senders' cores and the receiver's at every message: measured here, one producer
 * casting to one server went from 13-18 M/s to 53-73 M/s. It costs about 515 bytes more per
 * process (1.36 KB to 1.87 KB per idle GenServer) and, through that, about a third of the spawn
 * rate of a million processes: worth it where a few hot servers take most of the traffic, not
 * where millions of processes sit idle.
 *
 * <p>The lost-wake-up argument. The consumer parks only after publishing {@code parked = 1}
 * with a volatile store and then polling once more; a producer unparks only after its offer and
 * then a volatile load of {@code parked}. The offer's linearisation point is the CAS on the
 * queue's producer index (a full fence), and {@code poll()} is JCTools' strict poll: it returns
 * null only when the consumer index equals the producer index it loads with volatile semantics
 * (if the index was claimed but the element not yet stored it spins for it). So the two sides
 * form a Dekker pair over volatile accesses, which are sequentially consistent:
 * <pre>
 *   producer:  CAS producerIndex ; load parked        (then unpark if 1)
 *   consumer:  store parked = 1  ; load producerIndex (then park if queue empty)
 * </pre>
 * Either the consumer's last poll sees the message, or the producer sees {@code parked == 1}
 * and unparks. {@code LockSupport.unpark} before {@code park} leaves a permit, so an unpark
 * that races ahead of the park is not lost either. Messages are never lost: the queue is
 * unbounded and only the owner removes them.
 */
final class Mailbox {

    private static final int CHUNK = Integer.getInteger("otpj.mailbox.chunk", 32);
    private static final VarHandle PARKED;
    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(Mailbox.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final boolean PADDED = Boolean.getBoolean("otpj.mailbox.padded");

    /** One of the two JCTools classes for the whole JVM, so every call site stays monomorphic. */
    private final MessagePassingQueue<Object> queue = PADDED
            ? new MpscUnboundedAtomicArrayQueue<>(CHUNK)
            : new MpscUnboundedAtomicUnpaddedArrayQueue<>(CHUNK);
    /** 1 while the owner is parked (or about to park) waiting for a message. */
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile int parked;
    /** The owner thread; written before the thread starts, so Thread.start orders it. */
    Thread owner;

    /** Appends {@code message}; wakes the owner if it is parked. Any thread. */
    void put(Object message) {
        queue.offer(message);
        // Volatile load after the offer's CAS: see the class comment. The CAS to 0 keeps
        // concurrent producers from issuing redundant unparks.
        if ((int) PARKED.getVolatile(this) == 1 && PARKED.compareAndSet(this, 1, 0)) {
            LockSupport.unpark(owner);
        }
    }

    /** @return the next message or null if the queue is empty. Owner thread only. */
    Object poll() {
        return queue.poll();
    }

    /** @return an estimate of the number of queued messages. Any thread. */
    int size() {
        return queue.size();
    }

    /**
     * Waits for the next message. Owner thread only.
     *
     * @param self the owning process: if it dies while we wait, {@link ProcessExit} is thrown
     * @param timeoutNanos negative for no limit, 0 for a non-blocking poll
     * @return the message, or null when the timeout passed with none
     */
    Object take(Pcb self, long timeoutNanos) {
        Object m = queue.poll();
        if (m != null || timeoutNanos == 0) {
            return m;
        }
        // One method, not a helper for the waiting part: this frame is on the stack of every
        // idle process, and each frame is heap in its parked continuation.
        final boolean timed = timeoutNanos > 0;
        final long deadline = timed ? System.nanoTime() + timeoutNanos : 0L;
        long partnerSince = 0L;
        // A process that has never received a message (a server just out of init, typically)
        // parks without the short spin: nothing is likely on its way, and the spin measured as
        // a quarter of the CPU cost of starting an idle GenServer. The consumer index is ours.
        final boolean fresh = ((QueueProgressIndicators) queue).currentConsumerIndex() == 0;
        for (int step = 0; ; step++) {
            m = queue.poll();
            if (m != null) {
                if (partnerSince != 0L && self.partner != null) {
                    self.spinWorked();
                }
                return m;
            }
            if (self.exitReason != null) {
                throw ProcessExit.INSTANCE;
            }
            if (timed && (step & 63) == 0 && deadline - System.nanoTime() <= 0) {
                return null;
            }
            if (!fresh && !Backoff.idle(step, true)) {
                continue;
            }
            Pcb p = self.partner;
            if (p != null) {
                // See Backoff: a caller we just answered without waking it is on a carrier and
                // likely to call again within a microsecond; spin for it while it stays there,
                // unless such spins have not been paying (Pcb.maySpin).
                if (partnerSince == 0L) {
                    if (!self.maySpin()) {
                        self.partner = null;
                        continue;
                    }
                    partnerSince = System.nanoTime();
                }
                // The partner's state is read every 16th step only: its line is written by
                // its owner (a send, a call) and each read here would pull it across cores.
                boolean partnerOn = (step & 15) != 0 || p.onCarrier();
                if (partnerOn && Backoff.partnerSpin(step, partnerSince)) {
                    continue;
                }
                if (partnerOn) {
                    // Out of time with the partner still on a carrier: it was not coming back.
                    self.spinFailed();
                }
                // Spun out, or the partner parked: the hint is used up.
                self.partner = null;
            }
            self.parking();
            PARKED.setVolatile(this, 1);
            m = queue.poll();
            if (m != null) {
                PARKED.setOpaque(this, 0);
                self.unparked();
                return m;
            }
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    PARKED.setOpaque(this, 0);
                    self.unparked();
                    return null;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
            self.unparked();
            PARKED.setOpaque(this, 0);
            if (Thread.interrupted() && self.exitReason != null) {
                throw ProcessExit.INSTANCE;
            }
        }
    }

    /** Drops every queued message, returning them one by one to {@code sink}. Owner thread only. */
    void drain(java.util.function.Consumer<Object> sink) {
        Object m;
        while ((m = queue.poll()) != null) {
            sink.accept(m);
        }
    }
}
