package io.otpj.core;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one shared timer service: a single daemon platform thread driving a
 * {@link ScheduledThreadPoolExecutor}, whatever the number of timers. A timer only enqueues a
 * message; the only user code that can run on the timer thread is a {@link NameRegistry}
 * resolving a via-name destination, and its failure is logged. Cancelled timers are removed from the
 * queue at once, so cancelling many timers leaks nothing.
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

    static TimerRef sendAfter(ServerRef dest, Object message, Duration delay) {
        long nanos = Proc.toNanos(delay, "delay");
        if (nanos < 0) {
            throw new IllegalArgumentException("a timer needs a finite delay, got infinity");
        }
        TimerRef ref = new TimerRef();
        ref.scheduled(Holder.EXECUTOR.schedule(() -> {
            if (ref.claim()) {
                try {
                    Proc.sendQuietly(dest, message);
                } catch (Throwable t) {
                    // A via-name's registry runs here; its failure must be seen, not swallowed
                    // by the executor's FutureTask.
                    LOG.error("timer_send_failed dest={} message={}", dest, message, t);
                }
            }
        }, nanos, TimeUnit.NANOSECONDS));
        return ref;
    }
}
