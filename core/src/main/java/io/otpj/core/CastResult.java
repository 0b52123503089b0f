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

    /** {@code {noreply, state}} with an optional action. */
    record NoReply<S>(S state, Action action) implements CastResult<S> {
        public NoReply {
            Objects.requireNonNull(action, "action");
        }
    }

    /** {@code {stop, reason, state}}: run {@code terminate}, exit with {@code reason}. */
    record Stop<S>(ExitReason reason, S state) implements CastResult<S> {
        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
