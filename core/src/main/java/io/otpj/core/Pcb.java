package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process control block: everything the runtime keeps for one process.
 *
 * <p>Threading. {@link #exitReason} and {@link #trapExit} are volatile and read by anyone. The
 * link, monitor, hook and name fields are guarded by {@code this}; they are created lazily, so an
 * idle process that never links costs no collections. {@link #saved} (the selective-receive
 * queue) belongs to the owner thread alone.
 *
 * <p>Death. {@link #die} is the only way a process exits. Its first step, a CAS of
 * {@code exitReason} from null, decides the one winner among racing exits (a crash, a kill, a
 * linked process's signal). From that instant the process is dead to everyone: sends are
 * dropped, new links and monitors see it dead. The winner then, in this order: releases the
 * name and runs exit hooks (so a supervisor told of the death can register the name again),
 * fails the callers waiting on it, fires the monitors, cancels the monitors it held on others,
 * interrupts the process's thread if it is not the caller's own (marking it {@link #unwind}), and
 * finally signals the links.
 */
final class Pcb {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Process");
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * Process threads are unnamed by default: a name is a String per process (about 56 bytes of
     * a million idle processes' heap, and formatting work on every spawn). With
     * {@code -Dotpj.threadNames=true} each is named after its pid, for thread dumps.
     */
    private static final boolean NAMED = Boolean.getBoolean("otpj.threadNames");
    private static final ThreadFactory THREADS = Thread.ofVirtual().factory();
    static final ScopedValue<Pcb> CURRENT = ScopedValue.newInstance();

    private static final VarHandle EXIT, SENDING, PARKED_NOW;
    static {
        try {
            EXIT = MethodHandles.lookup().findVarHandle(Pcb.class, "exitReason", ExitReason.class);
            SENDING = MethodHandles.lookup().findVarHandle(Pcb.class, "sending", int.class);
            PARKED_NOW = MethodHandles.lookup().findVarHandle(Pcb.class, "parkedNow", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Pid pid;
    final Mailbox mailbox = new Mailbox();
    /** Null while alive; set once, by the CAS in {@link #die}. */
    volatile ExitReason exitReason;
    volatile boolean trapExit;
    /**
     * The process's thread: written before it starts, cleared when it has finished (so a pid held
     * after death does not keep the thread's stack, and the GenServer state on it, reachable).
     * Volatile because a killer on another thread reads it to interrupt.
     */
    volatile Thread thread;
    /** What the process runs, for introspection (a GenServer loop, or a plain body). */
    Object behaviour;

    // Guarded by this.
    private HashSet<Pcb> links;
    private ArrayList<MonitorRef> monitors;
    /**
     * The monitors this process holds on others. Cancelled when it dies, so a watcher that dies
     * without demonitoring leaves nothing behind in a target that lives on.
     */
    private HashSet<MonitorRef> watching;
    private ArrayList<Runnable> exitHooks;
    Object localName;

    /**
     * Callers parked waiting for this process (a reply, a start, a stop). Guarded by this;
     * created on the first parked waiter and dropped when the last one leaves.
     */
    private ArrayList<Completion> waiters;

    /**
     * Set, after the exit CAS, when another thread ended this process: its own thread, still
     * running user code, must unwind at its next send or receive. A process that ends on its own
     * thread never sets it, so exit hooks running there may still send.
     */
    volatile boolean unwind;

    /**
     * Set once the death is settled: exit CAS done, name released, exit hooks run. Waiters on
     * this process (callers, starters, stoppers) are released only from here on, so a
     * {@code start} or {@code stop} that returns after the death sees the name free.
     */
    volatile boolean settled;

    /**
     * The thread carrying out this process's death, from the exit CAS until {@link #settled}:
     * an exit hook running on it must not wait for the settling it is part of.
     */
    private volatile Thread dying;

    /**
     * 1 while this process's own thread is between its unwind check and the end of a delivery
     * ({@link #deliverAs}). Written only by the owner thread; read by a killer.
     */
    @SuppressWarnings("unused") // accessed through SENDING
    private volatile int sending;

    /**
     * Exit signals along links being delivered to this process right now: counted under this
     * process's lock together with the link's removal, so {@code unlink} can wait them out.
     */
    volatile int signalsInFlight;

    /** Owner thread only: messages a selective receive passed over, in arrival order. */
    private ArrayDeque<Object> saved;

    /**
     * 1 while this process's thread is parked in one of otpj's waits (a receive, a call), from
     * just before the park until it runs again, and from its creation until its thread first
     * runs. 0 means "not parked in an otpj wait": usually on a carrier, but a process blocked
     * inside the JDK (sleep, I/O, a lock) or unmounted by {@code Thread.yield} reads 0 too, and
     * a caller then spins for it in vain until the spin's time bound and back-off stop it.
     * Written by the owner (and the constructor), read by others with opaque access: it is only
     * a hint for {@link #onCarrier}, which decides whether spinning for this process can pay. No
     * correctness rests on it; the wake-up protocols of {@link Mailbox} and {@link Completion}
     * do not read it.
     */
    @SuppressWarnings("unused") // accessed through PARKED_NOW
    private volatile int parkedNow;

    /**
     * Owner thread only: the caller this process last answered while that caller was still on
     * a carrier (spinning for the reply), so likely to send again at once. A receive that finds
     * the mailbox empty spins for it briefly instead of parking (see {@link Mailbox#take}); the
     * hint is dropped when such a spin ends, so a stale one costs at most one bounded spin.
     */
    Pcb partner;

    Pcb() {
        this.pid = new Pid(IDS.incrementAndGet(), this);
        // Not on a carrier until its thread runs: nobody should spin for a process that is only
        // queued. A plain store: a hint, published with the rest of the object.
        PARKED_NOW.set(this, 1);
    }

    private Pcb(long id) {
        this.pid = new Pid(id, this);
        this.exitReason = Reasons.NORMAL;
        this.settled = true;
    }

    /**
     * Stands for "a thread that is not a process" where a pid is required, such as the sender of
     * an exit signal sent from a test's main thread: {@code <0.0.0>}, never alive.
     */
    static final Pcb OUTSIDE = new Pcb(0);

    /**
     * Owner thread only: whether this process may spin in its next wait for a partner (see
     * {@link Backoff}): a call spinning for its server, a receive spinning for the caller just
     * answered. 0 or more: yes; negative: a recent spin did not pay (no carrier came for the
     * server, no answer or message came in time), so the next {@code -spinCredit} such waits go
     * without one. Each failure in a row doubles that pause ({@link #spinBackoff}, 16 up to 4096
     * waits) and a success resets it: on a machine whose carriers are all busy, or with partners
     * that are slow or blocked in the JDK, the waste falls to one bounded spin per 4096 waits,
     * while two processes that answer each other from two carriers keep spinning.
     */
    private int spinCredit;
    private short spinBackoff = SPIN_BACKOFF_MIN;
    private static final short SPIN_BACKOFF_MIN = 16, SPIN_BACKOFF_MAX = 4096;

    /** Owner thread: asked once per wait that could spin for a partner. */
    boolean maySpin() {
        if (spinCredit >= 0) {
            return true;
        }
        spinCredit++;
        return false;
    }

    /** Owner thread: a partner spin ended with what it waited for. */
    void spinWorked() {
        spinCredit = 0;
        spinBackoff = SPIN_BACKOFF_MIN;
    }

    /** Owner thread: a partner spin ran out of time. */
    void spinFailed() {
        spinCredit = -spinBackoff;
        spinBackoff = (short) Math.min(SPIN_BACKOFF_MAX, spinBackoff * 2);
    }

    /** Owner thread, just before it parks in a wait. */
    void parking() {
        PARKED_NOW.setOpaque(this, 1);
    }

    /** Owner thread, when it runs again after a park. */
    void unparked() {
        PARKED_NOW.setOpaque(this, 0);
    }

    /**
     * Whether this process is alive and on a carrier now (running, or spinning in a wait), so
     * that a message to it, or an answer from it, can come within microseconds. A hint: it may
     * be stale by the time the caller acts on it.
     */
    boolean onCarrier() {
        return (int) PARKED_NOW.getOpaque(this) == 0 && exitReason == null;
    }

    static Pcb current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    boolean isAlive() {
        return exitReason == null;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts the process's virtual thread running {@code body}. */
    void start(Runnable body) {
        Runnable r = () -> ScopedValue.where(CURRENT, this).run(() -> run(body));
        Thread t = NAMED ? Thread.ofVirtual().name(pid.toString()).unstarted(r) : THREADS.newThread(r);
        mailbox.owner = t;
        thread = t;
        t.start();
    }

    private void run(Runnable body) {
        unparked();
        ExitReason reason = null;
        try {
            // Killed between its link and its start (spawnLink): its body must not run at all.
            if (exitReason == null) {
                body.run();
                reason = Reasons.NORMAL;
            }
        } catch (ExitException e) {
            reason = e.reason();
        } catch (ProcessExit e) {
            reason = null;
        } catch (Throwable t) {
            reason = new ExitReason.Crash(t);
            if (isAlive()) {
                // The exception's own toString or getMessage may throw: a broken exception must
                // not keep this process from dying.
                try {
                    LOG.error("process_crash pid={} exception={}", pid, t.getClass().getName(), t);
                } catch (Throwable ignored) {
                    // logging is best effort
                }
            }
        } finally {
            try {
                if (reason != null) {
                    die(reason);
                }
            } finally {
                Thread.interrupted();
                saved = null;
                // A dead process reachable through its pid must not keep its last caller's
                // control block (and that one's partner, and so on) alive.
                partner = null;
                mailbox.drain(Pcb::dropAfterDeath);
                thread = null;
                mailbox.owner = null;
            }
        }
    }

    /** A message found in a dead process's mailbox: a call in it must not wait for its timeout. */
    private static void dropAfterDeath(Object m) {
        if (m instanceof From f) {
            f.complete(new Completion.Failed(f.server.exitReason));
        }
    }

    /** @return whether {@code other} was linked (and is not any more). */
    synchronized boolean removeLinkIfPresent(Pcb other) {
        return links != null && links.remove(other);
    }

    /**
     * Ends this process with {@code reason} unless it is already dead. Safe from any thread.
     *
     * @return whether this call was the one that ended it
     */
    boolean die(ExitReason reason) {
        Signals work = new Signals();
        if (!dieOne(reason, work)) {
            return false;
        }
        work.drain();
        return true;
    }

    /**
     * Exit signals still to deliver. A dying process queues one per link here instead of
     * signalling recursively, so a long chain of links cannot overflow the stack.
     */
    private static final class Signals {
        private ArrayDeque<Object[]> queue;

        void add(Pcb to, Pcb from, ExitReason reason) {
            if (queue == null) {
                queue = new ArrayDeque<>();
            }
            queue.addLast(new Object[] {to, from, reason});
        }

        void drain() {
            if (queue == null) {
                return;
            }
            Object[] w;
            while ((w = queue.pollFirst()) != null) {
                Pcb to = (Pcb) w[0];
                Pcb from = (Pcb) w[1];
                // The link is taken down here, not when the signal was queued: an unlink that
                // won the race means no signal, exactly as if the unlink came first.
                if (to.claimLinkSignal(from)) {
                    try {
                        to.exitSignal(from, (ExitReason) w[2], true, this);
                    } finally {
                        to.linkSignalDone();
                    }
                }
            }
        }
    }

    private boolean dieOne(ExitReason reason, Signals work) {
        if (reason instanceof ExitReason.Kill) {
            reason = Reasons.KILLED;
        }
        if (!EXIT.compareAndSet(this, (ExitReason) null, reason)) {
            return false;
        }
        dying = Thread.currentThread();
        // Ended by another thread (or before its thread started): from now on its own code must
        // not reach anyone, even while the rest of the death is being processed, so nothing it
        // sends can arrive after its DOWN.
        Thread runner = thread;
        if (runner != Thread.currentThread()) {
            unwind = true;
            awaitNoSend();
        }
        Object name;
        List<Runnable> hooks;
        Set<Pcb> ls;
        List<MonitorRef> ms;
        Set<MonitorRef> own;
        synchronized (this) {
            name = localName;
            localName = null;
            hooks = exitHooks;
            exitHooks = null;
            ls = links;
            links = null;
            ms = monitors;
            monitors = null;
            own = watching;
            watching = null;
        }
        if (name != null) {
            Names.release(name, this);
        }
        if (hooks != null) {
            for (Runnable h : hooks) {
                try {
                    h.run();
                } catch (Throwable t) {
                    LOG.error("exit_hook_failed pid={} hook={}", pid, h, t);
                }
            }
        }
        // Completion.await re-reads settled after registering; registration happens under our
        // lock and refuses once settled is set, so a waiter is either in the list taken here or
        // sees settled itself.
        settled = true;
        dying = null;
        ArrayList<Completion> ws;
        synchronized (this) {
            ws = waiters;
            waiters = null;
        }
        if (ws != null) {
            for (Completion c : ws) {
                c.complete(new Completion.Failed(reason));
            }
        }
        if (ls != null) {
            for (Pcb l : ls) {
                work.add(l, this, reason);
            }
        }
        if (ms != null) {
            for (MonitorRef m : ms) {
                m.fire(reason);
            }
        }
        if (own != null) {
            for (MonitorRef m : own) {
                if (m.cancel()) {
                    m.target.removeMonitor(m);
                }
            }
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
        return true;
    }

    /**
     * Delivers an exit signal from {@code from} with {@code reason}, by the rules of OTP: a kill
     * (not from a link) cannot be trapped; a trapping process gets an {@link Exit} message;
     * otherwise {@code normal} is ignored (unless a process signals itself) and any other reason
     * ends the process.
     */
    void exitSignal(Pcb from, ExitReason reason, boolean viaLink) {
        Signals work = new Signals();
        exitSignal(from, reason, viaLink, work);
        work.drain();
    }

    private void exitSignal(Pcb from, ExitReason reason, boolean viaLink, Signals work) {
        if (!isAlive()) {
            return;
        }
        if (!viaLink && reason instanceof ExitReason.Kill) {
            dieOne(Reasons.KILLED, work);
        } else if (trapExit) {
            deliver(new Exit(from.pid, reason));
        } else if (reason instanceof ExitReason.Normal) {
            if (from == this && !viaLink) {
                dieOne(reason, work);
            }
        } else {
            dieOne(reason, work);
        }
    }

    // ------------------------------------------------------------------ messages

    /** Sends {@code message} to this process; dropped if it is dead. Any thread. */
    void deliver(Object message) {
        if (exitReason == null) {
            mailbox.put(message);
        }
    }

    /** A DOWN for a monitor the owner flushed is never seen. */
    private static boolean isFlushed(Object m) {
        return m instanceof Down d && d.ref().flushed;
    }

    /**
     * Next message in arrival order. Owner thread only.
     *
     * @param timeoutNanos negative: no limit; 0: do not block
     * @return the message, or null on timeout
     */
    Object receive(long timeoutNanos) {
        if (exitReason != null) {
            // Killed while running user code: whatever is still queued must not be handled.
            throw ProcessExit.INSTANCE;
        }
        ArrayDeque<Object> s = saved;
        if (s != null) {
            Object m;
            while ((m = s.pollFirst()) != null) {
                if (!isFlushed(m)) {
                    return m;
                }
            }
        }
        final long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
        for (;;) {
            Object m = mailbox.take(this, timeoutNanos);
            if (m == null || !isFlushed(m)) {
                return m;
            }
            if (timeoutNanos > 0) {
                timeoutNanos = Math.max(0L, deadline - System.nanoTime());
            }
        }
    }

    /**
     * The first message, in arrival order, that {@code match} accepts; the others stay queued in
     * their order. Owner thread only.
     */
    Object receive(Predicate<Object> match, long timeoutNanos) {
        if (exitReason != null) {
            throw ProcessExit.INSTANCE;
        }
        ArrayDeque<Object> s = saved;
        if (s != null) {
            for (Iterator<Object> it = s.iterator(); it.hasNext(); ) {
                Object m = it.next();
                if (isFlushed(m)) {
                    it.remove();
                } else if (match.test(m)) {
                    it.remove();
                    return m;
                }
            }
        }
        final long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
        for (;;) {
            Object m = mailbox.take(this, timeoutNanos);
            if (m == null) {
                return null;
            }
            if (!isFlushed(m)) {
                boolean hit;
                try {
                    hit = match.test(m);
                } catch (RuntimeException | Error e) {
                    // A throwing predicate must not lose the message: keep it, in order.
                    if (saved == null) {
                        saved = new ArrayDeque<>();
                    }
                    saved.addLast(m);
                    throw e;
                }
                if (hit) {
                    return m;
                }
                if (saved == null) {
                    saved = new ArrayDeque<>();
                }
                saved.addLast(m);
            }
            if (timeoutNanos > 0) {
                // Past the deadline the wait becomes a poll (0): messages already queued are
                // still examined, and only an empty mailbox ends the receive.
                timeoutNanos = Math.max(0L, deadline - System.nanoTime());
            }
        }
    }

    /** Removes queued DOWN messages for {@code ref}. Owner thread only. */
    void flushDown(MonitorRef ref) {
        ref.flushed = true;
        ArrayDeque<Object> s = saved;
        if (s != null) {
            s.removeIf(m -> m instanceof Down d && d.ref() == ref);
        }
    }

    /** @return queued messages, including those a selective receive set aside (estimate) */
    int queueLength() {
        ArrayDeque<Object> s = saved;
        return mailbox.size() + (s == null ? 0 : s.size());
    }

    /** Releases what an idle process can release: the selective-receive buffer. Owner thread. */
    void hibernate() {
        if (saved != null && saved.isEmpty()) {
            saved = null;
        }
    }

    // ------------------------------------------------------------------ links, monitors, hooks

    /** @return false if this process is dead (the link was not added) */
    synchronized boolean addLink(Pcb other) {
        if (exitReason != null) {
            return false;
        }
        if (links == null) {
            links = new HashSet<>(4);
        }
        links.add(other);
        return true;
    }

    synchronized void removeLink(Pcb other) {
        if (links != null) {
            links.remove(other);
        }
    }

    synchronized List<Pid> linkedPids() {
        List<Pid> out = new ArrayList<>();
        if (links != null) {
            for (Pcb p : links) {
                out.add(p.pid);
            }
        }
        return out;
    }

    /**
     * Waits until this dead process's death is settled (name released, exit hooks run), so that
     * whoever learns of the death now learns of it no earlier than its monitors do. Returns at
     * once on the thread carrying out the death (an exit hook asking about its own process).
     */
    void awaitSettled() {
        for (int step = 0; !settled && dying != Thread.currentThread(); step++) {
            Backoff.pause(step);
        }
    }

    /** @return false if this process is dead (the monitor was not added) */
    synchronized boolean addMonitor(MonitorRef ref) {
        if (exitReason != null) {
            return false;
        }
        if (monitors == null) {
            monitors = new ArrayList<>(2);
        }
        monitors.add(ref);
        return true;
    }

    synchronized void removeMonitor(MonitorRef ref) {
        if (monitors != null) {
            monitors.remove(ref);
        }
    }

    /** @return false if this process is dead (it holds no new monitors) */
    synchronized boolean addWatching(MonitorRef ref) {
        if (exitReason != null) {
            return false;
        }
        if (watching == null) {
            watching = new HashSet<>(4);
        }
        watching.add(ref);
        return true;
    }

    synchronized void removeWatching(MonitorRef ref) {
        if (watching != null) {
            watching.remove(ref);
        }
    }

    /**
     * Unwinds the calling thread if it is a process that another thread has ended: a killed
     * process's next send, spawn or start must not reach anyone.
     */
    static void checkNotUnwinding() {
        Pcb self = current();
        if (self != null && self.unwind) {
            throw ProcessExit.INSTANCE;
        }
    }

    /**
     * Delivers {@code message} to {@code target} on behalf of the calling thread. If the caller
     * is a process that another thread has ended, nothing is delivered and it unwinds.
     *
     * <p>Why the flag: a check of {@code unwind} followed by a delivery is not atomic with a kill,
     * so a killed sender's message could land after its DOWN. The owner stores
     * {@code sending = 1} (volatile) and then loads {@code unwind}; the killer stores
     * {@code unwind = true} (volatile, in dieOne) and then loads {@code sending}, waiting while it
     * is 1 before it fires monitors or links. Sequentially consistent volatile accesses make this
     * a Dekker pair: either the sender sees {@code unwind} and delivers nothing, or the killer
     * sees the send in progress and lets it finish first, so the message precedes the DOWN. The
     * guarded region only appends to a mailbox (no locks, no user code), so the wait is short.
     */
    static void deliverAs(Pcb target, Object message) {
        deliverAs(current(), target, message);
    }

    /** {@link #deliverAs(Pcb, Object)} for a caller that already knows its own process ({@code self}, or null). */
    static void deliverAs(Pcb self, Pcb target, Object message) {
        if (self == null) {
            target.deliver(message);
            return;
        }
        SENDING.setVolatile(self, 1);
        try {
            if (self.unwind) {
                throw ProcessExit.INSTANCE;
            }
            target.deliver(message);
        } finally {
            SENDING.setRelease(self, 0);
        }
    }

    /** Like {@link #deliverAs} for completing a reply cell: a killed server answers nobody. */
    static boolean completeAs(Completion cell, Object value) {
        Pcb self = current();
        if (self == null) {
            return cell.complete(value);
        }
        SENDING.setVolatile(self, 1);
        try {
            if (self.unwind) {
                throw ProcessExit.INSTANCE;
            }
            boolean done = cell.complete(value);
            if (done && cell instanceof From f && f.caller != null) {
                // A caller still on a carrier took (or is about to take) the reply without being
                // woken: a conversation. One that was parked has just been pushed onto this
                // carrier's queue, and then this process must park soon to let it run.
                Pcb partner = f.caller.onCarrier() ? f.caller : null;
                if (self.partner != partner) {
                    // Written on change only: in a steady conversation it stays put, and this
                    // line is read by every process calling us.
                    self.partner = partner;
                }
            }
            return done;
        } finally {
            SENDING.setRelease(self, 0);
        }
    }

    /** Killer side of {@link #deliverAs}: waits for a delivery the victim has begun. */
    private void awaitNoSend() {
        for (int step = 0; (int) SENDING.getVolatile(this) != 0; step++) {
            Backoff.pause(step);
        }
    }

    /**
     * Waits until no exit signal along a link is being delivered to this process: after
     * {@code unlink} has removed a link, a signal that had already claimed it (in
     * {@link Signals#drain}) has then finished, so the caller can tell whether it survived.
     */
    void awaitSignalsInFlight() {
        for (int step = 0; signalsInFlight != 0; step++) {
            Backoff.pause(step);
        }
    }

    /** @return whether {@code other} was linked: the link is gone and a signal is now in flight */
    synchronized boolean claimLinkSignal(Pcb other) {
        if (links != null && links.remove(other)) {
            signalsInFlight++;
            return true;
        }
        return false;
    }

    synchronized void linkSignalDone() {
        signalsInFlight--;
    }

    synchronized int monitorCount() {
        return monitors == null ? 0 : monitors.size();
    }

    /** @return false if this process is dead (the hook was not added) */
    synchronized boolean addExitHook(Runnable hook) {
        if (exitReason != null) {
            return false;
        }
        if (exitHooks == null) {
            exitHooks = new ArrayList<>(2);
        }
        exitHooks.add(hook);
        return true;
    }

    synchronized void removeExitHook(Runnable hook) {
        if (exitHooks != null) {
            exitHooks.remove(hook);
        }
    }

    /** @return false if the death is already settled (the caller must look at it itself) */
    synchronized boolean addWaiter(Completion c) {
        if (settled) {
            return false;
        }
        if (waiters == null) {
            waiters = new ArrayList<>(2);
        }
        waiters.add(c);
        return true;
    }

    /** Drops the list when it empties, so an idle server holds nothing for past callers. */
    synchronized void removeWaiter(Completion c) {
        ArrayList<Completion> ws = waiters;
        if (ws != null) {
            for (int i = ws.size() - 1; i >= 0; i--) {
                if (ws.get(i) == c) {
                    ws.remove(i);
                    break;
                }
            }
            if (ws.isEmpty()) {
                waiters = null;
            }
        }
    }

    @Override
    public String toString() {
        return pid.toString();
    }
}
