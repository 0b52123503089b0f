package io.otpj.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails a stress test the moment a message is stuck, instead of letting a timeout heal it: a
 * platform thread samples the watched processes every {@link #PERIOD_MILLIS} ms, and a process
 * that is parked (its thread {@code WAITING}) or hibernated (no thread at all) with messages in its mailbox while its progress
 * counter has not moved for {@link #STUCK_MILLIS} ms has lost a wake-up. Its receives are
 * untimed, so nothing would ever wake it: the watchdog writes a thread dump and fails the run.
 *
 * <p>Only processes that wait in {@code receive} (not in a call, where a non-empty mailbox is
 * normal) may be watched. It reads only public state (the thread's state, {@link Proc#info}), so
 * it judges any version of the runtime alike. Use as try-with-resources around the run; {@link #await} waits for the
 * run's result or the watchdog's verdict, whichever comes first.
 */
final class Watchdog implements AutoCloseable {

    static final long PERIOD_MILLIS = 20;
    static final long STUCK_MILLIS = 1_000;

    private record Watched(Pid pid, AtomicLong progress) {}

    private final Map<Pid, Watched> watched = new ConcurrentHashMap<>();
    /** Per watched pid: the progress seen at the last sample, and for how many samples it stood still. */
    private final Map<Pid, long[]> last = new ConcurrentHashMap<>();
    private final CompletableFuture<String> verdict = new CompletableFuture<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "otpj-test-watchdog");
        t.setDaemon(true);
        return t;
    });

    Watchdog() {
        sampler.scheduleAtFixedRate(this::sampleOrFail, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Watches {@code pid}, which counts each message it takes in {@code progress}. */
    void watch(Pid pid, AtomicLong progress) {
        watched.put(pid, new Watched(pid, progress));
    }

    /** A sampler that throws would be cancelled silently by the executor: it fails the run instead. */
    private void sampleOrFail() {
        try {
            sample();
        } catch (Throwable t) {
            verdict.complete("the watchdog's sampler failed: " + t);
        }
    }

    private void sample() {
        if (verdict.isDone()) {
            return;
        }
        long samplesToFail = STUCK_MILLIS / PERIOD_MILLIS;
        for (Watched w : watched.values()) {
            Pcb pcb = w.pid().pcb;
            Thread t = pcb.thread;
            if (t == null && !pcb.isAlive()) {
                watched.remove(w.pid());
                continue;
            }
            // Alive with no thread: hibernated (or, for microseconds, between the two threads of
            // a wake). Nothing runs it, so it must hold no mail for long either.
            boolean hibernated = t == null;
            long p = w.progress().get();
            long[] seen = last.computeIfAbsent(w.pid(), k -> new long[] {-1, 0});
            int queued = Proc.info(w.pid()).map(ProcessInfo::messageQueueLength).orElse(0);
            boolean idle = hibernated || t.getState() == Thread.State.WAITING;
            boolean parkedWithMail = idle && queued > 0;
            if (parkedWithMail && p == seen[0]) {
                if (++seen[1] >= samplesToFail) {
                    verdict.complete("lost wake-up: " + w.pid() + (hibernated ? " hibernated" : " parked") + " for " + STUCK_MILLIS + " ms with " + queued
                            + " queued message(s), progress " + p + Probe.dumpThreads());
                    return;
                }
            } else {
                seen[0] = p;
                seen[1] = 0;
            }
        }
    }

    /**
     * @return the result of {@code run}, as soon as it completes
     * @throws AssertionError as soon as the watchdog saw a lost wake-up, or if nothing happened
     *     for a whole {@code bound}
     */
    <T> T await(Future<T> run, long boundSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(boundSeconds);
        for (;;) {
            if (verdict.isDone()) {
                throw new AssertionError(verdict.join());
            }
            try {
                return run.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("run did not finish within " + boundSeconds + " s" + Probe.dumpThreads());
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new AssertionError(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** @return the pids still watched (for a test's own report) */
    List<Pid> watched() {
        return new ArrayList<>(watched.keySet());
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
