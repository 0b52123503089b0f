package io.otpj.test;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.Sys;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helpers for tests of processes that wait on what happened, never on a guessed sleep. Every
 * method is callable from any thread, a plain test thread or a process; each is bounded by its
 * timeout and fails with an {@link AssertionError} saying what it waited for.
 */
public final class TestKit {

    private TestKit() {}

    /** Code for {@link #inProcess(ThrowingRunnable, Duration)}: may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /**
         * Runs.
         *
         * @throws Exception anything; rethrown to the caller of {@code inProcess}
         */
        void run() throws Exception;
    }

    /**
     * Runs {@code body} in a fresh process of the current node (so it can monitor, link, trap
     * exits, receive) and returns its result once that process has ended: its links, monitors,
     * names and registry entries are gone when this returns.
     *
     * @param <T> the result type
     * @param body the code; what it throws is rethrown here (a checked exception wrapped in an
     *     {@link AssertionError})
     * @param timeout how long the body may take
     * @return what {@code body} returned
     * @throws AssertionError if the process is killed before it returns, or does not end in time
     */
    public static <T> T inProcess(java.util.concurrent.Callable<T> body, Duration timeout) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Pid worker = Proc.spawn(() -> {
            try {
                outcome.complete(body.call());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        ExitReason reason;
        try {
            reason = awaitDown(worker, timeout);
        } catch (AssertionError late) {
            // The body overran: it must not go on running behind the failed test.
            Proc.exit(worker, ExitReason.kill());
            throw new AssertionError("the process " + worker + " running the body did not end within " + timeout
                    + ": killed", late);
        }
        // After its death the outcome is settled, unless the process died before completing it.
        outcome.completeExceptionally(new AssertionError("the process " + worker + " exited with " + reason
                + " before its body returned"));
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new AssertionError(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * {@link #inProcess(java.util.concurrent.Callable, Duration)} for code that returns nothing.
     *
     * @param body the code
     * @param timeout how long it may take
     * @throws AssertionError if the process is killed before it returns, or does not end in time
     */
    public static void inProcess(ThrowingRunnable body, Duration timeout) {
        Objects.requireNonNull(body, "body");
        inProcess(() -> {
            body.run();
            return null;
        }, timeout);
    }

    /**
     * Casts {@code request} to {@code server}, then makes a synchronous {@code sys} round trip
     * to it ({@link Sys#getState}), so that when this returns the server has handled the cast
     * (a GenServer handles its messages in order). The seed's "cast, then sync" idiom.
     *
     * @param server the server
     * @param request the cast
     * @throws io.otpj.core.CallException if the server is dead or does not answer within the
     *     current node's call timeout
     */
    public static void castThenSync(ServerRef server, Object request) {
        GenServer.cast(server, request);
        Sys.getState(server);
    }

    /**
     * Waits until {@code pid} is dead and its death has been carried out (its name is released,
     * its monitors have their DOWN), and returns its exit reason as a monitor would see it.
     *
     * @param pid the process
     * @param timeout how long to wait
     * @return the exit reason ({@code noproc} if it was dead already)
     * @throws AssertionError if it is still alive at the timeout
     */
    public static ExitReason awaitDown(Pid pid, Duration timeout) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<ExitReason> reason = new CompletableFuture<>();
        // The watcher gives up at the timeout on its own: it must not outlive a caller that is
        // killed (and so cannot kill it) while it waits.
        Pid watcher = Proc.spawn(() -> {
            Proc.monitor(pid);
            Proc.receive(Down.class, timeout).ifPresent(d -> reason.complete(d.reason()));
        });
        try {
            return reason.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(pid + " was still alive after " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the death of " + pid, e);
        } finally {
            Proc.exit(watcher, ExitReason.kill());
        }
    }

    /**
     * Waits until {@code condition} holds, checking it again and again with a pause that grows
     * from 10 µs to 10 ms: for state that has no message or monitor to wait on (a table filled by
     * another thread, say).
     *
     * @param condition the condition; must be cheap and free of side effects
     * @param timeout how long to wait
     * @param what what is waited for, for the failure message
     * @throws AssertionError if it does not hold within {@code timeout}
     */
    public static void eventually(BooleanSupplier condition, Duration timeout, String what) {
        eventually(condition, timeout, () -> what);
    }

    /**
     * {@link #eventually(BooleanSupplier, Duration, String)} with a failure message computed
     * only on failure (to show the state that was seen last).
     *
     * @param condition the condition
     * @param timeout how long to wait
     * @param what describes what was waited for and what was seen
     * @throws AssertionError if it does not hold within {@code timeout}
     */
    public static void eventually(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        Objects.requireNonNull(condition, "condition");
        long end = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        long pause = 10_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000L);
        }
    }
}
