package io.otpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a GenServer does after a callback, besides waiting for the next message: the optional
 * last element of Erlang's result tuples ({@code timeout}, {@code hibernate},
 * {@code {continue, arg}}).
 */
public sealed interface Action {

    /** Just wait for the next message. */
    record None() implements Action {}

    /**
     * Arm an idle timer: if no message arrives within {@code after}, {@code handleInfo} receives
     * {@link IdleTimeout}. Any message cancels it. {@link Proc#INFINITY} is the same as no timer.
     * A system request ({@link Sys}) is the exception: the timer starts again after it, and
     * none runs while the server is suspended.
     *
     * @param after how long to wait for a message: {@link Duration#ZERO} times out at once
     *     unless a message is already queued; {@link Proc#INFINITY}, or anything too long to count
     *     in nanoseconds, waits forever
     */
    record Timeout(Duration after) implements Action {
        /**
         * Creates an idle timeout.
         *
         * @throws NullPointerException if {@code after} is null
         * @throws IllegalArgumentException if {@code after} is negative
         */
        public Timeout {
            Objects.requireNonNull(after, "timeout");
            Proc.toNanos(after, "timeout");
        }
    }

    /** Release what the process can release while it waits; the state is kept. */
    record Hibernate() implements Action {}

    /**
     * Run {@code handleContinue(arg, state)} before any message, even one already queued.
     *
     * @param arg what {@code handleContinue} receives
     */
    record Continue(Object arg) implements Action {
        /**
         * Creates a continue.
         *
         * @throws NullPointerException if {@code arg} is null
         */
        public Continue {
            Objects.requireNonNull(arg, "continue argument must not be null");
        }
    }

    /**
     * Waits for the next message, with no timer ({@link None}).
     *
     * @return no action (a shared instance)
     */
    static Action none() { return Actions.NONE; }

    /**
     * An idle timeout ({@link Timeout}).
     *
     * @param after how long to wait for a message before {@code handleInfo} receives
     *     {@link IdleTimeout}; {@link Proc#INFINITY} waits forever
     * @return an idle timeout; a negative duration throws {@link IllegalArgumentException}, a
     *     null one {@link NullPointerException}
     */
    static Action timeout(Duration after) { return new Timeout(after); }

    /**
     * Hibernates while waiting ({@link Hibernate}).
     *
     * @return hibernate (a shared instance)
     */
    static Action hibernate() { return Actions.HIBERNATE; }

    /**
     * Runs {@code handleContinue(arg, state)} next ({@link Continue}).
     *
     * @param arg what {@code handleContinue} receives; not null
     * @return continue with {@code arg}
     */
    static Action continueWith(Object arg) { return new Continue(arg); }
}
