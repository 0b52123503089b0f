package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An encrypted cluster: nodes with the secret work together; a node without it does not get in. */
@Timeout(90)
class SecureClusterTest {

    private static final String SECRET = "correct horse battery staple";

    private final String name = "otpj-secure-" + UUID.randomUUID();
    private final List<Cluster> clusters = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();

    private Cluster start(String nodeName, ClusterOptions options) {
        Node n = Node.start(NodeOptions.named(nodeName + "-" + System.nanoTime() + "@secure").withShutdownHook(false));
        nodes.add(n);
        Cluster c = Cluster.join(n, options);
        clusters.add(c);
        return c;
    }

    private ClusterOptions options() {
        return ClusterOptions.named(name).withStack(ClusterOptions.Stack.sharedLoopback())
                .allow(ClusterTest.Get.class, ClusterTest.Put.class).withJoinTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        clusters.forEach(Cluster::close);
        nodes.forEach(n -> n.stop(Duration.ofSeconds(5)));
    }

    @Test
    void nodesWithTheSecretWorkTogetherAndOneWithoutItDoesNotJoin() {
        Cluster a = start("a", options().withSecret(SECRET));
        Cluster b = start("b", options().withSecret(SECRET));
        TestKit.eventually(() -> a.nodes().size() == 1 && b.nodes().size() == 1, Duration.ofSeconds(20),
                () -> "a sees " + a.nodes() + ", b sees " + b.nodes());
        Pid kv = nodes.get(1).call(() -> GenServer.start(new ClusterTest.Kv(), null, Name.local("kv")).pid());
        Pid there = a.whereis(b.nodeName(), "kv", Duration.ofSeconds(5)).orElseThrow();
        assertEquals(kv, there);
        assertEquals("ok", GenServer.call(there, new ClusterTest.Put("k", 1), Duration.ofSeconds(5)));

        // Wrong secret, and no secret: neither gets in (each ends up alone, or fails to join).
        for (ClusterOptions intruder : List.of(options().withSecret("not the right secret at all"), options())) {
            Cluster x;
            try {
                x = start("x", intruder);
            } catch (IllegalStateException refused) {
                continue;
            }
            assertEquals(List.of(), x.nodes(), "the intruder connected");
            assertFalse(a.nodes().contains(x.nodeName()));
            assertFalse(b.nodes().contains(x.nodeName()));
            assertThrows(IllegalArgumentException.class, () -> x.whereis(b.nodeName(), "kv", Duration.ofSeconds(1)));
        }
        assertEquals(List.of(b.nodeName()), a.nodes());
        assertEquals("ok", GenServer.call(there, new ClusterTest.Put("k", 2), Duration.ofSeconds(5)));
    }

    @Test
    void everyFrameCarriesATagAndAnAlteredOrForeignFrameIsRejected() {
        Cluster a = start("a", options().withSecret(SECRET));
        byte[] frame = {2, 10, 20, 30, 40};
        byte[] sealed = a.seal(frame);
        assertEquals(frame.length + Cluster.TAG, sealed.length);
        assertEquals(frame.length, a.opened(sealed, 0, sealed.length));
        for (int i = 0; i < sealed.length; i++) {
            byte[] altered = sealed.clone();
            altered[i] ^= 1;
            assertEquals(-1, a.opened(altered, 0, altered.length), "byte " + i + " altered");
        }
        Cluster other = start("o", options().withSecret("another secret, just as long"));
        byte[] foreign = other.seal(frame);
        assertEquals(-1, a.opened(foreign, 0, foreign.length));
        Cluster plain = start("p", options());
        assertEquals(frame.length, plain.opened(frame, 0, frame.length)); // no secret: no tag
    }

    @Test
    void theSecretIsCheckedAndNeverPrinted() {
        assertThrows(IllegalArgumentException.class, () -> options().withSecret("short"));
        ClusterOptions o = options().withSecret(SECRET);
        assertTrue(o.toString().contains("encrypted=true"), o.toString());
        assertFalse(o.toString().contains(SECRET));
        assertFalse(o.toString().contains(Integer.toHexString(o.secretKey().hashCode())), o.toString());
        assertThrows(IllegalArgumentException.class,
                () -> o.withStack(ClusterOptions.Stack.xml(java.nio.file.Path.of("cluster.xml"))));
    }
}
