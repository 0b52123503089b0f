package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Elixir's start options: name, timeout (init within it, else killed), hibernate_after, debug trace. */
class StartOptionsTest {

    /** A server whose init waits on a latch, and whose state is its arg. */
    record Slow(CountDownLatch release, CompletableFuture<Pid> self) implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String arg) throws Exception {
            self.complete(Proc.self());
            release.await();
            return ok(arg);
        }

        @Override
        public CallResult<String> handleCall(Object req, From from, String s) {
            return reply(s, s);
        }
    }

    record Quick(Action after) implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String arg) {
            return ok(arg);
        }

        @Override
        public CallResult<String> handleCall(Object req, From from, String s) {
            return reply(s, s, after);
        }

        @Override
        public CastResult<String> handleInfo(Object msg, String s) {
            return noreply(s);
        }
    }

    @Test
    void anInitPastTheTimeoutIsKilledAndTheStartFailsWithTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Pid> server = new CompletableFuture<>();
        StartResult r = GenServer.start(new Slow(never, server), "x",
                StartOptions.defaults().withName(Name.local("slow-start")).withTimeout(Duration.ofMillis(50)));
        assertEquals(new StartResult.Failed(ExitReason.timeout()), r);
        assertFalse(Probe.get(server).isAlive(), "the half-started server was killed");
        assertEquals(java.util.Optional.empty(), Proc.whereis("slow-start"), "its name is free when start returns");
        Pid again = GenServer.start(new Quick(Action.none()), "y", StartOptions.defaults().withName(Name.local("slow-start"))).pid();
        GenServer.stop(again);
        never.countDown();
    }

    @Test
    void aLinkedStartThatTimesOutDoesNotKillItsCaller() {
        CompletableFuture<Pid> server = new CompletableFuture<>();
        Object[] result = new Object[1];
        Pid caller = Proc.spawn(() -> {
            result[0] = GenServer.startLink(new Slow(new CountDownLatch(1), server), "x",
                    StartOptions.defaults().withTimeout(Duration.ofMillis(50)));
            Proc.receive(); // stay alive until told
        });
        Probe.until(() -> result[0] != null, WAIT, "the linked start returned");
        assertEquals(new StartResult.Failed(ExitReason.timeout()), result[0]);
        assertFalse(Probe.get(server).isAlive());
        assertTrue(caller.isAlive(), "the caller was unlinked before the kill");
        Proc.send(caller, "done");
    }

    @Test
    void anInitWithinTheTimeoutStartsNormally() {
        CountDownLatch go = new CountDownLatch(1);
        go.countDown();
        Pid p = GenServer.start(new Slow(go, new CompletableFuture<>()), "fine",
                StartOptions.defaults().withTimeout(Duration.ofSeconds(30))).pid();
        assertEquals("fine", GenServer.call(p, "get"));
        GenServer.stop(p);
    }

    @Test
    void hibernateAfterHibernatesAnIdleServerButNotOneWithATimeoutOfItsOwn() {
        Pid idle = GenServer.start(new Quick(Action.none()), "s",
                StartOptions.defaults().withHibernateAfter(Duration.ofMillis(5))).pid();
        // Each look is a system call, which ends the idle time: look every 50 ms, so the server
        // has idle stretches ten times longer than its hibernate_after between them.
        long end = System.nanoTime() + WAIT.toNanos();
        while (Sys.statistics(idle).hibernations() == 0) {
            assertTrue(System.nanoTime() < end, "no hibernation within " + WAIT + Probe.dumpThreads());
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        assertEquals("s", GenServer.call(idle, "get"), "and still answers");
        GenServer.stop(idle);
        Pid plain = GenServer.start(new Quick(Action.none()), "s").pid();
        GenServer.call(plain, "get");
        assertEquals(0, Sys.statistics(plain).hibernations(), "no hibernate_after, no hibernation");
        GenServer.stop(plain);
    }

    @Test
    void traceLogsEveryMessageFromTheStart() {
        try (LogCapture log = new LogCapture()) {
            Pid p = GenServer.start(new Quick(Action.none()), "s", StartOptions.defaults().withTrace(true)).pid();
            GenServer.call(p, "first");
            GenServer.stop(p);
            assertTrue(log.lines("sys_trace", p).size() >= 1, log.text());
        }
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withHibernateAfter(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> StartOptions.defaults().withName(null));
        assertThrows(NullPointerException.class, () -> GenServer.start(new Quick(Action.none()), "s", (StartOptions) null));
    }
}
