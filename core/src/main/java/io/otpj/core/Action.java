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
     */
    record Timeout(Duration after) implements Action {
        public Timeout {
            Objects.requireNonNull(after, "timeout");
            Proc.toNanos(after, "timeout");
        }
    }

    /** Release what the process can release while it waits; the state is kept. */
    record Hibernate() implements Action {}

    /** Run {@code handleContinue(arg, state)} before any message, even one already queued. */
    record Continue(Object arg) implements Action {
        public Continue {
            Objects.requireNonNull(arg, "continue argument must not be null");
        }
    }

    /** @return no action */
    static Action none() { return Actions.NONE; }

    /** @return an idle timeout; a negative duration throws {@link IllegalArgumentException} */
    static Action timeout(Duration after) { return new Timeout(after); }

    /** @return hibernate */
    static Action hibernate() { return Actions.HIBERNATE; }

    /** @return continue with {@code arg} */
    static Action continueWith(Object arg) { return new Continue(arg); }
}
