package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime's half of distribution, without a network: two nodes of this JVM connected by
 * {@link RemoteNode}s whose transports hand each call to the other node on one FIFO lane per
 * direction, translating pids as a real transport's codec does. Remote pids must behave as local
 * ones (sends, calls, monitors, links, exit signals) and a lost connection must fire
 * {@code noconnection} once to every monitor, link and waiting call.
 */
@Timeout(60)
class RemoteNodeTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration WAIT = Probe.WAIT;

    private Node a, b;
    private RemoteNode bAtA, aAtB;
    private Lane ab, ba;

    /** One direction: a FIFO lane that applies what {@code from} sends on {@code to}'s RemoteNode for it. */
    private static final class Lane implements NodeTransport {
        final Node from, to;
        final Map<Long, Pid> fromLocals;
        final Map<Long, Pid> toLocals;
        final ExecutorService lane = Executors.newSingleThreadExecutor();
        RemoteNode there; // to's connection to from

        Lane(Node from, Node to, Map<Long, Pid> fromLocals, Map<Long, Pid> toLocals) {
            this.from = from;
            this.to = to;
            this.fromLocals = fromLocals;
            this.toLocals = toLocals;
        }

        /** A pid as the other node sees it: a proxy there for ours, its own process for its proxies here. */
        Pid tr(Pid p) {
            if (p == null) {
                return null;
            }
            if (p.node().equals(from.name())) {
                fromLocals.put(p.id(), p);
                return there.pid(p.id());
            }
            Pid local = toLocals.get(p.id());
            return local != null ? local : RemoteNode.deadPid(to, p.node(), p.creation(), p.id(), ExitReason.noproc());
        }

        void go(Runnable r) {
            lane.execute(r);
        }

        @Override public void send(Pid to, Object m) {
            if (m instanceof Unsendable) {
                throw new IllegalArgumentException("cannot send " + m);
            }
            Pid t = tr(to);
            go(() -> there.send(t, m));
        }
        @Override public void cast(Pid to, Object r) { Pid t = tr(to); go(() -> there.cast(t, r)); }
        @Override public void call(Pid to, long ref, Pid caller, Object r) {
            Pid t = tr(to), c = tr(caller);
            go(() -> there.call(t, ref, c, r));
        }
        @Override public void stop(Pid to, long ref, Pid caller, ExitReason reason) {
            Pid t = tr(to), c = tr(caller);
            go(() -> there.stop(t, ref, c, reason));
        }
        @Override public void reply(long ref, Object v) {
            Object m = v instanceof Pid p ? tr(p) : v;
            go(() -> there.reply(ref, m));
        }
        @Override public void replyError(long ref, String problem) { go(() -> there.replyError(ref, problem)); }
        @Override public void callFailed(long ref, ExitReason r) { go(() -> there.callFailed(ref, r)); }
        @Override public void link(Pid f, Pid t) { Pid x = tr(f), y = tr(t); go(() -> there.link(x, y)); }
        @Override public void unlink(Pid f, Pid t) { Pid x = tr(f), y = tr(t); go(() -> there.unlink(x, y)); }
        @Override public void exit(Pid f, Pid t, ExitReason r) { Pid x = tr(f), y = tr(t); go(() -> there.exit(x, y, r)); }
        @Override public void linkExit(Pid f, Pid t, ExitReason r) { Pid x = tr(f), y = tr(t); go(() -> there.linkExit(x, y, r)); }
        @Override public void watch(Pid t) { Pid y = tr(t); go(() -> there.watch(y)); }
        final AtomicInteger diedSent = new AtomicInteger();
        @Override public void died(Pid t, ExitReason r) { diedSent.incrementAndGet(); Pid y = tr(t); go(() -> there.died(y, r)); }

        /** Waits until everything handed to the lane so far has been applied. */
        void drain() throws Exception {
            lane.submit(() -> {}).get(30, TimeUnit.SECONDS);
        }
    }

    record Unsendable() {}

    @BeforeEach
    void connect() {
        int n = SEQ.incrementAndGet();
        a = Node.start(NodeOptions.named("ra-" + n).withShutdownHook(false));
        b = Node.start(NodeOptions.named("rb-" + n).withShutdownHook(false));
        Map<Long, Pid> aLocals = new ConcurrentHashMap<>(), bLocals = new ConcurrentHashMap<>();
        ab = new Lane(a, b, aLocals, bLocals);
        ba = new Lane(b, a, bLocals, aLocals);
        bAtA = RemoteNode.connect(a, b.name(), b.creation(), ab);
        aAtB = RemoteNode.connect(b, a.name(), a.creation(), ba);
        ab.there = aAtB;
        ba.there = bAtA;
    }

    @AfterEach
    void disconnect() {
        bAtA.disconnect();
        aAtB.disconnect();
        a.stop(Duration.ofSeconds(5));
        b.stop(Duration.ofSeconds(5));
        ab.lane.shutdownNow();
        ba.lane.shutdownNow();
    }

    /** A process of b that forwards what it receives to a queue; its pid as a sees it. */
    private Pid collectorOnB(BlockingQueue<Object> into, boolean trap) {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        Pid local = b.spawn(() -> {
            Proc.trapExit(trap);
            ready.countDown();
            for (;;) {
                into.add(Proc.receive());
            }
        });
        Probe.await(ready); // trapping (or not) before anything reaches it
        ab.toLocals.put(local.id(), local);
        return bAtA.pid(local.id());
    }

    private Pid echoServerOnB() {
        Pid local = b.call(() -> GenServer.start(new GenServer<Void, Integer>() {
            @Override public InitResult<Integer> init(Void arg) { return ok(0); }
            @Override public CallResult<Integer> handleCall(Object req, From from, Integer n) {
                if ("who".equals(req)) {
                    return reply(from.caller(), n);
                }
                if ("crash".equals(req)) {
                    throw new IllegalStateException("asked to");
                }
                return reply(req + "!" + (n + 1), n + 1);
            }
        }, null).pid());
        ab.toLocals.put(local.id(), local);
        return bAtA.pid(local.id());
    }

    @Test
    void aRemotePidTakesSendsCastsAndCallsAndKnowsItsCaller() throws Exception {
        Pid server = echoServerOnB();
        assertEquals(b.name(), server.node());
        assertTrue(bAtA.owns(server));
        assertNotSame(ab.toLocals.get(server.id()), server);
        assertEquals(ab.toLocals.get(server.id()), server);
        assertEquals("x!1", GenServer.call(server, "x", WAIT));
        Pid caller = a.call(() -> Probe.eval(() -> {
            Pid seen = GenServer.call(server, "who", WAIT);
            assertEquals(Proc.self(), seen);
            return seen;
        }));
        assertEquals(a.name(), caller.node());
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Pid collector = collectorOnB(got, false);
        for (int i = 0; i < 100; i++) {
            Proc.send(collector, i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, got.poll(30, TimeUnit.SECONDS));
        }
        assertThrows(IllegalArgumentException.class, () -> Proc.send(collector, new Unsendable()));
    }

    @Test
    void aRemoteServersCrashFailsTheCallAndItsMonitorsOnce() throws Exception {
        Pid server = echoServerOnB();
        BlockingQueue<Object> downs = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch monitoring = new java.util.concurrent.CountDownLatch(1);
        Pid watcher = a.spawn(() -> {
            Proc.monitor(server);
            Proc.monitor(server);
            monitoring.countDown();
            for (;;) {
                downs.add(Proc.receive());
            }
        });
        Probe.await(monitoring);
        ab.drain(); // both monitors' watch is at b
        ServerExitedException e = assertThrows(ServerExitedException.class, () -> GenServer.call(server, "crash", WAIT));
        assertTrue(e.reason() instanceof ExitReason.Crash, e.reason().toString());
        assertEquals(e.reason(), ((Down) downs.poll(30, TimeUnit.SECONDS)).reason());
        assertEquals(e.reason(), ((Down) downs.poll(30, TimeUnit.SECONDS)).reason());
        ba.drain();
        assertEquals(null, downs.poll(100, TimeUnit.MILLISECONDS));
        assertFalse(server.isAlive());
        Proc.exit(watcher, ExitReason.kill());
    }

    @Test
    void linksCarryExitSignalsBothWaysAndExitSignalsReachRemoteProcesses() throws Exception {
        BlockingQueue<Object> atB = new LinkedBlockingQueue<>();
        Pid trapper = collectorOnB(atB, true);
        BlockingQueue<Object> atA = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch linkedFirst = new java.util.concurrent.CountDownLatch(1);
        Pid linker = a.spawn(() -> {
            Proc.trapExit(true);
            Proc.link(trapper);
            linkedFirst.countDown();
            for (;;) {
                atA.add(Proc.receive());
            }
        });
        Probe.await(linkedFirst); // the LINK frame is on the lane before the drain
        ab.drain();
        // The linker dies (killed): b's trapping process hears it along the link.
        Proc.exit(linker, ExitReason.kill());
        assertEquals(new Exit(aAtB.pid(linker.id()), ExitReason.killed()), atB.poll(30, TimeUnit.SECONDS));

        // The other way: b's process dies, a's trapping process linked to it gets the signal.
        BlockingQueue<Object> atA2 = new LinkedBlockingQueue<>();
        Pid other = collectorOnB(new LinkedBlockingQueue<>(), false);
        java.util.concurrent.CountDownLatch linkedSecond = new java.util.concurrent.CountDownLatch(1);
        Pid linked = a.spawn(() -> {
            Proc.trapExit(true);
            Proc.link(other);
            linkedSecond.countDown();
            for (;;) {
                atA2.add(Proc.receive());
            }
        });
        Probe.await(linkedSecond); // else the exit below could reach b before the LINK: noproc
        ab.drain();
        Proc.exit(other, ExitReason.of("stop")); // an exit signal across, which kills it there
        assertEquals(new Exit(other, ExitReason.of("stop")), atA2.poll(30, TimeUnit.SECONDS));
        assertEquals(null, atA.poll(10, TimeUnit.MILLISECONDS));
        assertEquals(null, atA2.poll(10, TimeUnit.MILLISECONDS));
        Proc.exit(linked, ExitReason.kill());
    }

    @Test
    void aLostConnectionFiresNoconnectionOnceToMonitorsLinksAndCalls() throws Exception {
        Pid server = echoServerOnB();
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(2);
        Pid watcher = a.spawn(() -> {
            Proc.trapExit(true);
            Proc.monitor(server);
            Proc.link(server);
            watching.countDown();
            for (;;) {
                got.add(Proc.receive());
            }
        });
        Pid plainLinked = a.spawn(() -> {
            Proc.link(server);
            watching.countDown();
            Proc.receive();
        });
        Probe.await(watching); // the monitor and links are made before the loss
        ab.drain();
        java.util.concurrent.CompletableFuture<ExitReason> plainDeath = a.call(() -> Probe.watch(plainLinked));

        bAtA.disconnect();
        bAtA.disconnect(); // idempotent

        Object x = got.poll(30, TimeUnit.SECONDS), y = got.poll(30, TimeUnit.SECONDS);
        assertTrue(x instanceof Down d && d.reason().equals(ExitReason.noconnection()), String.valueOf(x));
        assertEquals(new Exit(server, ExitReason.noconnection()), y);
        assertEquals(null, got.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(ExitReason.noconnection(), Probe.get(plainDeath)); // a non-trapping linked process dies of it
        assertTrue(watcher.isAlive());
        assertFalse(bAtA.isConnected());

        NoProcException e = assertThrows(NoProcException.class, () -> GenServer.call(server, "x", WAIT));
        assertEquals(ExitReason.noconnection(), e.reason());
        Pid fresh = bAtA.pid(424242); // a process never seen before, of the lost node: dead already
        assertFalse(fresh.isAlive());
        Down late = a.call(() -> Probe.eval(() -> {
            Proc.monitor(fresh);
            return Proc.receive(Down.class, WAIT).orElseThrow();
        }));
        assertEquals(ExitReason.noconnection(), late.reason());
        Proc.exit(watcher, ExitReason.kill());
    }

    /** otp-semantics.md: "monitoring a dead or unknown process gives DOWN with noproc", for a pid the connected node never had. */
    @Test
    void monitoringAProcessTheConnectedNodeNeverHadGivesNoproc() throws Exception {
        Pid unknown = bAtA.pid(987_654); // of b, which is connected, but no process there has this id
        Down d = a.call(() -> Probe.eval(() -> {
            MonitorRef ref = Proc.monitor(unknown);
            Down down = Proc.receive(Down.class, WAIT).orElseThrow();
            assertEquals(ref, down.ref());
            return down;
        }));
        assertEquals(ExitReason.noproc(), d.reason());
        assertTrue(bAtA.isConnected(), "an unknown pid must not cost the connection");
    }

    @Test
    void aCallWaitingForItsReplyWhenTheNodeIsLostFailsAtOnceWithNoconnection() throws Exception {
        java.util.concurrent.CountDownLatch received = new java.util.concurrent.CountDownLatch(1);
        Pid holder = b.call(() -> GenServer.start(new GenServer<Void, Integer>() {
            @Override public InitResult<Integer> init(Void arg) { return ok(0); }
            @Override public CallResult<Integer> handleCall(Object req, From from, Integer n) {
                received.countDown();
                return noreply(n); // never answers: the call waits
            }
        }, null).pid());
        ab.toLocals.put(holder.id(), holder);
        Pid server = bAtA.pid(holder.id());
        // Its own timeout is far beyond the test's wait: only the loss can end it in time.
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        a.spawn(() -> {
            try {
                GenServer.call(server, "hold", Duration.ofMinutes(10));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Probe.await(received); // the request is at the server, the caller waits for the reply
        bAtA.disconnect();
        Throwable t = Probe.get(outcome);
        ServerExitedException e = org.junit.jupiter.api.Assertions.assertInstanceOf(ServerExitedException.class, t);
        assertEquals(ExitReason.noconnection(), e.reason());
        b.call(() -> {
            GenServer.stop(holder);
            return null;
        });
    }

    @Test
    void aLinkFromTheOtherNodeThatArrivesAfterTheLossBreaksAtOnceWithNoconnection() throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch trapping = new java.util.concurrent.CountDownLatch(1);
        Pid target = a.spawn(() -> {
            Proc.trapExit(true);
            trapping.countDown();
            for (;;) {
                got.add(Proc.receive());
            }
        });
        Probe.await(trapping); // the signal must find it trapping
        Pid remote = bAtA.pid(99);
        bAtA.disconnect();
        bAtA.link(remote, target); // a LINK frame applied just after the loss
        assertEquals(new Exit(remote, ExitReason.noconnection()), got.poll(30, TimeUnit.SECONDS));
        Proc.exit(target, ExitReason.kill());
    }

    @Test
    void aProcessWatchedTwiceByTheOtherNodeReportsItsDeathOnceWithItsReason() throws Exception {
        Pid local = b.spawn(() -> Proc.receive());
        aAtB.watch(local);
        aAtB.watch(local); // a second proxy there (the first one collected) asks again
        int before = ba.diedSent.get();
        Proc.exit(local, ExitReason.of("gone"));
        Probe.until(() -> ba.diedSent.get() > before, WAIT, "no death reported");
        ba.drain();
        assertEquals(before + 1, ba.diedSent.get());
        // Asked after the death: the real reason, not noproc (the proxy's links there carry it).
        aAtB.watch(local);
        assertEquals(before + 2, ba.diedSent.get());
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        assertThrows(IllegalArgumentException.class, () -> RemoteNode.connect(a, a.name(), 1, ab));
        assertThrows(IllegalArgumentException.class, () -> RemoteNode.connect(a, " ", 1, ab));
        assertThrows(IllegalArgumentException.class, () -> bAtA.pid(0));
        Pid local = a.spawn(() -> Proc.receive());
        Pid remote = bAtA.pid(7);
        // Incoming operations check which node each pid is of.
        assertThrows(IllegalArgumentException.class, () -> bAtA.send(remote, "x"));
        assertThrows(IllegalArgumentException.class, () -> bAtA.link(local, local));
        assertThrows(IllegalArgumentException.class, () -> bAtA.died(local, ExitReason.normal()));
        assertTrue(local.isAlive());
        assertTrue(remote.isAlive());
        Proc.exit(local, ExitReason.kill());
    }
}
