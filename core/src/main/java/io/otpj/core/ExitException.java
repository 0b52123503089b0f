package io.otpj.core;

import java.io.Serial;
import java.util.Objects;

/**
 * Thrown by {@link Proc#exit(ExitReason)} to end the calling process with a reason, as
 * Erlang's {@code exit/1}. A process whose body (or GenServer callback) lets it propagate exits
 * with {@link #reason()}; a GenServer runs {@code terminate} first. Catching it cancels the exit.
 */
public final class ExitException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;


    private final transient ExitReason reason;

    /**
     * Creates the exception that ends the calling process with {@code reason}, as
     * {@link Proc#exit(ExitReason)} does after checking it is called from a process. It records
     * no stack trace and no suppressed exceptions; its message is {@code reason}'s text, built
     * only when asked for.
     *
     * @param reason the reason the process exits with
     * @throws NullPointerException if {@code reason} is null
     */
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

    /**
     * Returns the reason the process exits with.
     *
     * @return the reason given to the constructor
     */
    public ExitReason reason() {
        return reason;
    }
}
