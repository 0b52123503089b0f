package io.otpj.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer started by {@link Proc#sendAfter(ServerRef, Object, Duration)}. Thread-safe.
 */
public final class TimerRef {

    private final ScheduledFuture<?> future;

    TimerRef(ScheduledFuture<?> future) {
        this.future = future;
    }

    /**
     * Cancels the timer. Like {@code Process.cancel_timer/1}, the message may already be in the
     * destination's mailbox when this returns {@code false}.
     *
     * @return the time that was left, or empty if the timer had already fired or been cancelled
     */
    public Optional<Duration> cancel() {
        long left = future.getDelay(TimeUnit.NANOSECONDS);
        if (future.cancel(false) && left > 0) {
            return Optional.of(Duration.ofNanos(left));
        }
        return Optional.empty();
    }

    /** @return the time left before the timer fires, or empty if it fired or was cancelled */
    public Optional<Duration> remaining() {
        if (future.isDone()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, future.getDelay(TimeUnit.NANOSECONDS))));
    }
}
