package io.otpj.core;

import java.util.Objects;

/**
 * What {@link GenServer#init} returns. Build it with the helpers on {@link GenServer}
 * ({@code ok(state)}, {@code ok(state, action)}, {@code ignore()}, {@code stopInit(reason)},
 * {@code errorInit(reason)}).
 *
 * @param <S> the server's state type
 */
public sealed interface InitResult<S> {

    /** {@code {ok, state}}, optionally with a timeout, hibernate or continue. */
    record Ok<S>(S state, Action action) implements InitResult<S> {
        public Ok {
            Objects.requireNonNull(action, "action");
        }
    }

    /** {@code ignore}: start returns {@link StartResult.Ignored}; the process exits normally. */
    record Ignore<S>() implements InitResult<S> {}

    /** {@code {stop, reason}}: start fails with {@code reason}; a crash report is not logged for clean reasons. */
    record Stop<S>(ExitReason reason) implements InitResult<S> {
        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** {@code {error, reason}}: start fails with {@code reason}, silently (no crash report). */
    record Error<S>(ExitReason reason) implements InitResult<S> {
        public Error {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
