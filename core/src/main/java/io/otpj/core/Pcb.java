package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process control block: everything the runtime keeps for one process.
 *
 * <p>Layout. The fields are split by who writes them, one class per part, chained so the JVM lays
 * them out in this order (superclass fields first): {@link Waiter} and {@link PcbOwnerFields}
 * (written by the process's own thread as it runs), {@link PcbRelations} (guarded by this
 * block's lock, or written once; at least 64 bytes), {@link Mailbox} (read by every sender).
 * Each part's comment opens with a table of its fields: writer, readers, access mode and why.
 * This class adds only the pid.
 *
 * <h2>The effect gate</h2>
 * Every outgoing effect of a process (a send, a reply, an exit signal, a link or unlink, a
 * monitor, a spawn or start, a registration, an exit hook, a timer) runs between {@link #enter}
 * and {@link #leave} on the process's own thread. The gate is one word with three bits, written
 * by two parties:
 * <pre>
 *   0              -> IN              owner enters an effect                       (CAS)
 *   IN             -> 0               owner leaves it                              (CAS)
 *   0              -> DECIDED         exit decided while the owner is outside:
 *                                     the decider runs the rest of the death now   (getAndBitwiseOr)
 *   IN             -> IN|DECIDED      exit decided while the owner is inside:
 *                                     the owner runs the rest when it leaves       (getAndBitwiseOr)
 *   IN|DECIDED     -> (unchanged)     owner leaves: its CAS fails, it runs the rest
 * </pre>
 * ({@code REMOTE} rides along with {@code DECIDED} when the decider was another thread.) Because
 * both parties change the one word atomically, exactly one of them runs the death's
 * {@linkplain #tail tail} (release the name, run exit hooks, fail the callers, fire the monitors,
 * signal the links), and it runs only after any effect in progress has completed. So an effect
 * either lands before the process's DOWN and exit signals, or it is refused (the owner unwinds
 * with {@link ProcessExit}); and the decider never waits for the owner. A process's effects nest
 * (an exit hook run inside an effect may send): {@code gateDepth} counts the nesting and only the
 * outermost level touches the word.
 *
 * <h2>Death</h2>
 * {@link #die} and the exit signals {@linkplain #decide decide} an exit: a CAS of
 * {@link #decidedReason} from null picks the one winner among racing exits, the gate closes, and
 * then {@link #exitReason} is published. From then on the process is dead to everyone: sends to
 * it are dropped, {@link #isAlive} is false, new links and monitors get {@code noproc}, and
 * whoever sees it dead also finds its gate closed, so nothing it does afterwards reaches anyone.
 * A decider on another thread then wakes the process's thread (an interrupt, so blocking JDK
 * calls end at once). The tail then runs, in this order: the name is released and the exit hooks
 * run (so whoever learns of the death can register the name again); the death is
 * {@linkplain #settled settled}; the watchers are told in the order they came (callers fail,
 * monitors get their DOWN, timers addressed to the process are cancelled); the links are
 * signalled; the monitors this process held on others are cancelled. A killed process whose
 * thread has not ended after a grace period is reported as a zombie ({@link Zombies}).
 */
final class Pcb extends Mailbox {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Process");
    /**
     * Process threads are unnamed by default: a name is a String per process and formatting work
     * on every spawn. With {@code -Dotpj.threadNames=true} each is named after its pid, for thread
     * dumps.
     */
    private static final boolean NAMED = Boolean.getBoolean("otpj.threadNames");
    /**
     * A process shares nothing with the one that spawned it: its thread inherits no inheritable
     * thread-local (an slf4j MDC map among them, which would otherwise be copied into every
     * process a process spawns).
     */
    private static final ThreadFactory THREADS = Thread.ofVirtual().inheritInheritableThreadLocals(false).factory();
    /**
     * {@code -Dotpj.logContext=true}: every process's thread carries slf4j MDC entries {@code pid}
     * and, for a named GenServer or gen_statem, {@code registered_name} (see docs/observability.md).
     * Off by default: with an MDC-capable binding the map costs about 300 bytes per live thread.
     */
    static final boolean LOG_CONTEXT = Boolean.getBoolean("otpj.logContext");
    static final ScopedValue<Pcb> CURRENT = ScopedValue.newInstance();
    private static final VarHandle THREAD, DECIDED_REASON;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            THREAD = l.findVarHandle(PcbRelations.class, "thread", Thread.class);
            DECIDED_REASON = l.findVarHandle(PcbRelations.class, "decidedReason", ExitReason.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Results of {@link #decide}. */
    private static final int LOST = 0, TAIL_NOW = 1, TAIL_LATER = 2;
    /**
     * How long a decider waits for a tail it left to the owner (see {@link #awaitTail}): an effect
     * takes well under a microsecond, but its thread may lose its core to the operating system in
     * the middle of one, for a time slice or several.
     */
    private static final long TAIL_WAIT_NANOS = 1_000_000_000L;
    /** Results of {@link #linkFrom}. */
    static final int LINKED = 0, LINKED_LATE = 1, SETTLED = 2;
    /** {@link PcbOwnerFields#flags}: the process has taken a message from its mailbox. */
    private static final int RECEIVED = 1;

    final Pid pid;

    /**
     * A new process of {@code node}, not started yet, with a padded mailbox queue if {@code hot}
     * (see {@link Mailbox}).
     *
     * @throws IllegalStateException if the node is stopped, or killing what is left as it stops
     */
    Pcb(Node node, boolean hot) {
        this(node, hot, null);
    }

    /** A new process with a bounded mailbox if {@code limit} is not null. */
    Pcb(Node node, boolean hot, MailboxLimit limit) {
        this(node, hot, limit, false);
    }

    /**
     * A new process with a bounded mailbox if {@code limit} is not null, and a compact one (see
     * {@link Mailbox#compactChunk}) if {@code compact} and not {@code hot}.
     */
    Pcb(Node node, boolean hot, MailboxLimit limit, boolean compact) {
        node.requireAccepting();
        // The queue's shape and the node before the pid: a Pcb reached through the pid's final
        // field sees them, however the pid was published (the final-field guarantee covers writes
        // made before the pid's constructor ended). The queue itself is made by the first sender.
        int chunk = node.options().mailboxChunk();
        queueShape = queueShape(compact && !hot ? compactChunk(chunk) : chunk, hot);
        bounds = limit == null ? null : new MailboxBounds(limit);
        this.node = node;
        this.pid = new Pid(node.name(), node.creation(), node.nextId(), this);
    }

    /**
     * The stand-in, in {@code node}, of process {@code id} of the node {@code remote} connects
     * to: its pid has that node's name and creation. It has no thread and no queue: what is sent
     * to it, and the exit signals, links and watches aimed at it, go to {@code remote}; it dies
     * (with the process's reason, or {@code noconnection}) when {@code remote} learns the process
     * died or loses its node. It is not one of {@code node}'s processes (not listed, not stopped
     * with it).
     */
    Pcb(Node node, RemoteNode remote, long id) {
        this.node = node;
        this.remote = remote;
        this.pid = new Pid(remote.name(), remote.creation(), id, this);
    }

    /**
     * A pid's stand-in for a process known to be gone (of {@code nodeName}, from this node's view):
     * dead with {@code reason} and settled from the start, like {@link #OUTSIDE}.
     */
    Pcb(Node node, String nodeName, int creation, long id, ExitReason reason) {
        this.node = node;
        this.pid = new Pid(nodeName, creation, id, this);
        DECIDED_REASON.set(this, reason);
        EXIT.set(this, reason);
        GATE.set(this, DECIDED);
        settled = true;
    }

    /**
     * What a watcher or linker arriving after this process's death hears: {@code noproc}, or for
     * the proxy of a process on a node this one lost, {@code noconnection}, as in Erlang.
     */
    ExitReason lateReason() {
        ExitReason r = exitReason;
        boolean foreign = remote != null || node == null || !pid.node().equals(node.name());
        return foreign && r instanceof ExitReason.NoConnection ? r : Reasons.NOPROC;
    }

    /** A new process of the calling thread's current node. */
    static Pcb create() {
        return new Pcb(Node.current(), false);
    }

    /** A new process of the calling thread's current node, with a padded mailbox if {@code hot}. */
    static Pcb create(boolean hot) {
        return new Pcb(Node.current(), hot);
    }

    /** A new process of the calling thread's current node, with the mailbox {@code options} ask for. */
    static Pcb create(StartOptions options) {
        // A server that hibernates when idle says it is idle most of the time: a compact mailbox.
        return new Pcb(Node.current(), options.hotMailbox(), options.mailboxLimit(),
                !options.hibernateAfter().equals(Proc.INFINITY));
    }

    /** The stand-in for threads that are not processes: {@code <0.0.0>}, never alive. */
    private Pcb(long id) {
        this.pid = new Pid("", 0, id, this);
        DECIDED_REASON.set(this, Reasons.NORMAL);
        EXIT.set(this, Reasons.NORMAL);
        GATE.set(this, DECIDED);
        settled = true;
    }

    /**
     * Stands for "a thread that is not a process" where a pid is required, such as the sender of
     * an exit signal sent from a test's main thread: {@code <0.0.0>}, never alive. Also the
     * fallback of the {@link #CURRENT} lookup.
     */
    static final Pcb OUTSIDE = new Pcb(0);

    /** @return the calling process, or null for a thread that is not one (one scoped-value lookup) */
    static Pcb current() {
        Pcb p = CURRENT.orElse(OUTSIDE);
        return p == OUTSIDE ? null : p;
    }

    boolean isAlive() {
        return exitReason == null;
    }

    /**
     * Whether this process is alive and on a carrier now (running, or spinning in a wait), so
     * that an answer from it can come within microseconds. A hint: it may be stale by the time the
     * caller acts on it; no correctness rests on it.
     */
    boolean onCarrier() {
        return runningHint() && exitReason == null;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts the process's virtual thread running {@code body}. */
    void start(Runnable body) {
        if (body instanceof ServerLoop l) {
            loop = l; // published by the stripe's lock in admitted and by Thread.start
        }
        Thread t = newThread(body);
        // A plain store: Thread.start orders it for the new thread, and the pid that lets others
        // read it is published after this returns.
        THREAD.set(this, t);
        node.admitted(this);
        Ticker.start(t);
    }

    /** A new, unstarted thread for this process, running {@code body} (null: its {@link #loop}, resumed). */
    private Thread newThread(Runnable body) {
        Runnable r = () -> ScopedValue.where(CURRENT, this).where(Node.BOUND, node).run(() -> run(body));
        return NAMED ? Thread.ofVirtual().name(pid.toString()).inheritInheritableThreadLocals(false).unstarted(r)
                : THREADS.newThread(r);
    }

    /**
     * Starts a new thread for this hibernated process, to resume its {@link #loop} (or, if it
     * was killed meanwhile, only its end). Called once per hibernation, by the thread whose CAS
     * took {@code parked} from {@link #HIBERNATED} back to {@link #RUNNING}: a sender, a timer, or
     * the decider of its exit. The volatile store of {@code thread} comes before the start, so a
     * killer that reads it after publishing the exit interrupts the new thread, or the new thread
     * sees the exit (see {@link #decide}).
     */
    @Override
    void resume() {
        Thread t = newThread(null);
        thread = t;
        Ticker.start(t);
    }

    private void run(Runnable body) {
        unparked();
        ExitReason reason = null;
        boolean hibernated = false;
        try {
            // Killed between its link and its start (spawnLink), or while hibernated: its body
            // must not run at all.
            if (exitReason == null) {
                if (LOG_CONTEXT) {
                    org.slf4j.MDC.put("pid", pid.toString());
                }
                if (body != null) {
                    body.run();
                } else {
                    ServerLoop l = loop;
                    l.logContext(); // a new thread: its MDC starts empty
                    l.resumed();
                }
                reason = Reasons.NORMAL;
            }
        } catch (Hibernation h) {
            // The process lives on without this thread, and a new one may be running it already:
            // from here on this thread touches nothing of it.
            hibernated = true;
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
                    Events.crashed(this, diagnosticName(), "", reason);
                    StructuredLog.error(LOG, "process_crash", t, "pid", pid, "exception", t.getClass().getName());
                } catch (Throwable ignored) {
                    // logging is best effort
                }
            }
        } finally {
            if (!hibernated) {
                try {
                    if (reason != null) {
                        die(reason);
                    }
                } finally {
                    end();
                }
            }
        }
    }

    /** The owner's last steps: nothing of the process stays reachable from its pid. */
    private void end() {
        Thread.interrupted();
        // Killed from outside: the decider may not have published the reason yet (it CASes
        // decidedReason, closes the gate, then publishes exitReason, and we may have seen the
        // closed gate in between). The calls failed below, and every later reader, need it.
        ExitReason decided = decidedReason;
        if (decided != null) {
            EXIT.compareAndSet(this, (ExitReason) null, decided);
        }
        saved = null;
        loop = null;
        // A dead process reachable through its pid must not keep its last caller's control block
        // (and that one's partner, and so on) alive.
        partner = null;
        // Volatile: a sender that offered after our last poll sees it and drains (Mailbox).
        thread = null;
        close(Pcb::dropAfterDeath);
        Zombies.ended(this);
        node.ended(this);
    }

    /** A message found in a dead process's mailbox: a call in it must not wait for its timeout. */
    static void dropAfterDeath(Object m) {
        if (m instanceof From f) {
            f.complete(new Completion.Failed(f.server.exitReason));
        }
    }

    // ------------------------------------------------------------------ the effect gate

    /**
     * Owner: begins an effect of this process.
     *
     * @throws ProcessExit if its exit has been decided: the effect must not happen
     */
    void enter() {
        if (gateDepth == 0) {
            reduce(); // before the gate: a process never yields inside an effect
            if (!GATE.compareAndSet(this, 0, IN)) {
                throw ProcessExit.INSTANCE;
            }
        }
        gateDepth++;
    }

    /**
     * Owner: ends an effect begun with {@link #enter}. If the exit was decided meanwhile, runs the
     * rest of the death: the effect has landed, so it precedes the DOWN. A death this process
     * caused itself (an exit signal to itself, a link to a dead process) unwinds it at once; one
     * decided from outside unwinds it at its next otpj operation, as if the kill had come just
     * after the effect, and its interrupt status is set for the blocking calls its code makes
     * before that.
     *
     * @throws ProcessExit if the exit was decided on this thread while the effect ran
     */
    void leave() {
        if (--gateDepth != 0 || GATE.compareAndSet(this, IN, 0)) {
            return;
        }
        // IN|DECIDED: the decider left the tail to us.
        int g = (int) GATE.getVolatile(this);
        Signals work = new Signals();
        tail(decidedReason, work);
        work.drain();
        // Dekker with awaitTail: store tailDone, then load tailWaiter (both volatile).
        tailDone = true;
        LockSupport.unpark(tailWaiter);
        if ((g & REMOTE) == 0) {
            throw ProcessExit.INSTANCE;
        }
        Thread.currentThread().interrupt();
    }

    /** Delivers {@code message} to {@code target} on behalf of the calling thread. */
    static void send(Pcb target, Object message) {
        sendAs(current(), target, message);
    }

    /** {@link #send} for a caller that knows its own process ({@code self}, or null for a plain thread). */
    static void sendAs(Pcb self, Pcb target, Object message) {
        if (self == null) {
            target.deliver(message);
            return;
        }
        self.enter();
        try {
            target.deliver(message);
        } finally {
            self.leave();
        }
    }

    /** Completes {@code cell} on behalf of the calling thread: a killed process answers nobody. */
    static boolean complete(Completion cell, Object value) {
        return completeAs(current(), cell, value);
    }

    /** {@link #complete} for a caller that knows its own process ({@code self}, or null). */
    static boolean completeAs(Pcb self, Completion cell, Object value) {
        if (self == null) {
            return cell.complete(value);
        }
        self.enter();
        try {
            boolean done = cell.complete(value);
            if (done && cell instanceof From f && f.caller != null) {
                // A caller still on a carrier took (or is about to take) the reply without being
                // woken: a conversation. One that was parked has just been pushed onto this
                // carrier's queue, and then this process must park soon to let it run.
                Pcb partner = f.caller.onCarrier() ? f.caller : null;
                if (self.partner != partner) {
                    self.partner = partner;
                }
            }
            return done;
        } finally {
            self.leave();
        }
    }

    // ------------------------------------------------------------------ death

    /**
     * Ends this process with {@code reason} unless its exit is already decided. Safe from any
     * thread. {@code kill} given here is an ordinary reason (a process ending itself with
     * {@code kill}); only an exit signal turns {@code kill} into {@code killed}.
     *
     * @return whether this call decided the exit
     */
    boolean die(ExitReason reason) {
        return end(reason) != LOST;
    }

    /**
     * {@link #die} by another thread that returns only once the death is carried out (name
     * released, DOWNs and exit signals sent), as a kill from outside does: when the owner was inside
     * an effect and runs the tail itself, this waits for it as {@link #awaitTail} does. The caller
     * must be outside any effect of its own.
     */
    void dieAndAwait(ExitReason reason) {
        if (end(reason) == TAIL_LATER) {
            awaitTail();
        }
    }

    /** {@link #die} that tells whether the owner runs the tail: then the caller may {@link #awaitTail}. */
    private int end(ExitReason reason) {
        int r = decide(reason);
        if (r == TAIL_NOW) {
            Signals work = new Signals();
            tail(reason, work);
            work.drain();
        }
        return r;
    }

    /**
     * A decider that left the tail to the owner (it was inside an effect) waits for it, parked,
     * for at most {@link #TAIL_WAIT_NANOS}, so that in practice a kill returns with the death, its
     * DOWNs and its exit signals complete, as when the decider runs the tail itself. Only a caller
     * outside any effect of its own may wait (two processes killing each other from inside their
     * effects would otherwise wait for each other); signals along links never wait. Past the bound
     * (an effect stuck in user code, such as a registry's) it returns anyway, and the owner
     * completes the death when its effect ends. An interrupt does not cut the wait short; it is
     * kept for the caller.
     */
    void awaitTail() {
        Thread me = Thread.currentThread();
        if (me == thread || tailDone) {
            return;
        }
        Pcb self = current();
        // Dekker with leave: store tailWaiter, then load tailDone (both volatile).
        tailWaiter = me;
        long deadline = System.nanoTime() + TAIL_WAIT_NANOS;
        boolean interrupted = false;
        while (!tailDone && (self == null || self.exitReason == null)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        tailWaiter = null;
        if (interrupted) {
            me.interrupt();
        }
    }

    /**
     * Decides the exit. Three steps, each visible before the next: a CAS of
     * {@link #decidedReason} picks the one winner among racing exits; the gate's bits close the
     * gate (from here on no effect of the process can begin); {@link #exitReason} is published,
     * so whoever sees the process dead also finds its gate closed. Then a thread ended from
     * outside is woken: interrupted, so blocking JDK calls end, or, when it is inside an effect
     * and will run the tail itself, only unparked (an otpj wait inside the effect then sees the
     * death), so that no interrupt can reach the exit hooks it is about to run. Runs no user code
     * and takes no lock, so it may be called under one.
     *
     * @return {@link #LOST} if already decided; {@link #TAIL_NOW} if the caller must run the
     *     tail; {@link #TAIL_LATER} if the owner will, when it leaves its effect
     */
    private int decide(ExitReason reason) {
        if (!DECIDED_REASON.compareAndSet(this, (ExitReason) null, reason)) {
            return LOST;
        }
        Thread t = thread;
        boolean remote = t != Thread.currentThread();
        int prev = (int) GATE.getAndBitwiseOr(this, remote ? DECIDED | REMOTE : DECIDED);
        EXIT.setVolatile(this, reason);
        boolean inside = (prev & IN) != 0;
        if (remote) {
            // A hibernated process has no thread to wake: start one, which only ends it. The
            // load of parked follows the volatile store of the exit: an owner hibernating now
            // either is seen HIBERNATED here, or sees the exit after its own store of parked
            // (both volatile) and keeps its thread (see hibernate).
            if ((int) PARKED.getVolatile(this) == HIBERNATED && PARKED.compareAndSet(this, HIBERNATED, RUNNING)) {
                resume();
            } else {
                // Read again after the exit's store: a thread started by a waker since (which
                // stores thread before it starts it) is interrupted here, or sees the exit.
                Thread now = thread;
                if (now != null) {
                    if (inside) {
                        Ticker.unpark(now);
                    } else {
                        now.interrupt();
                    }
                }
            }
        }
        return inside ? TAIL_LATER : TAIL_NOW;
    }

    /**
     * The rest of a decided death. Runs once, on the decider's thread or, when the owner was
     * inside an effect, on the owner's as it leaves it.
     */
    private void tail(ExitReason reason, Signals work) {
        // The owner may run the tail before the decider has published the reason: publish it here too.
        EXIT.compareAndSet(this, (ExitReason) null, reason);
        boolean own = Thread.currentThread() == thread;
        if (own) {
            // The decider's interrupt (if any) is for the process's code, which is over.
            Thread.interrupted();
            // Effects of exit hooks run here are part of the death: they land before the DOWN.
            gateDepth++;
        }
        try {
            Object name;
            List<Runnable> hooks;
            HashSet<Pcb> ls;
            HashSet<MonitorRef> held;
            synchronized (this) {
                name = localName;
                localName = null;
                hooks = exitHooks;
                exitHooks = null;
                ls = links;
                links = null;
                held = watching;
                watching = null;
            }
            if (name != null) {
                node.names.release(name, this);
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
            DeathWatch w;
            synchronized (this) {
                // From here on addWatch refuses: a watcher arriving now sees the death settled and
                // handles it itself.
                settled = true;
                w = watchHead;
                watchHead = null;
            }
            // The list is newest first: tell the watchers in the order they came (a watcher's
            // monitors fire in the order it set them).
            while (w != null && w.next != null) {
                w = w.next;
            }
            while (w != null) {
                DeathWatch prev = w.prev;
                w.prev = w.next = null;
                try {
                    w.processDied(this, reason);
                } catch (Throwable t) {
                    LOG.error("death_watch_failed pid={} watch={}", pid, w, t);
                }
                w = prev;
            }
            if (ls != null) {
                for (Pcb l : ls) {
                    work.add(l, this, reason);
                }
            }
            if (held != null) {
                for (MonitorRef m : held) {
                    if (m.cancel()) {
                        m.target.removeWatch(m);
                    }
                }
            }
            if (((int) GATE.getVolatile(this) & REMOTE) != 0) {
                Zombies.watch(this, name);
            }
        } finally {
            if (own) {
                gateDepth--;
            }
        }
    }

    /**
     * Exit signals still to deliver. A dying process queues one per link here instead of
     * signalling recursively, so a long chain of links cannot overflow the stack.
     */
    static final class Signals {
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
                ((Pcb) w[0]).linkSignal((Pcb) w[1], (ExitReason) w[2], this);
            }
        }
    }

    /**
     * Delivers an exit signal that did not come along a link ({@code Proc.exit(pid, reason)}), by
     * the rules of OTP: {@code kill} cannot be trapped and ends the process with {@code killed};
     * a trapping process gets an {@link Exit} message; otherwise {@code normal} is ignored (unless
     * a process signals itself) and any other reason ends the process.
     *
     * @return whether the signal ended the process while it was inside an effect, so that its own
     *     thread completes the death (the caller may then {@link #awaitTail}, outside its own effects)
     */
    boolean exitSignal(Pcb from, ExitReason reason) {
        if (decidedReason != null) {
            return false;
        }
        RemoteNode r = remote;
        if (r != null) {
            r.exit(from, this, reason); // the process's node applies it
            return false;
        }
        ExitReason decided;
        if (reason instanceof ExitReason.Kill) {
            decided = Reasons.KILLED;
        } else if (trapExit) {
            deliver(new Exit(from.pid, reason));
            return false;
        } else if (reason instanceof ExitReason.Normal && from != this) {
            return false;
        } else {
            decided = reason;
        }
        return end(decided) == TAIL_LATER;
    }

    /**
     * An exit signal from the linked process {@code from}. The link is taken down and the signal
     * applied under this process's lock, so an {@code unlink} by this process (which takes the
     * same lock) either comes first, and there is no signal, or finds the signal applied: the
     * process dead, or the {@link Exit} message queued. Whatever was linked is signalled exactly
     * once.
     */
    void linkSignal(Pcb from, ExitReason reason, Signals work) {
        RemoteNode remote = this.remote;
        if (remote != null) {
            // A proxy: the process it stands for is linked to the dead one; its node applies the
            // signal (the link is taken down here, the other half there).
            boolean linked;
            synchronized (this) {
                linked = links != null && links.remove(from) && decidedReason == null;
            }
            if (linked) {
                remote.linkExit(from, this, reason);
            }
            return;
        }
        int r;
        synchronized (this) {
            if (links == null || !links.remove(from) || decidedReason != null) {
                return;
            }
            if (trapExit) {
                deliver(new Exit(from.pid, reason));
                return;
            }
            if (reason instanceof ExitReason.Normal) {
                return;
            }
            r = decide(reason);
        }
        if (r == TAIL_NOW) {
            tail(reason, work);
        }
    }

    // ------------------------------------------------------------------ messages

    /** A DOWN for a monitor the owner flushed is never seen. */
    private static boolean isFlushed(Object m) {
        return m instanceof Down d && d.ref().flushed;
    }

    /** Owner thread: the mailbox's next message, {@link Mailbox#take} with this process's state. */
    private Object take(long timeoutNanos) {
        int f = flags;
        Object m = take(timeoutNanos, (f & RECEIVED) == 0);
        if (m != null && (f & RECEIVED) == 0) {
            flags = f | RECEIVED;
        }
        return m;
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
        reduce();
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
            Object m = take(timeoutNanos);
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
        reduce();
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
            Object m = take(timeoutNanos);
            if (m == null) {
                return null;
            }
            if (!isFlushed(m)) {
                boolean hit;
                try {
                    hit = match.test(m);
                } catch (RuntimeException | Error e) {
                    // A throwing predicate must not lose the message: keep it, in order.
                    keep(m);
                    throw e;
                }
                if (hit) {
                    return m;
                }
                keep(m);
            }
            if (timeoutNanos > 0) {
                // Past the deadline the wait becomes a poll (0): messages already queued are
                // still examined, and only an empty mailbox ends the receive.
                timeoutNanos = Math.max(0L, deadline - System.nanoTime());
            }
        }
    }

    private void keep(Object m) {
        if (saved == null) {
            saved = new ArrayDeque<>();
        }
        saved.addLast(m);
    }

    /** Removes queued DOWN messages for {@code ref}. Owner thread only. */
    void flushDown(MonitorRef ref) {
        ref.flushed = true;
        ArrayDeque<Object> s = saved;
        if (s != null) {
            s.removeIf(m -> m instanceof Down d && d.ref() == ref);
        }
    }

    /**
     * The local name, read outside the block's lock: for diagnostics only (a reference read never
     * tears; a name registered a moment ago may be missed).
     */
    Object diagnosticName() {
        return localName;
    }

    /** Owner, every 64th operation: reports the mailbox's high water to JFR if a recording wants it. */
    @Override
    void budgetChecked(int now) {
        Events.MailboxHighWater e = new Events.MailboxHighWater();
        if (e.isEnabled()) {
            int last = highWaterReportedAt;
            if (last != 0 && now - last < Events.HIGH_WATER_EVERY_TICKS) {
                return;
            }
            int length = queueLength();
            if (length >= Events.HIGH_WATER) {
                highWaterReportedAt = now == 0 ? 1 : now;
                e.pid = pid.toString();
                e.name = Events.text(diagnosticName());
                e.length = length;
                e.highWater = Events.HIGH_WATER;
                e.commit();
            }
        }
    }

    /** @return queued messages, including those a selective receive set aside (estimate) */
    int queueLength() {
        ArrayDeque<Object> s = saved;
        return size() + (s == null ? 0 : s.size());
    }

    /** Releases what an idle process can release: the selective-receive buffer. Owner thread. */
    void hibernate() {
        if (saved != null && saved.isEmpty()) {
            saved = null;
        }
    }

    /**
     * Owner, from a behaviour's loop (outside every effect and callback): hibernates the process,
     * as {@code erlang:hibernate/3}: its thread ends, and the process, with its pid, name, links,
     * monitors, mailbox and state, lives on without one until its next message, exit signal or
     * kill, which starts a new thread that resumes {@code loop}. A process killed while hibernated
     * gets a thread that only ends it.
     *
     * <p>Protocol (a Dekker pair, as a park's): the owner clears {@code thread}, stores
     * {@code parked = HIBERNATED} (volatile), fences, and then looks at the mailbox and the exit;
     * a sender offers, fences, and loads {@code parked}; a decider publishes the exit and loads
     * {@code parked} (both volatile). Either the owner sees the message or the exit, or that
     * sender or decider sees {@code HIBERNATED}. Whoever sees something then races one CAS of
     * {@code parked} back to {@code RUNNING}: a waker that wins starts the new thread; an owner
     * that wins keeps its thread and returns (a decider that lost falls back to interrupting
     * the thread, which the owner stores again before it returns).
     *
     * <p>The new thread {@linkplain ServerLoop#resumed resumes} the process's {@link #loop}, set
     * when it started, so a hibernation allocates nothing.
     *
     * @throws Hibernation when the thread must unwind now (caught by the process's run method)
     * @throws ProcessExit if the process has been killed
     */
    void hibernateReleasingThread() {
        ArrayDeque<Object> s = saved;
        if (s != null) {
            if (!s.isEmpty()) {
                return; // messages a selective receive passed over are waiting: not idle
            }
            saved = null;
        }
        if (exitReason != null) {
            throw ProcessExit.INSTANCE;
        }
        // Plain stores, published by the volatile store of parked below (loop was set at the start).
        partner = null;
        parking();
        sliceEnds();
        thread = null;
        PARKED.setVolatile(this, HIBERNATED);
        VarHandle.fullFence();
        if (isEmpty() && exitReason == null) {
            throw Hibernation.INSTANCE;
        }
        if (!PARKED.compareAndSet(this, HIBERNATED, RUNNING)) {
            throw Hibernation.INSTANCE; // a waker took the flag: its new thread resumes the loop
        }
        // A message or the exit came in between, and this thread keeps running the process.
        thread = Thread.currentThread();
        unparked();
    }

    // ------------------------------------------------------------------ relations

    /** Owner, inside its gate: links to {@code other} on this side. */
    synchronized void addOwnLink(Pcb other) {
        if (links == null) {
            links = new HashSet<>(4);
        }
        links.add(other);
    }

    /**
     * Links {@code other} to this process, on this side.
     *
     * @return {@link #LINKED}; {@link #LINKED_LATE} if this process's exit is decided (then
     *     {@code other} gets {@code noproc} once the death is settled); {@link #SETTLED} if the
     *     death is settled (then the caller delivers {@code noproc} itself)
     */
    synchronized int linkFrom(Pcb other) {
        if (settled) {
            return SETTLED;
        }
        if (decidedReason != null) {
            linkWatch(new LateLink(other));
            return LINKED_LATE;
        }
        if (links == null) {
            links = new HashSet<>(4);
        }
        links.add(other);
        return LINKED;
    }

    /** @return whether {@code other} was linked (and is not any more) */
    synchronized boolean removeLink(Pcb other) {
        return links != null && links.remove(other);
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
     * Adds {@code w} to the watchers of this process's death.
     *
     * @return false if the death is already settled (the watcher was not added and must act on
     *     the death itself)
     */
    boolean addWatch(DeathWatch w) {
        boolean ask = false;
        synchronized (this) {
            if (settled) {
                return false;
            }
            linkWatch(w);
            if (decidedReason != null) {
                w.late();
            } else if (remote != null && !remoteWatched) {
                // The proxy's first watcher: its node must tell us when the process dies (once).
                remoteWatched = ask = true;
            }
        }
        if (ask) {
            remote.watch(this); // outside the lock: it sends to the network
        }
        return true;
    }

    /** A proxy: asks its node, once, to report the process's death (before a call goes out). */
    void watchRemotely() {
        synchronized (this) {
            if (remoteWatched || settled) {
                return;
            }
            remoteWatched = true;
        }
        remote.watch(this);
    }

    private void linkWatch(DeathWatch w) {
        DeathWatch h = watchHead;
        w.next = h;
        if (h != null) {
            h.prev = w;
        }
        watchHead = w;
    }

    /** Removes {@code w} if it is still waiting for this process's death. O(1). */
    synchronized void removeWatch(DeathWatch w) {
        if (settled) {
            return; // the tail has taken the list; it no longer changes
        }
        DeathWatch p = w.prev, n = w.next;
        if (p != null) {
            p.next = n;
        } else if (watchHead == w) {
            watchHead = n;
        } else {
            return; // not in the list
        }
        if (n != null) {
            n.prev = p;
        }
        w.prev = w.next = null;
    }

    synchronized int monitorCount() {
        int n = 0;
        for (DeathWatch w = watchHead; w != null; w = w.next) {
            if (w instanceof MonitorRef) {
                n++;
            }
        }
        return n;
    }

    /** Owner, inside its gate: records a monitor it holds on another process. */
    synchronized void addWatching(MonitorRef ref) {
        if (watching == null) {
            watching = new HashSet<>(4);
        }
        watching.add(ref);
    }

    synchronized void removeWatching(MonitorRef ref) {
        if (watching != null) {
            watching.remove(ref);
        }
    }

    /** @return false if this process is dead (the hook was not added and will not run) */
    synchronized boolean addExitHook(Runnable hook) {
        if (decidedReason != null) {
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

    /** A link asked for while this process was dying: {@code noproc} once its death is settled. */
    private static final class LateLink extends DeathWatch {
        private final Pcb linker;

        LateLink(Pcb linker) {
            this.linker = linker;
        }

        @Override
        void processDied(Pcb process, ExitReason reason) {
            Signals work = new Signals();
            linker.linkSignal(process, process.lateReason(), work);
            work.drain();
        }
    }

    @Override
    public String toString() {
        return pid.toString();
    }
}
