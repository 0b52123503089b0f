package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.CallTimeoutException;
import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Name;
import io.otpj.core.NoProcException;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import io.otpj.test.TestKit;
import io.otpj.test.TestProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Remote pids across three nodes in this JVM over SHARED_LOOPBACK: calls, casts, sends, monitors,
 * links and exit signals with the rules of one node, and what a codec refuses.
 */
@Timeout(60)
class ClusterTest {

    record Put(String key, Object value) {}
    record Get(String key) {}
    record Boom(String why) {}
    record Park() {}
    record Release() {}
    record WhoCalls() {}
    record Hello(String text) {}
    record NotAllowed(int n) {}

    /** A key-value server: replies to Get, Put; crashes on Boom; answers Park only on a later Release (cast). */
    static final class Kv implements GenServer<Void, Map<String, Object>> {
        @Override
        public InitResult<Map<String, Object>> init(Void arg) {
            return ok(new HashMap<>());
        }

        @Override
        public CallResult<Map<String, Object>> handleCall(Object request, From from, Map<String, Object> state) throws Exception {
            return switch (request) {
                case Put(String k, Object v) -> {
                    state.put(k, v);
                    yield reply("ok", state);
                }
                case Get(String k) -> reply(state.get(k), state);
                case Boom(String why) -> throw new IllegalStateException(why);
                case Park p -> {
                    state.put("parked", from);
                    yield noreply(state);
                }
                case WhoCalls w -> reply(from.caller(), state);
                case NotAllowed n -> reply(n, state); // a reply the caller's node can't be sent
                default -> GenServer.super.handleCall(request, from, state);
            };
        }

        @Override
        public CastResult<Map<String, Object>> handleCast(Object request, Map<String, Object> state) {
            if (request instanceof Put(String k, Object v)) {
                state.put(k, v);
            } else if (request instanceof Release && state.remove("parked") instanceof From parked) {
                parked.reply("late"); // to a caller that has given up
            }
            return noreply(state);
        }
    }

    static Nodes nodes;
    static Node a, b, c;

    @BeforeAll
    static void up() {
        nodes = Nodes.start(3, Put.class, Get.class, Boom.class, Park.class, Release.class, WhoCalls.class, Hello.class);
        a = nodes.node(0);
        b = nodes.node(1);
        c = nodes.node(2);
    }

    @AfterAll
    static void down() {
        nodes.close();
    }

    private static Pid kvOn(Node node, String name) {
        return node.call(() -> GenServer.start(new Kv(), null, Name.local(name)).pid());
    }

    /** The pid of {@code name} on {@code there}, as node {@code here} sees it. */
    private static Pid remote(int here, Node there, String name) {
        return nodes.cluster(here).whereis(there.name(), name, Duration.ofSeconds(5)).orElseThrow();
    }

    @Test
    void theNodesSeeEachOther() {
        assertEquals(List.of(b.name(), c.name()).stream().sorted().toList(), nodes.cluster(0).nodes());
        assertEquals(Optional.of(nodes.cluster(1)), Cluster.of(b));
    }

    @Test
    void callsAndCastsReachAServerOnAnotherNode() {
        Pid local = kvOn(b, "kv-call");
        Pid kv = remote(0, b, "kv-call");
        assertEquals(local, kv);
        assertNotSame(local, kv); // a's pid for it is backed by a proxy of its own
        assertEquals("ok", GenServer.call(kv, new Put("x", List.of(1, "two", 3L)), Duration.ofSeconds(5)));
        assertEquals(List.of(1, "two", 3L), GenServer.call(kv, new Get("x"), Duration.ofSeconds(5)));
        GenServer.cast(kv, new Put("y", Map.of("k", 1.5)));
        assertEquals(Map.of("k", 1.5), GenServer.call(kv, new Get("y"), Duration.ofSeconds(5)));
        Object absent = GenServer.call(kv, new Get("absent"), Duration.ofSeconds(5));
        assertEquals(null, absent);
    }

    @Test
    void aCallerOnAnotherNodeIsAPidThatServerCanReach() {
        kvOn(b, "kv-caller");
        Pid kv = remote(2, b, "kv-caller");
        Pid caller = c.call(() -> TestKit.inProcess(() -> {
            Pid seen = GenServer.call(kv, new WhoCalls(), Duration.ofSeconds(5));
            assertEquals(Proc.self(), seen);
            return seen;
        }, Duration.ofSeconds(10)));
        assertEquals(c.name(), caller.node());
    }

    @Test
    void aServerCrashFailsTheRemoteCallWithItsReasonAndFiresTheRemoteMonitorOnce() {
        kvOn(b, "kv-boom");
        Pid kv = remote(0, b, "kv-boom");
        try (TestProbe probe = TestProbe.start(a)) {
            probe.monitor(kv);
            ServerExitedException e = assertThrows(ServerExitedException.class,
                    () -> GenServer.call(kv, new Boom("bad input"), Duration.ofSeconds(5)));
            ExitReason.Crash crash = assertInstanceOf(ExitReason.Crash.class, e.reason());
            RemoteCrash cause = assertInstanceOf(RemoteCrash.class, crash.cause());
            assertEquals(IllegalStateException.class.getName(), cause.className());
            assertTrue(cause.getMessage().contains("bad input"), cause.getMessage());
            Down down = probe.expectDown(kv);
            assertEquals(crash, down.reason());
            probe.expectNoMessage(Duration.ofMillis(200));
            assertFalse(kv.isAlive());
            assertThrows(NoProcException.class, () -> GenServer.call(kv, new Get("x"), Duration.ofSeconds(1)));
        }
    }

    @Test
    void aRemoteStopReturnsOnceTheServerHasStoppedWithThatReason() {
        Pid local = kvOn(b, "kv-stop");
        Pid kv = remote(0, b, "kv-stop");
        try (TestProbe probe = TestProbe.start(a)) {
            probe.monitor(kv);
            GenServer.stop(kv, ExitReason.normal(), Duration.ofSeconds(5)); // no noproc race: returns normally
            assertEquals(ExitReason.normal(), probe.expectDown(kv).reason());
            assertFalse(local.isAlive());
        }
    }

    @Test
    void aRemoteCallTimesOutAndALateReplyIsDropped() {
        kvOn(b, "kv-park");
        Pid kv = remote(0, b, "kv-park");
        // From one process, so the cast below reaches the server before the next call does.
        Object next = a.call(() -> TestKit.inProcess(() -> {
            assertThrows(CallTimeoutException.class, () -> GenServer.call(kv, new Park(), Duration.ofMillis(200)));
            GenServer.cast(kv, new Release()); // the server now answers the call that timed out
            return GenServer.call(kv, new Put("after", 1), Duration.ofSeconds(5)); // its own answer, not "late"
        }, Duration.ofSeconds(30)));
        assertEquals("ok", next);
    }

    @Test
    void messagesFromOneProcessArriveInOrderAndBeforeItsExitSignal() {
        try (TestProbe probe = TestProbe.start(b)) {
            Pid target = remote(0, b, registered(b, probe.pid(), "probe-order"));
            Pid sender = a.spawn(() -> {
                Proc.link(target);
                for (int i = 0; i < 500; i++) {
                    Proc.send(target, new Hello("m" + i));
                }
                throw Proc.exit(ExitReason.of("done"));
            });
            for (int i = 0; i < 500; i++) {
                probe.expectMessageEquals(new Hello("m" + i));
            }
            Exit exit = probe.expectExit(sender, ExitReason.of("done"));
            assertEquals(a.name(), exit.from().node());
        }
    }

    /** Registers {@code pid} on {@code node} as {@code name} (from outside: a plain registration). */
    private static String registered(Node node, Pid pid, String name) {
        node.run(() -> Proc.register(name, pid));
        return name;
    }

    @Test
    void aLinkCarriesTheExitSignalBothWays() {
        // A process of a linked to one of b: b's process dies, a's (trapping) probe gets the signal.
        Pid victim = b.spawn(() -> Proc.receive());
        registered(b, victim, "victim");
        Pid remoteVictim = remote(0, b, "victim");
        try (TestProbe probe = TestProbe.start(a)) {
            probe.link(remoteVictim);
            // The link is in place on b too before the kill: a call behind the link frame shows it.
            kvOn(b, "kv-link");
            GenServer.call(remote(0, b, "kv-link"), new Get("sync"), Duration.ofSeconds(5));
            b.run(() -> Proc.exit(victim, ExitReason.of("gone")));
            probe.expectExit(remoteVictim, ExitReason.of("gone"));
        }
        // The other way: a's process dies, b's trapping probe linked to it gets the signal.
        try (TestProbe probe = TestProbe.start(b)) {
            Pid doomed = a.spawn(() -> Proc.receive());
            registered(a, doomed, "doomed");
            Pid remoteDoomed = remote(1, a, "doomed");
            probe.link(remoteDoomed);
            Pid kvA = kvOn(a, "kv-link-a");
            GenServer.call(remote(1, a, "kv-link-a"), new Get("sync"), Duration.ofSeconds(5));
            a.run(() -> Proc.exit(doomed, ExitReason.kill()));
            probe.expectExit(remoteDoomed, ExitReason.killed());
            a.run(() -> GenServer.stop(kvA));
        }
    }

    @Test
    void anExitSignalAndAKillReachARemoteProcess() {
        b.spawn(() -> {
            Proc.trapExit(true);
            Proc.register("trapper", Proc.self()); // registered only once it traps exits
            Object m = Proc.receive();
            Proc.send(m instanceof Exit e ? e.from() : null, m); // tell the sender what came
            Proc.receive();
        });
        TestKit.eventually(() -> b.whereis("trapper").isPresent(), Duration.ofSeconds(5), "trapper registered");
        Pid t = remote(0, b, "trapper");
        try (TestProbe probe = TestProbe.start(a)) {
            probe.monitor(t);
            registered(a, probe.pid(), "probe-exit"); // before the signaller needs it
            Pid signaller = a.spawn(() -> {
                Proc.exit(t, ExitReason.of("please"));
                Proc.receive(Duration.ofSeconds(10)).ifPresent(m -> Proc.send(probeOf(), m));
            });
            Exit got = (Exit) probe.expectMessage(m -> m instanceof Exit, Duration.ofSeconds(5));
            assertEquals(signaller, got.from());
            assertEquals(ExitReason.of("please"), got.reason());
            a.run(() -> Proc.exit(t, ExitReason.kill()));
            assertEquals(ExitReason.killed(), probe.expectDown(t).reason());
        }
    }

    private static Pid probeOf() {
        return Proc.whereis("probe-exit").orElseThrow();
    }

    @Test
    void aMessageWithAClassNotOnTheAllowlistFailsAtTheSenderAndNothingIsSent() {
        try (TestProbe probe = TestProbe.start(b)) {
            Pid target = remote(0, b, registered(b, probe.pid(), "probe-allow"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Proc.send(target, new NotAllowed(1)));
            assertTrue(e.getMessage().contains(NotAllowed.class.getName()) && e.getMessage().contains("allowlist"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Proc.send(target, new Object()));
            assertThrows(IllegalArgumentException.class, () -> GenServer.cast(target, List.of(new NotAllowed(2))));
            Proc.send(target, new Hello("still fine"));
            probe.expectMessageEquals(new Hello("still fine"));
            probe.expectNoMessage(Duration.ofMillis(100));
        }
    }

    @Test
    void aReplyTheCallersNodeCannotReceiveFailsTheCallThere() {
        kvOn(b, "kv-reply");
        Pid kv = remote(0, b, "kv-reply");
        // The request itself can't be sent from a: refused at once.
        assertThrows(IllegalArgumentException.class, () -> GenServer.call(kv, new NotAllowed(3), Duration.ofSeconds(5)));
        assertEquals("ok", GenServer.call(kv, new Put("still", "up"), Duration.ofSeconds(5)));
    }

    @Test
    void lookupsOfUnknownNamesAndNodesAreClear() {
        assertEquals(Optional.empty(), nodes.cluster(0).whereis(b.name(), "nobody-here", Duration.ofSeconds(5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> nodes.cluster(0).whereis("nosuch@node", "x", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("nosuch@node"), e.getMessage());
    }

    @Test
    void aNodeCannotJoinTwiceNorUnderATakenName() throws Exception {
        assertThrows(IllegalStateException.class, () -> Cluster.join(a, nodes.options()));
        // One JVM cannot run two nodes of one name: a bare JGroups member takes the name instead.
        String name = "taken-" + System.nanoTime() + "@test";
        try (org.jgroups.JChannel squatter = new org.jgroups.JChannel(
                new org.jgroups.protocols.SHARED_LOOPBACK(), new org.jgroups.protocols.SHARED_LOOPBACK_PING(),
                new org.jgroups.protocols.pbcast.NAKACK2(), new org.jgroups.protocols.UNICAST3(),
                new org.jgroups.protocols.pbcast.STABLE(), new org.jgroups.protocols.pbcast.GMS().setJoinTimeout(500))) {
            squatter.setName(name);
            squatter.connect(nodes.cluster);
            Node late = Node.start(io.otpj.core.NodeOptions.named(name).withShutdownHook(false));
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cluster.join(late, nodes.options()));
                assertTrue(e.getMessage().contains("already taken"), e.getMessage());
                assertEquals(Optional.empty(), Cluster.of(late));
            } finally {
                late.stop(Duration.ofSeconds(5));
            }
        }
        assertEquals(List.of(a.name(), c.name()).stream().sorted().toList(), nodes.cluster(1).nodes());
        assertThrows(IllegalArgumentException.class, () -> Cluster.join(Node.current(),
                ClusterOptions.named("x").withStack(ClusterOptions.Stack.xml(java.nio.file.Path.of("/nonexistent.xml")))));
        java.nio.file.Path garbage = java.nio.file.Files.createTempFile("otpj-stack", ".xml");
        java.nio.file.Files.writeString(garbage, "<config><NO_SUCH_PROTOCOL/></config>");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Cluster.join(Node.current(),
                ClusterOptions.named("x").withStack(ClusterOptions.Stack.xml(garbage))));
        assertTrue(bad.getMessage().contains("JGroups stack"), bad.getMessage());
        assertEquals(Optional.empty(), Cluster.of(Node.current()));
    }

    @Test
    void remoteCallsFromManyProcessesKeepEachCallersReplies() {
        kvOn(b, "kv-many");
        Pid kv = remote(0, b, "kv-many");
        List<Pid> workers = new ArrayList<>();
        try (TestProbe probe = TestProbe.start(a)) {
            for (int w = 0; w < 8; w++) {
                String key = "w" + w;
                workers.add(a.spawn(() -> {
                    for (int i = 0; i < 200; i++) {
                        GenServer.call(kv, new Put(key, i), Duration.ofSeconds(10));
                        Object got = GenServer.call(kv, new Get(key), Duration.ofSeconds(10));
                        if (!Integer.valueOf(i).equals(got)) {
                            throw new AssertionError(key + ": " + got + " after " + i);
                        }
                    }
                }));
            }
            for (Pid w : workers) {
                probe.monitor(w);
            }
            for (Pid w : workers) {
                assertEquals(ExitReason.normal(), probe.expectDown(w).reason());
            }
        }
    }
}
