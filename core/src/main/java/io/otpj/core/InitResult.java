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

    /**
     * {@code {ok, state}}, optionally with a timeout, hibernate or continue.
     *
     * @param <S> the server's state type
     * @param state the state the server starts with (may be null)
     * @param action what the server does before it waits for its first message;
     *     {@link Action#none()} for nothing
     */
    record Ok<S>(S state, Action action) implements InitResult<S> {
        /**
         * Creates an {@code {ok, state, action}} result.
         *
         * @throws NullPointerException if {@code action} is null
         */
        public Ok {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * {@code ignore}: start returns {@link StartResult.Ignored}; the process exits normally.
     *
     * @param <S> the server's state type
     */
    record Ignore<S>() implements InitResult<S> {}

    /**
     * {@code {stop, reason}}: start fails with {@code reason}; a crash report is not logged for clean reasons.
     *
     * @param <S> the server's state type
     * @param reason the reason {@link StartResult.Failed} carries and the process exits with
     */
    record Stop<S>(ExitReason reason) implements InitResult<S> {
        /**
         * Creates a {@code {stop, reason}} result.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * {@code {error, reason}}: start fails with {@code reason}, silently (no crash report).
     *
     * @param <S> the server's state type
     * @param reason the reason {@link StartResult.Failed} carries; the process itself exits
     *     {@code normal}, as with {@code proc_lib}, so links and monitors see {@code normal}
     */
    record Error<S>(ExitReason reason) implements InitResult<S> {
        /**
         * Creates an {@code {error, reason}} result.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Error {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
