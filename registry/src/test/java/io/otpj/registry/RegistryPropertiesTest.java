package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.RequestId;
import io.otpj.registry.Registration.AlreadyRegistered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Properties of the registry against a model, under races, and for dispatch and broadcast. */
class RegistryPropertiesTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final int WORKERS = 4;
    private static final int KEYS = 5;

    record Key(int id) {}

    // ------------------------------------------------------------------ (1) model

    sealed interface Op {}
    record Reg(int worker, int key, int value) implements Op {}
    record Unreg(int worker, int key) implements Op {}
    record Update(int worker, int key, int delta) implements Op {}
    /** The worker ends: 0 kill, 1 normal stop, 2 an error reason. A fresh worker replaces it. */
    record End(int worker, int how) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return ops(KEYS, 40, 6);
    }

    /** Few keys, long runs: buckets of one key outgrow {@link DuplicateStore#SMALL}. */
    @Provide
    Arbitrary<List<Op>> hotOps() {
        return ops(2, 120, 30);
    }

    private static Arbitrary<List<Op>> ops(int keys, int maxSize, int registerWeight) {
        Arbitrary<Integer> w = Arbitraries.integers().between(0, WORKERS - 1);
        Arbitrary<Integer> k = Arbitraries.integers().between(0, keys - 1);
        Arbitrary<Integer> v = Arbitraries.integers().between(0, 99);
        Arbitrary<Op> reg = Combinators.combine(w, k, v).as(Reg::new);
        Arbitrary<Op> unreg = Combinators.combine(w, k).as(Unreg::new);
        Arbitrary<Op> update = Combinators.combine(w, k, v).as(Update::new);
        Arbitrary<Op> end = Combinators.combine(w, Arbitraries.integers().between(0, 2)).as(End::new);
        return Arbitraries.frequencyOf(Tuple.of(registerWeight, reg), Tuple.of(3, unreg), Tuple.of(2, update), Tuple.of(2, end))
                .list().ofMinSize(1).ofMaxSize(maxSize);
    }

    @Property(tries = 40)
    void uniqueRegistryAgreesWithAModel(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 4) int partitions) {
        checkAgainstModel(RegistryOptions.unique(freshName("model-u")).withPartitions(partitions), ops);
    }

    @Property(tries = 40)
    void duplicateRegistryAgreesWithAModel(@ForAll("ops") List<Op> ops,
            @ForAll @IntRange(min = 1, max = 4) int partitions) {
        checkAgainstModel(RegistryOptions.duplicate(freshName("model-d")).withPartitions(partitions), ops);
    }

    @Property(tries = 20)
    void duplicateRegistryWithHotKeysAgreesWithAModel(@ForAll("hotOps") List<Op> ops,
            @ForAll @IntRange(min = 1, max = 2) int partitions) {
        checkAgainstModel(RegistryOptions.duplicate(freshName("model-h")).withPartitions(partitions), ops);
    }

    /** The model: every registration, in registration order (values mutable for updates). */
    private static final class ModelEntry {
        final int key;
        final Pid pid;
        int value;

        ModelEntry(int key, Pid pid, int value) {
            this.key = key;
            this.pid = pid;
            this.value = value;
        }

        Entry<Key, Integer> entry() {
            return new Entry<>(new Key(key), pid, value);
        }
    }

    private static void checkAgainstModel(RegistryOptions options, List<Op> ops) {
        boolean unique = options.keys() == RegistryOptions.Keys.UNIQUE;
        Registry<Key, Integer> reg = Registry.start(options);
        Pid[] workers = new Pid[WORKERS];
        List<ModelEntry> model = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                workers[i] = Actor.start();
            }
            int step = 0;
            for (Op op : ops) {
                step++;
                String where = "step " + step + " " + op;
                switch (op) {
                    case Reg(int w, int k, int v) -> {
                        Pid p = workers[w];
                        Registration got = Actor.run(p, () -> reg.register(new Key(k), v));
                        Optional<ModelEntry> holder = model.stream().filter(e -> e.key == k).findFirst();
                        if (unique && holder.isPresent()) {
                            assertEquals(new AlreadyRegistered(holder.get().pid), got, where);
                        } else {
                            assertEquals(new Registration.Registered(), got, where);
                            model.add(new ModelEntry(k, p, v));
                        }
                    }
                    case Unreg(int w, int k) -> {
                        Pid p = workers[w];
                        Actor.exec(p, () -> reg.unregister(new Key(k)));
                        model.removeIf(e -> e.key == k && e.pid.equals(p));
                    }
                    case Update(int w, int k, int d) -> {
                        Pid p = workers[w];
                        if (unique) {
                            Optional<Integer> got = Actor.run(p, () -> reg.updateValue(new Key(k), x -> x + d));
                            Optional<ModelEntry> mine = model.stream().filter(e -> e.key == k && e.pid.equals(p))
                                    .findFirst();
                            mine.ifPresent(e -> e.value += d);
                            assertEquals(mine.map(e -> e.value), got, where);
                        } else {
                            assertThrows(IllegalStateException.class,
                                    () -> Actor.run(p, () -> reg.updateValue(new Key(k), x -> x + d)), where);
                        }
                    }
                    case End(int w, int how) -> {
                        Pid p = workers[w];
                        switch (how) {
                            case 0 -> Proc.exit(p, ExitReason.kill());
                            case 1 -> GenServer.stop(p);
                            default -> Proc.exit(p, ExitReason.of("error"));
                        }
                        // Removal is synchronous: it is complete when the exit returns.
                        model.removeIf(e -> e.pid.equals(p));
                        workers[w] = Actor.start();
                    }
                }
                compare(reg, model, workers, where);
            }
        } finally {
            TestSupport.killAll(List.of(workers).stream().filter(p -> p != null).toList());
            GenServer.stop(reg.pid());
        }
    }

    private static <T> Map<T, Long> multiset(List<T> items) {
        return items.stream().collect(Collectors.groupingBy(Function.identity(), HashMap::new, Collectors.counting()));
    }

    private static void compare(Registry<Key, Integer> reg, List<ModelEntry> model, Pid[] workers, String where) {
        List<Entry<Key, Integer>> all = model.stream().map(ModelEntry::entry).toList();
        assertEquals(model.size(), reg.count(), where + ": count()");
        assertEquals(multiset(all), multiset(reg.select(e -> true)), where + ": select(all)");
        for (int k = 0; k < KEYS; k++) {
            int key = k;
            List<Entry<Key, Integer>> expected = all.stream().filter(e -> e.key().id() == key).toList();
            assertEquals(multiset(expected), multiset(reg.lookup(new Key(k))), where + ": lookup " + k);
            assertEquals(expected.size(), reg.count(new Key(k)), where + ": count " + k);
            assertEquals(multiset(expected.stream().filter(e -> e.value() % 2 == 0).toList()),
                    multiset(reg.match(new Key(k), v -> v % 2 == 0)), where + ": match " + k);
        }
        for (Pid p : workers) {
            List<Key> keys = model.stream().filter(e -> e.pid.equals(p)).map(e -> new Key(e.key)).toList();
            assertEquals(multiset(keys), multiset(reg.keys(p)), where + ": keys of " + p);
        }
        assertEquals(model.stream().map(e -> e.pid).distinct().count(), reg.state().ownerCount(),
                where + ": one owner per registered process");
    }

    // ------------------------------------------------------------------ (2) race

    @Property(tries = 25)
    void raceForOneKeyHasOneWinner(@ForAll @IntRange(min = 2, max = 24) int racers,
            @ForAll @IntRange(min = 1, max = 4) int partitions) throws Exception {
        Registry<Key, Integer> reg = Registry.start(RegistryOptions.unique(freshName("race")).withPartitions(partitions));
        List<Pid> actors = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                actors.add(Actor.start());
            }
            CountDownLatch gate = new CountDownLatch(1);
            List<RequestId<Object>> requests = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int value = i;
                requests.add(GenServer.sendRequest(actors.get(i), new Actor.Run(() -> {
                    gate.await();
                    return reg.register(new Key(7), value);
                })));
            }
            gate.countDown();
            List<Registration> results = new ArrayList<>();
            for (RequestId<Object> r : requests) {
                results.add((Registration) r.await(T));
            }

            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                if (results.get(i).isRegistered()) {
                    winners.add(i);
                }
            }
            assertEquals(1, winners.size(), () -> "exactly one winner: " + results);
            int w = winners.get(0);
            Pid winner = actors.get(w);
            for (int i = 0; i < racers; i++) {
                if (i != w) {
                    assertEquals(new AlreadyRegistered(winner), results.get(i), "each loser is told the winner");
                }
            }
            assertEquals(List.of(new Entry<>(new Key(7), winner, w)), reg.lookup(new Key(7)));

            Proc.exit(winner, ExitReason.kill());
            assertEquals(List.of(), reg.lookup(new Key(7)), "the key is free once the winner is dead");
            Pid loser = actors.get(w == 0 ? 1 : 0);
            assertEquals(new Registration.Registered(), Actor.run(loser, () -> reg.register(new Key(7), -1)));
        } finally {
            TestSupport.killAll(actors);
            GenServer.stop(reg.pid());
        }
    }

    // ------------------------------------------------------------------ (3) dispatch and broadcast

    enum Plan { SUBSCRIBE, SUBSCRIBE_TWICE, SUBSCRIBE_THEN_UNSUBSCRIBE, SUBSCRIBE_THEN_DIE, OTHER_TOPIC, NOTHING }

    record Msg(int n) {}

    @Property(tries = 30)
    void broadcastReachesEveryLiveSubscriberExactlyOnce(
            @ForAll("plans") List<Plan> plans, @ForAll @IntRange(min = 1, max = 3) int broadcasts) {
        String name = freshName("bcast");
        PubSub pubsub = PubSub.start(name);
        List<Pid> actors = new ArrayList<>();
        try {
            List<Pid> expected = new ArrayList<>();
            for (Plan plan : plans) {
                Pid a = Actor.start();
                actors.add(a);
                switch (plan) {
                    case SUBSCRIBE -> Actor.exec(a, () -> pubsub.subscribe("t"));
                    case SUBSCRIBE_TWICE -> Actor.exec(a, () -> {
                        pubsub.subscribe("t");
                        pubsub.subscribe("t");
                    });
                    case SUBSCRIBE_THEN_UNSUBSCRIBE -> Actor.exec(a, () -> {
                        pubsub.subscribe("t");
                        pubsub.unsubscribe("t");
                    });
                    case SUBSCRIBE_THEN_DIE -> {
                        Actor.exec(a, () -> pubsub.subscribe("t"));
                        Proc.exit(a, ExitReason.kill());
                    }
                    case OTHER_TOPIC -> Actor.exec(a, () -> pubsub.subscribe("other"));
                    case NOTHING -> {}
                }
                if (plan == Plan.SUBSCRIBE || plan == Plan.SUBSCRIBE_TWICE) {
                    expected.add(a);
                }
            }
            for (int n = 0; n < broadcasts; n++) {
                assertEquals(expected.size(), pubsub.broadcast("t", new Msg(n)));
            }
            // Dispatch on the underlying registry sees each live subscriber once too.
            Registry<Object, Object> reg = Registry.<Object, Object>named(name).orElseThrow();
            List<Pid> dispatched = new ArrayList<>();
            reg.dispatch("t", entries -> entries.forEach(e -> dispatched.add(e.pid())));
            assertEquals(multiset(expected), multiset(dispatched));

            for (Pid a : actors) {
                if (!a.isAlive()) {
                    continue;
                }
                // Calls from this thread are handled after the broadcasts it sent before them.
                List<Object> inbox = Actor.inbox(a);
                List<Object> want = new ArrayList<>();
                if (expected.contains(a)) {
                    for (int n = 0; n < broadcasts; n++) {
                        want.add(new Msg(n));
                    }
                }
                assertEquals(want, inbox, () -> "inbox of " + a);
            }
        } finally {
            TestSupport.killAll(actors);
            GenServer.stop(pubsub.pid());
        }
    }

    @Provide
    Arbitrary<List<Plan>> plans() {
        return Arbitraries.of(Plan.class).list().ofMinSize(0).ofMaxSize(12);
    }

    @Property(tries = 30)
    void dispatchSeesEveryLiveRegistrationOnce(@ForAll("registrations") List<Integer> timesEach,
            @ForAll @IntRange(min = 1, max = 4) int partitions) {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.duplicate(freshName("disp")).withPartitions(partitions));
        List<Pid> actors = new ArrayList<>();
        try {
            List<Entry<String, Integer>> expected = new ArrayList<>();
            for (int i = 0; i < timesEach.size(); i++) {
                Pid a = Actor.start();
                actors.add(a);
                int times = Math.abs(timesEach.get(i)) % 3;
                for (int t = 0; t < times; t++) {
                    int value = t;
                    Actor.run(a, () -> reg.register("k", value));
                }
                if (timesEach.get(i) < 0) {
                    Proc.exit(a, ExitReason.kill()); // negative: registers, then dies
                } else {
                    for (int t = 0; t < times; t++) {
                        expected.add(new Entry<>("k", a, t));
                    }
                }
            }
            List<Entry<String, Integer>> seen = new ArrayList<>();
            int[] calls = {0};
            reg.dispatch("k", entries -> {
                calls[0]++;
                seen.addAll(entries);
            });
            assertEquals(expected.isEmpty() ? 0 : 1, calls[0]);
            assertEquals(multiset(expected), multiset(seen));
        } finally {
            TestSupport.killAll(actors);
            GenServer.stop(reg.pid());
        }
    }

    @Provide
    Arbitrary<List<Integer>> registrations() {
        return Arbitraries.integers().between(-2, 2).list().ofMaxSize(12);
    }
}
