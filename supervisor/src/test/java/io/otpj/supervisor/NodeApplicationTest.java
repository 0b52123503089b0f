package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.ExitReason;
import io.otpj.core.Node;
import io.otpj.test.OtpjTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Supervision trees as node applications: a node's stop shuts its applications down in reverse
 * start order, each supervisor its children in reverse start order and each child by its own
 * shutdown policy; a child whose terminate outlives its shutdown timeout is killed, and the
 * node's deadline bounds the whole.
 */
@OtpjTest
class NodeApplicationTest {

    @Test
    void nodeStopShutsTreesDownInReverseOrderByEachChildsPolicy(Node node) {
        Events ev = new Events();
        node.startApplication("first", () -> Supervisor.startLink(SupervisorFlags.oneForOne(),
                List.of(Worker.spec(Worker.config("a1", ev).trapping()), Worker.spec(Worker.config("a2", ev).trapping()))));
        node.startApplication("second", () -> Supervisor.startLink(SupervisorFlags.oneForOne(),
                List.of(Worker.spec(Worker.config("b1", ev).trapping()),
                        Worker.spec(Worker.config("b2", ev).hanging()).withShutdown(Shutdown.timeout(Duration.ofMillis(100))),
                        Worker.spec("b3", ev))));
        node.stop(Duration.ofSeconds(30));
        assertFalse(node.isRunning());
        assertEquals(List.of("b3", "b2", "b1", "a2", "a1"), ev.deathOrder());
        // Trapping children ran terminate with shutdown; the hanging one began it and was killed
        // after its 100 ms; the plain one was ended by the signal without terminate.
        List<Object> terminated = ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::id).toList();
        assertEquals(List.of("b1", "a2", "a1"), terminated);
        assertTrue(ev.of(Events.TerminateBegun.class).stream()
                .anyMatch(t -> t.id().equals("b2") && t.reason().equals(ExitReason.shutdown())));
        assertEquals(0, node.processCount());
    }

    @Test
    void theNodesDeadlineBoundsAChildThatNeverStops(Node node) {
        Events ev = new Events();
        node.startApplication("stuck", () -> Supervisor.startLink(SupervisorFlags.oneForOne(),
                List.of(Worker.spec(Worker.config("forever", ev).hanging()).withShutdown(Shutdown.infinity()))));
        long t0 = System.nanoTime();
        node.stop(Duration.ofMillis(200));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, node.processCount(), "killed at the deadline");
        assertEquals(List.of("forever"), ev.deathOrder());
        assertTrue(ms < 20_000, "stop took " + ms + " ms");
    }
}
