package io.otpj.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.CastResult;
import io.otpj.core.CallResult;
import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@OtpjTest
class TestKitTest {

    /** A counter whose casts are slow enough that a test reading right after a cast would race. */
    static final class Counter implements GenServer<Integer, Integer> {
        @Override
        public InitResult<Integer> init(Integer n) {
            return ok(n);
        }

        @Override
        public CastResult<Integer> handleCast(Object req, Integer n) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // work that takes a while
            return noreply(n + (Integer) req);
        }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer n) {
            return reply(n, n);
        }
    }

    private Node inBeforeEach;

    @BeforeEach
    void setUp() {
        inBeforeEach = Node.current();
    }

    @Test
    void eachTestHasItsOwnNodeBoundForTheTestAndItsSetUp(Node node) {
        assertSame(node, Node.current());
        assertSame(node, inBeforeEach);
        assertNotSame(Node.defaultNode(), node);
        assertTrue(node.name().startsWith("test-TestKitTest-eachTestHasItsOwnNode"), node.name());
        Pid p = Proc.spawn(() -> {});
        assertEquals(node.name(), p.node());
    }

    @Test
    void aLocalNameUsedByOneTest(Node node) {
        // The same name in another test's node never collides: each test registers it afresh.
        Pid server = GenServer.start(new Counter(), 0, Name.local("counter")).pid();
        assertEquals(server, node.whereis("counter").orElseThrow());
        GenServer.stop(server);
    }

    @Test
    void theSameLocalNameInAnotherTest() {
        Pid server = GenServer.start(new Counter(), 0, Name.local("counter")).pid();
        GenServer.stop(server);
    }

    @Test
    void castThenSyncSeesTheCastsEffect() {
        Pid server = GenServer.start(new Counter(), 0).pid();
        for (int i = 1; i <= 5; i++) {
            TestKit.castThenSync(server, 1);
            assertEquals(i, (int) GenServer.call(server, "get"));
        }
        GenServer.stop(server);
    }

    @Test
    void probeExpectsSelectivelyAndReportsWhatItHolds() {
        try (TestProbe probe = TestProbe.start()) {
            Proc.send(probe.pid(), "first");
            Proc.send(probe.pid(), 42);
            assertEquals(42, probe.expectMessage(Integer.class));
            assertEquals("first", probe.expectMessageEquals("first"));
            probe.expectNoMessage(Duration.ofMillis(20));
            Proc.send(probe.pid(), "stray");
            AssertionError e = assertThrows(AssertionError.class, () -> probe.expectMessage(Long.class::isInstance, Duration.ofMillis(20)));
            assertTrue(e.getMessage().contains("holds [stray]"), e.getMessage());
            AssertionError none = assertThrows(AssertionError.class, () -> probe.expectNoMessage(Duration.ofMillis(20)));
            assertTrue(none.getMessage().contains("stray"), none.getMessage());
        }
    }

    @Test
    void probeSeesDownsAndExits() {
        try (TestProbe probe = TestProbe.start()) {
            Pid server = GenServer.start(new Counter(), 0).pid();
            assertThrows(IllegalStateException.class, () -> probe.expectDown(server), "not monitored yet");
            probe.monitor(server);
            Pid linked = Proc.spawn(() -> Proc.receive());
            probe.link(linked);
            Proc.exit(server, ExitReason.kill());
            Down down = probe.expectDown(server);
            assertEquals(ExitReason.killed(), down.reason());
            Proc.exit(linked, ExitReason.of("boom"));
            probe.expectExit(linked, ExitReason.of("boom"));
            AssertionError late = assertThrows(AssertionError.class, () -> probe.expectExit(linked, ExitReason.normal()));
            assertTrue(late.getMessage().contains("Exit(" + linked), late.getMessage());
        }
    }

    @Test
    void awaitDownAndEventually() {
        Pid p = Proc.spawn(() -> Proc.receive());
        AssertionError alive = assertThrows(AssertionError.class, () -> TestKit.awaitDown(p, Duration.ofMillis(20)));
        assertTrue(alive.getMessage().contains("still alive"), alive.getMessage());
        // Its own thread, not the common pool (which other tests' engines may be holding).
        java.util.concurrent.CompletableFuture<ExitReason> down = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> down.complete(TestKit.awaitDown(p, Duration.ofSeconds(30))));
        TestKit.eventually(() -> Proc.info(p).orElseThrow().monitoredBy() == 1, Duration.ofSeconds(10), "awaitDown monitors p");
        Proc.send(p, "go");
        assertEquals(ExitReason.normal(), down.join());
        assertFalse(p.isAlive());
        assertEquals(ExitReason.noproc(), TestKit.awaitDown(p, Duration.ofSeconds(10)), "dead already");
        AtomicInteger n = new AtomicInteger();
        Proc.spawn(() -> n.set(7));
        TestKit.eventually(() -> n.get() == 7, Duration.ofSeconds(10), "the process set n");
        AssertionError never = assertThrows(AssertionError.class,
                () -> TestKit.eventually(() -> false, Duration.ofMillis(20), () -> "n is " + n.get()));
        assertTrue(never.getMessage().contains("n is 7"), never.getMessage());
    }

    @Test
    void inProcessKillsABodyThatOverrunsItsTimeout() {
        java.util.concurrent.atomic.AtomicReference<Pid> worker = new java.util.concurrent.atomic.AtomicReference<>();
        AssertionError late = assertThrows(AssertionError.class, () -> TestKit.inProcess(() -> {
            worker.set(Proc.self());
            Proc.receive(); // nothing comes
        }, Duration.ofMillis(50)));
        assertTrue(late.getMessage().contains("killed"), late.getMessage());
        // Only the kill can end it (it waits for a message forever); it may be dead already.
        ExitReason reason = TestKit.awaitDown(worker.get(), Duration.ofSeconds(10));
        assertTrue(reason.equals(ExitReason.killed()) || reason.equals(ExitReason.noproc()), reason.toString());
    }

    @Test
    void aDeadProbeRefusesCommandsAtOnce() {
        TestProbe probe = TestProbe.start();
        Pid target = Proc.spawn(() -> Proc.receive());
        Proc.exit(probe.pid(), ExitReason.kill());
        TestKit.awaitDown(probe.pid(), Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        IllegalStateException dead = assertThrows(IllegalStateException.class, () -> probe.monitor(target));
        assertTrue(dead.getMessage().contains("dead"), dead.getMessage());
        assertTrue(System.nanoTime() - t0 < TestProbe.DEFAULT_TIMEOUT.toNanos(), "refused without waiting for an answer");
        Proc.exit(target, ExitReason.kill());
        probe.close();
    }
}
