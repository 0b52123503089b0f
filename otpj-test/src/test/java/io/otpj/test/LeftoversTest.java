package io.otpj.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** The extension fails a test that leaves processes alive, and stops its node in every case. */
class LeftoversTest {

    static final AtomicReference<Node> SEEN = new AtomicReference<>();
    static final AtomicReference<Pid> LEFT = new AtomicReference<>();

    @OtpjTest
    static class Leaky {
        @Test
        void leavesAProcess(Node node) {
            SEEN.set(node);
            Pid p = Proc.spawn(() -> Proc.receive());
            Proc.register("leaked", p);
            LEFT.set(p);
        }
    }

    @OtpjTest(failOnLeftovers = false)
    static class Lenient {
        @Test
        void leavesAProcess(Node node) {
            SEEN.set(node);
            LEFT.set(Proc.spawn(() -> Proc.receive()));
        }
    }

    @OtpjTest
    static class Clean {
        @Test
        void leavesNothingButADyingProcess() {
            Pid p = Proc.spawn(() -> Proc.receive());
            Proc.send(p, "go"); // it may still be exiting when the test ends
        }
    }

    /** A nested class follows its enclosing class's {@code failOnLeftovers = false}. */
    @OtpjTest(failOnLeftovers = false)
    static class LenientOuter {
        @org.junit.jupiter.api.Nested
        class Inner {
            @Test
            void leavesAProcess(Node node) {
                SEEN.set(node);
                LEFT.set(Proc.spawn(() -> Proc.receive()));
            }
        }
    }

    /** Registered twice, the extension gives the test one node and leaks none. */
    @OtpjTest
    @org.junit.jupiter.api.extension.ExtendWith(NodeExtension.class)
    static class Twice {
        @Test
        void runs(Node node) {
            SEEN.set(node);
        }
    }

    private static Events run(Class<?> c) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.conditions.deactivate", "*")
                .selectors(selectClass(c)).execute().testEvents();
    }

    @Test
    void aTestThatLeavesAProcessFailsListingIt() {
        Events events = run(Leaky.class);
        assertEquals(1, events.failed().count());
        Throwable t = events.failed().stream().findFirst().flatMap(Event::getPayload)
                .map(p -> ((org.junit.platform.engine.TestExecutionResult) p).getThrowable().orElseThrow())
                .orElseThrow();
        String m = t.getMessage();
        assertTrue(m.contains("left 1 process(es)") && m.contains(LEFT.get().toString()) && m.contains("name=leaked"), m);
        assertFalse(SEEN.get().isRunning(), "the node is stopped anyway");
        assertFalse(LEFT.get().isAlive());
    }

    @Test
    void aLenientTestPassesAndItsProcessesAreStopped() {
        assertEquals(1, run(Lenient.class).succeeded().count());
        assertFalse(SEEN.get().isRunning());
        assertFalse(LEFT.get().isAlive());
    }

    @Test
    void aNestedClassFollowsItsEnclosingClassesAnnotation() {
        Events events = run(LenientOuter.class);
        assertEquals(1, events.succeeded().count(), () -> events.failed().list().toString());
        assertFalse(SEEN.get().isRunning());
        assertFalse(LEFT.get().isAlive());
    }

    @Test
    void anExtensionRegisteredTwiceStartsOneNodeAndStopsIt() {
        Events events = run(Twice.class);
        assertEquals(1, events.succeeded().count(), () -> events.failed().list().toString());
        String seen = SEEN.get().name(); // test-Twice-runs-<n>
        assertFalse(SEEN.get().isRunning());
        int at = seen.lastIndexOf('-');
        String prefix = seen.substring(0, at + 1);
        long n = Long.parseLong(seen.substring(at + 1));
        // A second instance would have started its own node just before or after this one.
        assertTrue(Node.named(prefix + (n - 1)).isEmpty() && Node.named(prefix + (n + 1)).isEmpty(),
                "a second node of the test is left running");
    }

    @Test
    void aProcessThatIsEndingIsNotALeftover() {
        Events events = run(Clean.class);
        assertEquals(1, events.succeeded().count(), () -> events.failed().list().toString());
    }
}
