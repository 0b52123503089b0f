package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Agent: a value in a process, read and updated by functions that run there, one at a time. */
class AgentTest {

    @Test
    void getUpdateGetAndUpdateAndCastRunInTheAgentInOrder() {
        Agent<Integer> a = Agent.start(() -> 1);
        a.update(n -> n + 1);
        assertEquals(2, (int) a.get(n -> n));
        assertEquals("2", a.get(String::valueOf));
        assertEquals(2, (int) a.getAndUpdate(n -> Agent.Update.of(n, n * 10)));
        a.cast(n -> n + 5);
        assertEquals(25, (int) a.get(n -> n), "a cast, then a call from the same sender: in order");
        CompletableRun where = new CompletableRun();
        a.get(n -> where.record(Proc.self()));
        assertEquals(a.pid(), where.pid, "functions run in the agent's process");
        a.stop();
        assertFalse(a.pid().isAlive());
    }

    private static final class CompletableRun {
        volatile Pid pid;

        Pid record(Pid p) {
            pid = p;
            return p;
        }
    }

    @Test
    void concurrentUpdatesAreAtomic() throws Exception {
        Agent<Integer> a = Agent.start(() -> 0);
        int threads = 8;
        int each = 500;
        List<Future<?>> done = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        a.update(n -> n + 1); // read-modify-write, atomic because it runs in the agent
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(threads * each, (int) a.get(n -> n));
        a.stop();
    }

    @Test
    void aThrowingFunctionCrashesTheAgentAndTheCallerIsTold() {
        Agent<Integer> a = Agent.start(() -> 0);
        CompletableFutureDown down = new CompletableFutureDown(a.pid());
        ServerExitedException e = assertThrows(ServerExitedException.class, () -> a.update(n -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(e.reason() instanceof ExitReason.Crash c && c.cause() instanceof IllegalStateException, e.toString());
        assertTrue(Probe.get(down.reason) instanceof ExitReason.Crash);
        assertThrows(NoProcException.class, () -> a.get(n -> n));
        a.cast(n -> n + 1); // dropped, no error
    }

    private static final class CompletableFutureDown {
        final java.util.concurrent.CompletableFuture<ExitReason> reason;

        CompletableFutureDown(Pid pid) {
            reason = Probe.watch(pid);
        }
    }

    @Test
    void aNamedAgentIsReachedByName() {
        Agent<List<String>> a = Agent.start(List::of, Name.local("agent-names"));
        Agent.Ref<List<String>> byName = Agent.of(Name.local("agent-names"));
        byName.update(l -> List.of("x"), Probe.WAIT);
        assertEquals(List.of("x"), byName.get(l -> l, Probe.WAIT));
        assertEquals(1, (int) byName.getAndUpdate(l -> Agent.Update.of(l.size(), List.<String>of()), Probe.WAIT));
        assertThrows(StartException.class, () -> Agent.start(List::of, Name.local("agent-names")));
        a.stop();
    }

    @Test
    void badInputIsRefused() {
        assertThrows(NullPointerException.class, () -> Agent.start(null));
        AtomicInteger starts = new AtomicInteger();
        StartException failed = assertThrows(StartException.class, () -> Agent.start(() -> {
            starts.incrementAndGet();
            throw new IllegalArgumentException("no initial value");
        }));
        assertTrue(String.valueOf(failed.getCause()).contains("no initial value"), String.valueOf(failed.getCause()));
        Agent<Integer> a = Agent.start(() -> 0);
        assertThrows(NullPointerException.class, () -> a.update(null));
        assertThrows(NullPointerException.class, () -> a.get(null));
        assertThrows(ServerExitedException.class, () -> a.getAndUpdate(n -> null), "a null update crashes the agent");
        assertEquals(1, starts.get());
    }
}
