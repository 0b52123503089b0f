package io.otpj.core;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A node's timer service: one platform thread driving a {@link ScheduledThreadPoolExecutor},
 * whatever the number of timers, created with the node's first timer and shut down when the
 * node stops. A timer only enqueues a message; the only user code that can run on the timer
 * thread is a {@link NameRegistry} resolving a via-name destination, and its failure is logged.
 * A local name is resolved in the node that started the timer. Cancelled timers are removed
 * from the queue at once, so cancelling many timers leaks nothing. Being a platform thread, it
 * fires on time even when every carrier of the virtual-thread scheduler is busy.
 *
 * <p>{@link #housekeeping} is the JVM's one runtime-internal timer (the zombie check), not a
 * node's: it is never shut down.
 */
final class Timers {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.otpj.core.Timers");

    private static final class Housekeeping {
        static final ScheduledThreadPoolExecutor EXECUTOR = create("otpj-housekeeping");
    }

    private final Node node;
    private final ScheduledThreadPoolExecutor executor;

    Timers(Node node) {
        this.node = node;
        this.executor = create("otpj-timers-" + node.name());
    }

    private static ScheduledThreadPoolExecutor create(String threadName) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    /** Runs {@code task} on the JVM's housekeeping thread after {@code nanos}; short, must not throw. */
    static ScheduledFuture<?> housekeeping(Runnable task, long nanos) {
        return Housekeeping.EXECUTOR.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Schedules {@code message} for {@code dest}. A timer addressed to a pid is a watch on that
     * process: its death cancels the timer (and a dead process gets no timer at all).
     *
     * @throws IllegalStateException if the node has stopped
     */
    TimerRef sendAfter(ServerRef dest, Object message, Duration delay) {
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
        ScheduledFuture<?> f;
        try {
            f = executor.schedule(() -> fire(ref, dest, message), nanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            if (target != null) {
                target.removeWatch(ref);
            }
            ref.claim();
            throw new IllegalStateException("node " + node.name() + " is stopped: it starts no timer");
        }
        ref.scheduled(f);
        return ref;
    }

    private void fire(TimerRef ref, ServerRef dest, Object message) {
        if (!ref.claim()) {
            return;
        }
        ref.fired();
        try {
            node.run(() -> Proc.sendQuietly(dest, message));
        } catch (Throwable t) {
            // sendQuietly logs a via-name registry's failure itself; anything else that escapes
            // must be seen, not swallowed by the executor's FutureTask.
            LOG.error("timer_send_failed node={} dest={} message={}", node.name(), dest, message, t);
        }
    }

    /** The node is stopping: drop every pending timer and end the thread. */
    void shutdown() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
