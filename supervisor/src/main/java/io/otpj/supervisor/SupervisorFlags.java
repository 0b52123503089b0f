package io.otpj.supervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Supervisor}'s strategy and restart intensity: Erlang's {@code sup_flags()}.
 *
 * <p>Restart intensity: if more than {@code maxRestarts} restarts happen within any
 * {@code maxPeriod}, the supervisor gives up: it terminates all its children (in reverse start
 * order) and exits with {@code shutdown}, so its own supervisor sees a child exit and applies its
 * strategy in turn. Every restart attempt counts, including one that fails and is retried.
 * {@code maxRestarts = 0} gives up at the first restart. Defaults: 3 restarts in 5 seconds.
 *
 * @param strategy which children a restart concerns
 * @param maxRestarts restarts allowed within {@code maxPeriod}; not negative
 * @param maxPeriod the sliding window; positive
 */
public record SupervisorFlags(Strategy strategy, int maxRestarts, Duration maxPeriod) {

    /** The default restart intensity: 3 restarts ... */
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** ... in 5 seconds. */
    public static final Duration DEFAULT_MAX_PERIOD = Duration.ofSeconds(5);

    /**
     * Checks the strategy and the restart intensity.
     *
     * @throws NullPointerException if {@code strategy} or {@code maxPeriod} is null
     * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code maxPeriod} is
     *     not positive
     */
    public SupervisorFlags {
        Objects.requireNonNull(strategy, "strategy must not be null");
        checkIntensity(maxRestarts, maxPeriod);
    }

    /**
     * The flags of a one_for_one supervisor with the default intensity.
     *
     * @return one_for_one, 3 restarts in 5 s
     */
    public static SupervisorFlags oneForOne() {
        return new SupervisorFlags(Strategy.ONE_FOR_ONE, DEFAULT_MAX_RESTARTS, DEFAULT_MAX_PERIOD);
    }

    /**
     * The flags of a one_for_all supervisor with the default intensity.
     *
     * @return one_for_all, 3 restarts in 5 s
     */
    public static SupervisorFlags oneForAll() {
        return new SupervisorFlags(Strategy.ONE_FOR_ALL, DEFAULT_MAX_RESTARTS, DEFAULT_MAX_PERIOD);
    }

    /**
     * The flags of a rest_for_one supervisor with the default intensity.
     *
     * @return rest_for_one, 3 restarts in 5 s
     */
    public static SupervisorFlags restForOne() {
        return new SupervisorFlags(Strategy.REST_FOR_ONE, DEFAULT_MAX_RESTARTS, DEFAULT_MAX_PERIOD);
    }

    /**
     * Returns a copy with another restart intensity.
     *
     * @param maxRestarts restarts allowed within {@code maxPeriod}; not negative
     * @param maxPeriod the sliding window; positive
     * @return these flags with at most {@code maxRestarts} restarts in {@code maxPeriod}
     * @throws NullPointerException if {@code maxPeriod} is null
     * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code maxPeriod} is
     *     not positive
     */
    public SupervisorFlags withIntensity(int maxRestarts, Duration maxPeriod) {
        return new SupervisorFlags(strategy, maxRestarts, maxPeriod);
    }

    static void checkIntensity(int maxRestarts, Duration maxPeriod) {
        Objects.requireNonNull(maxPeriod, "maxPeriod must not be null");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative, got " + maxRestarts);
        }
        if (maxPeriod.isNegative() || maxPeriod.isZero()) {
            throw new IllegalArgumentException("maxPeriod must be positive, got " + maxPeriod);
        }
    }
}
