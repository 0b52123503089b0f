package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue;

/**
 * A process's mailbox: a JCTools multi-producer single-consumer queue plus a wake-up protocol,
 * and the fields every sender to the process reads. The last link but one of the layout chain
 * ({@link Waiter} → {@link PcbOwnerFields} → {@link PcbRelations} → {@code Mailbox} → {@link Pcb}),
 * so these fields sit at least a cache line away from those the owner writes while it runs.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>writer</th><th>readers</th><th>access</th><th>why</th></tr>
 *   <tr><td>{@code queue}</td><td>the first sender (one CAS from null: the owner never makes
 *       it); the owner at its end ({@link #CLOSED}, one
 *       getAndSet)</td><td>senders, owner</td><td>acquire reads, CAS / getAndSet writes</td>
 *       <td>the messages; null until the first is sent, so a process that never had one (a server
 *       started hibernated) keeps no queue; dropped at death so a held pid keeps no mailbox</td></tr>
 *   <tr><td>{@code queueShape}</td><td>constructor</td><td>the thread that makes the queue</td>
 *       <td>plain (published with the pid, see {@link Pcb#Pcb()})</td><td>the queue's chunk and
 *       class, chosen at start</td></tr>
 *   <tr><td>{@code bounds}</td><td>constructor</td><td>senders</td><td>plain (published with
 *       the pid, as {@code queue})</td><td>null unless the mailbox is bounded</td></tr>
 *   <tr><td>{@code exitReason}</td><td>the decider of the exit (one CAS)</td><td>anyone</td>
 *       <td>volatile</td><td>null while alive; a send reads it before delivering</td></tr>
 *   <tr><td>{@code parked}</td><td>owner ({@link #PARKED_WAITING} before a park,
 *       {@link #HIBERNATED} before its thread ends in a hibernation), a sender or killer that
 *       wakes it (CAS back to {@link #RUNNING})</td><td>senders, killers</td><td>volatile</td>
 *       <td>the wake-up flag</td></tr>
 * </table>
 *
 * <p>IMPLEMENTATION NOTES. {@link #deliver} may be called by any thread; {@link #take},
 * {@link #isEmpty} and {@link #close} by the SINGLE owner thread only ({@link #size} by anyone, as an estimate). The
 * queue is {@code org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue}: the
 * {@code atomic} variants use field updaters, not {@code sun.misc.Unsafe}, so JDK 25 prints no
 * warning, and the unpadded layout keeps a million idle mailboxes small. The padded variant,
 * {@code MpscUnboundedAtomicArrayQueue}, is chosen per process for a GenServer started with
 * {@link StartOptions#withHotMailbox} (or JVM-wide with {@code -Dotpj.mailbox.padded=true}):
 * it keeps the producers' and the consumer's indexes on separate cache lines, which one producer
 * casting to one server feels, at a cost in heap per process and in spawn rate. With both
 * classes in use a call site of {@code queue} sees two receiver types, which HotSpot still
 * inlines (a bimorphic site: one type check). The measured
 * figures are in docs/benchmarks.md (not repeated here, so that they have one source).
 *
 * <h2>The lost-wake-up argument</h2>
 * It assumes only what any correct MPSC queue gives: {@code offer} makes its element visible to a
 * {@code poll} that sees the offer's stores, with at least release ordering, and {@code poll}
 * returns null only when it sees no element that was offered before it. It does not assume that
 * {@code offer} ends with a full fence (JCTools' does not when it links a new chunk: its CAS then
 * only moves the producer index to an odd "resizing" value, which its {@code poll} reads as
 * empty, and the stores that publish the element follow with release semantics only).
 * <pre>
 *   producer (deliver): offer(m)       ; fullFence ; load parked   (unpark if 1)
 *   consumer (take):    store parked=1 ; fullFence ; poll()        (park if empty)
 * </pre>
 * Each side stores, fences, then loads: the store-buffering outcome, in which both loads miss the
 * other side's store, is exactly what two full fences forbid (the fences are totally ordered; the
 * load after the later fence sees the store before the earlier one). So either the consumer's
 * last poll sees the message, or the producer sees {@code parked == 1} and unparks it. The CAS of
 * {@code parked} from 1 to 0 keeps concurrent producers from issuing redundant unparks, and
 * {@code LockSupport.unpark} before {@code park} leaves a permit, so an unpark that races ahead
 * of the park is not lost either. A spurious return from {@code park} only sends the consumer
 * round its loop again. Messages are never lost while the process lives: the queue is unbounded
 * and only the owner removes them.
 *
 * <p>Memory consistency: actions of a thread before {@code put(m)} happen-before the owner's
 * return of {@code m} from {@link #take} (the queue's release store and acquire load of the
 * element).
 *
 * <h2>The queue made by the first sender</h2>
 * A local process starts with no queue ({@code queue == null}); the first thread that sends it a
 * message makes it and installs it with a CAS from null (a loser uses the winner's). That CAS is
 * a store before the sender's offer, so the argument above holds with "the queue is installed,
 * then the message offered" as the producer's store: a consumer that stored {@code parked}, fenced
 * and then read null found no message, and the sender, whose install follows that read, sees
 * {@code parked} after its own fence and wakes it. The acquire read of the field gives a thread
 * that did not make the queue the stores of its construction (the CAS releases them). A proxy of
 * a remote process also has a null queue, for good: its messages go to its node.
 *
 * <h2>After death</h2>
 * At its end the owner clears {@link PcbRelations#thread}, swaps the queue for {@link #CLOSED}
 * (so that no sender can install one afterwards) and then drains what it had under the block's
 * lock, failing the calls it finds. A sender that offered into the
 * queue just before (it read it while the process was alive) sees the exit after its offer; if the
 * owner has already gone ({@code thread == null}), it drains the queue itself under the same lock,
 * so no message stays reachable from a dead pid. The lock makes each late drainer the single
 * consumer of the moment, and the owner's last poll happens-before its volatile clear of
 * {@code thread}.
 */
abstract class Mailbox extends PcbRelations {

    static final int CHUNK = Integer.getInteger("otpj.mailbox.chunk", 32);
    private static final boolean PADDED = Boolean.getBoolean("otpj.mailbox.padded");
    static final VarHandle PARKED, EXIT, QUEUE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PARKED = l.findVarHandle(Mailbox.class, "parked", int.class);
            EXIT = l.findVarHandle(Mailbox.class, "exitReason", ExitReason.class);
            QUEUE = l.findVarHandle(Mailbox.class, "queue", MessagePassingQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Values of {@code parked}: the owner runs (or spins); it is parked; it has no thread. */
    static final int RUNNING = 0, PARKED_WAITING = 1, HIBERNATED = 2;

    /**
     * The queue of a process that has ended: never offered to nor polled (a sender that finds it
     * drops its message, as for any dead process). Of the unpadded class, so that the call sites
     * of {@code queue} see no third receiver type.
     */
    static final MessagePassingQueue<Object> CLOSED = new MpscUnboundedAtomicUnpaddedArrayQueue<>(2);

    /** Null until the first message (or for a proxy, always); see the class comment. */
    @SuppressWarnings("unused") // accessed through QUEUE
    private MessagePassingQueue<Object> queue;
    /** The queue to make: its chunk, shifted left by one, and 1 if it is the padded class. */
    int queueShape;
    /** The bound of a bounded mailbox, or null (the default): see {@link MailboxBounds}. */
    MailboxBounds bounds;
    volatile ExitReason exitReason;
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile int parked;

    /**
     * The chunk of a compact mailbox: that of a server started with {@link
     * StartOptions#withHibernateAfter}, which is idle most of its life. Half the node's chunk, at
     * most 16 slots and at least 2: a hibernated server that has had messages keeps its empty
     * current chunk, and 16 slots instead of 32 take 64 bytes off it (measured 560 → 496 B per
     * hibernated server, before a server with no message yet had no queue at all). The price is
     * a chunk linked twice as often under a burst: four producers casting to one server measured
     * 0.88× [0.79, 0.96] with 16-slot chunks against 32 (paired forks, {@code docs/benchmarks.md}),
     * which is why it is not the default.
     */
    static int compactChunk(int chunk) {
        return Math.max(2, Math.min(16, chunk >>> 1));
    }

    /**
     * A mailbox queue: the padded JCTools class for a hot process (or every process with
     * {@code -Dotpj.mailbox.padded=true}), else the unpadded one.
     */
    static MessagePassingQueue<Object> newQueue(int chunk, boolean hot) {
        return hot || PADDED ? new MpscUnboundedAtomicArrayQueue<>(chunk) : new MpscUnboundedAtomicUnpaddedArrayQueue<>(chunk);
    }

    /** @return the {@link #queueShape} of a queue of {@code chunk} slots, padded if {@code hot} */
    static int queueShape(int chunk, boolean hot) {
        return chunk << 1 | (hot ? 1 : 0);
    }

    /** @return the queue: null if none was made yet, {@link #CLOSED} after the end. Any thread. */
    @SuppressWarnings("unchecked")
    final MessagePassingQueue<Object> queue() {
        return (MessagePassingQueue<Object>) QUEUE.getAcquire(this);
    }

    /** Makes the queue, or returns the one another thread installed first (maybe {@link #CLOSED}). */
    @SuppressWarnings("unchecked")
    private MessagePassingQueue<Object> installQueue() {
        int shape = queueShape;
        MessagePassingQueue<Object> made = newQueue(shape >>> 1, (shape & 1) != 0);
        MessagePassingQueue<Object> won = (MessagePassingQueue<Object>) QUEUE.compareAndExchange(this,
                (MessagePassingQueue<Object>) null, made);
        return won == null ? made : won;
    }

    /** A message a bounded mailbox always admits (a state machine's own timeouts). */
    interface Unbounded {}

    /** Sends {@code message} to this process unless it is dead. Any thread. */
    final void deliver(Object message) {
        MessagePassingQueue<Object> q = queue();
        if (q == null) {
            // A proxy of a process on another node has no queue: its messages go to that node,
            // on the sender's thread and inside its effect, so they keep the sender's order.
            RemoteNode r = remote;
            if (r != null) {
                if (exitReason == null) {
                    r.deliver((Pcb) this, message);
                }
                return;
            }
            if (exitReason != null) {
                return;
            }
            q = installQueue(); // the first message: see "The queue made by the first sender"
        }
        if (q == CLOSED || exitReason != null) {
            return;
        }
        MailboxBounds b = bounds;
        // Only a Pcb has bounds (set in its constructor): this is that Pcb.
        if (b != null && !b.admit((Pcb) this, q, message)) {
            return;
        }
        q.offer(message);
        // StoreLoad between the offer and the read of parked: see the class comment.
        VarHandle.fullFence();
        int p = (int) PARKED.getVolatile(this);
        if (p != RUNNING) {
            wake(p);
        }
        if (exitReason != null && thread == null) {
            // Died while we offered, and its owner has already drained and gone: see "After death".
            drainAfterDeath(q);
        }
    }

    /**
     * A sender that found the owner parked ({@link #PARKED_WAITING}) or hibernated
     * ({@link #HIBERNATED}): the one sender whose CAS takes the flag back to {@link #RUNNING}
     * unparks the thread, or starts a new one for a hibernated process.
     */
    private void wake(int p) {
        if (PARKED.compareAndSet(this, p, RUNNING)) {
            if (p == PARKED_WAITING) {
                Ticker.unpark(thread);
            } else {
                resume();
            }
        }
    }

    /**
     * Starts a new thread for this hibernated process; called by the one thread whose CAS took
     * {@code parked} from {@link #HIBERNATED} to {@link #RUNNING}. See {@link Pcb#hibernateReleasingThread()}.
     */
    abstract void resume();

    /** @return whether the process is hibernated now: alive with no thread (a hint, any thread) */
    final boolean hibernated() {
        return (int) PARKED.getOpaque(this) == HIBERNATED;
    }

    /** @return an estimate of the number of queued messages. Any thread. */
    final int size() {
        MessagePassingQueue<Object> q = queue();
        return q == null ? 0 : q.size();
    }

    /** @return whether no message is queued (none ever sent, or all taken). Owner thread only. */
    final boolean isEmpty() {
        MessagePassingQueue<Object> q = queue();
        return q == null || q.isEmpty();
    }

    /**
     * Waits for the next message. Owner thread only.
     *
     * @param timeoutNanos negative for no limit, 0 for a non-blocking poll
     * @param fresh whether nothing can be on its way yet (no short spin)
     * @return the message, or null when the timeout passed with none
     * @throws ProcessExit if the process dies while it waits
     */
    final Object take(long timeoutNanos, boolean fresh) {
        // Null until the first message comes (read again each round while it is): the owner never
        // makes the queue itself, so a process waiting for its first message keeps none.
        MessagePassingQueue<Object> q = queue();
        Object m = q == null ? null : q.poll();
        if (m != null || timeoutNanos == 0) {
            return m;
        }
        // One method, not a helper for the waiting part: this frame is on the stack of every idle
        // process, and each frame is heap in its parked continuation.
        final boolean timed = timeoutNanos > 0;
        final long deadline = timed ? System.nanoTime() + timeoutNanos : 0L;
        boolean interrupted = false;
        Ticker.Deadline timer = null;
        begin();
        try {
            for (int step = 0; ; step++) {
                if (q == null) {
                    q = queue();
                }
                m = q == null ? null : q.poll();
                if (m != null) {
                    satisfied();
                    return m;
                }
                if (exitReason != null) {
                    throw ProcessExit.INSTANCE;
                }
                if (timed && (step & 63) == 0 && deadline - System.nanoTime() <= 0) {
                    return null;
                }
                // The partner hint: a caller this process just answered without waking it is on a
                // carrier and likely to call again within a microsecond.
                Pcb p = partner;
                if (spin(step, !fresh, p, false)) {
                    continue;
                }
                if (p != null) {
                    partner = null; // used up: a stale hint costs at most one bounded spin
                }
                parking();
                sliceEnds();
                PARKED.setVolatile(this, PARKED_WAITING);
                VarHandle.fullFence();
                if (q == null) {
                    q = queue();
                }
                m = q == null ? null : q.poll();
                if (m != null) {
                    PARKED.setOpaque(this, RUNNING);
                    unparked();
                    return m;
                }
                if (timed) {
                    if (deadline - System.nanoTime() <= 0) {
                        PARKED.setOpaque(this, RUNNING);
                        unparked();
                        return null;
                    }
                    if (timer == null) {
                        // Untimed park, the deadline on the ticker: it needs no carrier to fire.
                        timer = Ticker.unparkAt(deadline);
                    }
                }
                LockSupport.park(this);
                unparked();
                PARKED.setOpaque(this, RUNNING);
                if (Thread.interrupted()) {
                    if (exitReason != null) {
                        throw ProcessExit.INSTANCE;
                    }
                    // Not ours: an interrupt aimed at a live process is kept for its code.
                    interrupted = true;
                }
            }
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The owner's last act on its mailbox: drops the queue and hands every queued message to
     * {@code sink}. Owner thread only, after it cleared {@link PcbRelations#thread}.
     */
    @SuppressWarnings("unchecked")
    final void close(Consumer<Object> sink) {
        // A getAndSet: no sender installs a queue after it (their CAS expects null).
        MessagePassingQueue<Object> q = (MessagePassingQueue<Object>) QUEUE.getAndSet(this, CLOSED);
        // StoreLoad between the owner's clear of thread (just before) and the drain's loads; the
        // getAndSet is one on HotSpot, the fence says so whatever the queue's loads are.
        VarHandle.fullFence();
        if (q != null && q != CLOSED) {
            synchronized (this) {
                drainAll(q, sink::accept);
            }
        }
    }

    private void drainAfterDeath(MessagePassingQueue<Object> q) {
        synchronized (this) {
            drainAll(q, Pcb::dropAfterDeath);
        }
    }

    /**
     * Hands {@code sink} every message it can take from {@code q}. Several drains: the contract of
     * {@link MessagePassingQueue#drain(MessagePassingQueue.Consumer)} makes no promise that the
     * queue is empty at its end (JCTools' unbounded queues take at most 4,096 per call). A message
     * whose offer is still in flight is the late sender's to drain (see "After death").
     */
    static void drainAll(MessagePassingQueue<Object> q, MessagePassingQueue.Consumer<Object> sink) {
        while (q.drain(sink) > 0) {
            // until a drain finds nothing
        }
    }
}
