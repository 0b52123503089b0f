package io.otpj.core;

import java.util.Objects;

/**
 * Thrown by {@link Proc#exit(ExitReason)} to end the calling process with a reason, as
 * Erlang's {@code exit/1}. A process whose body (or GenServer callback) lets it propagate exits
 * with {@link #reason()}; a GenServer runs {@code terminate} first. Catching it cancels the exit.
 */
public final class ExitException extends RuntimeException {

    private final transient ExitReason reason;

    public ExitException(ExitReason reason) {
        // The message is built lazily: a crash reason prints its exception, whose toString may
        // throw, and that must not replace the reason the process exits with.
        super(null, null, false, false);
        this.reason = Objects.requireNonNull(reason, "exit reason must not be null");
    }

    @Override
    public String getMessage() {
        try {
            return String.valueOf(reason);
        } catch (RuntimeException | StackOverflowError e) {
            return reason.getClass().getSimpleName();
        }
    }

    /** @return the reason the process exits with */
    public ExitReason reason() {
        return reason;
    }
}
