package io.otpj.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpj.core.CallResult;
import io.otpj.core.CallTimeoutException;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.NodeProcess;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binder against a real node of its own per test: the gauges follow the listing, the event counters
 * follow the JFR events (waited for by condition, at most 30 s each, since the stream delivers about once
 * a second), and bad input is refused.
 */
class OtpjMetricsTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** A short interval, so that a wait sees a new snapshot at nearly every read. */
    static final Duration FRESH = Duration.ofMillis(10);
    private static final AtomicInteger SEQ = new AtomicInteger();

    Node node;
    MeterRegistry registry;
    final List<OtpjMetrics> binders = new ArrayList<>();
    final List<Node> otherNodes = new ArrayList<>();
    /** Released at the end, for the processes that block instead of receiving. */
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startNode() {
        node = Node.start(NodeOptions.named("metrics-" + SEQ.incrementAndGet() + "@test").withShutdownHook(false));
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stopNode() {
        release.countDown();
        binders.forEach(OtpjMetrics::close);
        node.stop();
        otherNodes.forEach(Node::stop);
    }

    private OtpjMetrics bound(OtpjMetrics m) {
        binders.add(m);
        m.bindTo(registry);
        return m;
    }

    // ------------------------------------------------------------------ servers used by the tests

    /** Replies with the request, or never for "never"; counts; crashes on the cast "boom". */
    static final class Echo implements GenServer<Void, Integer> {
        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer s) {
            return "never".equals(request) ? noreply(s) : reply(request, s + 1);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer s) {
            if ("boom".equals(request)) {
                throw new IllegalStateException("boom");
            }
            return noreply(s + 1);
        }
    }

    /** Another behaviour class, for a second crash series. */
    static final class Other implements GenServer<Void, Void> {
        @Override
        public InitResult<Void> init(Void arg) {
            return ok(null);
        }

        @Override
        public CastResult<Void> handleCast(Object request, Void s) {
            throw new IllegalStateException("other");
        }
    }

    // ------------------------------------------------------------------ reading the registry

    private double gauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        return g == null ? Double.NaN : g.value();
    }

    /** An event counter's value, 0 while its series is not registered yet. */
    private double counter(MeterRegistry r, String name, String... tags) {
        FunctionCounter c = r.find(name).tags(tags).functionCounter();
        return c == null ? 0 : c.count();
    }

    private double counter(String name, String... tags) {
        return counter(registry, name, tags);
    }

    private double snapshotProcesses() {
        double n = 0;
        for (NodeProcess.Status st : NodeProcess.Status.values()) {
            n += gauge("otpj.processes.status", "status", st.name().toLowerCase(java.util.Locale.ROOT));
        }
        return n;
    }

    private void eventually(java.util.function.BooleanSupplier c, String what) {
        TestKit.eventually(c, WAIT, () -> what + "; meters: " + registry.getMeters().stream()
                .map(m -> m.getId() + "=" + m.measure()).toList());
    }

    /** A plain process of {@code n} that crashes: a marker event behind the ones before it. */
    private static void plainCrash(Node n) {
        n.spawn(() -> {
            throw new UnsupportedOperationException("marker");
        });
    }

    /**
     * Waits until every event committed before this call has been handled by the binder. The stream
     * dispatches one flushed segment after the other, but within a segment in no set order: so a first
     * marker crash is waited for, then a second one, committed after the first was handled and so in a
     * later segment; once it is counted, the first marker's segment, with all that came before it, has
     * been handled.
     */
    private void barrier() {
        double n = counter("otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN);
        for (int i = 1; i <= 2; i++) {
            plainCrash(node);
            double want = n + i;
            eventually(() -> counter("otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN) == want,
                    "marker crash " + i);
        }
    }

    private Pid blocked(Node n) {
        return n.spawn(() -> {
            try {
                release.await(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS); // never receives
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    // ------------------------------------------------------------------ the snapshot meters

    @Test
    void processGaugesFollowSpawnsAndExits() {
        bound(OtpjMetrics.forNode(node).withSnapshotInterval(FRESH));
        assertEquals(0, gauge("otpj.processes", "node", node.name()));
        List<Pid> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(node.spawn(() -> Proc.receive(WAIT)));
        }
        eventually(() -> gauge("otpj.processes") == 3, "3 processes");
        eventually(() -> gauge("otpj.processes.status", "status", "waiting") == 3, "3 waiting in the snapshot");
        assertEquals(0, gauge("otpj.processes.status", "status", "exiting"));
        node.run(() -> waiters.forEach(p -> Proc.send(p, "go")));
        eventually(() -> gauge("otpj.processes") == 0, "no process left");
        eventually(() -> snapshotProcesses() == 0, "no process in the snapshot");
        assertEquals(5, registry.find("otpj.processes.status").gauges().size());
    }

    @Test
    void theLongestMailboxesAreRankedAndTotalled() {
        OtpjMetrics m = bound(OtpjMetrics.forNode(node).withSnapshotInterval(FRESH).withTopMailboxes(2));
        Pid seven = blocked(node);
        Pid three = blocked(node);
        blocked(node); // an empty mailbox: not ranked
        node.run(() -> {
            for (int i = 0; i < 7; i++) {
                Proc.send(seven, i);
            }
            for (int i = 0; i < 3; i++) {
                Proc.send(three, i);
            }
        });
        eventually(() -> gauge("otpj.mailbox.length", "rank", "1") == 7
                && gauge("otpj.mailbox.length", "rank", "2") == 3, "ranks 1 and 2 at 7 and 3");
        assertEquals(7, gauge("otpj.mailbox.length.max"));
        assertEquals(10, gauge("otpj.mailbox.messages"));
        assertEquals(2, registry.find("otpj.mailbox.length").gauges().size(), "one gauge per rank, no more");
        List<NodeProcess> top = m.topMailboxes();
        assertEquals(List.of(seven, three), top.stream().map(NodeProcess::pid).toList());
        assertEquals(7, top.getFirst().mailboxLength());
    }

    @Test
    void ranksBeyondTheProcessesWithMessagesReadZero() {
        bound(OtpjMetrics.forNode(node).withSnapshotInterval(FRESH));
        Pid one = blocked(node);
        node.run(() -> Proc.send(one, "x"));
        eventually(() -> gauge("otpj.mailbox.length", "rank", "1") == 1, "rank 1 at 1");
        assertEquals(OtpjMetrics.DEFAULT_TOP_MAILBOXES, registry.find("otpj.mailbox.length").gauges().size());
        assertEquals(0, gauge("otpj.mailbox.length", "rank", "2"));
        assertEquals(0, gauge("otpj.mailbox.length", "rank", "10"));
    }

    @Test
    void messagesHandledNeverDecreasesWhenAServerDies() {
        bound(OtpjMetrics.forNode(node).withSnapshotInterval(FRESH));
        Pid first = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> {
            for (int i = 0; i < 5; i++) {
                GenServer.call(first, i);
            }
        });
        eventually(() -> counter("otpj.messages.handled") >= 5, "5 messages handled");
        double before = counter("otpj.messages.handled");
        node.run(() -> GenServer.stop(first));
        eventually(() -> snapshotProcesses() == 0, "the server gone from the snapshot");
        assertTrue(counter("otpj.messages.handled") >= before,
                "went down from " + before + " to " + counter("otpj.messages.handled"));

        Pid second = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> {
            for (int i = 0; i < 3; i++) {
                GenServer.call(second, i);
            }
        });
        eventually(() -> counter("otpj.messages.handled") >= before + 3, "3 more on top of the dead server's");
    }

    // ------------------------------------------------------------------ the event meters

    @Test
    void oneGenServerCrashCountsExactlyOnce() {
        bound(OtpjMetrics.forNode(node));
        Pid echo = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> GenServer.cast(echo, "boom"));
        String behaviour = Echo.class.getName();
        eventually(() -> counter("otpj.process.crashes", "behaviour", behaviour) == 1, "Echo's crash counted");
        barrier(); // a second count of Echo's crash would have been made by now
        assertEquals(1, counter("otpj.process.crashes", "behaviour", behaviour));
        FunctionCounter c = registry.find("otpj.process.crashes").tag("behaviour", behaviour).functionCounter();
        assertEquals(node.name(), c.getId().getTag("node"));
    }

    @Test
    void anotherNodesEventsAreNotCounted() {
        Node other = Node.start(NodeOptions.named("metrics-other-" + SEQ.incrementAndGet() + "@test")
                .withShutdownHook(false));
        otherNodes.add(other);
        bound(OtpjMetrics.forNode(node));
        Pid there = other.call(() -> GenServer.start(new Other(), null).pid());
        other.run(() -> GenServer.cast(there, "crash"));
        TestKit.awaitDown(there, WAIT);
        barrier(); // the other node's crash, committed before, has been seen by now
        assertNull(registry.find("otpj.process.crashes").tag("behaviour", Other.class.getName()).functionCounter(),
                "the other node's crash was counted here");
    }

    @Test
    void restartsAreCountedBySupervisorNameAndChild() {
        bound(OtpjMetrics.forNode(node));
        Pid sup = node.call(() -> Supervisor.start(SupervisorFlags.oneForOne(),
                List.of(ChildSpec.worker("cache", () -> GenServer.startLink(new Echo(), null))),
                Name.local("payments_sup")).pid());
        Pid child = node.call(() -> Supervisor.whichChildren(sup).getFirst().pid().orElseThrow());
        node.run(() -> Proc.exit(child, ExitReason.kill()));
        eventually(() -> counter("otpj.supervisor.restarts", "supervisor", "payments_sup", "child", "cache") == 1,
                "the restart, by the supervisor's name and the child id");
        Pid again = node.call(() -> Supervisor.whichChildren(sup).getFirst().pid().orElseThrow());
        node.run(() -> Proc.exit(again, ExitReason.kill()));
        eventually(() -> counter("otpj.supervisor.restarts", "supervisor", "payments_sup", "child", "cache") == 2,
                "the second restart");
    }

    @Test
    void anUnnamedSupervisorGivingUpIsCounted() {
        bound(OtpjMetrics.forNode(node));
        Pid sup = node.call(() -> Supervisor.start(SupervisorFlags.oneForOne().withIntensity(0, Duration.ofHours(1)),
                List.of(ChildSpec.worker("fragile", () -> GenServer.startLink(new Echo(), null)))).pid());
        Pid child = node.call(() -> Supervisor.whichChildren(sup).getFirst().pid().orElseThrow());
        node.run(() -> Proc.exit(child, ExitReason.kill()));
        eventually(() -> counter("otpj.supervisor.intensity.reached", "supervisor", OtpjMetrics.UNNAMED) == 1,
                "the supervisor giving up");
        assertNull(registry.find("otpj.supervisor.restarts").functionCounter(), "no restart at intensity 0");
    }

    @Test
    void callLatencyIsTimedByOutcomeWhenEnabled() {
        bound(OtpjMetrics.forNode(node).withCallLatency(true));
        Pid echo = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> {
            for (int i = 0; i < 5; i++) {
                GenServer.call(echo, i);
            }
            assertThrows(CallTimeoutException.class, () -> GenServer.call(echo, "never", Duration.ofMillis(20)));
        });
        eventually(() -> {
            Timer t = registry.find("otpj.call.latency").tag("outcome", "reply").timer();
            Timer late = registry.find("otpj.call.latency").tag("outcome", "timeout").timer();
            return t != null && t.count() == 5 && late != null && late.count() == 1;
        }, "5 replies and 1 timeout timed");
        Timer late = registry.find("otpj.call.latency").tag("outcome", "timeout").timer();
        assertTrue(late.totalTime(TimeUnit.MILLISECONDS) >= 20, late.totalTime(TimeUnit.MILLISECONDS) + " ms");
        assertEquals(node.name(), late.getId().getTag("node"));
    }

    @Test
    void noCallLatencyMeterWhenDisabled() {
        bound(OtpjMetrics.forNode(node));
        Pid echo = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> {
            for (int i = 0; i < 5; i++) {
                GenServer.call(echo, i);
            }
        });
        barrier(); // a timed call would have been timed by now
        assertNull(registry.find("otpj.call.latency").timer());
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void bindingTwiceIsHarmlessSeveralRegistriesCountAndCloseRemovesTheMeters() {
        OtpjMetrics m = bound(OtpjMetrics.forNode(node).withTags(Tags.of("app", "test")).withCallLatency(true));
        int meters = registry.getMeters().size();
        m.bindTo(registry);
        assertEquals(meters, registry.getMeters().size());
        MeterRegistry second = new SimpleMeterRegistry();
        m.bindTo(second);
        Pid echo = node.call(() -> GenServer.start(new Echo(), null).pid());
        node.run(() -> {
            for (int i = 0; i < 3; i++) {
                GenServer.call(echo, i);
            }
        });
        barrier(); // all 3 calls handled: a registry bound twice would have timed each twice
        assertEquals(2, counter("otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN));
        assertEquals(2, counter(second, "otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN));
        assertEquals(3, registry.find("otpj.call.latency").tag("outcome", "reply").timer().count());
        assertEquals(3, second.find("otpj.call.latency").tag("outcome", "reply").timer().count());
        assertEquals("test", registry.find("otpj.processes").gauge().getId().getTag("app"));

        m.close();
        assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
        assertTrue(second.getMeters().isEmpty(), second.getMeters().toString());
        m.close();
        assertThrows(IllegalStateException.class, () -> m.bindTo(registry));
    }

    @Test
    void theStreamRunsOnADaemonThreadThatCloseEnds() {
        // Another recording keeps the disk repository going, as -XX:StartFlightRecording would in
        // production: the binder's stream must end by its own close, not because the JVM's last
        // recording did.
        try (Recording other = new Recording()) {
            other.start();
            OtpjMetrics m = bound(OtpjMetrics.forNode(node));
            String name = "otpj-metrics-" + node.name();
            Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("no thread " + name));
            assertTrue(t.isDaemon(), "an unclosed binder would keep the JVM alive");
            m.close();
            TestKit.eventually(() -> !t.isAlive(), WAIT, "the stream's thread ended by close()");
        }
    }

    @Test
    void aSeriesRegisteredBeforeALaterBindingShowsItsCountThere() {
        OtpjMetrics m = bound(OtpjMetrics.forNode(node));
        plainCrash(node);
        eventually(() -> counter("otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN) == 1, "the crash");
        MeterRegistry late = new SimpleMeterRegistry();
        m.bindTo(late);
        assertEquals(1, counter(late, "otpj.process.crashes", "behaviour", OtpjMetrics.PLAIN));
    }

    @Test
    void badInputIsRefusedNamingTheArgument() {
        assertEquals("node", assertThrows(NullPointerException.class, () -> OtpjMetrics.forNode(null)).getMessage());
        OtpjMetrics m = OtpjMetrics.forNode(node);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.withTopMailboxes(0)).getMessage()
                .contains("topMailboxes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.withTopMailboxes(-3)).getMessage()
                .contains("topMailboxes"));
        assertEquals("interval", assertThrows(NullPointerException.class, () -> m.withSnapshotInterval(null))
                .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.withSnapshotInterval(Duration.ZERO))
                .getMessage().contains("interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.withSnapshotInterval(Duration.ofSeconds(-1)))
                .getMessage().contains("interval"));
        assertEquals("tags", assertThrows(NullPointerException.class, () -> m.withTags(null)).getMessage());
        assertEquals("registry", assertThrows(NullPointerException.class, () -> m.bindTo(null)).getMessage());
        m.close(); // never bound: nothing to stop
    }

    @Test
    void onlyThisNodesPidTextIsLocal() {
        Node dotted = Node.start(NodeOptions.named("a.b").withShutdownHook(false));
        otherNodes.add(dotted);
        OtpjMetrics m = OtpjMetrics.forNode(dotted);
        String c = Integer.toString(dotted.creation());
        assertTrue(m.local("<a.b.42." + c + ">"));
        assertFalse(m.local("<a.b.42." + (dotted.creation() + 1) + ">"), "another creation");
        assertFalse(m.local("<a.b.c.42." + c + ">"), "node a.b.c");
        assertFalse(m.local("<a.b.." + c + ">"), "no id");
        assertFalse(m.local("<a.42." + c + ">"), "node a");
        assertFalse(m.local(""));
        assertFalse(m.local(null));
        Pid real = dotted.spawn(() -> Proc.receive(WAIT));
        assertTrue(m.local(real.toString()), real.toString());
        Proc.send(real, "go");
    }
}
