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
 * <p>Firing, cancelling and (for a timer addressed to a pid) the death of that process race for
 * one CAS on a claim flag, so exactly one of them wins: {@link #cancel} returns a duration exactly
 * when the message is never sent, and empty exactly when it has been or is being sent, or the
 * timer was already cancelled, or its process died. The executor's own {@code cancel} cannot tell
 * a task that is just starting from one that has not started, which is why the flag, not the
 * future, decides.
 *
 * <p>As on the BEAM, a timer addressed to a pid is cancelled when that process exits. Once a timer
 * has fired or been cancelled it holds nothing: neither its message nor its destination.
 */
public final class TimerRef extends DeathWatch {

    private static final VarHandle CLAIMED;
    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(TimerRef.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 until the timer fires, is cancelled or loses its process, whichever claims it first. */
    @SuppressWarnings("unused") // accessed through CLAIMED
    private volatile int claimed;
    /** Set by {@link Timers} right after scheduling; cleared by the claimer. */
    private volatile ScheduledFuture<?> future;
    /** The process a pid-addressed timer goes to (its death cancels the timer), or null. */
    private volatile Pcb dest;

    TimerRef(Pcb dest) {
        this.dest = dest;
    }

    void scheduled(ScheduledFuture<?> f) {
        future = f;
        if ((int) CLAIMED.getVolatile(this) != 0) {
            // Claimed before we got here (its process died at once): drop the task now.
            f.cancel(false);
            future = null;
        }
    }

    /** @return whether the caller (the firing task, a cancel, the process's death) won the timer */
    boolean claim() {
        return CLAIMED.compareAndSet(this, 0, 1);
    }

    boolean claimed() {
        return (int) CLAIMED.getVolatile(this) != 0;
    }

    /** The firing task, on the timer thread, after it claimed the timer: forgets what it held. */
    void fired() {
        future = null;
        Pcb d = dest;
        dest = null;
        if (d != null) {
            d.removeWatch(this);
        }
    }

    @Override
    void processDied(Pcb process, ExitReason reason) {
        if (claim()) {
            drop();
        }
    }

    private void drop() {
        ScheduledFuture<?> f = future;
        future = null;
        dest = null;
        if (f != null) {
            f.cancel(false); // removes the task, and so the message, from the timer's queue
        }
    }

    /**
     * Cancels the timer. Like {@code Process.cancel_timer/1}: when this returns empty, the timer
     * had already fired (its message is in the destination's mailbox, or on its way there), had
     * been cancelled before, or was addressed to a process that has exited.
     *
     * @return the time that was left (zero if it was due but had not fired yet), or empty
     */
    public Optional<Duration> cancel() {
        ScheduledFuture<?> f = future;
        long left = f == null ? 0L : f.getDelay(TimeUnit.NANOSECONDS);
        if (!claim()) {
            return Optional.empty();
        }
        Pcb d = dest;
        drop();
        if (d != null) {
            d.removeWatch(this);
        }
        return Optional.of(Duration.ofNanos(Math.max(0, left)));
    }

    /**
     * Reads the time left, without changing the timer.
     *
     * @return the time left before the timer fires (zero if it is due but has not fired yet), or
     *     empty if it has fired, was cancelled, or was addressed to a process that has exited
     */
    public Optional<Duration> remaining() {
        ScheduledFuture<?> f = future;
        if (claimed() || f == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, f.getDelay(TimeUnit.NANOSECONDS))));
    }
}
