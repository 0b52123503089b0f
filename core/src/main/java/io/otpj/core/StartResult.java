package io.otpj.core;

import java.util.Objects;

/**
 * The outcome of {@link GenServer#start} and {@link GenServer#startLink}: Elixir's
 * {@code {:ok, pid} | :ignore | {:error, reason}}.
 */
public sealed interface StartResult {

    /** The server is running; its {@code init} has returned. */
    record Ok(Pid pid) implements StartResult {
        public Ok {
            Objects.requireNonNull(pid, "pid");
        }
    }

    /** {@code init} returned ignore; the process has exited normally. */
    record Ignored() implements StartResult {}

    /**
     * The start failed: {@code init} crashed, returned stop or error, or the name was taken
     * ({@link ExitReason.AlreadyStarted}). The process is dead and its name free.
     */
    record Failed(ExitReason reason) implements StartResult {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * @return the pid of a started server
     * @throws StartException if the start was ignored or failed
     */
    default Pid pid() {
        return switch (this) {
            case Ok ok -> ok.pid();
            case Ignored i -> throw new StartException(this, "start was ignored by init");
            case Failed f -> throw new StartException(this, "start failed: " + f.reason());
        };
    }
}
