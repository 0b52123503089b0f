package io.otpj.core;

import java.util.Objects;

/**
 * The outcome of {@link GenServer#start} and {@link GenServer#startLink}: Elixir's
 * {@code {:ok, pid} | :ignore | {:error, reason}}.
 */
public sealed interface StartResult {

    /**
     * The server is running; its {@code init} has returned.
     *
     * @param pid the new server
     */
    record Ok(Pid pid) implements StartResult {
        /**
         * Creates a successful start.
         *
         * @throws NullPointerException if {@code pid} is null
         */
        public Ok {
            Objects.requireNonNull(pid, "pid");
        }
    }

    /** {@code init} returned ignore; the process has exited normally. */
    record Ignored() implements StartResult {}

    /**
     * The start failed: {@code init} crashed, returned stop or error, or the name was taken
     * ({@link ExitReason.AlreadyStarted}). The process is dead and its name free.
     *
     * @param reason why: {@link ExitReason.Crash} with what {@code init} (or a registry, while
     *     registering the name) threw, the reason given to {@code stopInit}, {@code errorInit} or
     *     {@link Proc#exit(ExitReason)}, {@link ExitReason.BadReturnValue} for a null result,
     *     {@link ExitReason.AlreadyStarted}, or {@code interrupted} when a starter that is not a
     *     process was interrupted while it waited
     */
    record Failed(ExitReason reason) implements StartResult {
        /**
         * Creates a failed start.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Unwraps a successful start, as a match on {@code {:ok, pid}} does.
     *
     * @return the pid of a started server
     * @throws StartException if the start was ignored or failed; for a crash, its cause is the
     *     exception that was thrown
     */
    default Pid pid() {
        return switch (this) {
            case Ok ok -> ok.pid();
            case Ignored i -> throw new StartException(this, "start was ignored by init");
            case Failed f -> throw new StartException(this, "start failed: " + f.reason());
        };
    }
}
