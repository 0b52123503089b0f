package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.eval;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Task: async/await, linked to and monitored by its owner, as in Elixir. */
class TaskTest {

    @Test
    void asyncThenAwaitReturnsTheResult() {
        assertEquals(42, (int) eval(() -> Task.async(() -> 6 * 7).await(WAIT)));
        assertEquals(List.of(1, 2, 3), eval(() -> Task.awaitMany(List.of(
                Task.async(() -> 1), Task.async(() -> 2), Task.async(() -> 3)), WAIT)));
    }

    @Test
    void aTaskRunsInItsOwnProcessLinkedToItsOwner() {
        List<Object> seen = eval(() -> {
            CompletableFuture<Pid> inside = new CompletableFuture<>();
            Task<List<Pid>> t = Task.async(() -> {
                inside.complete(Proc.self());
                return Proc.info(Proc.self()).orElseThrow().links();
            });
            List<Pid> links = t.await(WAIT);
            return List.of(t.pid().equals(Probe.get(inside)), links.contains(Proc.self()));
        });
        assertEquals(List.of(true, true), seen);
    }

    @Test
    void aCrashingTaskTakesItsOwnerDownUnlessItTraps() {
        CompletableFuture<Object> reached = new CompletableFuture<>();
        Pid owner = Proc.spawn(() -> {
            Proc.receive(); // "go": the test watches first
            Task<Integer> t = Task.async(() -> {
                throw new IllegalStateException("task failed");
            });
            t.await(WAIT);
            reached.complete("after await"); // never: the link's exit signal unwinds the owner
        });
        CompletableFuture<ExitReason> ownerExit = Probe.watch(owner);
        Proc.send(owner, "go");
        assertTrue(Probe.get(ownerExit) instanceof ExitReason.Crash c && c.cause().getMessage().contains("task failed"),
                "the owner died of the task's crash");
        assertFalse(reached.isDone(), "the owner was killed by the link, not returned from await");
        ExitReason seenByTrapping = eval(() -> {
            Proc.trapExit(true);
            Task<Integer> t = Task.async(() -> {
                throw new IllegalStateException("again");
            });
            return assertThrows(ServerExitedException.class, () -> t.await(WAIT)).reason();
        });
        assertTrue(seenByTrapping instanceof ExitReason.Crash || seenByTrapping.equals(ExitReason.noproc()), seenByTrapping.toString());
    }

    @Test
    void anAwaitThatTimesOutKillsTheTaskAndTheOwnerGoesOn() {
        CountDownLatch never = new CountDownLatch(1);
        List<Object> r = eval(() -> {
            Task<String> t = Task.async(() -> {
                never.await();
                return "late";
            });
            CallTimeoutException e = assertThrows(CallTimeoutException.class, () -> t.await(Duration.ofMillis(30)));
            Probe.join(t.pid());
            return List.of(e.reason(), t.pid().isAlive(), Proc.isProcess());
        });
        assertEquals(List.of(ExitReason.timeout(), false, true), r);
    }

    /**
     * "await with a timeout exits the caller on timeout": in otpj the timeout is a
     * {@link CallTimeoutException}, so a caller that does not catch it exits (crashes) with it,
     * and its linked task goes with it.
     */
    @Test
    void aCallerThatDoesNotCatchTheAwaitTimeoutExitsWithIt() {
        CountDownLatch watched = new CountDownLatch(1), never = new CountDownLatch(1);
        CompletableFuture<Pid> task = new CompletableFuture<>();
        Pid caller = Proc.spawn(() -> {
            Probe.await(watched);
            Task<String> t = Task.async(() -> {
                never.await();
                return "late";
            });
            task.complete(t.pid());
            t.await(Duration.ofMillis(30)); // not caught
            throw new AssertionError("await returned after its timeout");
        });
        CompletableFuture<ExitReason> down = Probe.watch(caller);
        watched.countDown();
        ExitReason reason = Probe.get(down);
        assertTrue(reason instanceof ExitReason.Crash c && c.cause() instanceof CallTimeoutException e
                && e.reason().equals(ExitReason.timeout()), "the caller exited with " + reason);
        Probe.join(Probe.get(task)); // the task is gone too
    }

    @Test
    void yieldLeavesARunningTaskRunningAndShutdownStopsIt() {
        CountDownLatch release = new CountDownLatch(1);
        List<Object> r = eval(() -> {
            Task<String> t = Task.async(() -> {
                release.await();
                return "done";
            });
            Optional<String> early = t.yield(Duration.ofMillis(10));
            boolean aliveAfterYield = t.pid().isAlive();
            release.countDown();
            Optional<String> later = t.yield(WAIT);
            Task<String> stuck = Task.async(() -> {
                new CountDownLatch(1).await();
                return "never";
            });
            Optional<String> stopped = stuck.shutdown(WAIT);
            return List.of(early, aliveAfterYield, later, stopped, stuck.pid().isAlive());
        });
        assertEquals(List.of(Optional.empty(), true, Optional.of("done"), Optional.empty(), false), r);
    }

    @Test
    void onlyTheOwnerMayAwaitAndOnlyOnce() {
        assertThrows(IllegalStateException.class, () -> Task.async(() -> 1), "a plain thread has no process to own it");
        List<Object> r = eval(() -> {
            Task<Integer> t = Task.async(() -> 1);
            CompletableFuture<Throwable> other = new CompletableFuture<>();
            Proc.spawn(() -> {
                try {
                    t.await(WAIT);
                    other.complete(null);
                } catch (Throwable e) {
                    other.complete(e);
                }
            });
            Throwable fromOther = Probe.get(other);
            int v = t.await(WAIT);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> t.await(WAIT));
            return List.of(fromOther instanceof IllegalStateException, v, twice.getMessage().contains("already"));
        });
        assertEquals(List.of(true, 1, true), r);
    }

    @Test
    void asyncStreamBoundsConcurrencyAndKeepsOrder() {
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        List<Task.Outcome<Integer>> out = eval(() -> Task.asyncStream(List.of(1, 2, 3, 4, 5, 6, 7, 8), x -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Proc.receive(Duration.ofMillis(2)); // work
            running.decrementAndGet();
            return x * 10;
        }, Task.StreamOptions.defaults().withMaxConcurrency(2)));
        assertEquals(List.of(10, 20, 30, 40, 50, 60, 70, 80),
                out.stream().map(o -> ((Task.Outcome.Ok<Integer>) o).value()).toList());
        assertTrue(most.get() <= 2, "at most 2 at once, saw " + most.get());
    }

    @Test
    void aStreamIsOrderedByDefaultEvenWhenItsResultsCompleteOutOfOrder() {
        CountDownLatch fastDone = new CountDownLatch(1);
        List<Task.Outcome<String>> out = eval(() -> Task.asyncStream(List.of("slow", "fast"), x -> {
            if (x.equals("slow")) {
                Probe.await(fastDone); // completes only after the element behind it
            } else {
                fastDone.countDown();
            }
            return x;
        }, Task.StreamOptions.defaults().withMaxConcurrency(2)));
        assertEquals(List.of(new Task.Outcome.Ok<>("slow"), new Task.Outcome.Ok<>("fast")), out);
    }

    @Test
    void aStreamRunsExactlyMaxConcurrencyAtOnceWhileItsTasksBlock() {
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<List<Task.Outcome<Integer>>> out = new CompletableFuture<>();
        Proc.spawn(() -> out.complete(Task.asyncStream(List.of(1, 2, 3, 4, 5), x -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            started.incrementAndGet();
            Probe.await(go); // the first ones hold their slots until the test lets them go
            running.decrementAndGet();
            return x;
        }, Task.StreamOptions.defaults().withMaxConcurrency(2))));
        Probe.until(() -> started.get() >= 2, WAIT, "two tasks did not start");
        go.countDown();
        assertEquals(List.of(1, 2, 3, 4, 5), Probe.get(out).stream().map(o -> ((Task.Outcome.Ok<Integer>) o).value()).toList());
        assertEquals(2, most.get(), "tasks running at once");
    }

    @Test
    void anUnorderedStreamGivesResultsAsTheyComplete() {
        CountDownLatch fastDone = new CountDownLatch(1);
        List<Task.Outcome<String>> out = eval(() -> Task.asyncStream(List.of("slow", "fast"), x -> {
            if (x.equals("slow")) {
                Probe.await(fastDone);
            } else {
                fastDone.countDown();
            }
            return x;
        }, Task.StreamOptions.defaults().withMaxConcurrency(2).withOrdered(false)));
        assertEquals(List.of(new Task.Outcome.Ok<>("fast"), new Task.Outcome.Ok<>("slow")), out);
    }

    @Test
    void onTimeoutKillTaskGivesAnExitForThatElementAndOtherwiseTheStreamFails() {
        CountDownLatch never = new CountDownLatch(1);
        Task.StreamOptions opts = Task.StreamOptions.defaults().withTimeout(Duration.ofMillis(50));
        List<Task.Outcome<Integer>> out = eval(() -> Task.asyncStream(List.of(1, 2, 3), x -> {
            if (x == 2) {
                Probe.await(never);
            }
            return x;
        }, opts.withKillOnTimeout(true)));
        assertEquals(List.of(new Task.Outcome.Ok<>(1), new Task.Outcome.Exited<>(ExitReason.timeout()), new Task.Outcome.Ok<>(3)), out);
        ExitReason failed = eval(() -> assertThrows(CallTimeoutException.class, () -> Task.asyncStream(List.of(1), x -> {
            Probe.await(never);
            return x;
        }, opts)).reason());
        assertEquals(ExitReason.timeout(), failed);
    }

    @Test
    void aTrappingOwnerSeesACrashedElementAsAnExit() {
        List<Task.Outcome<Integer>> out = eval(() -> {
            Proc.trapExit(true);
            return Task.asyncStream(List.of(1, 2), x -> {
                if (x == 2) {
                    throw new IllegalStateException("bad input " + x);
                }
                return x;
            }, Task.StreamOptions.defaults());
        });
        assertEquals(new Task.Outcome.Ok<>(1), out.get(0));
        assertTrue(out.get(1) instanceof Task.Outcome.Exited<Integer> e
                && (e.reason() instanceof ExitReason.Crash || e.reason().equals(ExitReason.noproc())), out.toString());
        assertThrows(IllegalArgumentException.class, () -> Task.StreamOptions.defaults().withMaxConcurrency(0));
        assertThrows(IllegalStateException.class, () -> Task.asyncStream(List.of(1), x -> x, Task.StreamOptions.defaults()));
    }
}
