package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Process groups (duplicate keys) across three nodes: every replica converges, deaths and node losses included. */
@Timeout(90)
class ClusterGroupsTest {

    private static final Duration CONVERGE = Duration.ofSeconds(15);

    private Nodes nodes;

    @BeforeEach
    void up() {
        nodes = Nodes.start(3);
    }

    @AfterEach
    void down() {
        nodes.close();
    }

    /** A process of node {@code i} that joins {@code group} {@code times} times, then waits. */
    private Pid member(int i, Object group, int times) throws InterruptedException {
        CountDownLatch joined = new CountDownLatch(1);
        Pid p = nodes.node(i).spawn(() -> {
            for (int k = 0; k < times; k++) {
                nodes.cluster(i).groups().join(group);
            }
            joined.countDown();
            Proc.receive();
        });
        joined.await();
        return p;
    }

    private void everyNodeSees(Object group, List<Pid> expected) {
        for (int i = 0; i < 3; i++) {
            ClusterGroups g = nodes.cluster(i).groups();
            String at = nodes.cluster(i).nodeName();
            TestKit.eventually(() -> sorted(g.members(group)).equals(sorted(expected)), CONVERGE,
                    () -> at + " sees " + g.members(group) + ", not " + expected);
        }
    }

    private static List<String> sorted(List<Pid> pids) {
        return pids.stream().map(Pid::toString).sorted().toList();
    }

    @Test
    void membersOnEveryNodeAreListedEverywhereAndDropOutWhenTheyDieOrTheirNodeIsLost() throws Exception {
        Pid pa = member(0, "workers", 1), pb = member(1, "workers", 2), pc = member(2, "workers", 1);
        everyNodeSees("workers", List.of(pa, pb, pb, pc));
        assertEquals(List.of(pb, pb), nodes.cluster(1).groups().localMembers("workers"));

        Proc.exit(pb, ExitReason.kill());
        everyNodeSees("workers", List.of(pa, pc));

        nodes.cluster(2).discard().discardAll(true); // c cut off: its member goes from a's view
        ClusterGroups ga = nodes.cluster(0).groups();
        TestKit.eventually(() -> ga.members("workers").equals(List.of(pa)), CONVERGE, () -> "a sees " + ga.members("workers"));
        // Heal only once c has seen the partition too (a heal while c's failure detection is still
        // deciding is another scenario: c never leaves its view).
        TestKit.eventually(() -> nodes.cluster(2).nodes().isEmpty(), CONVERGE,
                () -> "c has not seen the partition: " + nodes.membership());
        nodes.cluster(2).discard().discardAll(false);
        nodes.awaitConnected();
        // After the merge c re-announces: listed again (by a new pid object, equal to the old).
        everyNodeSees("workers", List.of(pa, pc));
        Proc.exit(pa, ExitReason.kill());
        Proc.exit(pc, ExitReason.kill());
    }

    @Test
    void leaveEndsOneMembershipAndPubSubSubscribersAreListedClusterWide() throws Exception {
        List<Pid> subs = new ArrayList<>();
        Set<Pid> expected = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            int node = i;
            CountDownLatch ready = new CountDownLatch(1);
            Pid p = nodes.node(i).spawn(() -> {
                nodes.cluster(node).pubsub().subscribe("news");
                nodes.cluster(node).groups().join("g");
                nodes.cluster(node).groups().join("g");
                nodes.cluster(node).groups().leave("g");
                ready.countDown();
                Proc.receive();
            });
            ready.await();
            subs.add(p);
            expected.add(p);
        }
        everyNodeSees("g", subs);
        for (int i = 0; i < 3; i++) {
            ClusterPubSub ps = nodes.cluster(i).pubsub();
            TestKit.eventually(() -> new HashSet<>(ps.subscribers("news")).equals(expected), CONVERGE,
                    () -> "subscribers " + ps.subscribers("news"));
        }
        assertThrows(IllegalStateException.class, () -> nodes.cluster(0).groups().join("g")); // not a process
        subs.forEach(p -> Proc.exit(p, ExitReason.kill()));
        everyNodeSees("g", List.of());
    }
}
