package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An Agent against a sequential model, a plain {@code long}: any sequence of get, update,
 * get-and-update and cast from one client gives exactly the model's replies and final state
 * (casts and calls from one sender are handled in order); and from several clients at once, the
 * updates are atomic (none lost), whatever the interleaving.
 */
class AgentProperties {

    sealed interface Op {}
    record Get() implements Op {}
    record Add(long k) implements Op {}
    record Swap(long k) implements Op {}
    record CastTimes(long k) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Long> k = Arbitraries.longs().between(-5, 5);
        return Arbitraries.oneOf(
                Arbitraries.just((Op) new Get()),
                k.map(x -> (Op) new Add(x)),
                k.map(x -> (Op) new Swap(x)),
                k.map(x -> (Op) new CastTimes(x))).list().ofMaxSize(50);
    }

    @Property(tries = 200)
    void oneClientSeesTheModelsRepliesInOrder(@ForAll("ops") List<Op> ops) {
        Agent<Long> agent = Agent.start(() -> 1L);
        try {
            long model = 1L;
            List<Long> expected = new ArrayList<>();
            List<Long> seen = new ArrayList<>();
            for (Op op : ops) {
                switch (op) {
                    case Get g -> {
                        expected.add(model);
                        seen.add(agent.get(v -> v));
                    }
                    case Add(long k) -> {
                        model += k;
                        agent.update(v -> v + k);
                    }
                    case Swap(long k) -> {
                        expected.add(model);
                        model = k;
                        seen.add(agent.getAndUpdate(v -> Agent.Update.of(v, k)));
                    }
                    case CastTimes(long k) -> {
                        model *= k;
                        agent.cast(v -> v * k);
                    }
                }
            }
            expected.add(model);
            seen.add(agent.get(v -> v)); // after every cast: same sender, in order
            assertEquals(expected, seen, () -> "ops " + ops);
        } finally {
            agent.stop();
        }
    }

    @Property(tries = 30)
    void concurrentUpdatesFromSeveralClientsAreNeverLost(@ForAll("ops") List<Op> ops) throws Exception {
        Agent<Long> agent = Agent.start(() -> 0L);
        int clients = 3;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> added = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Callable<Long> client = () -> {
                    long sum = 0;
                    for (Op op : ops) {
                        if (op instanceof Add(long k)) {
                            agent.update(v -> v + k);
                            sum += k;
                        } else if (op instanceof Get) {
                            agent.get(v -> v);
                        }
                    }
                    return sum;
                };
                added.add(pool.submit(client));
            }
            long total = 0;
            for (Future<Long> f : added) {
                total += f.get();
            }
            assertEquals(total, (long) agent.get(v -> v), () -> "ops " + ops);
        } finally {
            agent.stop();
        }
    }
}
