package io.otpj.core;

import java.util.Objects;

/**
 * What {@link GenServer#handleCall} returns: {@link Reply}, {@link StopReply}, or any
 * {@link CastResult} ({@code noreply}, to answer later with {@link From#reply}, or {@code stop}).
 * Build it with the helpers on {@link GenServer}: {@code reply(r, s)}, {@code noreply(s)},
 * {@code stop(reason, r, s)}, {@code stop(reason, s)}.
 *
 * @param <S> the server's state type
 */
public sealed interface CallResult<S> permits CallResult.Reply, CallResult.StopReply, CastResult {

    /** @return the new state */
    S state();

    /** {@code {reply, reply, state}} with an optional action. The reply may be null. */
    record Reply<S>(Object reply, S state, Action action) implements CallResult<S> {
        public Reply {
            Objects.requireNonNull(action, "action");
        }
    }

    /** {@code {stop, reason, reply, state}}: reply, run {@code terminate}, exit with {@code reason}. */
    record StopReply<S>(ExitReason reason, Object reply, S state) implements CallResult<S> {
        public StopReply {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
