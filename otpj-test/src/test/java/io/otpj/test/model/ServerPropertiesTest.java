package io.otpj.test.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.otpj.core.GenServer;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.ActionChain;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit finds seeded faults and shrinks them to a few commands, and passes a correct server:
 * each nested class is a property run through jqwik's engine here, so its outcome and failure
 * message can be checked.
 */
class ServerPropertiesTest {

    static ServerProperties<Integer> counter(Counter.Fault fault) {
        return ServerProperties.of(new CounterModel(false),
                plain(fault));
    }

    /** Starts an unsupervised counter with {@code fault}. */
    static java.util.function.Function<io.otpj.core.Node, io.otpj.core.ServerRef> plain(Counter.Fault fault) {
        return node -> node.call(() -> {
            Counter.Config c = new Counter.Config(fault, new AtomicInteger());
            return GenServer.start(new Counter(c), c).pid();
        });
    }

    /** A model whose every state offers {@code requests}, each answered with the state. */
    static ServerModel<Integer> withRequests(Arbitrary<?> requests) {
        return new ServerModel<>() {
            @Override
            public Integer initial() {
                return 0;
            }

            @Override
            public Arbitrary<?> requests(Integer n) {
                return requests;
            }

            @Override
            public Expected<Integer> expect(Integer n, Object request) {
                return Expected.of(n, n);
            }
        };
    }

    static ServerProperties<Integer> supervised(Counter.Fault fault) {
        AtomicInteger store = new AtomicInteger();
        return ServerProperties.of(new CounterModel(true), node -> {
            store.set(0);
            Counter.Config c = new Counter.Config(fault, store);
            return Restarter.start(node, "counter", () -> new Counter(c), c);
        }).withCrashes(3);
    }

    public static class Correct {
        final ServerProperties<Integer> kit = counter(Counter.Fault.NONE);
        final ServerProperties<Integer> withCrashes = supervised(Counter.Fault.NONE);

        @Property(tries = 40)
        void sequential(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
        }

        @Property(tries = 20)
        void crashes(@ForAll("crashing") ActionChain<ServerProperties.Run<Integer>> chain) {
            withCrashes.check(chain);
        }

        @Property(tries = 30)
        void parallel(@ForAll("parallelCases") ServerProperties.Parallel p) {
            kit.checkParallel(p);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> crashing() {
            return withCrashes.sequential();
        }

        @Provide
        Arbitrary<ServerProperties.Parallel> parallelCases() {
            return kit.parallel(3, 4);
        }
    }

    public static class OffByOne {
        final ServerProperties<Integer> kit = counter(Counter.Fault.OFF_BY_ONE);

        @Property(tries = 200)
        void sequential(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }
    }

    public static class ForgetsAfterRestart {
        final ServerProperties<Integer> kit = supervised(Counter.Fault.FORGETS_AFTER_RESTART);

        @Property(tries = 200)
        void crashes(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }
    }

    public static class LostUpdate {
        final ServerProperties<Integer> kit = counter(Counter.Fault.NONE)
                .withClient(Counter::racyInc, r -> "Counter.racyInc(server, " + JavaCode.of(r) + ")");

        @Property(tries = 300)
        void parallel(@ForAll("cases") ServerProperties.Parallel p) {
            kit.checkParallel(p);
        }

        @Property(tries = 50)
        void sequentialIsFine(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
        }

        @Provide
        Arbitrary<ServerProperties.Parallel> cases() {
            return kit.parallel(2, 3);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }
    }

    public static class NoRequests {
        final ServerProperties<Integer> none = ServerProperties.of(withRequests(Arbitraries.integers().filter(i -> false)), plain(Counter.Fault.NONE)); // a precondition that never holds

        @Property(tries = 5)
        void neverGenerates(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            none.check(chain);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return none.sequential();
        }
    }

    public static class NoCommands {
        final ServerProperties<Integer> none = ServerProperties.of(withRequests(null), plain(Counter.Fault.NONE)); // a model without commands

        @Property(tries = 5)
        void sequential(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            none.check(chain);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return none.sequential();
        }
    }

    public static class DoesNotStart {
        final ServerProperties<Integer> kit = ServerProperties.of(new CounterModel(false), node -> {
            throw new IllegalStateException("no database");
        });

        @Property(tries = 5)
        void sequential(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }
    }

    /**
     * Crashes with a server whose init takes 20 ms: the kit must inject each crash into a running
     * server, so no start fails (a kill during init would be a failed start).
     */
    public static class SlowInit {
        final Counter.Config config = new Counter.Config(Counter.Fault.NONE, new AtomicInteger(),
                java.time.Duration.ofMillis(20), new AtomicInteger());
        final ServerProperties<Integer> kit = ServerProperties.of(new CounterModel(true), node -> {
            config.store().set(0);
            config.failedStarts().set(0);
            return Restarter.start(node, "slow", () -> new Counter(config), config);
        }).withCrashes(10).withMaxCommands(8);

        @Property(tries = 10)
        void crashes(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
            kit.check(chain);
            assertEquals(0, config.failedStarts().get(), "failed starts: a crash was injected into a server still in init");
        }

        @Provide
        Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
            return kit.sequential();
        }
    }

    private static Events run(Class<?> c) {
        return EngineTestKit.engine("jqwik").selectors(selectClass(c)).execute().testEvents();
    }

    private static String failure(Events events) {
        return events.failed().stream().findFirst()
                .flatMap(e -> e.getPayload(TestExecutionResult.class))
                .flatMap(TestExecutionResult::getThrowable)
                .map(t -> t.getMessage() == null ? t.toString() : t.getMessage())
                .orElseThrow(() -> new AssertionError("the property did not fail"));
    }

    /** @return the Java statements of the reported sequence */
    private static long statements(String message) {
        int at = message.indexOf("as Java");
        return message.substring(Math.max(0, at)).lines().filter(l -> l.startsWith("  ")).count();
    }

    @Test
    void aCorrectServerPassesSequentialCrashAndParallelProperties() {
        Events events = run(Correct.class);
        assertEquals(3, events.succeeded().count(), () -> events.failed().list().toString());
    }

    @Test
    void aCrashIsInjectedOnlyIntoARestartedServerThatFinishedItsInit() {
        Events events = run(SlowInit.class);
        assertEquals(1, events.succeeded().count(), () -> events.failed().list().toString());
    }

    @Test
    void anOffByOneIsFoundAndShrunkToFewCommands() {
        Events events = run(OffByOne.class);
        String m = failure(events);
        assertTrue(m.contains("disagree"), m);
        assertTrue(m.contains("GenServer.call(server, new Counter.Inc("), m);
        long n = statements(m);
        assertTrue(n >= 3 && n <= 4, n + " statements in " + m);
    }

    @Test
    void stateLostInARestartIsFoundWithTheCrashInTheSequence() {
        String m = failure(run(ForgetsAfterRestart.class));
        assertTrue(m.contains("Proc.exit(GenServer.whereis(server).orElseThrow()"), m);
        long n = statements(m);
        assertTrue(n >= 3 && n <= 4, n + " statements in " + m);
    }

    @Test
    void aLostUpdateUnderConcurrentCallsIsNotLinearizable() {
        Events events = run(LostUpdate.class);
        assertEquals(1, events.failed().count(), () -> events.list().toString());
        String m = failure(events);
        assertTrue(m.contains("not linearizable"), m);
        assertTrue(m.contains("Counter.racyInc(server, new Counter.Inc("), m);
    }

    @Test
    void aGeneratorThatNeverYieldsAModelWithoutCommandsAndAServerThatDoesNotStartFailClearly() {
        String none = failure(run(NoRequests.class));
        assertTrue(none.toLowerCase(java.util.Locale.ROOT).contains("filter") || none.contains("TooMany"), none);
        String noCommands = failure(run(NoCommands.class));
        assertTrue(noCommands.contains("has no requests"), noCommands);
        String start = failure(run(DoesNotStart.class));
        assertTrue(start.contains("did not start") && start.contains("no database"), start);
    }
}
