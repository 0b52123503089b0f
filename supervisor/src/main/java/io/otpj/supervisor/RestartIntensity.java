package io.otpj.supervisor;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The sliding-window restart counter of a supervisor, as OTP's {@code add_restart}: each restart
 * attempt records its time; restarts older than the period are forgotten; more than
 * {@code maxRestarts} left means give up. Owned by the supervisor's process alone.
 *
 * <p>Times come from {@link System#nanoTime()}, so wall-clock jumps do not matter. The queue holds
 * at most {@code maxRestarts + 1} entries: the supervisor stops at the first excess.
 */
final class RestartIntensity {

    private final int maxRestarts;
    private final long periodNanos;
    private final ArrayDeque<Long> times = new ArrayDeque<>();

    RestartIntensity(int maxRestarts, Duration maxPeriod) {
        this.maxRestarts = maxRestarts;
        long nanos;
        try {
            nanos = maxPeriod.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE;
        }
        this.periodNanos = nanos;
    }

    /**
     * Records a restart at {@code now}.
     *
     * @return whether the restart is allowed; false when the intensity is exceeded
     */
    boolean tryAdd(long now) {
        times.addLast(now);
        while (!times.isEmpty() && now - times.peekFirst() > periodNanos) {
            times.pollFirst();
        }
        return times.size() <= maxRestarts;
    }

    /** @return restarts counted in the current window */
    int count() {
        return times.size();
    }
}
