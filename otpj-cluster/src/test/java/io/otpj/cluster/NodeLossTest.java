package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.NoProcException;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestKit;
import io.otpj.test.TestProbe;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node cut off from the others (its JGroups DISCARD drops everything, as a dead network would):
 * monitors and links on its processes fire {@code noconnection} exactly once, calls fail at once,
 * node monitors hear nodedown; when the partition heals, the views merge and the node is up again.
 */
@Timeout(90)
class NodeLossTest {

    private Nodes nodes;

    @BeforeEach
    void up() {
        nodes = Nodes.start(3);
    }

    @AfterEach
    void down() {
        nodes.close();
    }

    /**
     * A blip: the cut is healed as soon as the others have dropped the node, before its own
     * failure detection has dropped them (it may never: their heartbeats are back). The views
     * still merge and every node is connected to every other again, whichever way it went.
     */
    @Test
    void aCutHealedBeforeTheCutNodeNoticedItEndsWithEveryNodeConnected() {
        nodes.cluster(2).discard().discardAll(true);
        TestKit.eventually(() -> nodes.cluster(0).nodes().size() == 1
                && nodes.cluster(1).nodes().size() == 1, Duration.ofSeconds(15),
                () -> "a and b have not dropped c: " + nodes.membership());
        nodes.cluster(2).discard().discardAll(false);
        nodes.awaitConnected();
    }

    @Test
    void aLostNodesProcessesAreDownWithNoconnectionOnceAndTheNodeComesBackAfterTheMerge() {
        Node a = nodes.node(0), c = nodes.node(2);
        Pid sleeper = c.spawn(() -> Proc.receive());
        Pid other = c.spawn(() -> Proc.receive());
        c.run(() -> {
            Proc.register("sleeper", sleeper);
            Proc.register("other", other);
        });
        Pid remoteSleeper = nodes.cluster(0).whereis(c.name(), "sleeper", Duration.ofSeconds(5)).orElseThrow();
        Pid remoteOther = nodes.cluster(0).whereis(c.name(), "other", Duration.ofSeconds(5)).orElseThrow();
        try (TestProbe probe = TestProbe.start(a)) {
            Pid probePid = probe.pid();
            Pid watcher = a.spawn(() -> {
                nodes.cluster(0).monitorNodes(true);
                Proc.send(probePid, "subscribed");
                for (;;) {
                    Proc.send(probePid, Proc.receive());
                }
            });
            probe.expectMessageEquals("subscribed"); // before the cut
            probe.monitor(remoteSleeper);
            probe.link(remoteOther);

            nodes.cluster(2).discard().discardAll(true);

            Down down = (Down) probe.expectMessage(m -> m instanceof Down, Duration.ofSeconds(20));
            assertEquals(remoteSleeper, down.pid());
            assertEquals(ExitReason.noconnection(), down.reason());
            Exit exit = (Exit) probe.expectMessage(m -> m instanceof Exit, Duration.ofSeconds(5));
            assertEquals(remoteOther, exit.from());
            assertEquals(ExitReason.noconnection(), exit.reason());
            assertEquals(new NodeEvent.Down(c.name()),
                    probe.expectMessage(m -> m instanceof NodeEvent, Duration.ofSeconds(5)));
            assertFalse(nodes.cluster(0).nodes().contains(c.name()));

            // While it is gone: a call fails at once, a new monitor fires noconnection at once.
            NoProcException e = assertThrows(NoProcException.class,
                    () -> GenServer.call(remoteSleeper, "anything", Duration.ofSeconds(30)));
            assertEquals(ExitReason.noconnection(), e.reason());
            probe.monitor(remoteOther);
            Down late = (Down) probe.expectMessage(m -> m instanceof Down, Duration.ofSeconds(5));
            assertEquals(ExitReason.noconnection(), late.reason());
            probe.expectNoMessage(Duration.ofMillis(300)); // no second DOWN, no second signal

            nodes.cluster(2).discard().discardAll(false);

            assertEquals(new NodeEvent.Up(c.name()),
                    probe.expectMessage(m -> m instanceof NodeEvent, Duration.ofSeconds(30)));
            nodes.awaitConnected();
            // The processes lived on over there: looked up again, they answer.
            Pid again = nodes.cluster(0).whereis(c.name(), "sleeper", Duration.ofSeconds(5)).orElseThrow();
            assertEquals(remoteSleeper, again);
            assertTrue(again.isAlive());
            assertFalse(remoteSleeper.isAlive()); // the pid held across the loss stays dead here (see docs)
            probe.monitor(again);
            // A round trip on the same a-to-c channel: the monitor's watch is at c before the kill.
            nodes.cluster(0).whereis(c.name(), "sleeper", Duration.ofSeconds(5));
            c.run(() -> Proc.exit(sleeper, ExitReason.of("bye")));
            Down after = (Down) probe.expectMessage(m -> m instanceof Down, Duration.ofSeconds(5));
            assertEquals(ExitReason.of("bye"), after.reason());
            Proc.exit(watcher, ExitReason.kill());
        }
    }
}
