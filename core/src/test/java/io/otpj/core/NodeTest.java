package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime as an instance: pids as values, isolation between nodes, listing, stopping, applications. */
class NodeTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<Node> started = new ArrayList<>();

    private Node node(String prefix) {
        Node n = Node.start(NodeOptions.named(prefix + "-" + SEQ.incrementAndGet()).withShutdownHook(false));
        started.add(n);
        return n;
    }

    @AfterEach
    void stopNodes() {
        for (Node n : started) {
            n.stop(Duration.ZERO);
        }
    }

    /** A GenServer that records its terminate, traps exits, and holds a state object a test can watch. */
    static class Recorder implements GenServer<String, Object> {
        final List<String> log;
        final AtomicReference<WeakReference<Object>> state = new AtomicReference<>();

        Recorder(List<String> log) {
            this.log = log;
        }

        @Override
        public InitResult<Object> init(String name) {
            Proc.trapExit(true);
            Object s = new StringBuilder(name);
            state.set(new WeakReference<>(s));
            log.add("init " + name);
            return ok(s);
        }

        @Override
        public CallResult<Object> handleCall(Object req, From from, Object s) {
            return reply(req, s);
        }

        @Override
        public void terminate(ExitReason reason, Object s) {
            log.add("terminate " + s + " " + reason);
        }
    }

    // ------------------------------------------------------------------ pids are values

    @Test
    void pidsAreValuesOfNodeIdAndCreation() {
        Node a = node("a");
        Node b = node("b");
        Pid pa = a.spawn(() -> Proc.receive());
        Pid pb = b.spawn(() -> Proc.receive());
        assertEquals(a.name(), pa.node());
        assertEquals(a.creation(), pa.creation());
        assertEquals(1, pa.id(), "ids count per node");
        assertEquals(1, pb.id());
        assertNotEquals(pa, pb, "same id, other node");
        assertEquals("<" + a.name() + ".1." + a.creation() + ">", pa.toString());
        Pid copy = new Pid(pa.node(), pa.creation(), pa.id(), Pcb.OUTSIDE);
        assertNotSame(pa, copy);
        assertEquals(pa, copy);
        assertEquals(pa.hashCode(), copy.hashCode());
        assertEquals(0, pa.compareTo(copy));
        assertTrue(pa.compareTo(pb) < 0, "ordered by node name first");
    }

    @Test
    void aNodeStartedAgainUnderItsNameHasANewCreation() {
        String name = "again-" + SEQ.incrementAndGet();
        Node first = Node.start(NodeOptions.named(name).withShutdownHook(false));
        Pid old = first.spawn(() -> {});
        first.stop(Duration.ZERO);
        Node second = Node.start(NodeOptions.named(name).withShutdownHook(false));
        started.add(second);
        Pid fresh = second.spawn(() -> Proc.receive());
        assertTrue(second.creation() > first.creation(), second.creation() + " after " + first.creation());
        assertEquals(old.id(), fresh.id());
        assertNotEquals(old, fresh);
        assertSame(second, Node.named(name).orElseThrow());
    }

    /**
     * otp-semantics.md: "monitoring a dead or unknown process gives DOWN with noproc at once", for
     * a process of a node that has stopped, monitored from the node started again under its name.
     */
    @Test
    void aProcessOfAStoppedNodeIsMonitoredAsNoprocAtOnce() throws Exception {
        String name = "gone-" + SEQ.incrementAndGet();
        Node first = Node.start(NodeOptions.named(name).withShutdownHook(false));
        Pid old = first.spawn(() -> Proc.receive());
        first.stop(Duration.ZERO);
        Node second = Node.start(NodeOptions.named(name).withShutdownHook(false));
        started.add(second);
        java.util.concurrent.CompletableFuture<Object> seen = new java.util.concurrent.CompletableFuture<>();
        second.spawn(() -> {
            MonitorRef ref = Proc.monitor(old);
            // Already in the mailbox when monitor returns: a zero timeout finds it.
            seen.complete(Proc.receive(Down.class, Duration.ZERO).map(d -> d.ref().equals(ref) ? d.reason() : d)
                    .orElse(null));
        });
        assertEquals(ExitReason.noproc(), seen.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }

    // ------------------------------------------------------------------ isolation

    @Test
    void theSameLocalNameLivesInTwoNodesAndNeverLeaks() {
        Node a = node("a");
        Node b = node("b");
        Pid pa = a.call(() -> GenServer.start(new Recorder(new ArrayList<>()), "A", Name.local("svc")).pid());
        Pid pb = b.call(() -> GenServer.start(new Recorder(new ArrayList<>()), "B", Name.local("svc")).pid());
        assertEquals(Optional.of(pa), a.whereis("svc"));
        assertEquals(Optional.of(pb), b.whereis("svc"));
        assertEquals("from a", a.call(() -> GenServer.call(Name.local("svc"), "from a")));
        assertEquals(Optional.of(pa), a.call(() -> Proc.whereis("svc")));
        assertEquals(Optional.empty(), Proc.whereis("svc"), "the default node has no such name");
        // A process looks names up in its own node.
        CompletableFuture<Optional<Pid>> seen = new CompletableFuture<>();
        b.spawn(() -> seen.complete(Proc.whereis("svc")));
        assertEquals(Optional.of(pb), Probe.get(seen));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.run(() -> Proc.register("other", pa)));
        assertTrue(e.getMessage().contains("belongs to node " + a.name()), e.getMessage());
    }

    @Test
    void messagesLinksAndMonitorsCrossNodesInOneJvm() {
        Node a = node("a");
        Node b = node("b");
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Pid receiver = b.spawn(() -> {
            for (;;) {
                Object m = Proc.receive();
                got.add(m);
                if (m.equals("stop")) {
                    return;
                }
            }
        });
        a.spawn(() -> {
            Proc.monitor(receiver);
            for (int i = 0; i < 100; i++) {
                Proc.send(receiver, i);
            }
            Proc.send(receiver, "stop");
            got.add(Proc.receive(Down.class, WAIT).orElseThrow().reason());
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(i, Probe.take(got));
        }
        assertEquals("stop", Probe.take(got));
        assertEquals(ExitReason.normal(), Probe.take(got));
    }

    @Test
    void aTimersNameIsResolvedInTheNodeThatStartedIt() {
        Node a = node("a");
        Node b = node("b");
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Pid inA = a.spawn(() -> got.add("a:" + Proc.receive()));
        a.run(() -> Proc.register("t", inA));
        Pid inB = b.spawn(() -> got.add("b:" + Proc.receive()));
        b.run(() -> Proc.register("t", inB));
        b.run(() -> Proc.sendAfter(Name.local("t"), "tick", Duration.ofMillis(1)));
        assertEquals("b:tick", Probe.take(got));
        assertTrue(inA.isAlive());
    }

    @Test
    void theCallTimeoutDefaultsToTheNodes() {
        Node n = Node.start(NodeOptions.named("slow-" + SEQ.incrementAndGet()).withShutdownHook(false)
                .withCallTimeout(Duration.ofMillis(50)));
        started.add(n);
        Pid silent = n.spawn(() -> Proc.receive(m -> false, Proc.INFINITY));
        CallException e = assertThrows(CallException.class, () -> n.run(() -> GenServer.call(silent, "hello")));
        assertEquals(ExitReason.timeout(), e.reason());
    }

    // ------------------------------------------------------------------ listing

    @Test
    void listShowsLiveProcessesWithNameStatusAndMailbox() {
        Node n = node("list");
        CountDownLatch go = new CountDownLatch(1);
        Pid busy = n.spawn(() -> Probe.await(go));
        Pid idle = n.spawn(() -> Proc.receive(m -> m.equals("never"), Proc.INFINITY));
        n.run(() -> Proc.register("idle", idle));
        for (int i = 0; i < 3; i++) {
            Proc.send(idle, i);
        }
        Probe.until(() -> n.list().stream().anyMatch(p -> p.pid().equals(idle)
                && p.status() == NodeProcess.Status.WAITING && p.mailboxLength() == 3), WAIT, "idle listed waiting with 3 messages");
        List<NodeProcess> list = n.list();
        assertEquals(List.of(busy, idle), list.stream().map(NodeProcess::pid).toList());
        assertEquals(Optional.of("idle"), list.get(1).name());
        assertEquals(Optional.empty(), list.get(0).name());
        assertEquals(2, n.processCount());
        assertEquals(2, n.call(Proc::count));
        go.countDown();
        Probe.until(() -> n.processCount() == 1, WAIT, "the busy process ended");
    }

    /** Blocks in handleCall on "block" until the latch opens; answers anything else at once. */
    static final class Blocking implements GenServer<CountDownLatch, CountDownLatch> {
        @Override
        public InitResult<CountDownLatch> init(CountDownLatch latch) {
            return ok(latch);
        }

        @Override
        public CallResult<CountDownLatch> handleCall(Object req, From from, CountDownLatch latch) {
            if (req.equals("block")) {
                Probe.await(latch);
            }
            return reply(req, latch);
        }
    }

    @Test
    void listShowsAServersBehaviourCurrentCallbackMessagesHandledAndParent() {
        Node n = node("list-server");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Pid> server = new AtomicReference<>();
        Pid parent = n.spawn(() -> {
            server.set(GenServer.startLink(new Blocking(), release).pid());
            started.countDown();
            Proc.receive(m -> m.equals("never"), Proc.INFINITY);
        });
        Probe.await(started);
        Pid s = server.get();
        for (int i = 0; i < 3; i++) {
            Integer req = i;
            assertEquals((Object) req, n.call(() -> GenServer.call(s, req)));
        }
        CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> n.call(() -> GenServer.call(s, "block")));
        Probe.until(() -> entry(n, s).currentCallback().isPresent(), WAIT, "the server listed in handleCall");
        NodeProcess busy = entry(n, s);
        assertEquals(Optional.of("handleCall"), busy.currentCallback());
        assertEquals(Optional.of(Blocking.class.getName()), busy.behaviour());
        assertEquals(4, busy.messagesHandled().orElseThrow());
        assertEquals(Optional.of(parent), busy.parent());
        release.countDown();
        assertEquals("block", Probe.get(blocked));
        Probe.until(() -> entry(n, s).currentCallback().isEmpty(), WAIT, "the server listed waiting again");
        assertEquals(4, entry(n, s).messagesHandled().orElseThrow());

        NodeProcess plain = entry(n, parent);
        assertEquals(Optional.empty(), plain.behaviour());
        assertEquals(Optional.empty(), plain.currentCallback());
        assertTrue(plain.messagesHandled().isEmpty());
        assertEquals(Optional.empty(), plain.parent());
        Pid unlinked = n.call(() -> GenServer.start(new Blocking(), release).pid());
        assertEquals(Optional.empty(), entry(n, unlinked).parent());
    }

    private static NodeProcess entry(Node n, Pid pid) {
        return n.list().stream().filter(p -> p.pid().equals(pid)).findFirst().orElseThrow(() -> new AssertionError(pid + " not listed"));
    }

    // ------------------------------------------------------------------ stopping

    @Test
    void stopLeavesNoThreadTimerNameOrState() throws Exception {
        Node n = node("stop");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Recorder r = new Recorder(log);
        Pid server = n.call(() -> GenServer.start(r, "s", Name.local("server")).pid());
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        Pid plain = n.spawn(() -> {
            thread.complete(Thread.currentThread());
            Proc.receive();
        });
        n.run(() -> Proc.sendAfter(server, "late", Duration.ofHours(1)));
        Thread timerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("otpj-timers-" + n.name())).findFirst().orElseThrow();
        n.stop(Duration.ofSeconds(5));
        assertFalse(n.isRunning());
        assertFalse(server.isAlive());
        assertFalse(plain.isAlive());
        assertEquals(0, n.processCount());
        assertEquals(List.of(), n.list());
        assertEquals(Optional.empty(), n.whereis("server"));
        assertEquals(Optional.empty(), Node.named(n.name()));
        timerThread.join(WAIT);
        assertFalse(timerThread.isAlive(), "the node's timer thread ended");
        Thread t = Probe.get(thread);
        t.join(WAIT);
        assertFalse(t.isAlive(), "the process's thread ended");
        WeakReference<Object> state = r.state.get();
        long end = System.nanoTime() + WAIT.toNanos();
        while (state.get() != null && System.nanoTime() < end) {
            System.gc();
            Thread.onSpinWait();
        }
        assertEquals(null, state.get(), "a held pid keeps no process state after stop");
        // A server outside any application is killed, as OTP's init:stop kills what no application holds.
        assertEquals(List.of("init s"), log);
    }

    @Test
    void aStoppedNodeRefusesWorkAndDropsMessages() {
        Node n = node("stopped");
        Pid p = n.spawn(() -> Proc.receive());
        n.stop(Duration.ZERO);
        n.stop(Duration.ZERO); // a no-op
        n.stop();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.spawn(() -> {}));
        assertTrue(e.getMessage().contains(n.name()) && e.getMessage().contains("stopped"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> n.call(() -> GenServer.start(new Recorder(new ArrayList<>()), "x")));
        assertThrows(IllegalStateException.class, () -> n.startApplication("app", () -> new StartResult.Ignored()));
        assertThrows(IllegalStateException.class, () -> n.run(() -> Proc.sendAfter(Name.local("x"), "m", Duration.ofMillis(1))));
        Proc.send(p, "dropped"); // a dead process: no error
        assertFalse(p.isAlive());
    }

    @Test
    void badInputIsRefusedClearly() {
        Node n = node("bad");
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> Node.start(NodeOptions.named(n.name()).withShutdownHook(false)));
        assertTrue(dup.getMessage().contains("already running"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> n.stop(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> n.stop(null));
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.named("a b"));
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.named(""));
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.named("x").withCallTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.named("x").withShutdownTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.named("x").withMailboxChunk(3));
        CompletableFuture<Throwable> fromInside = new CompletableFuture<>();
        n.spawn(() -> {
            try {
                n.stop(Duration.ZERO);
                fromInside.complete(null);
            } catch (Throwable t) {
                fromInside.complete(t);
            }
        });
        assertTrue(Probe.get(fromInside) instanceof IllegalStateException);
        assertTrue(n.isRunning());
    }

    // ------------------------------------------------------------------ applications

    @Test
    void applicationsStopInReverseStartOrderRunningTerminate() {
        Node n = node("apps");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Pid first = n.startApplication("first", () -> GenServer.startLink(new Recorder(log), "first"));
        Pid second = n.startApplication("second", () -> GenServer.startLink(new Recorder(log), "second"));
        assertTrue(first.isAlive() && second.isAlive());
        assertEquals(List.of("first", "second"), n.applications());
        assertThrows(IllegalArgumentException.class, () -> n.startApplication("first", () -> new StartResult.Ignored()));
        n.stop(Duration.ofSeconds(10));
        assertEquals(List.of("init first", "init second", "terminate second shutdown", "terminate first shutdown"), log);
        assertEquals(List.of(), n.applications());
    }

    @Test
    void anApplicationCanBeStoppedAloneAndAFailedStartThrows() {
        Node n = node("app1");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Pid root = n.startApplication("one", () -> GenServer.startLink(new Recorder(log), "one"));
        assertTrue(n.stopApplication("one", WAIT));
        assertFalse(root.isAlive());
        assertEquals(List.of("init one", "terminate one shutdown"), log);
        assertFalse(n.stopApplication("one", WAIT));
        StartException e = assertThrows(StartException.class,
                () -> n.startApplication("bad", () -> new StartResult.Failed(ExitReason.of("no_db"))));
        assertEquals(new StartResult.Failed(ExitReason.of("no_db")), e.result());
        assertEquals(List.of(), n.applications());
        // A root that dies on its own ends its application, and the node goes on.
        Pid crashing = n.startApplication("short", () -> GenServer.startLink(new Recorder(log), "short"));
        Proc.exit(crashing, ExitReason.kill());
        Probe.until(() -> n.applications().isEmpty(), WAIT, "the application ended with its root");
        assertTrue(n.isRunning());
    }

    @Test
    void aStoppingApplicationCanStillSpawnAndAStoppedNodeCannot() {
        Node n = node("late");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch spawned = new CountDownLatch(1);
        n.startApplication("spawner", () -> GenServer.startLink(new Recorder(log) {
            @Override
            public void terminate(ExitReason reason, Object s) {
                Proc.spawn(() -> {
                    log.add("spawned while stopping");
                    spawned.countDown();
                });
                Probe.await(spawned);
            }
        }, "x"));
        n.stop(WAIT);
        assertEquals(List.of("init x", "spawned while stopping"), log);
    }

    /** A start that blocks in the root's init until {@code release} counts down, after {@code entered} does. */
    private static java.util.function.Supplier<StartResult> slowRoot(List<String> log, CountDownLatch entered,
            CountDownLatch release) {
        return () -> GenServer.startLink(new Recorder(log) {
            @Override
            public InitResult<Object> init(String name) {
                entered.countDown();
                Probe.await(release);
                return super.init(name);
            }
        }, "slow");
    }

    @Test
    void aStopDuringAnApplicationsStartFailsTheStartInsteadOfHangingIt() throws Exception {
        Node n = node("stopstart");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Object> start = CompletableFuture.supplyAsync(() -> {
            try {
                return n.startApplication("slow", slowRoot(log, entered, never));
            } catch (RuntimeException e) {
                return e;
            }
        });
        Probe.await(entered);
        n.stop(Duration.ZERO); // kills the master and the root in its init
        Object outcome = start.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(outcome instanceof StartException || outcome instanceof IllegalStateException,
                "the start must fail once its master is killed, got " + outcome);
        assertFalse(n.isRunning());
        assertEquals(List.of(), n.applications());
    }

    @Test
    void stopApplicationDuringItsStartStopsItOnceStarted() throws Exception {
        Node n = node("stopduring");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> start = CompletableFuture.supplyAsync(() -> {
            try {
                return n.startApplication("slow", slowRoot(log, entered, release));
            } catch (RuntimeException e) {
                return e;
            }
        });
        Probe.await(entered);
        CompletableFuture<Boolean> stop = CompletableFuture.supplyAsync(() -> n.stopApplication("slow", WAIT));
        // The stop request waits in the master's mailbox: the start is not disturbed.
        Probe.until(() -> start.isDone() || stop.isDone() || !log.isEmpty() || n.applications().contains("slow"),
                WAIT, "the application is registered while it starts");
        assertFalse(start.isDone());
        release.countDown();
        assertTrue(stop.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        Object outcome = start.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(outcome instanceof Pid, "the start itself succeeded: " + outcome);
        assertFalse(((Pid) outcome).isAlive(), "the stop ended the application once it had started");
        assertEquals(List.of("init slow", "terminate slow shutdown"), log);
        assertEquals(List.of(), n.applications());
        assertTrue(n.isRunning());
    }

    @Test
    void theDefaultNodesNameIsReserved() {
        String reserved = Node.defaultNode().name();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Node.start(NodeOptions.named(reserved).withShutdownHook(false)));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        assertTrue(Node.defaultNode().isRunning());
    }

    @Test
    void wrappedTasksRunBoundToTheirNodeOnAnyThread() throws Exception {
        Node n = node("wrap");
        Pid p = n.spawn(() -> Proc.receive());
        n.run(() -> Proc.register("svc", p));
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals(Optional.empty(), pool.submit(() -> Proc.whereis("svc")).get(), "an unbound thread: the default node");
            assertEquals(Optional.of(p), pool.submit(n.wrap(() -> Proc.whereis("svc"))).get());
            CompletableFuture<Node> seen = new CompletableFuture<>();
            pool.submit(n.wrap(() -> {
                seen.complete(Node.current());
            })).get();
            assertSame(n, Probe.get(seen));
        }
        assertThrows(NullPointerException.class, () -> n.wrap((Runnable) null));
        assertThrows(NullPointerException.class, () -> Proc.removeExitHook(p, null));
        Proc.exit(p, ExitReason.kill());
    }
}
