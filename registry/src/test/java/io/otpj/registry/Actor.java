package io.otpj.registry;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A test process that runs code on request, in its own process, and keeps every other message
 * it receives. Lets a test act "as" several processes without sleeping: each action is a
 * synchronous call.
 */
final class Actor implements GenServer<Void, List<Object>> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    record Run(Callable<?> fn) {}
    record Inbox() {}
    record Crash() {}
    record Failure(Throwable error) {}

    @Override
    public InitResult<List<Object>> init(Void arg) {
        return ok(new ArrayList<>());
    }

    @Override
    public CallResult<List<Object>> handleCall(Object request, From from, List<Object> inbox) throws Exception {
        return switch (request) {
            case Run(Callable<?> fn) -> {
                Object result;
                try {
                    result = fn.call();
                } catch (Throwable t) {
                    result = new Failure(t);
                }
                yield reply(result, inbox);
            }
            case Inbox i -> reply(List.copyOf(inbox), inbox);
            default -> GenServer.super.handleCall(request, from, inbox);
        };
    }

    @Override
    public CastResult<List<Object>> handleCast(Object request, List<Object> inbox) throws Exception {
        if (request instanceof Crash) {
            throw new IllegalStateException("crash on request");
        }
        return GenServer.super.handleCast(request, inbox);
    }

    @Override
    public CastResult<List<Object>> handleInfo(Object message, List<Object> inbox) {
        inbox.add(message);
        return noreply(inbox);
    }

    static Pid start() {
        return GenServer.start(new Actor(), null).pid();
    }

    /** Runs {@code fn} in {@code actor}'s process; rethrows what it threw. */
    @SuppressWarnings("unchecked")
    static <T> T run(Pid actor, Callable<T> fn) {
        Object r = GenServer.call(actor, new Run(fn), TIMEOUT);
        if (r instanceof Failure(Throwable t)) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
        return (T) r;
    }

    /** Runs {@code fn} in {@code actor}'s process. */
    static void exec(Pid actor, Runnable fn) {
        run(actor, () -> {
            fn.run();
            return null;
        });
    }

    /** @return the messages other than calls and casts it received so far */
    static List<Object> inbox(io.otpj.core.ServerRef actor) {
        return GenServer.call(actor, new Inbox(), TIMEOUT);
    }
}
