package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The runtime's own platform thread, {@code otpj-ticker}: the fair yield of a thread whose slice
 * is spent, the wake-ups that platform threads send into the scheduler while it is saturated, and
 * the timer of otpj's timed waits (receive and call timeouts, idle timeouts).
 *
 * <h2>Why a thread of its own</h2>
 * JDK 25's virtual-thread scheduler is a {@code ForkJoinPool}. A worker runs the tasks of its own
 * local queue to the end before it looks anywhere else; once it takes a task from another queue
 * it goes on taking from that same queue for as long as it finds tasks there; and a virtual
 * thread woken by a thread outside the pool is submitted to an <em>external</em> queue chosen by
 * the waker. So {@code Thread.yield()} does not help a saturated scheduler (a busy thread that
 * yields goes back onto its carrier's local queue), and when the scheduler is saturated, threads
 * woken from outside it (a supervisor woken by an exit signal from a platform thread, a call's
 * timeout, a timer) can wait in an external queue that no worker reaches. Measured here: with 32
 * callers looping on failing calls, a process woken from a platform thread waited over 20 s, and
 * JDK-timed parks (the call timeouts) did not fire for as long.
 *
 * <h2>What it does</h2>
 * Everything otpj hands to this thread comes back through one external queue of the scheduler,
 * in arrival order:
 * <ul>
 *   <li><b>Yields.</b> A thread whose slice is spent ({@link Waiter#reduce}) while the scheduler
 *       is congested, or as one probe in {@value Waiter#PROBE_EVERY} otherwise, parks and asks to
 *       be let go again; this thread unparks it at once, which submits it at the back of that
 *       queue: behind everything that waited there before it. How long it then takes to run
 *       again is what tells this thread whether the scheduler is congested.</li>
 *   <li><b>Wake-ups under load.</b> While the scheduler is saturated (in the last
 *       {@code CONGESTION_NANOS}, a yield let go by this thread took more than {@code LATE_NANOS}
 *       to run again, or has not run yet after that long), a platform thread that wakes a process
 *       (a send from a plain thread, a timer's delivery, a reply) hands the wake-up to this thread
 *       instead of unparking it itself ({@link #unpark}), so it joins the same line instead of a
 *       queue the workers may never reach. Otherwise it unparks directly, with no extra hop.
 *       New processes likewise ({@link #start}): JDK 25 submits every new virtual thread to an
 *       external queue, even one started from a virtual thread.</li>
 *   <li><b>Deadlines.</b> otpj's timed waits park untimed and put a {@link Deadline} on this
 *       thread's timer wheel (ticks of about a millisecond, {@value #SLOTS} slots); when it is
 *       due, this thread unparks the waiter, through the same line. A timeout is thus decided by a
 *       platform thread that needs no carrier, and delivered fairly.</li>
 * </ul>
 * So a woken supervisor, a due timeout or a timer's message waits at most for the turns already in
 * line: about (threads running their slices) × (slice) / (carriers). The measured bound is in
 * docs/processes.md.
 *
 * <h2>Protocol</h2>
 * Commands reach this thread through a JCTools MPSC queue. It parks when it has nothing to do:
 * timed, until its next tick, while deadlines are pending ({@code sleeping = 1}); untimed
 * otherwise ({@code sleeping = 2}). Before it parks it stores {@code sleeping}, fences, and polls
 * once more; a sender offers, fences, and reads {@code sleeping}: the mailbox's Dekker pair
 * ({@link Mailbox}). A yield or a wake-up unparks it when it sleeps at all; a new deadline only
 * when it sleeps untimed (otherwise the next tick sees it); a cancelled deadline never. A yielding
 * thread parks until this thread has set its ticket's {@code released} flag (volatile) and
 * unparked it, so a stale permit only sends it round its loop again. Thread-safe; a daemon thread
 * started on first use.
 */
final class Ticker {

    /** A tick is 2^20 ns, about a millisecond. */
    static final int TICK_SHIFT = 20;
    static final int SLOTS = 1024;
    /** The scheduler counts as saturated while a late yield (see {@link #LATE_NANOS}) happened this recently. */
    static final long CONGESTION_NANOS = 10_000_000L;
    /**
     * A yield let go that takes longer than this to run again shows the scheduler saturated: half
     * a slice. A thread that yields while a carrier is free runs again within microseconds, and
     * then nothing needs to queue behind it: a server busy serving one plain-thread caller yields
     * every slice, yet platform threads' wake-ups keep going straight to the scheduler.
     */
    static final long LATE_NANOS = Math.max(100_000L, ((long) Waiter.SLICE_TICKS << Waiter.TICK_SHIFT) / 2);

    /** A yield: the thread to let go again. */
    private static final class Ticket {
        /** Read and then cleared by the ticker thread when it lets the thread go. */
        Thread thread;
        volatile boolean released;
        /** Ticker thread only: when it let the thread go. */
        long releasedAt;
        /** Written by the yielding thread before {@link #started}, read by the ticker after it. */
        long startedAt;
        /** Set by the yielding thread once it runs again (or gave up waiting): it has left the queue. */
        volatile boolean started;

        Ticket(Thread thread) {
            this.thread = thread;
        }
    }

    /** A wake-up handed over by a platform thread while the scheduler is saturated. */
    private record Wake(Thread thread) {}

    /** A new process's thread, started by the ticker while the scheduler is saturated. */
    private record Start(Thread thread) {}

    /**
     * A timed wait: its waiter, when it is due, and its state. Added by the waiter, then owned by
     * the ticker thread (the wheel's links), until fired or cancelled.
     */
    static final class Deadline {
        private static final int PENDING = 0, FIRED = 1, CANCELLED = 2;
        private static final VarHandle STATE;
        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Deadline.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Thread waiter;
        /** The first tick at or after the deadline. */
        final long tick;
        @SuppressWarnings("unused") // accessed through STATE
        private volatile int state;
        // Ticker thread only: the wheel's slot list.
        private Deadline prev, next;
        private boolean linked;

        Deadline(Thread waiter, long deadlineNanos) {
            this.waiter = waiter;
            this.tick = (deadlineNanos + (1L << TICK_SHIFT) - 1) >> TICK_SHIFT;
        }

        /**
         * The waiter's end of the wait (woken by its event, or by this deadline): a pending
         * deadline is cancelled and the ticker told, so it drops the entry promptly.
         */
        void cancel() {
            if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                INBOX.offer(this); // not urgent: the next tick unlinks it
            }
        }
    }

    private static final VarHandle SLEEPING;
    static {
        try {
            SLEEPING = MethodHandles.lookup().findStaticVarHandle(Ticker.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final MessagePassingQueue<Object> INBOX = new MpscUnboundedAtomicArrayQueue<>(256);
    /** 0 while the ticker runs; 1 while it sleeps until its next tick; 2 while it sleeps untimed. */
    @SuppressWarnings("unused") // accessed through SLEEPING
    private static volatile int sleeping;
    /** Written by the ticker thread only: a yield happened in the last {@link #CONGESTION_NANOS}. */
    private static volatile boolean congested;
    private static final Thread THREAD = Thread.ofPlatform().daemon().name("otpj-ticker").start(Ticker::run);

    private Ticker() {}

    // ------------------------------------------------------------------ senders' side

    /** Whether the scheduler counts as saturated now (see the class comment); any thread. */
    static boolean congested() {
        return congested;
    }

    /** The calling virtual thread waits for its turn at the back of the line. */
    static void yieldVirtual() {
        Ticket t = new Ticket(Thread.currentThread());
        offer(t, 1);
        Pcb self = Pcb.current();
        boolean interrupted = false;
        while (!t.released) {
            LockSupport.park(t);
            if (Thread.interrupted()) {
                interrupted = true; // a kill or a user's interrupt: kept for the caller's code
            }
            if (self != null && self.exitReason != null) {
                break; // killed while it waited: it unwinds at its next otpj operation
            }
        }
        t.startedAt = System.nanoTime();
        t.started = true; // volatile: publishes startedAt to the ticker
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Wakes {@code t}, parked in an otpj wait: directly, or, when a platform thread wakes a
     * virtual one while the scheduler is saturated, through the ticker (see the class comment).
     */
    static void unpark(Thread t) {
        if (t != null && congested && t.isVirtual() && !Thread.currentThread().isVirtual()) {
            offer(new Wake(t), 1);
        } else {
            LockSupport.unpark(t);
        }
    }

    /**
     * Starts a new process's thread. JDK 25 submits a virtual thread started from a virtual
     * thread to an external queue too, so while the scheduler is saturated the ticker starts it,
     * and it joins the same line as everything else; otherwise it starts at once.
     */
    static void start(Thread t) {
        if (congested) {
            offer(new Start(t), 1);
        } else {
            t.start();
        }
    }

    /**
     * Arms a deadline for the calling thread's timed wait: at {@code deadlineNanos}
     * ({@link System#nanoTime} time) it is unparked, unless {@link Deadline#cancel} came first.
     */
    static Deadline unparkAt(long deadlineNanos) {
        Deadline d = new Deadline(Thread.currentThread(), deadlineNanos);
        offer(d, 2);
        return d;
    }

    /** @param wakeIf wake the ticker if it sleeps this deeply or more (1: any sleep; 2: untimed only) */
    private static void offer(Object command, int wakeIf) {
        INBOX.offer(command);
        VarHandle.fullFence(); // StoreLoad: see the class comment
        int s = (int) SLEEPING.getVolatile();
        if (s >= wakeIf && SLEEPING.compareAndSet(s, 0)) {
            LockSupport.unpark(THREAD);
        }
    }

    // ------------------------------------------------------------------ the ticker thread

    private static final Deadline[] WHEEL = new Deadline[SLOTS];
    /** Yields waiting for their turn, in arrival order. */
    private static final java.util.ArrayDeque<Ticket> WAITING = new java.util.ArrayDeque<>();
    /** Yields let go and not yet running again: while any is left, no more are let go. */
    private static final java.util.ArrayList<Ticket> OUT = new java.util.ArrayList<>();
    private static long lastReleaseTick = Long.MIN_VALUE;
    private static int lastBatch;
    /** The scheduler's carriers: a batch no larger than this leaves the queue at once. */
    private static final int CARRIERS = Math.max(1, Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors()));
    private static int pending;
    private static long currentTick = System.nanoTime() >> TICK_SHIFT;
    /** Ticker thread only, plain: when a yield was last seen late (see {@link #LATE_NANOS}). */
    private static long lastLate = Long.MIN_VALUE / 2;

    private static void run() {
        for (;;) {
            long now = System.nanoTime();
            Object c;
            while ((c = INBOX.poll()) != null) {
                handle(c, now);
            }
            long nowTick = now >> TICK_SHIFT;
            while (currentTick < nowTick) {
                currentTick++;
                fireSlot(currentTick);
            }
            releaseTurns(now);
            boolean busy = now - lastLate < CONGESTION_NANOS;
            if (congested != busy) {
                congested = busy;
            }
            int mode = pending > 0 || !WAITING.isEmpty() || !OUT.isEmpty() ? 1 : 2;
            SLEEPING.setVolatile(mode);
            VarHandle.fullFence();
            if ((c = INBOX.poll()) != null) {
                SLEEPING.setVolatile(0);
                handle(c, System.nanoTime());
                continue;
            }
            if (mode == 1) {
                long nextTick = (currentTick + 1) << TICK_SHIFT;
                LockSupport.parkNanos(Ticker.class, Math.max(1L, nextTick - System.nanoTime()));
            } else if (congested) {
                // Nothing pending, but the congestion flag must drop in time.
                LockSupport.parkNanos(Ticker.class, CONGESTION_NANOS);
            } else {
                LockSupport.park(Ticker.class);
            }
            SLEEPING.setVolatile(0);
        }
    }

    private static void handle(Object c, long now) {
        switch (c) {
            case Ticket t -> WAITING.addLast(t);
            case Wake w -> LockSupport.unpark(w.thread());
            case Start st -> st.thread().start();
            case Deadline d -> {
                if (d.linked) {
                    unlink(d); // its cancel
                } else if ((int) Deadline.STATE.getVolatile(d) == Deadline.PENDING) {
                    if (d.tick <= currentTick) {
                        fire(d);
                    } else {
                        link(d);
                    }
                }
            }
            default -> throw new IllegalStateException("unknown ticker command " + c);
        }
    }

    /**
     * Lets the waiting yields go, all at once, when every yield let go before has run again, and,
     * after a batch larger than the carriers, at most once a tick. Between the moment the last of a batch runs and the next tick, the
     * scheduler's queue this thread feeds is empty: a worker that finishes a turn then finds it
     * empty and scans its other queues, so work that reached the scheduler some other way (an
     * external queue this thread does not feed) is served too, instead of waiting behind a queue
     * that never empties. One yielding thread alone is let go at once.
     */
    private static void releaseTurns(long now) {
        for (int i = OUT.size() - 1; i >= 0; i--) {
            Ticket t = OUT.get(i);
            if (t.started) { // volatile read first: then startedAt is the yielder's
                if (t.startedAt - t.releasedAt > LATE_NANOS && t.startedAt - lastLate > 0) {
                    lastLate = t.startedAt; // nanoTime values compare by difference only
                }
                OUT.remove(i);
            } else if (now - t.releasedAt > LATE_NANOS) {
                lastLate = now;
            }
        }
        if (WAITING.isEmpty()) {
            return;
        }
        if (!OUT.isEmpty() || (lastBatch > CARRIERS && lastReleaseTick == currentTick)) {
            return;
        }
        lastReleaseTick = currentTick;
        lastBatch = WAITING.size();
        Ticket t;
        while ((t = WAITING.pollFirst()) != null) {
            OUT.add(t);
            t.releasedAt = now;
            t.released = true;
            LockSupport.unpark(t.thread);
            t.thread = null; // a ticket kept until its thread runs must not keep the thread
        }
    }

    private static void link(Deadline d) {
        int slot = (int) (d.tick & (SLOTS - 1));
        Deadline h = WHEEL[slot];
        d.next = h;
        if (h != null) {
            h.prev = d;
        }
        WHEEL[slot] = d;
        d.linked = true;
        pending++;
    }

    private static void unlink(Deadline d) {
        int slot = (int) (d.tick & (SLOTS - 1));
        if (d.prev != null) {
            d.prev.next = d.next;
        } else {
            WHEEL[slot] = d.next;
        }
        if (d.next != null) {
            d.next.prev = d.prev;
        }
        d.prev = d.next = null;
        d.linked = false;
        pending--;
    }

    private static void fireSlot(long tick) {
        Deadline d = WHEEL[(int) (tick & (SLOTS - 1))];
        while (d != null) {
            Deadline next = d.next;
            if (d.tick <= tick) {
                unlink(d);
                fire(d);
            }
            d = next;
        }
    }

    private static void fire(Deadline d) {
        if (Deadline.STATE.compareAndSet(d, Deadline.PENDING, Deadline.FIRED)) {
            LockSupport.unpark(d.waiter);
        }
    }
}
