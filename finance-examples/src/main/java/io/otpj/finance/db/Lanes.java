package io.otpj.finance.db;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Database workers with per-key FIFO order.
 *
 * <p>The task decides for itself whether to run (the {@link Database} skips the work of a dead
 * process by throwing before it touches a connection); a task that throws still completes its
 * place in the lane, so the order of the others is kept.
 *
 * <p>Work submitted under the same lane key runs one item at a time, in submission order; work
 * under different keys (or none) runs concurrently, bounded by the connection pool. Workers are
 * virtual threads that no otpj process owns, so killing the process that submitted the work
 * never interrupts it: it always ends with a commit or a rollback, and its connection always
 * goes back to the pool.
 *
 * <p>Why lanes: when a campaign server is killed while its write is in flight, its restarted
 * successor reloads the campaign through the same lane, so the reload runs after that write
 * has committed or rolled back and sees its outcome. Without the order, the reload could read
 * the total just before a late commit and disagree with the database for good.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread.
 */
final class Lanes {

    private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(null);

    private final ExecutorService workers;
    /** The last work item of each busy lane; removed when it completes and nothing followed it. */
    private final ConcurrentHashMap<Object, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

    Lanes(ExecutorService workers) {
        this.workers = workers;
    }

    /** @return the result of {@code task}, run after all work submitted earlier under {@code lane} */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(Object lane, Callable<T> task) {
        if (lane == null) {
            return CompletableFuture.supplyAsync(() -> call(task), workers);
        }
        CompletableFuture<?>[] mine = new CompletableFuture<?>[1];
        tails.compute(lane, (key, previous) -> {
            CompletableFuture<?> after = previous == null ? DONE : previous;
            // handle, not then: a failed predecessor must not cancel the work queued behind it.
            mine[0] = after.handleAsync((ignored, failure) -> call(task), workers);
            return mine[0];
        });
        CompletableFuture<T> result = (CompletableFuture<T>) mine[0];
        result.whenComplete((v, e) -> tails.remove(lane, result));
        return result;
    }

    /** @return the last work item queued under {@code lane}, or null if the lane is idle (for tests) */
    CompletableFuture<?> tail(Object lane) {
        return tails.get(lane);
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
