package io.otpj.core;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one shared timer service: a single daemon platform thread driving a
 * {@link ScheduledThreadPoolExecutor}, whatever the number of timers. A timer only enqueues a
 * message; the only user code that can run on the timer thread is a {@link NameRegistry}
 * resolving a via-name destination, and its failure is logged. Cancelled timers are removed from
 * the queue at once, so cancelling many timers leaks nothing. Being a platform thread, it fires on
 * time even when every carrier of the virtual-thread scheduler is busy.
 */
final class Timers {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.otpj.core.Timers");

    private static final class Holder {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "otpj-timers");
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            return e;
        }
    }

    private Timers() {}

    /** Runs {@code task} on the timer thread after {@code nanos}; it must be short and not throw. */
    static ScheduledFuture<?> schedule(Runnable task, long nanos) {
        return Holder.EXECUTOR.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Schedules {@code message} for {@code dest}. A timer addressed to a pid is a watch on that
     * process: its death cancels the timer (and a dead process gets no timer at all).
     */
    static TimerRef sendAfter(ServerRef dest, Object message, Duration delay) {
        long nanos = Proc.toNanos(delay, "delay");
        if (nanos < 0) {
            throw new IllegalArgumentException("a timer needs a finite delay, got infinity");
        }
        Pcb target = dest instanceof Pid pid ? pid.pcb : null;
        TimerRef ref = new TimerRef(target);
        if (target != null && !target.addWatch(ref)) {
            ref.claim(); // addressed to a process that is gone: cancelled before it starts
            return ref;
        }
        ref.scheduled(schedule(() -> fire(ref, dest, message), nanos));
        return ref;
    }

    private static void fire(TimerRef ref, ServerRef dest, Object message) {
        if (!ref.claim()) {
            return;
        }
        ref.fired();
        try {
            Proc.sendQuietly(dest, message);
        } catch (Throwable t) {
            // A via-name's registry runs here; its failure must be seen, not swallowed by the
            // executor's FutureTask.
            LOG.error("timer_send_failed dest={} message={}", dest, message, t);
        }
    }
}
