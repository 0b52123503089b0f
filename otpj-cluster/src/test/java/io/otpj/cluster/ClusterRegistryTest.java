package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import io.otpj.test.TestKit;
import io.otpj.test.TestProbe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster registry as a via-name across three nodes: found from every node, released on
 * death, gone with its node, and a conflict after a partition resolved by the documented rule.
 */
@Timeout(90)
class ClusterRegistryTest {

    private static final Duration CONVERGE = Duration.ofSeconds(15);

    private Nodes nodes;
    private Node a, b, c;

    @BeforeEach
    void up() {
        nodes = Nodes.start(3, ClusterTest.Get.class, ClusterTest.Put.class);
        a = nodes.node(0);
        b = nodes.node(1);
        c = nodes.node(2);
    }

    @AfterEach
    void down() {
        nodes.close();
    }

    private Name via(int node, Object key) {
        return Name.via(nodes.cluster(node).registry(), key);
    }

    private void eventuallyResolves(Object key, Pid expected) {
        for (int i = 0; i < 3; i++) {
            ClusterRegistry r = nodes.cluster(i).registry();
            String at = nodes.cluster(i).nodeName();
            TestKit.eventually(() -> expected == null ? r.whereisName(key) == null : expected.equals(r.whereisName(key)),
                    CONVERGE, () -> at + " resolves " + key + " to " + r.whereisName(key) + ", not " + expected);
        }
    }

    @Test
    void aServerStartedUnderAClusterNameIsReachedFromEveryNodeAndTheNameIsReleasedWhenItDies() {
        Pid cart = b.call(() -> GenServer.start(new ClusterTest.Kv(), null, via(1, "cart-1")).pid());
        eventuallyResolves("cart-1", cart);
        assertEquals("ok", GenServer.call(via(0, "cart-1"), new ClusterTest.Put("sku", 2), Duration.ofSeconds(5)));
        Object sku = GenServer.call(via(2, "cart-1"), new ClusterTest.Get("sku"), Duration.ofSeconds(5));
        assertEquals(2, sku);

        // Taken: a start under the same name elsewhere fails with {already_started, holder}.
        StartResult again = c.call(() -> GenServer.start(new ClusterTest.Kv(), null, via(2, "cart-1")));
        ExitReason.AlreadyStarted taken = assertInstanceOf(ExitReason.AlreadyStarted.class,
                assertInstanceOf(StartResult.Failed.class, again).reason());
        assertEquals(cart, taken.pid());

        b.run(() -> GenServer.stop(cart));
        eventuallyResolves("cart-1", null);
        Pid second = a.call(() -> GenServer.start(new ClusterTest.Kv(), null, via(0, "cart-1")).pid());
        eventuallyResolves("cart-1", second);
        assertTrue(nodes.cluster(2).registry().keys().contains("cart-1"));
        a.run(() -> GenServer.stop(second));
    }

    @Test
    void aLostNodesNamesGoAndAfterTheMergeAConflictKeepsTheFirstNodesProcessAndSignalsTheOther() throws Exception {
        Pid onB = b.spawn(() -> Proc.receive());
        assertNull(b.call(() -> nodes.cluster(1).registry().registerName("leader", onB)));
        eventuallyResolves("leader", onB);
        try (TestProbe probeB = TestProbe.start(b)) {
            probeB.monitor(onB);

            nodes.cluster(1).discard().discardAll(true); // b cut off
            ClusterRegistry ra = nodes.cluster(0).registry();
            TestKit.eventually(() -> ra.whereisName("leader") == null, CONVERGE, "a still sees b's leader");
            Pid onA = a.spawn(() -> Proc.receive());
            assertNull(a.call(() -> ra.registerName("leader", onA))); // the name is free on this side
            assertEquals(onB, nodes.cluster(1).registry().whereisName("leader")); // and b keeps its own
            // Heal only once b has seen the partition too: a heal while b's failure detection is
            // still deciding is another scenario (b never leaves its view), not the one tested here.
            TestKit.eventually(() -> nodes.cluster(1).nodes().isEmpty(), CONVERGE,
                    () -> "b has not seen the partition: " + nodes.membership());

            nodes.cluster(1).discard().discardAll(false); // healed: both claims meet
            nodes.awaitConnected();
            // a's node name sorts before b's: a's process keeps the name, b's is signalled.
            Down down = (Down) probeB.expectMessage(m -> m instanceof Down, CONVERGE);
            ExitReason.Term term = assertInstanceOf(ExitReason.Term.class, down.reason());
            ClusterRegistry.NameConflict conflict = assertInstanceOf(ClusterRegistry.NameConflict.class, term.term());
            assertEquals("leader", conflict.key());
            assertEquals(a.name(), conflict.winnerNode());
            assertTrue(conflict.winner() == null || conflict.winner().equals(onA), String.valueOf(conflict.winner()));
            eventuallyResolves("leader", onA);
            Proc.exit(onA, ExitReason.kill());
        }
    }

    @Test
    void twoNodesRegisteringOneNameAtOnceEndWithOneHolderEverywhere() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Object> fromA = new CompletableFuture<>(), fromC = new CompletableFuture<>();
        Pid pa = a.spawn(() -> claim(go, nodes.cluster(0).registry(), fromA));
        Pid pc = c.spawn(() -> claim(go, nodes.cluster(2).registry(), fromC));
        go.countDown();
        Object gotA = fromA.get(10, TimeUnit.SECONDS), gotC = fromC.get(10, TimeUnit.SECONDS);
        // Each registered, saw the other's claim first (its pid), or lost the conflict while its
        // registration was finishing (killed). When both took the name, a's node name wins.
        assertTrue(gotA.equals("registered") || gotA.equals(pc) || gotA.equals("killed"), "a got " + gotA);
        assertTrue(gotC.equals("registered") || gotC.equals(pa) || gotC.equals("killed"), "c got " + gotC);
        Pid expected = gotA.equals(pc) || gotA.equals("killed") ? pc : pa;
        eventuallyResolves("race", expected);
        Pid loser = expected.equals(pa) ? pc : pa;
        Object loserGot = loser == pc ? gotC : gotA;
        if (!(loserGot instanceof Pid)) {
            TestKit.eventually(() -> !loser.isAlive(), CONVERGE, "the loser of the conflict still runs");
        }
        Proc.exit(expected, ExitReason.kill());
        Proc.exit(loser, ExitReason.kill());
    }

    private static void claim(CountDownLatch go, ClusterRegistry r, CompletableFuture<Object> result) {
        try {
            go.await();
        } catch (InterruptedException e) {
            return;
        }
        try {
            Pid holder = r.registerName("race", Proc.self());
            result.complete(holder == null ? "registered" : holder);
        } finally {
            result.complete("killed"); // the conflict's exit signal came while it was registering
        }
        Proc.receive();
    }

    @Test
    void badInputIsRefused() {
        Pid onB = b.spawn(() -> Proc.receive());
        ClusterRegistry ra = nodes.cluster(0).registry();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ra.registerName("x", onB));
        assertTrue(e.getMessage().contains("own processes"), e.getMessage());
        Pid onA = a.spawn(() -> Proc.receive());
        assertThrows(IllegalArgumentException.class, () -> ra.registerName(new Object(), onA)); // key not writable
        assertNull(ra.whereisName("x"));
        // A call to a name registered nowhere: the usual noproc, at once.
        assertThrows(io.otpj.core.NoProcException.class,
                () -> GenServer.call(via(0, "registered-nowhere"), new ClusterTest.Get("k"), Duration.ofSeconds(5)));
        Proc.exit(onA, ExitReason.kill());
        Proc.exit(onB, ExitReason.kill());
    }
}
