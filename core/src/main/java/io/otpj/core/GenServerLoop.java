package io.otpj.core;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process body of a GenServer: the receive loop that calls the callbacks. Its client side
 * (start, call, stop) is {@link GenServerClient}.
 *
 * <p>Everything that is not static runs on the server's own process, so the fields need no
 * synchronisation; other threads see the state only through system requests answered by this
 * loop. What it keeps while idle is its state and its statistics: the last message is held only
 * while it is being handled, and the start's argument and acknowledgement only until init returned.
 */
final class GenServerLoop<A, S> implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.GenServer");

    /** The envelope of a cast, so a cast is never mistaken for an info message. */
    record Cast(Object request) {}

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

    private final Pcb self;
    private final GenServer<A, S> impl;
    /** Cleared once init has run: an idle server keeps nothing of its start. */
    private A arg;
    private final Name name;
    /** {@link StartOptions#hibernateAfter} in nanoseconds, or -1 for never. */
    private final long hibernateAfterNanos;
    /** The process that started us linked, or null: its exit signal, trapped, stops us. */
    private final Pcb parent;
    private Ack ack;

    private S state;
    /** The message being handled, for a crash report; null between messages. */
    private Object lastMessage;
    private boolean suspended;
    private boolean trace;
    /** When init returned, in nanoseconds since the epoch: a long, not an Instant kept per process. */
    private long startedAtEpochNanos;
    private long messagesIn, calls, casts, infos, hibernations;
    /** The wait action of the last callback (a timeout or hibernate), kept across system requests. */
    private Action waitAction = Actions.NONE;

    GenServerLoop(Pcb self, GenServer<A, S> impl, A arg, StartOptions options, Pcb parent, Ack ack) {
        this.self = self;
        this.impl = impl;
        this.arg = arg;
        this.name = options.name();
        this.hibernateAfterNanos = Proc.toNanos(options.hibernateAfter(), "hibernateAfter");
        this.trace = options.trace();
        this.parent = parent;
        this.ack = ack;
    }

    // ------------------------------------------------------------------ server side

    @Override
    public void run() {
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
        InitResult<S> r;
        try {
            r = impl.init(arg);
        } catch (Throwable t) {
            ExitReason reason = reasonOf(t);
            if (!reason.isClean()) {
                crashReport(reason, "init", t);
            }
            failStart(new StartResult.Failed(reason), reason);
            return;
        }
        switch (r) {
            case null -> {
                ExitReason reason = new ExitReason.BadReturnValue("init", null);
                crashReport(reason, "init", null);
                failStart(new StartResult.Failed(reason), reason);
            }
            case InitResult.Ok<S> ok -> {
                state = ok.state();
                Instant now = Instant.now();
                startedAtEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                // Through the gate, as a reply: a server killed during init acknowledges nothing
                // (its starter learns of the death instead).
                Pcb.completeAs(self, ack, new StartResult.Ok(self.pid));
                ack = null;
                arg = null;
                loop(ok.action());
            }
            case InitResult.Ignore<S> i -> failStart(new StartResult.Ignored(), Reasons.NORMAL);
            case InitResult.Stop<S> s -> {
                if (!s.reason().isClean()) {
                    crashReport(s.reason(), "init", null);
                }
                failStart(new StartResult.Failed(s.reason()), s.reason());
            }
            // {error, reason}: silent, and the process exits normally, as proc_lib does.
            case InitResult.Error<S> e -> failStart(new StartResult.Failed(e.reason()), Reasons.NORMAL);
        }
    }

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

    /**
     * Ends a start that did not succeed: unlink from the starter (a failed init must not kill
     * it), then die. The starter is woken by the death (its ack watches this process) once the
     * name is released, and reads {@link Ack#intended}, written before the exit is decided.
     */
    private void failStart(StartResult result, ExitReason exitWith) {
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

    private void loop(Action action) {
        for (;;) {
            long timeout = -1L;
            switch (action) {
                case Action.None n -> {}
                case Action.Timeout t -> timeout = Proc.toNanos(t.after(), "timeout");
                case Action.Hibernate h -> {
                    self.hibernate();
                    hibernations++;
                }
                case Action.Continue c -> {
                    action = handleContinue(c.arg());
                    continue;
                }
            }
            waitAction = action;
            Object m;
            if (suspended) {
                m = self.receive(this::handledWhileSuspended, -1L);
            } else if (timeout < 0 && hibernateAfterNanos >= 0 && action instanceof Action.None) {
                // hibernate_after: idle that long with no timeout of its own, it hibernates.
                m = self.receive(hibernateAfterNanos);
                if (m == null) {
                    self.hibernate();
                    hibernations++;
                    m = self.receive(-1L);
                }
            } else {
                m = self.receive(timeout);
                if (m == null) {
                    m = IdleTimeout.INSTANCE;
                }
            }
            messagesIn++;
            lastMessage = m;
            action = handle(m);
            if (trace) {
                GenServer.Status shown = formatted(m);
                LOG.info("sys_trace pid={} event=handled message={} state={}", self.pid, shown.message(), shown.state());
            }
            lastMessage = null;
        }
    }

    /** A suspended server handles system requests and its parent's exit signal, nothing else. */
    private boolean handledWhileSuspended(Object m) {
        return (m instanceof From f && f.request instanceof Sys.Request)
                || (m instanceof Exit e && parent != null && e.from().equals(parent.pid));
    }

    private Action handle(Object m) {
        // One type test per message; the system-request test only for calls.
        switch (m) {
            case From f -> {
                return f.request instanceof Sys.Request r ? system(f, r) : call(f);
            }
            case Cast c -> {
                casts++;
                CastResult<S> r;
                try {
                    r = impl.handleCast(c.request(), state);
                } catch (Throwable t) {
                    throw crashed(t);
                }
                return after(r, "handleCast");
            }
            case Exit e when parent != null && e.from().equals(parent.pid) -> {
                // Our parent (a supervisor) is shutting us down and we trap exits.
                throw exit(e.reason());
            }
            default -> {
                infos++;
                CastResult<S> r;
                try {
                    r = impl.handleInfo(m, state);
                } catch (Throwable t) {
                    throw crashed(t);
                }
                return after(r, "handleInfo");
            }
        }
    }

    private Action call(From f) {
        calls++;
        CallResult<S> r;
        try {
            r = impl.handleCall(f.request, f, state);
        } catch (Throwable t) {
            throw crashed(t);
        }
        return afterCall(r, f);
    }

    private Action handleContinue(Object arg) {
        CastResult<S> r;
        try {
            r = impl.handleContinue(arg, state);
        } catch (Throwable t) {
            throw crashed(t);
        }
        return after(r, "handleContinue");
    }

    private Action afterCall(CallResult<S> r, From f) {
        switch (r) {
            case null -> throw exit(new ExitReason.BadReturnValue("handleCall", null));
            case CallResult.Reply<S> reply -> {
                state = reply.state();
                Pcb.completeAs(self, f, reply.reply());
                return reply.action();
            }
            case CallResult.StopReply<S> stop -> {
                state = stop.state();
                // As gen_server: terminate first, then the reply, then the exit.
                ExitReason reason = terminate(stop.reason());
                Pcb.completeAs(self, f, stop.reply());
                throw new ExitException(reason);
            }
            case CastResult<S> cr -> {
                return after(cr, "handleCall");
            }
        }
    }

    private Action after(CastResult<S> r, String callback) {
        switch (r) {
            case null -> throw exit(new ExitReason.BadReturnValue(callback, null));
            case CastResult.NoReply<S> nr -> {
                state = nr.state();
                return nr.action();
            }
            case CastResult.Stop<S> stop -> {
                state = stop.state();
                throw exit(stop.reason());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Action system(From f, Sys.Request r) {
        switch (r) {
            case Sys.GetState g -> f.reply(state);
            case Sys.ReplaceState rs -> {
                try {
                    state = (S) rs.fn().apply(state);
                    f.reply(state);
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
                f.reply(new Statistics(Instant.ofEpochSecond(0L, startedAtEpochNanos), messagesIn, calls, casts, infos, hibernations,
                        self.queueLength()));
            case Sys.Trace t -> {
                trace = t.on();
                f.reply(null);
            }
            // The stopper waits for our death, which completes its request.
            case Sys.Stop s -> throw exit(s.reason());
        }
        return waitAction;
    }

    /** A callback threw: its exception (or the reason of an {@code exit}) ends the server. */
    private ExitException crashed(Throwable t) {
        if (t instanceof ProcessExit || !self.isAlive()) {
            // Killed while in the callback: the death is already processed; no terminate.
            throw ProcessExit.INSTANCE;
        }
        return exit(reasonOf(t));
    }

    private static ExitReason reasonOf(Throwable t) {
        if (t instanceof ProcessExit) {
            throw ProcessExit.INSTANCE;
        }
        return t instanceof ExitException e ? e.reason() : new ExitReason.Crash(t);
    }

    /** Runs terminate, reports an abnormal exit, and returns the exception that ends the process. */
    private ExitException exit(ExitReason reason) {
        return new ExitException(terminate(reason));
    }

    /** @return the reason to exit with: {@code reason}, or the crash of terminate itself */
    private ExitReason terminate(ExitReason reason) {
        try {
            impl.terminate(reason, state);
        } catch (Throwable t) {
            if (t instanceof ProcessExit || !self.isAlive()) {
                throw ProcessExit.INSTANCE;
            }
            LOG.error("terminate_failed pid={} server={} reason={}", self.pid, impl.getClass().getName(), reason, t);
            reason = reasonOf(t);
        }
        if (!reason.isClean()) {
            crashReport(reason, lastMessage, reason instanceof ExitReason.Crash c ? c.cause() : null);
        }
        return reason;
    }

    /**
     * The state and {@code message} (a call or cast shown as its request) as
     * {@link GenServer#formatStatus} shows them; never the raw ones if it fails.
     */
    private GenServer.Status formatted(Object message) {
        try {
            // The callback sees what it handles: a call's or cast's request, not its envelope.
            Object m = switch (message) {
                case From f -> f.request;
                case Cast c -> c.request();
                case null, default -> message;
            };
            GenServer.Status shown = impl.formatStatus(new GenServer.Status(state, m));
            if (shown != null) {
                return shown;
            }
        } catch (RuntimeException | StackOverflowError broken) {
            // fall through: a broken format_status must not leak what it was meant to hide
        }
        return FORMAT_FAILED;
    }

    private static final GenServer.Status FORMAT_FAILED = new GenServer.Status("format_status_failed", "format_status_failed");

    /** One structured line, plus the stack of the crash when there is one. */
    private void crashReport(ExitReason reason, Object last, Throwable cause) {
        try {
            GenServer.Status shown = formatted(last);
            if (cause != null) {
                LOG.error("crash_report pid={} name={} server={} reason={} last_message={} state={}", self.pid, name,
                        impl.getClass().getName(), reason, shown.message(), shown.state(), cause);
            } else {
                LOG.error("crash_report pid={} name={} server={} reason={} last_message={} state={}", self.pid, name,
                        impl.getClass().getName(), reason, shown.message(), shown.state());
            }
        } catch (RuntimeException | StackOverflowError broken) {
            // A state or message whose toString throws must not keep the server from exiting.
            LOG.error("crash_report pid={} server={} report_failed={}", self.pid, impl.getClass().getName(),
                    broken.getClass().getName());
        }
    }
}
