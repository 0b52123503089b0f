package io.otpj.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Processes: the Java form of Erlang's process primitives and Elixir's {@code Process} module.
 *
 * <p>A process is a virtual thread with a mailbox, a {@link Pid}, links, monitors and an exit
 * reason. Processes share nothing but messages; a message is any non-null object, ideally an
 * immutable record, and it is passed by reference (not copied): do not mutate what you sent.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Ordering: messages from one sender to one receiver arrive in the order sent.</li>
 *   <li>Sending to a dead process is not an error: the message is dropped.</li>
 *   <li>Links are bidirectional; a process exiting with a reason other than {@code normal} takes
 *       its linked processes with it, unless they {@link #trapExit trap exits}, in which case they
 *       receive an {@link Exit} message. {@code kill} cannot be trapped and reaches the links as
 *       {@code killed}.</li>
 *   <li>Monitors are one-way and deliver exactly one {@link Down}; monitoring a dead process
 *       delivers {@code Down(..., noproc)} at once.</li>
 *   <li>A dying process releases its name before its links and monitors are told.</li>
 * </ul>
 *
 * <h2>Once an exit is decided</h2>
 * When a process's exit is decided (it returned or threw, or an exit signal or a kill ended it),
 * nothing it does reaches anyone any more: every outgoing effect (send, cast, call, reply, exit
 * signal, link, unlink, monitor, spawn, start, register, exit hook, timer) passes one gate owned
 * by the process, and an effect either lands before the process's DOWN and exit signals or is
 * refused, unwinding the process's thread. Its name is released before its links and monitors
 * are told. Timers addressed to its pid are cancelled. Once its thread has ended, a dead pid keeps
 * its identity, its fixed-size control block and its exit reason (with what that reason refers to,
 * such as a crash's exception); see {@link Pid}.
 *
 * <h2>What the JVM cannot do</h2>
 * A thread cannot be stopped from outside. {@link #exit(Pid, ExitReason) Killing} a process makes
 * it dead to everyone at once, and its virtual thread is interrupted; the next otpj operation it
 * performs unwinds it without running any more of its code. Code that ignores interrupts and
 * never calls otpj (a busy loop, a wait for a {@code synchronized} lock, uninterruptible I/O) goes
 * on running: it keeps its carrier, its CPU and its locks until it returns, although nothing it
 * does through otpj reaches anyone. Such a process is reported as a zombie after a grace period
 * and listed by {@link #zombies()}; see docs/processes.md for what to do about it.
 *
 * <h2>Fairness</h2>
 * Virtual threads are never preempted, so otpj counts a process's operations (every effect,
 * every receive, every failed call) and makes a process that has run for a whole slice
 * ({@code -Dotpj.sliceMicros}, default 1 ms) without waiting give its carrier to the others, in
 * a fair line that timeouts, timers and processes woken from outside join too. Code that loops
 * without calling otpj is not preempted: call {@link #checkpoint()} in such a loop, or run the
 * work on an executor. See docs/processes.md, "Fairness".
 *
 * <h2>Memory consistency</h2>
 * Actions in a thread before {@code send(pid, m)} happen-before the receiver's return of
 * {@code m} from {@code receive}.
 *
 * <p>Timeouts are {@link Duration}s; {@link #INFINITY} waits forever; a negative duration is
 * rejected with {@link IllegalArgumentException}. Null arguments are rejected with
 * {@link NullPointerException} naming the argument. Methods that act on "the calling process"
 * throw {@link IllegalStateException} when called from a thread that is not a process.
 */
public final class Proc {

    /** Wait forever. Any duration too long to express in nanoseconds is treated the same way. */
    public static final Duration INFINITY = ChronoUnit.FOREVER.getDuration();

    private Proc() {}

    // ------------------------------------------------------------------ identity and spawning

    /**
     * Returns the calling process ({@code self()}).
     *
     * @return the calling process
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static Pid self() {
        return requireSelf().pid;
    }

    /**
     * Tells whether the calling thread is a process: the thread of a process started by this
     * class or by a GenServer start.
     *
     * @return whether the calling thread is a process
     */
    public static boolean isProcess() {
        return Pcb.current() != null;
    }

    /**
     * Starts a process running {@code body}; it exits {@code normal} when the body returns.
     * Callable from any thread; the new process is linked to nothing.
     *
     * @param body the process's code: if it throws {@link ExitException} the process exits with
     *     that exception's reason; if it throws anything else, the process exits with a
     *     {@linkplain ExitReason.Crash crash} and, unless it had already been killed, the
     *     exception is logged at ERROR
     * @return the new process; it may already be running, or have exited, when this returns
     */
    public static Pid spawn(Runnable body) {
        Objects.requireNonNull(body, "body");
        Pcb self = Pcb.current();
        if (self == null) {
            Pcb p = Pcb.create();
            p.start(body);
            return p.pid;
        }
        self.enter();
        try {
            Pcb p = Pcb.create();
            p.start(body);
            return p.pid;
        } finally {
            self.leave();
        }
    }

    /**
     * Starts a process linked to the calling one. The link exists before the new process runs a
     * single instruction, so neither can die unseen by the other.
     *
     * @param body the process's code, as for {@link #spawn(Runnable)}
     * @return the new process; it may already be running, or have exited, when this returns
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static Pid spawnLink(Runnable body) {
        Objects.requireNonNull(body, "body");
        Pcb self = requireSelf();
        self.enter();
        try {
            Pcb p = Pcb.create();
            p.addOwnLink(self);
            self.addOwnLink(p);
            p.start(body);
            return p.pid;
        } finally {
            self.leave();
        }
    }

    // ------------------------------------------------------------------ messages

    /**
     * Sends {@code message} to {@code dest}. To a pid: never fails; dropped if the process is
     * dead. To a name: throws {@link IllegalArgumentException} if no live process holds it, as
     * Erlang raises {@code badarg}.
     *
     * @param dest a pid, or a name resolved now, on the calling thread (a via-name asks its
     *     {@link NameRegistry})
     * @param message any non-null object; it is passed by reference, not copied
     * @throws IllegalArgumentException if {@code dest} is a name that no live process holds
     *     (a via-name whose registry throws while resolving it is not "not held": the message is
     *     dropped and the failure logged, as for {@link GenServer#cast})
     */
    public static void send(ServerRef dest, Object message) {
        Objects.requireNonNull(message, "message must not be null");
        if (dest instanceof Pid pid) {
            Pcb.send(pid.pcb, message);
            return;
        }
        // Resolve first, outside the gate: a via-name runs registry code, which may block, and a
        // process killed meanwhile must not hold its DOWN back.
        Pcb p = resolveForSend(Objects.requireNonNull(dest, "dest"));
        if (p == null) {
            throw new IllegalArgumentException("no process registered as " + dest);
        }
        Pcb.send(p, message);
    }

    /**
     * Like {@link #send} but drops the message when a name is not registered, and when a
     * via-name's registry throws while resolving it (logged), as Elixir's {@code cast} does.
     */
    static void sendQuietly(ServerRef dest, Object message) {
        if (dest instanceof Pid pid) {
            Pcb.send(pid.pcb, message);
            return;
        }
        Pcb p = resolveForSend(dest);
        if (p != null) {
            Pcb.send(p, message);
        }
    }

    /**
     * The process a message to {@code dest} goes to: null if no process holds the name, and
     * {@link Pcb#OUTSIDE} (never alive: a send to it is dropped) if a via-name's registry threw,
     * which is logged.
     */
    private static Pcb resolveForSend(ServerRef dest) {
        try {
            return resolve(dest);
        } catch (RuntimeException registryFailed) {
            RegistryFailures.dropped(dest, registryFailed);
            return Pcb.OUTSIDE;
        }
    }

    /**
     * Waits for the next message, forever. An interrupt does not end the wait; the interrupt
     * status is kept and set again when this returns.
     *
     * @return the oldest message in the mailbox, messages set aside by a selective receive
     *     included
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static Object receive() {
        return requireSelf().receive(-1L);
    }

    /**
     * Waits at most {@code timeout} for the next message.
     *
     * @param timeout how long to wait: {@link Duration#ZERO} does not wait, {@link #INFINITY}
     *     waits forever
     * @return the oldest message in the mailbox, or empty if none arrives within {@code timeout}
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static Optional<Object> receive(Duration timeout) {
        long nanos = toNanos(timeout, "timeout");
        return Optional.ofNullable(requireSelf().receive(nanos));
    }

    /**
     * Selective receive: the first message in arrival order that {@code match} accepts. Messages
     * it passes over stay queued, in order, for later receives.
     *
     * @param match the test, run on the calling process's thread once per message examined; if
     *     it throws, the message it was testing stays queued in its place and the exception
     *     propagates
     * @param timeout how long to wait for a match: {@link Duration#ZERO} examines only what is
     *     queued, {@link #INFINITY} waits forever; once the time is up, messages already queued
     *     are still examined, and only an empty mailbox ends the receive
     * @return the matching message, or empty on timeout
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static Optional<Object> receive(Predicate<Object> match, Duration timeout) {
        Objects.requireNonNull(match, "match");
        long nanos = toNanos(timeout, "timeout");
        return Optional.ofNullable(requireSelf().receive(match, nanos));
    }

    /**
     * Selective receive of the first message that is an instance of {@code type}, as
     * {@link #receive(Predicate, Duration)}.
     *
     * @param <T> the type of message wanted
     * @param type the class the message must be an instance of
     * @param timeout how long to wait for a match, as for {@link #receive(Predicate, Duration)}
     * @return the first message that is an instance of {@code type}, or empty on timeout
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static <T> Optional<T> receive(Class<T> type, Duration timeout) {
        Objects.requireNonNull(type, "type");
        return receive(type::isInstance, timeout).map(type::cast);
    }

    /**
     * Sends {@code message} to {@code dest} after {@code delay}, from the shared timer thread.
     * A name is resolved when the timer fires; the message is dropped if nothing is there then. A
     * timer addressed to a pid is cancelled when that process exits, as on the BEAM. Callable
     * from any thread.
     *
     * @param dest a pid, or a name resolved when the timer fires; addressed to a pid that is
     *     already dead, the timer is never scheduled and the returned one is already over (its
     *     {@code cancel} returns empty)
     * @param message any non-null object
     * @param delay how long from now; must be finite
     * @return the timer, to {@linkplain TimerRef#cancel() cancel} or
     *     {@linkplain TimerRef#remaining() read}
     * @throws IllegalArgumentException if {@code delay} is negative, {@link #INFINITY}, or too
     *     long to count in nanoseconds
     */
    public static TimerRef sendAfter(ServerRef dest, Object message, Duration delay) {
        Objects.requireNonNull(dest, "dest");
        Objects.requireNonNull(message, "message must not be null");
        Pcb self = Pcb.current();
        if (self == null) {
            return Node.current().timers().sendAfter(dest, message, delay);
        }
        self.enter();
        try {
            return Node.current().timers().sendAfter(dest, message, delay);
        } finally {
            self.leave();
        }
    }

    // ------------------------------------------------------------------ links and monitors

    /**
     * Links the calling process to {@code pid}. Linking to a process that is dead (or whose exit
     * is decided) sends the caller an exit signal {@code noproc} (an {@link Exit} message if it
     * traps exits; otherwise it exits), once that process's name is released and its exit hooks
     * have run. Linking twice, or to oneself, does nothing.
     *
     * @param pid the process to link to
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static void link(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        Pcb self = requireSelf();
        Pcb other = pid.pcb;
        if (other == self) {
            return;
        }
        self.enter();
        try {
            self.addOwnLink(other);
            int linked = other.linkFrom(self);
            if (linked == Pcb.SETTLED) {
                Pcb.Signals work = new Pcb.Signals();
                self.linkSignal(other, other.lateReason(), work);
                work.drain();
            } else if (linked == Pcb.LINKED && other.remote != null) {
                other.remote.link(self, other); // the other half, on the process's node
            }
        } finally {
            self.leave();
        }
    }

    /**
     * Removes the link between the calling process and {@code pid}, if any. Once it returns, the
     * link can no longer affect the caller: an exit signal that came along it first has already
     * been applied (the caller is dead, or its {@link Exit} message is queued).
     *
     * @param pid the process to unlink from; one that is not linked is ignored
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static void unlink(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        Pcb self = requireSelf();
        self.enter();
        try {
            self.removeLink(pid.pcb);
            if (pid.pcb.removeLink(self) && pid.pcb.remote != null) {
                pid.pcb.remote.unlink(self, pid.pcb);
            }
        } finally {
            self.leave();
        }
    }

    /**
     * Monitors {@code pid}: when it exits, the calling process receives exactly one
     * {@link Down}. If it is already dead, or its exit is decided, {@code Down(ref, pid, noproc)}
     * is sent at once, or, if it is still running its exit hooks (a registry removing its keys),
     * as soon as they have run. Monitoring the same process twice gives two independent
     * monitors, each with its own DOWN.
     *
     * @param pid the process to monitor
     * @return the monitor: the {@code ref} of its {@link Down}, and what {@link #demonitor}
     *     takes
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static MonitorRef monitor(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        Pcb self = requireSelf();
        Pcb target = pid.pcb;
        self.enter();
        try {
            MonitorRef ref = new MonitorRef(self, target);
            self.addWatching(ref);
            if (!target.addWatch(ref)) {
                ref.fire(target.lateReason());
            }
            return ref;
        } finally {
            self.leave();
        }
    }

    /**
     * Removes a monitor; a DOWN already in the mailbox stays there. See
     * {@link #demonitor(MonitorRef, boolean)}.
     *
     * @param ref a monitor the calling process created
     * @return whether the monitor was still active (no DOWN had been sent)
     * @throws IllegalArgumentException if {@code ref} was created by another process
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static boolean demonitor(MonitorRef ref) {
        return demonitor(ref, false);
    }

    /**
     * Removes a monitor the calling process created. With {@code flush}, no {@link Down} for
     * {@code ref} is ever received after this returns, even one already queued. Removing a
     * monitor that has fired or was removed before does nothing (but still flushes, if asked).
     *
     * @param ref a monitor the calling process created
     * @param flush whether to drop its DOWN too, if one was already sent
     * @return whether the monitor was still active (no DOWN had been sent)
     * @throws IllegalArgumentException if {@code ref} was created by another process
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static boolean demonitor(MonitorRef ref, boolean flush) {
        Objects.requireNonNull(ref, "ref");
        Pcb self = requireSelf();
        if (ref.watcher != self) {
            throw new IllegalArgumentException("monitor " + ref + " belongs to " + ref.watcher.pid + ", not to " + self.pid);
        }
        boolean active = ref.cancel();
        ref.target.removeWatch(ref);
        self.removeWatching(ref);
        if (flush) {
            self.flushDown(ref);
        }
        return active;
    }

    // ------------------------------------------------------------------ exits

    /**
     * Sends an exit signal to {@code pid}, from the calling process (or from {@code <0.0.0>} when
     * called from a plain thread). {@code kill} ends it with {@code killed} whatever it does; a
     * process that traps exits receives {@link Exit}; otherwise {@code normal} is ignored and any
     * other reason ends it. Signalling a dead process does nothing. When a signal ends the target,
     * it is dead when this returns, its thread has been woken (interrupted), and its name, links
     * and monitors have been dealt with: if its thread was in the middle of one of its own effects
     * (a send, a start), this waits for that effect to end, which completes the death; only an
     * effect stuck for over a second (in a registry's code, say) makes it return first. The
     * target's own code may still be running (see the class comment). A signal that ends the
     * calling process itself does not return: the caller unwinds.
     *
     * @param pid the process to signal
     * @param reason the signal: {@code kill} is untrappable; {@code normal} from another process
     *     (or a plain thread) is ignored by a process that does not trap exits, while a process
     *     that signals itself {@code normal} exits {@code normal}, as in OTP
     */
    public static void exit(Pid pid, ExitReason reason) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(reason, "reason");
        Pcb target = pid.pcb;
        Pcb self = Pcb.current();
        boolean ownerCompletes;
        if (self == null) {
            ownerCompletes = target.exitSignal(Pcb.OUTSIDE, reason);
        } else {
            self.enter();
            try {
                ownerCompletes = target.exitSignal(self, reason);
            } finally {
                self.leave();
            }
        }
        if (ownerCompletes) {
            target.awaitTail(); // outside our own effect: see Pcb.awaitTail
        }
    }

    /**
     * Ends the calling process with {@code reason} ({@code exit/1}): throws {@link ExitException},
     * which unwinds to the process's top. A GenServer runs {@code terminate} on the way out. The
     * reason is the process's exit reason as given: {@code kill} here is an ordinary reason, sent
     * to links and monitors as {@code kill} (a trapping link receives it, a non-trapping one dies
     * with it), as in OTP; only {@code exit(pid, kill)} is untrappable.
     *
     * @param reason the reason the calling process exits with
     * @return never: this method always throws; the return type lets a caller write
     *     {@code throw Proc.exit(reason)}, so that the compiler sees the exit
     * @throws ExitException carrying {@code reason}, whenever the caller is a process
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static RuntimeException exit(ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        requireSelf();
        throw new ExitException(reason);
    }

    /**
     * Sets whether the calling process traps exits ({@code Process.flag(:trap_exit, on)}). It
     * applies to exit signals that arrive after it; {@code kill} is never trapped.
     *
     * @param on {@code true} to receive exit signals as {@link Exit} messages, {@code false} to
     *     be ended by them
     * @return the previous setting
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static boolean trapExit(boolean on) {
        Pcb self = requireSelf();
        boolean old = self.trapExit;
        self.trapExit = on;
        return old;
    }

    /**
     * Tells whether {@code pid} is alive; the same as {@link Pid#isAlive()}. A killed process is
     * dead from the moment its exit is decided, even while its code still runs.
     *
     * @param pid the process
     * @return whether {@code pid} is alive now
     */
    public static boolean isAlive(Pid pid) {
        return Objects.requireNonNull(pid, "pid").pcb.isAlive();
    }

    /**
     * A checkpoint for long-running code that does not otherwise call otpj, such as a CPU-bound
     * loop: it counts as one otpj operation. If the calling process has been killed, it unwinds
     * here (as at any otpj operation); if it has run for a whole slice without waiting, it gives
     * its carrier to the other runnable processes first (see docs/processes.md, "Fairness"). Cheap
     * enough for every iteration of a loop: the clock is read at every 64th call only. From a
     * thread that is not a process, only the yielding applies. Inside an effect that runs user
     * code (an exit hook of the process's own death, a name registry's callback), it does
     * nothing: like any otpj operation there, it neither unwinds nor yields, since what runs
     * there is part of that effect (of the death: it lands before the DOWN).
     */
    public static void checkpoint() {
        Pcb self = Pcb.current();
        if (self == null) {
            Waiter.forPlainThread().reduce();
            return;
        }
        if (self.gateDepth > 0) {
            return; // as Pcb.enter nested in an effect: no check, no yield
        }
        if (self.exitReason != null) {
            throw ProcessExit.INSTANCE;
        }
        self.reduce();
    }

    /**
     * The number of processes of the {@linkplain Node#current() current node} whose threads have
     * started and not yet ended, as {@code erlang:system_info(process_count)}: killed processes whose code is still running
     * (zombies) included. A snapshot; thread-safe.
     *
     * @return that number
     */
    public static long count() {
        return Node.current().processCount();
    }

    /**
     * The state of a process's mailbox: its length and, for a bounded one
     * ({@link StartOptions#withMailboxLimit}), its bound, the longest it was seen, how many
     * messages it dropped or calls it refused, and its high-water crossings. A snapshot, from any
     * thread.
     *
     * @param pid the process
     * @return its mailbox's state, or empty if it is not alive
     * @throws NullPointerException if {@code pid} is null
     */
    public static Optional<MailboxStats> mailboxStats(Pid pid) {
        Pcb p = Objects.requireNonNull(pid, "pid must not be null").pcb;
        if (p == null || !p.isAlive()) {
            return Optional.empty();
        }
        MailboxBounds b = p.bounds;
        int length = p.queueLength();
        return Optional.of(b == null ? new MailboxStats(length, null, 0, 0L, 0L, false) : b.stats(length));
    }

    /**
     * The killed processes whose threads are still running past the grace period
     * ({@code -Dotpj.zombieGraceMillis}, default 5000): each was logged once at WARN with its
     * thread's state (and its stack with {@code -Dotpj.zombieStacks=true}). They are dead to everyone but keep their carrier until their code returns.
     *
     * @return their pids, oldest report first (a snapshot)
     */
    public static List<Pid> zombies() {
        return Zombies.list();
    }

    /**
     * Adds a hook that runs synchronously when {@code pid} exits, before its links and monitors
     * are told: the hook {@link NameRegistry} implementations use to release names in time.
     * Hooks run on whichever thread ends the process; they must be short, must not block and
     * should not throw (a throwing hook is logged and skipped). Callable from any thread.
     *
     * @param pid the process to watch, not necessarily the caller
     * @param hook the code to run; a process's hooks run in the order they were added, and a
     *     hook added twice runs twice
     * @return false if the process is already dead, or its exit decided (the hook was not added
     *     and will not run)
     */
    public static boolean onExit(Pid pid, Runnable hook) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(hook, "hook");
        Pcb self = Pcb.current();
        if (self == null) {
            return pid.pcb.addExitHook(hook);
        }
        self.enter();
        try {
            return pid.pcb.addExitHook(hook);
        } finally {
            self.leave();
        }
    }

    /**
     * Removes a hook added with {@link #onExit}: one registration of it, compared with
     * {@code equals}. Does nothing if it is not registered, or once the process's death has
     * taken its hooks to run them. Callable from any thread.
     *
     * @param pid the process the hook was added to
     * @param hook the hook to remove
     * @throws NullPointerException if {@code pid} or {@code hook} is null
     */
    public static void removeExitHook(Pid pid, Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(pid, "pid").pcb.removeExitHook(hook);
    }

    // ------------------------------------------------------------------ names

    /**
     * Registers {@code pid} under the local {@code name} in the {@linkplain Node#current() current
     * node}, which must be the pid's own node. The name is released when the process
     * dies, before its links and monitors are told, or by {@link #unregister}. Callable from any
     * thread, for any process.
     *
     * @param name the name: any object, compared with {@code equals}/{@code hashCode}; the same
     *     table as {@link Name#local(Object)}
     * @param pid the process to register
     * @throws IllegalArgumentException if the name is taken by a live process, if {@code pid} is
     *     dead, if it already has a name, or if it belongs to another node
     */
    public static void register(Object name, Pid pid) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pid, "pid");
        Node node = Node.current();
        if (pid.pcb.node != node) {
            throw new IllegalArgumentException("cannot register " + name + " in node " + node.name() + ": process " + pid
                    + " belongs to node " + pid.node());
        }
        Pcb self = Pcb.current();
        Pcb holder;
        if (self == null) {
            holder = node.names.register(name, pid.pcb);
        } else {
            self.enter();
            try {
                holder = node.names.register(name, pid.pcb);
            } finally {
                self.leave();
            }
        }
        if (holder != null) {
            throw new IllegalArgumentException("name " + name + " is already registered to " + holder.pid);
        }
    }

    /**
     * Removes the local {@code name} of the current node, whichever process holds it. Callable from any thread.
     *
     * @param name the name to remove
     * @return whether {@code name} was registered
     */
    public static boolean unregister(Object name) {
        Objects.requireNonNull(name, "name");
        Pcb self = Pcb.current();
        if (self == null) {
            return Node.current().names.unregister(name);
        }
        self.enter();
        try {
            return Node.current().names.unregister(name);
        } finally {
            self.leave();
        }
    }

    /**
     * Looks up a local name in the {@linkplain Node#current() current node}. Lock-free; callable from any thread.
     *
     * @param name the name, as given to {@link #register} or {@link Name#local(Object)}
     * @return the live process registered under the local {@code name}, or empty if there is none
     */
    public static Optional<Pid> whereis(Object name) {
        Pcb p = Node.current().names.whereis(Objects.requireNonNull(name, "name"));
        return p == null ? Optional.empty() : Optional.of(p.pid);
    }

    /**
     * Takes a snapshot of {@code pid} ({@code Process.info/1}). Callable from any thread; each
     * field is read at a slightly different instant (see {@link ProcessInfo}).
     *
     * @param pid the process
     * @return a snapshot of {@code pid}, or empty if it is dead
     */
    public static Optional<ProcessInfo> info(Pid pid) {
        Pcb p = Objects.requireNonNull(pid, "pid").pcb;
        if (!p.isAlive()) {
            return Optional.empty();
        }
        Object name;
        synchronized (p) {
            name = p.localName;
        }
        return Optional.of(new ProcessInfo(pid, p.queueLength(), p.linkedPids(), p.monitorCount(), p.trapExit,
                Optional.ofNullable(name)));
    }

    // ------------------------------------------------------------------ internals

    static Pcb requireSelf() {
        Pcb self = Pcb.current();
        if (self == null) {
            throw new IllegalStateException("not inside an otpj process: this operation needs a calling process");
        }
        return self;
    }

    /** @return the live-or-dead process a pid denotes, the live process a name denotes, or null */
    static Pcb resolve(ServerRef ref) {
        return switch (ref) {
            case Pid pid -> pid.pcb;
            case Name.Local l -> Node.current().names.whereis(l.key());
            case Name.Via v -> {
                Pid pid = v.registry().whereisName(v.key());
                yield pid == null ? null : pid.pcb;
            }
        };
    }

    /**
     * @return the duration in nanoseconds, or -1 for {@link #INFINITY} (or anything too long to
     *     count in nanoseconds)
     */
    static long toNanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return -1L;
        }
    }
}
