package io.otpj.supervisor;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import java.util.Objects;

/**
 * The call protocol between the static client methods and the supervisor processes. Both kinds
 * of supervisor understand every request and reject the ones that are not theirs with a
 * {@link Rejected} reply, so a {@code Supervisor} method used on a {@code DynamicSupervisor} (or
 * the reverse) fails with a clear exception instead of crashing the supervisor.
 */
final class Requests {

    private Requests() {}

    sealed interface Request {}
    record StartChild(ChildSpec spec) implements Request {}
    record TerminateChild(Object id) implements Request {}
    record TerminatePid(Pid pid) implements Request {}
    record RestartChild(Object id) implements Request {}
    record DeleteChild(Object id) implements Request {}
    record WhichChildren() implements Request {}
    record CountChildren() implements Request {}

    /** A request the supervisor refused; the client turns it into an exception of {@code kind}. */
    record Rejected(Kind kind, String message) {
        enum Kind { ILLEGAL_ARGUMENT, ILLEGAL_STATE }

        RuntimeException toException() {
            return switch (kind) {
                case ILLEGAL_ARGUMENT -> new IllegalArgumentException(message);
                case ILLEGAL_STATE -> new IllegalStateException(message);
            };
        }
    }

    static Rejected badArgument(String message) {
        return new Rejected(Rejected.Kind.ILLEGAL_ARGUMENT, message);
    }

    static Rejected badState(String message) {
        return new Rejected(Rejected.Kind.ILLEGAL_STATE, message);
    }

    /** A successful reply with no value; null replies are reserved for nothing. */
    record Done() {}

    static final Done DONE = new Done();

    /**
     * Calls a supervisor and waits without limit, as OTP's supervisor API does: a child's start
     * or shutdown may legitimately take long.
     */
    static <T> T call(ServerRef sup, Request request) {
        return call(sup, request, Proc.INFINITY);
    }

    /** Like {@link #call(ServerRef, Request)}, waiting at most {@code timeout}. */
    @SuppressWarnings("unchecked")
    static <T> T call(ServerRef sup, Request request, java.time.Duration timeout) {
        Objects.requireNonNull(sup, "supervisor must not be null");
        Object reply = GenServer.call(sup, request, timeout);
        if (reply instanceof Rejected r) {
            throw r.toException();
        }
        return (T) reply;
    }
}
