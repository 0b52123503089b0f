package io.otpj.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime: its processes, its local names, its timers, the registries started in it, its
 * applications and its defaults. Erlang's node, in one JVM.
 *
 * <h2>Which node a call uses</h2>
 * Every operation that creates or names something (spawn, start, register, whereis, a local
 * name, a timer, a call's default timeout, {@link Proc#count()}) acts on the <em>current
 * node</em> of the calling thread:
 * <ol>
 *   <li>the node bound by the innermost {@link #run(Runnable)} or {@link #call} on this
 *       thread, if any;</li>
 *   <li>else, on a process's thread, the node the process belongs to;</li>
 *   <li>else the {@linkplain #defaultNode() default node}.</li>
 * </ol>
 * A process belongs to the node that was current where it was spawned, for its whole life, and
 * the processes it spawns belong to it too. Operations on a pid (send, link, monitor, exit) act on
 * the pid's process whatever node it belongs to: a message to a pid of another node in the same
 * JVM is delivered like any other, in order per sender.
 *
 * <h2>Isolation</h2>
 * Two nodes share no name: the same local name can be registered in both, {@link #whereis}
 * and {@link Name#local(Object)} look only in the current node, a registry started in one node
 * is found by name only there, and a timer's destination name is resolved in the node that
 * started the timer. Pids carry their node's name and creation ({@link Pid}), so a pid of one
 * node is never equal to a pid of another, nor to one of an earlier node of the same name.
 * What nodes do share is the JVM: its carriers (the virtual-thread scheduler, so the fairness
 * rules are JVM-wide), the fairness ticker thread and the zombie check.
 *
 * <h2>Stopping</h2>
 * {@link #stop(Duration)} stops the {@linkplain #startApplication applications} in the reverse
 * of their start order, each as OTP's application master does: its root gets the exit signal
 * {@code shutdown} from its parent, so a supervisor stops its children in reverse start order,
 * each by its own shutdown policy, and every {@code terminate} that OTP would run runs. When the
 * applications have stopped, or the deadline has passed, every process still alive is killed,
 * the node waits (at most one more second) for their threads to end, and its timers, names and
 * process table are freed: no thread, timer, name or process state of the node is left, except
 * the threads of processes that ignore their interrupt and never call otpj (zombies, logged). A
 * node also stops when the JVM exits normally or on {@code SIGTERM}, through a shutdown hook
 * (see {@link NodeOptions#shutdownHook()}).
 *
 * <p>A stopping node refuses new applications; once it has begun killing what is left, and
 * once stopped, it refuses new processes and timers too ({@link IllegalStateException} naming
 * it); messages
 * to its pids are dropped, as to any dead process; stopping it again does nothing. Its name can
 * be used again by {@link #start}, with a new creation.
 *
 * <p>Thread-safe: every method can be called from any thread, but {@link #stop} not from a
 * process of the node being stopped.
 */
public final class Node {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Node");

    /** Running nodes by name: start claims a name here, the end of stop frees it. */
    private static final ConcurrentHashMap<String, Node> RUNNING = new ConcurrentHashMap<>();
    /**
     * The last creation given to a node in this JVM: each new node gets a newer one than every
     * node before it, whatever its name (so no per-name table grows with the names used).
     */
    private static final java.util.concurrent.atomic.AtomicInteger LAST_CREATION = new java.util.concurrent.atomic.AtomicInteger();
    /** The node bound by {@link #run} and {@link #call}, and on a process's thread its own node. */
    static final ScopedValue<Node> BOUND = ScopedValue.newInstance();

    /** How long the kill phase waits for the killed processes' threads to end. */
    private static final long KILL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final int RUNNING_STATE = 0, STOPPING = 1, KILLING = 2, STOPPED = 3;

    private final String name;
    private final int creation;
    private final NodeOptions options;
    /** Pid ids: incremented by spawners (any thread). 0 is the plain-thread stand-in's. */
    private final AtomicLong ids = new AtomicLong();
    /** The processes whose threads have started and not ended: added by starters, removed by owners. */
    private final ProcessSet processes = new ProcessSet();
    /** The node's local names: written under each process's lock (see {@link Names}). */
    final Names names = new Names();
    /** Created on the first timer, shut down by stop: written once under {@code this}, read volatile. */
    private volatile Timers timers;
    /** Running applications in start order: guarded by {@code this}. */
    private final List<App> apps = new ArrayList<>();
    /**
     * {@code RUNNING_STATE} → {@code STOPPING} (the stopper, under {@code this}) → {@code KILLING}
     * → {@code STOPPED} (the stopper). Volatile: starters read it after adding to
     * {@link #processes}, the stopper writes it before it reads that set (a Dekker pair over
     * volatile accesses), so a process started during the kill phase is killed by one of the two.
     */
    private volatile int state;
    /** Counted down by the stopper once the node is stopped, for concurrent callers of stop. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The JVM shutdown hook, or null: written once in the constructor. */
    private final Thread hook;

    private Node(NodeOptions options, int creation) {
        this.name = options.name();
        this.creation = creation;
        this.options = options;
        this.hook = options.shutdownHook()
                ? Thread.ofPlatform().name("otpj-shutdown-" + name).unstarted(this::stopFromHook)
                : null;
    }

    // ------------------------------------------------------------------ creating and finding

    /**
     * Starts a node. It has no process until one is spawned in it.
     *
     * @param options its name and settings
     * @return the running node
     * @throws IllegalArgumentException if a node of that name is running in this JVM, or if the
     *     name is the default node's ({@code -Dotpj.node.name}, default {@code nonode@nohost}),
     *     which is reserved for {@link #defaultNode()} even before it is first used
     */
    public static Node start(NodeOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.name().equals(DEFAULT_NAME)) {
            throw new IllegalArgumentException("the node name \"" + DEFAULT_NAME + "\" is reserved for the default node"
                    + " (Node.defaultNode()); start this node under another name");
        }
        return startNode(options);
    }

    /** The default node's name: {@code -Dotpj.node.name}, read once. */
    private static final String DEFAULT_NAME = System.getProperty("otpj.node.name", "nonode@nohost");

    private static Node startNode(NodeOptions options) {
        String n = options.name();
        int clock = clockCreation();
        int c = LAST_CREATION.updateAndGet(last -> Math.max(last + 1, clock));
        Node node = new Node(options, c);
        Node other = RUNNING.putIfAbsent(n, node);
        if (other != null) {
            throw new IllegalArgumentException("a node named \"" + n + "\" is already running in this JVM");
        }
        if (node.hook != null) {
            try {
                Runtime.getRuntime().addShutdownHook(node.hook);
            } catch (IllegalStateException jvmExiting) {
                // Started by another shutdown hook: the JVM is exiting, so there is nothing to hook.
                LOG.debug("node_started_during_jvm_shutdown node={}", n);
            }
        }
        return node;
    }

    /** A creation newer than any earlier run of this JVM is likely to have used: seconds since 2025. */
    private static int clockCreation() {
        return (int) Math.max(1L, System.currentTimeMillis() / 1000L - 1_735_689_600L);
    }

    private static final class DefaultHolder {
        static final Node NODE = startNode(new NodeOptions(
                DEFAULT_NAME,
                NodeOptions.DEFAULT_CALL_TIMEOUT,
                Duration.ofMillis(Long.getLong("otpj.node.shutdownTimeoutMillis", 30_000L)),
                Boolean.parseBoolean(System.getProperty("otpj.node.shutdownHook", "true")),
                Mailbox.CHUNK));
    }

    /**
     * The node that the static API uses from a thread that is neither a process nor bound to a
     * node. Started on first use, named {@code -Dotpj.node.name} (default {@code nonode@nohost}),
     * with a shutdown hook unless {@code -Dotpj.node.shutdownHook=false}, and a shutdown deadline
     * of {@code -Dotpj.node.shutdownTimeoutMillis} (default 30000). Once stopped it stays
     * stopped.
     *
     * @return the default node
     */
    public static Node defaultNode() {
        return DefaultHolder.NODE;
    }

    /**
     * The calling thread's current node (see the class comment for the rule).
     *
     * @return the node bound to this thread, else the calling process's node, else the default
     */
    public static Node current() {
        return BOUND.isBound() ? BOUND.get() : DefaultHolder.NODE;
    }

    /**
     * The running node of a name in this JVM.
     *
     * @param name a node name
     * @return the node, or empty if none of that name is running
     */
    public static Optional<Node> named(String name) {
        return Optional.ofNullable(RUNNING.get(Objects.requireNonNull(name, "name")));
    }

    // ------------------------------------------------------------------ accessors

    /**
     * The node's name.
     *
     * @return the name it was started with
     */
    public String name() {
        return name;
    }

    /**
     * The node's creation: differs between two nodes of the same name started one after the
     * other, in this JVM or (being derived from the clock, in seconds) in a JVM started later.
     *
     * @return the creation, a positive number
     */
    public int creation() {
        return creation;
    }

    /**
     * The settings the node was started with.
     *
     * @return its options
     */
    public NodeOptions options() {
        return options;
    }

    /**
     * Whether the node is running: true until {@link #stop} begins. (A stopping node still
     * spawns the processes its applications start while they shut down, until its kill phase;
     * once stopped it spawns nothing.)
     *
     * @return whether it is running
     */
    public boolean isRunning() {
        return state == RUNNING_STATE;
    }

    // ------------------------------------------------------------------ binding

    /**
     * Runs {@code op} on the calling thread with this node as its current node, so that what
     * it spawns, starts, registers or looks up by name is this node's. The binding ends when
     * {@code op} returns; it is not inherited by threads {@code op} starts (processes it spawns
     * belong to this node anyway).
     *
     * @param op the code to run
     */
    public void run(Runnable op) {
        Objects.requireNonNull(op, "op");
        ScopedValue.where(BOUND, this).run(op);
    }

    /**
     * Like {@link #run(Runnable)}, for code that returns a value or throws.
     *
     * @param <R> the result type
     * @param <X> the exception type {@code op} may throw
     * @param op the code to run
     * @return what {@code op} returns
     * @throws X what {@code op} throws
     */
    public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> op) throws X {
        Objects.requireNonNull(op, "op");
        return ScopedValue.where(BOUND, this).call(op);
    }

    /**
     * Wraps {@code task} so that, wherever it runs, it runs bound to this node: for threads
     * otpj does not start, such as an {@code ExecutorService}'s or a web server's, which
     * otherwise use the default node. {@code pool.submit(node.wrap(() -> handle(request)))}.
     *
     * @param task the task
     * @return a task that runs {@code task} inside {@link #run(Runnable)}
     */
    public Runnable wrap(Runnable task) {
        Objects.requireNonNull(task, "task");
        return () -> run(task);
    }

    /**
     * Wraps {@code task} so that it runs bound to this node, as {@link #wrap(Runnable)}.
     *
     * @param <T> the result type
     * @param task the task
     * @return a task that runs {@code task} inside {@link #call}
     */
    public <T> java.util.concurrent.Callable<T> wrap(java.util.concurrent.Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return () -> call(task::call);
    }

    /**
     * Spawns a process in this node: {@code node.run(() -> Proc.spawn(body))}.
     *
     * @param body the process's code, as for {@link Proc#spawn(Runnable)}
     * @return the new process
     * @throws IllegalStateException if the node is stopped, or killing what is left as it stops
     */
    public Pid spawn(Runnable body) {
        return call(() -> Proc.spawn(body));
    }

    /**
     * Looks up a local name in this node.
     *
     * @param name the name
     * @return the live process registered under it here, or empty
     */
    public Optional<Pid> whereis(Object name) {
        Pcb p = names.whereis(Objects.requireNonNull(name, "name"));
        return p == null ? Optional.empty() : Optional.of(p.pid);
    }

    /**
     * Lists the node's processes that have started and not yet ended (hibernated ones included,
     * though they hold no thread), in pid order.
     * A snapshot, each entry read at a slightly different instant.
     *
     * @return the processes, killed ones whose code still runs included (status {@code EXITING})
     */
    public List<NodeProcess> list() {
        List<Pcb> all = processes.snapshot();
        List<NodeProcess> out = new ArrayList<>(all.size());
        for (Pcb p : all) {
            Object n;
            synchronized (p) {
                n = p.localName;
            }
            NodeProcess.Status s = p.exitReason != null ? NodeProcess.Status.EXITING
                    : p.suspended ? NodeProcess.Status.SUSPENDED
                    : p.hibernated() ? NodeProcess.Status.HIBERNATED
                    : p.runningHint() ? NodeProcess.Status.RUNNING : NodeProcess.Status.WAITING;
            ServerLoop l = p.loop; // see PcbRelations: published by the stripe's lock in snapshot()
            if (l == null) {
                out.add(new NodeProcess(p.pid, Optional.ofNullable(n), s, p.queueLength(), Optional.empty(),
                        Optional.empty(), OptionalLong.empty(), Optional.empty()));
            } else {
                // Racy reads of the owner's plain counters and current message: diagnostics only.
                out.add(new NodeProcess(p.pid, Optional.ofNullable(n), s, p.queueLength(), Optional.of(l.implName()),
                        Optional.ofNullable(l.currentCallback()), OptionalLong.of(l.messagesIn),
                        Optional.ofNullable(l.parent).map(q -> q.pid)));
            }
        }
        out.sort((a, b) -> a.pid().compareTo(b.pid()));
        return out;
    }

    /**
     * The number of the node's processes whose threads have started and not ended.
     *
     * @return that number (a snapshot)
     */
    public int processCount() {
        return processes.size();
    }

    // ------------------------------------------------------------------ applications

    /**
     * Starts an application: a root supervision tree, started by {@code start} from the
     * application's master process (its parent, to which it must link: call a
     * {@code startLink}), as OTP's {@code application:start/1}. Applications stop in the reverse
     * of their start order when the node stops, or one by one with {@link #stopApplication}. If
     * the root exits on its own, the application is over (logged at ERROR unless the reason is
     * {@code normal} or {@code shutdown}); the node goes on, as for an OTP temporary application.
     *
     * @param name the application's name, unique among the node's running applications
     * @param start starts the root linked to the calling process, e.g.
     *     {@code () -> Supervisor.startLink(flags, children)}
     * @return the root's pid
     * @throws IllegalArgumentException if an application of that name is running on this node
     * @throws StartException if the start does not give {@code Ok} (ignored, failed, or threw)
     * @throws IllegalStateException if the node is stopped or stopping
     */
    public Pid startApplication(String name, Supplier<StartResult> start) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        App app = new App(name);
        synchronized (this) {
            requireRunning();
            for (App a : apps) {
                if (a.name.equals(name)) {
                    throw new IllegalArgumentException("application \"" + name + "\" is already running on node " + this.name);
                }
            }
            apps.add(app);
        }
        Pid master;
        try {
            master = spawn(() -> app.master(start));
        } catch (RuntimeException e) {
            removeApp(app);
            throw e;
        }
        // The master's death ends both waits, so a master killed during its start (a node stop,
        // an exit signal) fails this start instead of leaving it waiting.
        Runnable died = () -> {
            app.started.countDown();
            app.ended.countDown();
        };
        if (!Proc.onExit(master, died)) {
            died.run();
        }
        app.masterPid = master;
        try {
            app.started.await();
        } catch (InterruptedException e) {
            Proc.exit(master, Reasons.KILL);
            removeApp(app);
            Thread.currentThread().interrupt();
            StartResult failed = new StartResult.Failed(ExitReason.of("interrupted"));
            throw new StartException(failed, "application " + name + " on node " + this.name + ": start interrupted");
        }
        if (app.result instanceof StartResult.Ok(Pid root)) {
            return root;
        }
        removeApp(app);
        StartResult r = app.result != null ? app.result : new StartResult.Failed(Reasons.KILLED);
        if (app.result == null && state != RUNNING_STATE) {
            throw new IllegalStateException("node " + this.name + " stopped during the start of application " + name);
        }
        throw new StartException(r, "application " + name + " on node " + this.name + " did not start: " + r);
    }

    /**
     * Stops one application as {@link #stop} would: its root gets {@code shutdown} from its
     * master, and this waits until the master has seen the root exit.
     *
     * @param name the application's name
     * @param timeout how long to wait for it; past that the master and root are killed
     * @return false if no application of that name was running
     */
    public boolean stopApplication(String name, Duration timeout) {
        Objects.requireNonNull(name, "name");
        long nanos = Proc.toNanos(timeout, "timeout");
        App app = null;
        synchronized (this) {
            for (App a : apps) {
                if (a.name.equals(name)) {
                    app = a;
                }
            }
        }
        if (app == null) {
            return false;
        }
        stopApp(app, nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos);
        return true;
    }

    /**
     * The running applications' names, in start order.
     *
     * @return a snapshot
     */
    public synchronized List<String> applications() {
        List<String> out = new ArrayList<>(apps.size());
        for (App a : apps) {
            out.add(a.name);
        }
        return out;
    }

    private void removeApp(App app) {
        synchronized (this) {
            apps.remove(app);
        }
    }

    /**
     * Asks the app's master to stop it and waits until its master is dead, or kills both at the
     * deadline. An application still starting is stopped once started: the request waits in the
     * master's mailbox until its start returns (the pid is published by the master itself, first
     * thing, or by the starter after the spawn, whichever is first; this waits for it up to the
     * deadline).
     */
    private void stopApp(App app, long deadline) {
        boolean interrupted = false;
        try {
            Pid master = app.masterPid;
            while (master == null && !app.started.await(waitLeft(deadline, 1_000_000L), TimeUnit.NANOSECONDS)) {
                master = app.masterPid;
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
            }
            master = app.masterPid;
            if (master == null) {
                return; // never ran: the node's kill phase ends whatever is left of it
            }
            master.pcb.deliver(new StopApp());
            if (!app.ended.await(waitLeft(deadline, Long.MAX_VALUE), TimeUnit.NANOSECONDS)) {
                LOG.warn("application_stop_timeout node={} application={}: killed", name, app.name);
                Pid root = app.root;
                if (root != null) {
                    root.pcb.exitSignal(Pcb.OUTSIDE, Reasons.KILL);
                    root.pcb.awaitTail();
                }
                master.pcb.exitSignal(Pcb.OUTSIDE, Reasons.KILL);
                master.pcb.awaitTail();
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            removeApp(app);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Nanoseconds left until {@code deadline}, at most {@code cap}, never negative. */
    private static long waitLeft(long deadline, long cap) {
        return deadline == Long.MAX_VALUE ? cap : Math.max(0L, Math.min(cap, deadline - System.nanoTime()));
    }

    private record StopApp() {}

    /** One application: its master's state, written by the master and read after {@code started}. */
    private final class App {
        final String name;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        /** Written by the master before {@code started} counts down. */
        volatile StartResult result;
        volatile Pid root;
        /** Written by the master first thing and by the starter after the spawn (the same value). */
        volatile Pid masterPid;

        App(String name) {
            this.name = name;
        }

        /** The master's body: start the root, then wait for it to end or for the stop request. */
        void master(Supplier<StartResult> start) {
            masterPid = Proc.self();
            try {
                Proc.trapExit(true);
                StartResult r;
                try {
                    r = Objects.requireNonNull(start.get(), "the application's start returned null");
                } catch (RuntimeException e) {
                    LOG.error("application_start_failed node={} application={}", Node.this.name, name, e);
                    r = new StartResult.Failed(new ExitReason.Crash(e));
                }
                if (r instanceof StartResult.Ok(Pid pid)) {
                    Proc.link(pid); // the start must have linked it; if it did not, it is linked now
                    root = pid;
                }
                result = r;
            } finally {
                started.countDown();
            }
            if (root == null) {
                return;
            }
            for (;;) {
                Object m = Proc.receive();
                if (m instanceof Exit(Pid from, ExitReason reason) && from.equals(root)) {
                    if (!reason.isClean()) {
                        LOG.error("application_exited node={} application={} reason={}", Node.this.name, name, reason);
                    } else {
                        LOG.info("application_exited node={} application={} reason={}", Node.this.name, name, reason);
                    }
                    removeApp(this);
                    return;
                }
                if (m instanceof StopApp) {
                    Proc.exit(root, Reasons.SHUTDOWN);
                    Pid r0 = root;
                    Proc.receive(x -> x instanceof Exit e && e.from().equals(r0), Proc.INFINITY);
                    LOG.info("application_stopped node={} application={}", Node.this.name, name);
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ stopping

    /**
     * Stops the node with its {@linkplain NodeOptions#shutdownTimeout() shutdown deadline}.
     *
     * @see #stop(Duration)
     */
    public void stop() {
        stop(options.shutdownTimeout());
    }

    /**
     * Stops the node, as described in the class comment: applications in reverse start order
     * until {@code deadline}, then every process left is killed, then everything is freed. Returns
     * when the node is stopped: at most {@code deadline} plus two seconds after the call (a
     * second for the killed processes' threads to end, a second for the timer thread), or later
     * only if an application's {@code terminate} keeps its process past the deadline without
     * calling otpj. Stopping a stopped node does nothing; a second caller during a stop
     * waits for the first one's stop to end.
     *
     * @param deadline how long the applications may take to stop; {@link Duration#ZERO} kills
     *     at once
     * @throws NullPointerException if {@code deadline} is null
     * @throws IllegalArgumentException if {@code deadline} is negative
     * @throws IllegalStateException if called from a process of this node
     */
    public void stop(Duration deadline) {
        long nanos = Proc.toNanos(deadline, "deadline");
        Pcb self = Pcb.current();
        if (self != null && self.node == this) {
            throw new IllegalStateException("node " + name + " cannot be stopped from its own process " + self.pid
                    + ": call stop from a thread outside it");
        }
        boolean first;
        synchronized (this) {
            first = state == RUNNING_STATE;
            if (first) {
                state = STOPPING;
            }
        }
        if (!first) {
            awaitStopped();
            return;
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmExiting) {
                // the hook is running or about to: it will find the node stopping and wait
            }
        }
        long end = nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        // Every phase runs even if one before it throws (an Error in an application's stop, say):
        // a node left STOPPING would make every later stop wait forever.
        try {
            List<App> toStop;
            synchronized (this) {
                toStop = new ArrayList<>(apps);
            }
            for (int i = toStop.size() - 1; i >= 0; i--) {
                if (System.nanoTime() - end >= 0) {
                    break;
                }
                stopApp(toStop.get(i), end);
            }
        } finally {
            try {
                killEverything();
                synchronized (this) {
                    apps.clear();
                }
                Timers t = timers;
                if (t != null) {
                    t.shutdown();
                }
            } finally {
                state = STOPPED;
                RUNNING.remove(name, this);
                stopped.countDown();
            }
        }
        if (Thread.currentThread() == hook) {
            LOG.info("node_stopped node={}", name);
        } else {
            LOG.debug("node_stopped node={}", name);
        }
    }

    private void stopFromHook() {
        if (state == RUNNING_STATE) {
            LOG.info("node_stopping node={} cause=jvm_shutdown deadline_ms={}", name,
                    options.shutdownTimeout().toMillis());
        }
        stop(options.shutdownTimeout());
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills every process left and waits a little for their threads to end. */
    private void killEverything() {
        state = KILLING; // volatile store before the reads of processes: see the field
        long end = System.nanoTime() + KILL_GRACE_NANOS;
        // Oldest first: a supervisor is older than its children, so it is gone before it could
        // see them die and try to restart them in a node that no longer takes processes.
        List<Pcb> all = processes.snapshot();
        all.sort((x, y) -> Long.compare(x.pid.id(), y.pid.id()));
        for (Pcb p : all) {
            p.exitSignal(Pcb.OUTSIDE, Reasons.KILL);
        }
        synchronized (this) {
            while (!processes.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!processes.isEmpty()) {
            LOG.warn("node_stop_incomplete node={} threads_running={}: killed processes whose code ignores its"
                    + " interrupt and never calls otpj", name, processes.size());
        }
    }

    // ------------------------------------------------------------------ internals

    /** For new applications: only a running node takes them. */
    void requireRunning() {
        if (state != RUNNING_STATE) {
            throw new IllegalStateException("node " + name + " is " + (state == STOPPED ? "stopped" : "stopping")
                    + ": it starts no new application");
        }
    }

    /**
     * For new processes and timers: taken until the kill phase, so that what the applications
     * do while they stop (a supervisor restarting a child, a terminate that sends later) works.
     */
    void requireAccepting() {
        int s = state;
        if (s >= KILLING) {
            throw new IllegalStateException("node " + name + " is " + (s == STOPPED ? "stopped" : "stopping")
                    + ": it starts no new process or timer");
        }
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** A starter adds a process whose thread it is about to start. */
    void admitted(Pcb p) {
        processes.add(p);
        if (state >= KILLING) {
            // The stopper may have passed this process by: kill it (its body then never runs).
            p.exitSignal(Pcb.OUTSIDE, Reasons.KILL);
        }
    }

    /** The owner of a process whose thread is ending. */
    void ended(Pcb p) {
        processes.remove(p);
        if (state >= STOPPING && processes.isEmpty()) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    Timers timers() {
        Timers t = timers;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (timers == null) {
                requireAccepting();
                timers = new Timers(this);
            }
            return timers;
        }
    }

    @Override
    public String toString() {
        return "Node[" + name + ", creation " + creation + "]";
    }
}
