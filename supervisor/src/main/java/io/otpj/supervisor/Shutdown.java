package io.otpj.supervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * How a supervisor stops a child: the child spec's {@code shutdown} field.
 *
 * <ul>
 *   <li>{@link #brutalKill()}: send {@code kill} at once. The child cannot trap it and runs no
 *       {@code terminate}.</li>
 *   <li>{@link #timeout(Duration)}: send the exit signal {@code shutdown}, wait for the child's
 *       death up to the duration, then send {@code kill}. A child that traps exits gets its
 *       {@code terminate(shutdown, state)} called in that time.</li>
 *   <li>{@link #infinity()}: send {@code shutdown} and wait as long as it takes. The default for
 *       supervisors, whose own shutdown takes as long as their children's.</li>
 * </ul>
 *
 * The supervisor waits on a monitor, not on the link, so a child that unlinked itself cannot
 * make it wait longer than its shutdown time.
 */
public sealed interface Shutdown {

    /** Kill at once: Erlang's {@code brutal_kill}. */
    record BrutalKill() implements Shutdown {
        @Override public String toString() { return "brutal_kill"; }
    }

    /**
     * Send {@code shutdown}, then {@code kill} after {@code after}. Erlang's integer shutdown.
     *
     * @param after how long the child has to exit after {@code shutdown}; not negative
     */
    record Timeout(Duration after) implements Shutdown {
        /**
         * Checks {@code after}.
         *
         * @throws NullPointerException if {@code after} is null
         * @throws IllegalArgumentException if {@code after} is negative
         */
        public Timeout {
            Objects.requireNonNull(after, "shutdown timeout must not be null");
            if (after.isNegative()) {
                throw new IllegalArgumentException("shutdown timeout must not be negative, got " + after);
            }
        }
        @Override public String toString() { return after.toString(); }
    }

    /** Send {@code shutdown} and wait forever. Erlang's {@code infinity}. */
    record Infinity() implements Shutdown {
        @Override public String toString() { return "infinity"; }
    }

    /**
     * The shutdown {@code brutal_kill}.
     *
     * @return kill at once
     */
    static Shutdown brutalKill() { return ShutdownValues.BRUTAL_KILL; }

    /**
     * A shutdown with a time limit: Erlang's integer shutdown.
     *
     * @param after how long the child has to exit after {@code shutdown}
     * @return send {@code shutdown}, wait up to {@code after}, then kill
     * @throws NullPointerException if {@code after} is null
     * @throws IllegalArgumentException if {@code after} is negative
     */
    static Shutdown timeout(Duration after) { return new Timeout(after); }

    /**
     * The shutdown {@code infinity}.
     *
     * @return send {@code shutdown} and wait forever
     */
    static Shutdown infinity() { return ShutdownValues.INFINITY; }
}
