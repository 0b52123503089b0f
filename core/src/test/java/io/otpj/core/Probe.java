package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Test helpers that wait on events, never on time: processes that report back through futures,
 * monitors armed before the caller goes on, latches with a generous bound that only ever turns a
 * hang into a failure.
 */
final class Probe {

    /** The bound on every wait: long enough never to fire on a loaded machine, short enough to end a hang. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private Probe() {}

    @FunctionalInterface
    interface Body<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /** Runs {@code body} in a fresh process and returns its result here, rethrowing what it threw. */
    static <T> T eval(Body<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Proc.spawn(() -> {
            try {
                result.complete(body.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return get(result);
    }

    /** Runs {@code body} in a fresh process and waits for it to finish, rethrowing what it threw. */
    static void exec(Step body) {
        eval(() -> {
            body.run();
            return Boolean.TRUE;
        });
    }

    /** @return the future's value, or the exception it completed with (unwrapped) */
    static <T> T get(Future<T> f) {
        try {
            return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new AssertionError(c);
        } catch (TimeoutException e) {
            throw new AssertionError("nothing happened within " + WAIT + dumpThreads(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Writes a dump of every thread, virtual ones included, for a test that timed out.
     *
     * @return where it went, to append to the failure's message
     */
    static String dumpThreads() {
        try {
            java.nio.file.Path file = java.nio.file.Path.of("target", "thread-dump-" + System.nanoTime() + ".txt")
                    .toAbsolutePath();
            // jcmd, not HotSpotDiagnosticMXBean: the test module does not read jdk.management.
            String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process p = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "Thread.dump_to_file",
                    file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
            return " (thread dump: " + file + ")";
        } catch (Exception e) {
            return " (no thread dump: " + e + ")";
        }
    }

    /**
     * Waits until {@code condition} holds, looking again every millisecond: for states that no
     * event announces (a periodic check's verdict). Fails with {@code failure} after {@code bound}.
     */
    static void until(java.util.function.BooleanSupplier condition, Duration bound, String failure) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure + " (within " + bound + ")" + dumpThreads());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "latch not released within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Like {@link #await} but for use inside a process body or callback that must not fail the test by itself. */
    static void awaitQuietly(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("latch not released within " + WAIT);
        }
    }

    static <T> T take(BlockingQueue<T> q) {
        try {
            T t = q.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("nothing arrived within " + WAIT);
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code q} yields {@code expected}, skipping anything else. */
    static void takeUntil(BlockingQueue<?> q, Object expected) {
        for (;;) {
            if (expected.equals(take(q))) {
                return;
            }
        }
    }

    /**
     * Monitors {@code pid} from a helper process. The monitor is in place when this returns, so
     * the future completes with the reason the process exits with (or noproc if it was already
     * dead).
     */
    static CompletableFuture<ExitReason> watch(Pid pid) {
        CompletableFuture<ExitReason> reason = new CompletableFuture<>();
        CountDownLatch armed = new CountDownLatch(1);
        Proc.spawn(() -> {
            MonitorRef ref = Proc.monitor(pid);
            armed.countDown();
            Proc.receive(m -> m instanceof Down d && d.ref() == ref, WAIT.multipliedBy(2))
                    .ifPresentOrElse(m -> reason.complete(((Down) m).reason()),
                            () -> reason.completeExceptionally(new AssertionError(pid + " did not exit")));
        });
        await(armed);
        return reason;
    }

    /** Waits until the thread of {@code pid} has finished: its death, link signals and cleanup are all done. */
    static void join(Pid pid) {
        Thread t = pid.pcb.thread;
        if (t == null) {
            return; // the runtime clears it when the thread has finished
        }
        try {
            // Under load the runtime may start a new process's thread a moment after spawn returned.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (t.getState() == Thread.State.NEW && System.nanoTime() - deadline < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000L);
            }
            assertTrue(t.join(WAIT), pid + "'s thread did not finish within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * In a process: everything in the mailbox (including what selective receives set aside) up
     * to a marker sent to oneself now, in order. Messages sent before this call by this process,
     * or delivered synchronously before it, are all included.
     */
    static List<Object> drainMailbox() {
        Object marker = new Object();
        Proc.send(Proc.self(), marker);
        List<Object> out = new ArrayList<>();
        for (;;) {
            Object m = Proc.receive(WAIT).orElseThrow(() -> new AssertionError("own marker never arrived"));
            if (m == marker) {
                return out;
            }
            out.add(m);
        }
    }

    /** A process that waits for any message, then runs {@code then}. */
    static Pid gated(Step then) {
        return Proc.spawn(() -> {
            Proc.receive();
            try {
                then.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** A process that waits for messages forever and ignores them. */
    static Pid idle() {
        return Proc.spawn(() -> {
            for (;;) {
                Proc.receive();
            }
        });
    }
}
