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

    /**
     * The state carried by this result: the one the server continues with or, for a stop, the
     * one {@code terminate} receives.
     *
     * @return the new state (may be null)
     */
    S state();

    /**
     * {@code {reply, reply, state}} with an optional action. The reply may be null.
     *
     * @param <S> the server's state type
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state the server continues with (may be null)
     * @param action what the server does, after replying, before it waits for the next message;
     *     {@link Action#none()} for nothing
     */
    record Reply<S>(Object reply, S state, Action action) implements CallResult<S> {
        /**
         * Creates a {@code {reply, reply, state, action}} result.
         *
         * @throws NullPointerException if {@code action} is null
         */
        public Reply {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * {@code {stop, reason, reply, state}}: run {@code terminate}, then reply, then exit with
     * {@code reason}, in that order, as {@code gen_server} does.
     *
     * @param <S> the server's state type
     * @param reason the reason {@code terminate} receives and the server exits with (if
     *     {@code terminate} throws, that exception becomes the exit reason; the reply is still sent)
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state {@code terminate} receives (may be null)
     */
    record StopReply<S>(ExitReason reason, Object reply, S state) implements CallResult<S> {
        /**
         * Creates a {@code {stop, reason, reply, state}} result.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public StopReply {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
