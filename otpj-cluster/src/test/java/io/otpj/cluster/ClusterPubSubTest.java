package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.otpj.core.ExitReason;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestKit;
import io.otpj.test.TestProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Topics across three nodes: every node's subscribers get each publish once, in order. */
@Timeout(60)
class ClusterPubSubTest {

    record Price(String sku, int cents) {}

    static Nodes nodes;

    @BeforeAll
    static void up() {
        nodes = Nodes.start(3, Price.class);
    }

    @AfterAll
    static void down() {
        nodes.close();
    }

    /** A process of {@code node} subscribed to {@code topic} that forwards what it gets to {@code probe}. */
    private static Pid subscriber(int node, Object topic, TestProbe probe) {
        Pid to = probe.pid();
        Node n = nodes.node(node);
        Pid p = n.spawn(() -> {
            nodes.cluster(node).pubsub().subscribe(topic);
            Proc.send(to, "subscribed");
            for (;;) {
                Proc.send(to, Proc.receive());
            }
        });
        probe.expectMessageEquals("subscribed");
        return p;
    }

    @Test
    void aPublishReachesTheSubscribersOfEveryNodeInOrder() {
        List<TestProbe> probes = new ArrayList<>();
        List<Pid> subs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestProbe probe = TestProbe.start(nodes.node(i));
                probes.add(probe);
                subs.add(subscriber(i, "prices", probe));
            }
            // Another node's subscription takes effect there at once; a publish from b reaches all.
            Pid publisher = nodes.node(1).spawn(() -> {
                for (int i = 0; i < 50; i++) {
                    nodes.cluster(1).pubsub().publish("prices", new Price("sku", i));
                }
            });
            for (TestProbe probe : probes) {
                for (int i = 0; i < 50; i++) {
                    probe.expectMessageEquals(new Price("sku", i));
                }
                probe.expectNoMessage(Duration.ofMillis(50));
            }
            assertEquals(List.of(subs.get(0)), nodes.cluster(0).pubsub().localSubscribers("prices"));
            Proc.exit(subs.get(2), ExitReason.kill());
            TestKit.eventually(() -> nodes.cluster(2).pubsub().localSubscribers("prices").isEmpty(),
                    Duration.ofSeconds(5), "a dead subscriber is dropped");
            nodes.cluster(0).pubsub().publish("prices", new Price("after", 1));
            probes.get(1).expectMessageEquals(new Price("after", 1));
            probes.get(2).expectNoMessage(Duration.ofMillis(100));
            Proc.exit(publisher, ExitReason.kill());
        } finally {
            for (Pid s : subs) {
                Proc.exit(s, ExitReason.kill());
            }
            probes.forEach(TestProbe::close);
        }
    }

    @Test
    void aMessageThatCannotCrossFailsThePublish() {
        assertThrows(IllegalArgumentException.class, () -> nodes.cluster(0).pubsub().publish("prices", new Object()));
        assertThrows(IllegalStateException.class, () -> nodes.cluster(0).pubsub().subscribe("t")); // not a process
    }
}
