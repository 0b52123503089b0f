package io.otpj.core;

import java.util.Objects;

/**
 * What {@link GenServer#handleCast}, {@link GenServer#handleInfo} and
 * {@link GenServer#handleContinue} return (and what {@code handleCall} returns when it does not
 * reply now): {@link NoReply} or {@link Stop}.
 *
 * @param <S> the server's state type
 */
public sealed interface CastResult<S> extends CallResult<S> permits CastResult.NoReply, CastResult.Stop {

    /**
     * {@code {noreply, state}} with an optional action. Returned from {@code handleCall}, it
     * leaves the call pending: the caller waits for {@link From#reply}, its timeout or the
     * server's exit.
     *
     * @param <S> the server's state type
     * @param state the state the server continues with (may be null)
     * @param action what the server does before it waits for the next message;
     *     {@link Action#none()} for nothing
     */
    record NoReply<S>(S state, Action action) implements CastResult<S> {
        /**
         * Creates a {@code {noreply, state, action}} result.
         *
         * @throws NullPointerException if {@code action} is null
         */
        public NoReply {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * {@code {stop, reason, state}}: run {@code terminate}, exit with {@code reason}. Returned
     * from {@code handleCall} without a reply sent through {@link From#reply}, the caller fails
     * with {@link ServerExitedException} carrying the exit reason.
     *
     * @param <S> the server's state type
     * @param reason the reason {@code terminate} receives and the server exits with (unless
     *     {@code terminate} throws)
     * @param state the state {@code terminate} receives (may be null)
     */
    record Stop<S>(ExitReason reason, S state) implements CastResult<S> {
        /**
         * Creates a {@code {stop, reason, state}} result.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
