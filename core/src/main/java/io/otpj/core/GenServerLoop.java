package io.otpj.core;

import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process body of a GenServer: the receive loop that calls the callbacks. Its client side
 * (start, call, stop) is {@link GenServerClient}; what it shares with other behaviours (start
 * protocol, {@code sys}, terminate, crash reports) is {@link ServerLoop}.
 *
 * <p>Everything that is not static runs on the server's own process, so the fields need no
 * synchronisation. What it keeps while idle is its state and its statistics: the last message is
 * held only while it is being handled, and the start's argument and acknowledgement only until
 * init returned.
 */
final class GenServerLoop<A, S> extends ServerLoop {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.GenServer");

    /** The envelope of a cast, so a cast is never mistaken for an info message. */
    record Cast(Object request) {}

    private final GenServer<A, S> impl;
    /** Cleared once init has run: an idle server keeps nothing of its start. */
    private A arg;

    private S state;
    /** The wait action of the last callback (a timeout or hibernate), kept across system requests. */
    private Action waitAction = Actions.NONE;

    GenServerLoop(Pcb self, GenServer<A, S> impl, A arg, StartOptions options, Pcb parent, ServerLoop.Ack ack) {
        super(self, options, parent, ack);
        this.impl = impl;
        this.arg = arg;
    }

    // ------------------------------------------------------------------ server side

    @Override
    void initAndLoop() {
        InitResult<S> r;
        try {
            r = impl.init(arg);
        } catch (Throwable t) {
            initFailed(t);
            return;
        }
        switch (r) {
            case null -> initReturnedNull();
            case InitResult.Ok<S> ok -> {
                state = ok.state();
                acknowledge();
                arg = null;
                loop(ok.action());
            }
            case InitResult.Ignore<S> i -> failStart(new StartResult.Ignored(), Reasons.NORMAL);
            case InitResult.Stop<S> s -> initStopped(s.reason());
            // {error, reason}: silent, and the process exits normally, as proc_lib does.
            case InitResult.Error<S> e -> failStart(new StartResult.Failed(e.reason()), Reasons.NORMAL);
        }
    }

    private void loop(Action action) {
        for (;;) {
            long timeout = -1L;
            switch (action) {
                case Action.None n -> {}
                case Action.Timeout t -> timeout = Proc.toNanos(t.after(), "timeout");
                case Action.Hibernate h -> {
                    waitAction = action;
                    hibernations++;
                    if (suspended) {
                        self.hibernate(); // a suspended server waits selectively: it keeps its thread
                    } else {
                        self.hibernateReleasingThread(); // returns only if a message came meanwhile
                    }
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
                    hibernations++;
                    self.hibernateReleasingThread();
                    m = self.receive(-1L);
                }
            } else {
                m = self.receive(timeout);
                if (m == null) {
                    m = IdleTimeout.INSTANCE;
                }
            }
            action = handleNext(m);
        }
    }

    private void slowCallback(Events.SlowCallback e, Object m) {
        e.pid = self.pid.toString();
        e.name = Events.text(name);
        e.behaviour = implName();
        e.callback = callbackFor(m);
        Object payload = m instanceof From f ? f.request : m instanceof Cast c ? c.request() : m;
        e.messageType = payload == null ? null : payload.getClass();
        e.commit();
    }

    @Override
    void resumed() {
        loop(handleNext(self.receive(-1L)));
    }

    private Action handleNext(Object m) {
        messagesIn++;
        lastMessage = m;
        Events.SlowCallback slow = new Events.SlowCallback();
        slow.begin();
        Action action = handle(m);
        slow.end();
        if (slow.shouldCommit()) {
            slowCallback(slow, m);
        }
        traced(m);
        lastMessage = null;
        return action;
    }

    private Action handle(Object m) {
        // One type test per message; the system-request test only for calls.
        switch (m) {
            case From f -> {
                if (f.request instanceof Sys.Request r) {
                    system(f, r);
                    return waitAction;
                }
                return call(f);
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
            case Exit e when isParentExit(e) -> {
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

    /**
     * The state and {@code message} (a call or cast shown as its request) as
     * {@link GenServer#formatStatus} shows them; never the raw ones if it fails.
     */
    @Override
    GenServer.Status formatted(Object message) {
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

    @Override
    Logger log() {
        return LOG;
    }

    @Override
    String implName() {
        return impl.getClass().getName();
    }

    @Override
    String callbackFor(Object m) {
        return switch (m) {
            case From f -> f.request instanceof Sys.Request ? "sys" : "handleCall";
            case Cast c -> "handleCast";
            case null, default -> "handleInfo";
        };
    }

    @Override
    Object sysState() {
        return state;
    }

    @Override
    @SuppressWarnings("unchecked")
    Object sysReplaceState(UnaryOperator<Object> fn) {
        state = (S) fn.apply(state);
        return state;
    }

    @Override
    void callTerminate(ExitReason reason) throws Exception {
        impl.terminate(reason, state);
    }
}
