package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer started by {@link Proc#sendAfter(ServerRef, Object, Duration)}. Thread-safe.
 *
 * <p>Firing and cancelling race for one CAS on a claim flag, so exactly one of them wins:
 * {@link #cancel} returns a duration exactly when the message is never sent, and empty exactly
 * when it has been or is being sent (or the timer was already cancelled). The executor's own
 * {@code cancel} cannot tell a task that is just starting from one that has not started, which is
 * why the flag, not the future, decides.
 */
public final class TimerRef {

    private static final VarHandle CLAIMED;
    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(TimerRef.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 until the timer fires or is cancelled, whichever claims it first. */
    @SuppressWarnings("unused") // accessed through CLAIMED
    private volatile int claimed;
    /** Set by {@link Timers} right after scheduling, before the ref is handed to anyone. */
    private volatile ScheduledFuture<?> future;

    TimerRef() {}

    void scheduled(ScheduledFuture<?> f) {
        this.future = f;
    }

    /** @return whether the caller (the firing task, or a cancel) won the timer */
    boolean claim() {
        return CLAIMED.compareAndSet(this, 0, 1);
    }

    /**
     * Cancels the timer. Like {@code Process.cancel_timer/1}: when this returns empty, the timer
     * had already fired (its message is in the destination's mailbox, or on its way there) or had
     * been cancelled before.
     *
     * @return the time that was left (zero if it was due but had not fired yet), or empty
     */
    public Optional<Duration> cancel() {
        long left = future.getDelay(TimeUnit.NANOSECONDS);
        if (!claim()) {
            return Optional.empty();
        }
        future.cancel(false);
        return Optional.of(Duration.ofNanos(Math.max(0, left)));
    }

    /** @return the time left before the timer fires, or empty if it fired or was cancelled */
    public Optional<Duration> remaining() {
        if ((int) CLAIMED.getVolatile(this) != 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, future.getDelay(TimeUnit.NANOSECONDS))));
    }
}
