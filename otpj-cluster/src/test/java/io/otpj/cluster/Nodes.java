package io.otpj.cluster;

import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Three (or more) nodes in this JVM, joined over SHARED_LOOPBACK in a cluster of their own. */
final class Nodes implements AutoCloseable {

    final String cluster = "otpj-test-" + UUID.randomUUID();
    final List<Node> nodes = new ArrayList<>();
    final List<Cluster> clusters = new ArrayList<>();

    static Nodes start(int n, Class<?>... allowed) {
        Nodes ns = new Nodes();
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        for (int i = 0; i < n; i++) {
            Node node = Node.start(NodeOptions.named((char) ('a' + i) + "-" + run + "@test").withShutdownHook(false));
            ns.nodes.add(node);
            ns.clusters.add(Cluster.join(node, ns.options(allowed)));
        }
        ns.awaitConnected();
        return ns;
    }

    ClusterOptions options(Class<?>... allowed) {
        return ClusterOptions.named(cluster).withStack(ClusterOptions.Stack.sharedLoopback()).allow(allowed);
    }

    /** Waits until every node is connected to every other one. */
    void awaitConnected() {
        for (Cluster c : clusters) {
            TestKit.eventually(() -> c.nodes().size() == clusters.size() - 1, Duration.ofSeconds(20),
                    () -> c.nodeName() + " connected to " + c.nodes() + "; every node: " + membership());
        }
    }

    /** Each node's installed JGroups view and otpj links, to tell a merge not done from a handshake. */
    String membership() {
        StringBuilder b = new StringBuilder();
        for (Cluster c : clusters) {
            b.append(b.isEmpty() ? "" : "; ").append(c.membership());
        }
        return b.toString();
    }

    Node node(int i) {
        return nodes.get(i);
    }

    Cluster cluster(int i) {
        return clusters.get(i);
    }

    @Override
    public void close() {
        for (Cluster c : clusters) {
            c.close();
        }
        for (Node n : nodes) {
            n.stop(Duration.ofSeconds(5));
        }
    }
}
