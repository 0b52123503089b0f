package io.otpj.core;

import java.time.Instant;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;

/**
 * What every server behaviour's process body shares ({@link GenServerLoop}, {@link StatemLoop}):
 * the start protocol (name registration, the init acknowledgement through the gate, a failed
 * start), system requests ({@code sys}), the parent's exit signal, crash reports and
 * {@code terminate}. The behaviour supplies init, its loop and its callbacks.
 *
 * <p>Everything that is not static runs on the server's own process, so the fields need no
 * synchronisation; other threads see the state only through system requests answered by the loop.
 */
abstract class ServerLoop implements Runnable {

    /** The acknowledgement a starter waits on. */
    static final class Ack extends Completion {
        /**
         * The result the new process decided on before it died (a failed or ignored start). It
         * is written before the process's exit CAS, so a starter woken by the death reads it.
         */
        volatile StartResult intended;

        Ack(Thread waiter) {
            super(waiter);
        }
    }

    final Pcb self;
    final Name name;
    /** {@link StartOptions#hibernateAfter} in nanoseconds, or -1 for never. */
    final long hibernateAfterNanos;
    /** The process that started us linked, or null: its exit signal, trapped, stops us. */
    final Pcb parent;
    private Ack ack;

    /** The message being handled, for a crash report; null between messages. */
    Object lastMessage;
    boolean suspended;
    boolean trace;
    /**
     * When init returned, as {@code System.nanoTime()}: a long, not an Instant kept per process,
     * and no wall-clock read per start; turned into an {@link Instant} only when statistics are
     * asked for.
     */
    private long startedAtNanoTime;
    long messagesIn, calls, casts, infos, hibernations;

    ServerLoop(Pcb self, StartOptions options, Pcb parent, Ack ack) {
        this.self = self;
        this.name = options.name();
        this.hibernateAfterNanos = Proc.toNanos(options.hibernateAfter(), "hibernateAfter");
        this.trace = options.trace();
        this.parent = parent;
        this.ack = ack;
    }

    /** With {@code -Dotpj.logContext=true}, puts the server's name in the thread's MDC ({@link Pcb#run} put its pid). */
    final void logContext() {
        if (Pcb.LOG_CONTEXT && name != null) {
            org.slf4j.MDC.put("registered_name", name.toString());
        }
    }

    @Override
    public final void run() {
        if (name != null) {
            Pid holder = null;
            RuntimeException failed = null;
            // The registration is an effect of the new process: it lands before its DOWN or not at all.
            self.enter();
            try {
                holder = register(name);
            } catch (RuntimeException e) {
                failed = e;
            } finally {
                self.leave();
            }
            if (failed != null) {
                failStart(new StartResult.Failed(new ExitReason.Crash(failed)), new ExitReason.Crash(failed));
                return;
            }
            if (holder != null) {
                failStart(new StartResult.Failed(new ExitReason.AlreadyStarted(holder)), Reasons.NORMAL);
                return;
            }
            if (!self.isAlive()) {
                throw ProcessExit.INSTANCE; // killed while it registered: init must not run
            }
        }
        logContext();
        initAndLoop();
    }

    /** Runs the behaviour's init, then {@link #acknowledge}s and loops, or fails the start. */
    abstract void initAndLoop();

    /**
     * Goes on with the loop on the new thread of a server woken from hibernation (see
     * {@link Pcb#hibernateReleasingThread()}): the waking message is in the mailbox, or the server's
     * next receive finds it killed.
     */
    abstract void resumed();

    /** The behaviour's logger: a method, not a field, so no process carries a reference to it. */
    abstract Logger log();

    /** The implementation's class name, for logs. */
    abstract String implName();

    /** The name of the callback that handles {@code m} (one of the loop's messages), for events and the listing. */
    abstract String callbackFor(Object m);

    /**
     * The callback handling a message now, or null between messages. Read by {@link Node#list}
     * from another thread: a racy read of the owner's plain field, for diagnostics only.
     */
    final String currentCallback() {
        Object m = lastMessage;
        return m == null ? null : callbackFor(m);
    }

    /** The state as {@code sys:get_state} returns it. */
    abstract Object sysState();

    /** Replaces the state with {@code fn}'s result ({@code sys:replace_state}); returns the new one. */
    abstract Object sysReplaceState(UnaryOperator<Object> fn);

    /** Runs the behaviour's terminate callback with {@code reason}; may throw. */
    abstract void callTerminate(ExitReason reason) throws Exception;

    /**
     * The state and {@code message} as the behaviour's {@code format_status} shows them; never
     * the raw ones if it fails.
     */
    abstract GenServer.Status formatted(Object message);

    private Pid register(Name n) {
        return switch (n) {
            case Name.Local l -> {
                Pcb holder = self.node.names.register(l.key(), self);
                yield holder == null ? null : holder.pid;
            }
            case Name.Via v -> {
                Pid holder = v.registry().registerName(v.key(), self.pid);
                yield holder == null || holder.equals(self.pid) ? null : holder;
            }
        };
    }

    /** init succeeded: the starter gets {@code Ok(pid)}, and the start's argument may go. */
    final void acknowledge() {
        startedAtNanoTime = System.nanoTime();
        // Through the gate, as a reply: a server killed during init acknowledges nothing
        // (its starter learns of the death instead).
        Pcb.completeAs(self, ack, new StartResult.Ok(self.pid));
        ack = null;
    }

    /** init threw: a crash report unless the reason is clean, and the start fails with it. */
    final void initFailed(Throwable t) {
        ExitReason reason = reasonOf(t);
        if (!reason.isClean()) {
            crashReport(reason, "init", t);
        }
        failStart(new StartResult.Failed(reason), reason);
    }

    /** init returned null: the start fails with {@code bad_return_value}. */
    final void initReturnedNull() {
        ExitReason reason = new ExitReason.BadReturnValue("init", null);
        crashReport(reason, "init", null);
        failStart(new StartResult.Failed(reason), reason);
    }

    /** init returned stop: a crash report unless the reason is clean, and the start fails with it. */
    final void initStopped(ExitReason reason) {
        if (!reason.isClean()) {
            crashReport(reason, "init", null);
        }
        failStart(new StartResult.Failed(reason), reason);
    }

    /**
     * Ends a start that did not succeed: unlink from the starter (a failed init must not kill
     * it), then die. The starter is woken by the death (its ack watches this process) once the
     * name is released, and reads {@link Ack#intended}, written before the exit is decided.
     */
    final void failStart(StartResult result, ExitReason exitWith) {
        ack.intended = result;
        if (parent != null) {
            self.enter();
            try {
                parent.removeLink(self);
                self.removeLink(parent);
            } finally {
                self.leave();
            }
        }
        self.die(exitWith);
    }

    /** A suspended server handles system requests and its parent's exit signal, nothing else. */
    final boolean handledWhileSuspended(Object m) {
        return (m instanceof From f && f.request instanceof Sys.Request) || isParentExit(m);
    }

    /** Our parent (a supervisor) is shutting us down, and we trap exits. */
    final boolean isParentExit(Object m) {
        return m instanceof Exit e && parent != null && e.from().equals(parent.pid);
    }

    /** Answers a system request; a stop request ends the server (the stopper waits for the death). */
    final void system(From f, Sys.Request r) {
        switch (r) {
            case Sys.GetState g -> f.reply(sysState());
            case Sys.GetStatus g -> {
                GenServer.Status shown = formatted(null);
                f.reply(new GenServer.Status(shown.state(), null));
            }
            case Sys.ReplaceState rs -> {
                try {
                    f.reply(sysReplaceState(rs.fn()));
                } catch (RuntimeException e) {
                    f.reply(new Sys.Raised(e));
                }
            }
            case Sys.Suspend s -> {
                suspended = true;
                self.suspended = true;
                f.reply(null);
            }
            case Sys.Resume s -> {
                suspended = false;
                self.suspended = false;
                f.reply(null);
            }
            case Sys.GetStatistics s ->
                f.reply(new Statistics(Instant.now().minusNanos(System.nanoTime() - startedAtNanoTime), messagesIn, calls,
                        casts, infos, hibernations, self.queueLength()));
            case Sys.Trace t -> {
                trace = t.on();
                f.reply(null);
            }
            case Sys.Stop s -> throw exit(s.reason());
        }
    }

    /** Logs a handled message when tracing is on. */
    final void traced(Object m) {
        if (trace) {
            GenServer.Status shown = formatted(m);
            log().info("sys_trace pid={} event=handled message={} state={}", self.pid, shown.message(), shown.state());
        }
    }

    /** A callback threw: its exception (or the reason of an {@code exit}) ends the server. */
    final ExitException crashed(Throwable t) {
        if (t instanceof ProcessExit || !self.isAlive()) {
            // Killed while in the callback: the death is already processed; no terminate.
            throw ProcessExit.INSTANCE;
        }
        return exit(reasonOf(t));
    }

    static ExitReason reasonOf(Throwable t) {
        if (t instanceof ProcessExit) {
            throw ProcessExit.INSTANCE;
        }
        return t instanceof ExitException e ? e.reason() : new ExitReason.Crash(t);
    }

    /** Runs terminate, reports an abnormal exit, and returns the exception that ends the process. */
    final ExitException exit(ExitReason reason) {
        return new ExitException(terminate(reason));
    }

    /** @return the reason to exit with: {@code reason}, or the crash of terminate itself */
    final ExitReason terminate(ExitReason reason) {
        try {
            callTerminate(reason);
        } catch (Throwable t) {
            if (t instanceof ProcessExit || !self.isAlive()) {
                throw ProcessExit.INSTANCE;
            }
            log().error("terminate_failed pid={} server={} reason={}", self.pid, implName(), reason, t);
            reason = reasonOf(t);
        }
        if (!reason.isClean()) {
            crashReport(reason, lastMessage, reason instanceof ExitReason.Crash c ? c.cause() : null);
        }
        return reason;
    }

    static final GenServer.Status FORMAT_FAILED = new GenServer.Status("format_status_failed", "format_status_failed");

    /** One structured line, plus the stack of the crash when there is one. */
    final void crashReport(ExitReason reason, Object last, Throwable cause) {
        Events.crashed(self, name, implName(), reason);
        try {
            GenServer.Status shown = formatted(last);
            StructuredLog.error(log(), "crash_report", cause, "pid", self.pid, "name", name, "server", implName(),
                    "reason", reason, "last_message", shown.message(), "state", shown.state());
        } catch (RuntimeException | StackOverflowError broken) {
            // A state or message whose toString throws must not keep the server from exiting.
            log().error("crash_report pid={} server={} report_failed={}", self.pid, implName(), broken.getClass().getName());
        }
    }
}
