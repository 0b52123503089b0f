package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** register, unregister, lookup, match, select, count, keys, dispatch, meta, update_value. */
class RegistryApiTest {

    private final List<Registry<?, ?>> registries = new ArrayList<>();
    private final List<Pid> actors = new ArrayList<>();

    private <K, V> Registry<K, V> start(RegistryOptions options) {
        Registry<K, V> r = Registry.start(options);
        registries.add(r);
        return r;
    }

    private Pid actor() {
        Pid p = Actor.start();
        actors.add(p);
        return p;
    }

    @AfterEach
    void cleanUp() {
        TestSupport.killAll(actors);
        registries.forEach(TestSupport::stopQuietly);
    }

    record Order(String id, int amount) {}

    @Test
    void registerAndUnregisterOwnEntriesOnly() {
        Registry<String, Integer> reg = start(RegistryOptions.duplicate(freshName("api")).withPartitions(3));
        Pid a = actor();
        Pid b = actor();
        Actor.run(a, () -> reg.register("k", 1));
        Actor.run(a, () -> reg.register("k", 2));
        Actor.run(b, () -> reg.register("k", 3));
        Actor.exec(b, () -> reg.unregister("missing")); // nothing to remove: fine
        Actor.exec(a, () -> reg.unregister("k"));     // removes both of a's entries, not b's
        assertEquals(List.of(new Entry<>("k", b, 3)), reg.lookup("k"));
        assertEquals(List.of(), reg.keys(a));
        assertEquals(1, reg.count());
    }

    @Test
    void lookupOfUnknownKeyIsEmptyAndResultsAreUnmodifiable() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        assertEquals(List.of(), reg.lookup("nobody"));
        Pid a = actor();
        Actor.run(a, () -> reg.register("k", 1));
        List<Entry<String, Integer>> found = reg.lookup("k");
        assertThrows(UnsupportedOperationException.class, () -> found.add(new Entry<>("x", a, 0)));
        assertThrows(UnsupportedOperationException.class, () -> reg.keys(a).clear());
    }

    @Test
    void matchFiltersByValue() {
        Registry<String, Order> reg = start(RegistryOptions.duplicate(freshName("api")));
        Pid a = actor();
        Pid b = actor();
        Actor.run(a, () -> reg.register("orders", new Order("o1", 50)));
        Actor.run(b, () -> reg.register("orders", new Order("o2", 500)));
        Actor.run(b, () -> reg.register("other", new Order("o3", 5000)));
        assertEquals(List.of(new Entry<>("orders", b, new Order("o2", 500))),
                reg.match("orders", o -> o.amount() > 100));
        assertEquals(List.of(), reg.match("orders", o -> o.amount() > 1000));
        assertEquals(2, reg.match("orders", o -> true).size());
    }

    @Test
    void selectQueriesEveryEntry() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")).withPartitions(4));
        Pid a = actor();
        Pid b = actor();
        Actor.exec(a, () -> {
            for (int i = 0; i < 10; i++) {
                reg.register("a" + i, i);
            }
        });
        Actor.run(b, () -> reg.register("b", 100));
        assertEquals(11, reg.select(e -> true).size());
        assertEquals(Set.of(new Entry<>("b", b, 100)), new HashSet<>(reg.select(e -> e.pid().equals(b))));
        assertEquals(5, reg.select(e -> e.key().startsWith("a") && e.value() % 2 == 0).size());
        Proc.exit(a, ExitReason.kill());
        assertEquals(List.of(new Entry<>("b", b, 100)), reg.select(e -> true));
    }

    @Test
    void countAllAndPerKey() {
        Registry<String, Integer> reg = start(RegistryOptions.duplicate(freshName("api")).withPartitions(2));
        assertEquals(0, reg.count());
        Pid a = actor();
        Pid b = actor();
        Actor.run(a, () -> reg.register("x", 1));
        Actor.run(b, () -> reg.register("x", 2));
        Actor.run(b, () -> reg.register("y", 3));
        assertEquals(3, reg.count());
        assertEquals(2, reg.count("x"));
        assertEquals(1, reg.count("y"));
        assertEquals(0, reg.count("z"));
        Proc.exit(b, ExitReason.kill());
        assertEquals(1, reg.count());
        assertEquals(1, reg.count("x"));
    }

    @Test
    void keysOfAProcess() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        Pid a = actor();
        Actor.exec(a, () -> {
            reg.register("first", 1);
            reg.register("second", 2);
            reg.register("third", 3);
            reg.unregister("second");
        });
        assertEquals(Set.of("first", "third"), new HashSet<>(reg.keys(a)));
        assertEquals(2, reg.keys(a).size());
        assertEquals(List.of(), reg.keys(actor()));
        Proc.exit(a, ExitReason.kill());
        assertEquals(List.of(), reg.keys(a), "a dead process holds nothing");
    }

    @Test
    void metaIsReadableFromAnyThread() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        assertEquals(Optional.empty(), reg.meta("custom"));
        reg.putMeta("custom", "value");
        assertEquals(Optional.of("value"), reg.meta("custom"));
        assertEquals(Optional.of("value"), TestSupport.inProcess(() -> reg.meta("custom")));
        reg.putMeta("custom", 42);
        assertEquals(Optional.of(42), reg.meta("custom"));
        reg.deleteMeta("custom");
        assertEquals(Optional.empty(), reg.meta("custom"));
    }

    @Test
    void updateValueChangesOnlyTheCallersOwnEntry() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        Pid a = actor();
        Pid b = actor();
        Actor.run(a, () -> reg.register("counter", 1));
        assertEquals(Optional.of(11), Actor.run(a, () -> reg.updateValue("counter", v -> v + 10)));
        assertEquals(List.of(new Entry<>("counter", a, 11)), reg.lookup("counter"));
        assertEquals(Optional.empty(), Actor.run(b, () -> reg.updateValue("counter", v -> 0)), "not the owner");
        assertEquals(Optional.empty(), Actor.run(a, () -> reg.updateValue("missing", v -> 0)));
        assertEquals(List.of(new Entry<>("counter", a, 11)), reg.lookup("counter"));
    }

    @Test
    void updateValueThatThrowsOrReturnsNullLeavesTheValue() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        Pid a = actor();
        Actor.run(a, () -> reg.register("k", 1));
        assertThrows(ArithmeticException.class, () -> Actor.run(a, () -> reg.updateValue("k", v -> {
            throw new ArithmeticException("update failed");
        })));
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> Actor.run(a, () -> reg.updateValue("k", v -> null)));
        assertTrue(npe.getMessage().contains("returned null"), npe.getMessage());
        assertEquals(List.of(new Entry<>("k", a, 1)), reg.lookup("k"));
    }

    @Test
    void aHotDuplicateKeyGrowsAndShrinksCleanly() {
        // One partition, so every entry of the key shares one bucket: it becomes a set past
        // DuplicateStore.SMALL entries and must shrink back to nothing.
        Registry<String, Integer> reg = start(RegistryOptions.duplicate(freshName("api")));
        int perProcess = DuplicateStore.SMALL + 4;
        List<Pid> ps = List.of(actor(), actor(), actor());
        for (Pid p : ps) {
            Actor.exec(p, () -> {
                for (int i = 0; i < perProcess; i++) {
                    reg.register("hot", i);
                }
            });
        }
        assertEquals(3 * perProcess, reg.lookup("hot").size());
        assertEquals(3 * perProcess, reg.select(e -> e.key().equals("hot")).size());
        Actor.exec(ps.get(0), () -> reg.unregister("hot"));
        assertEquals(2 * perProcess, reg.count("hot"));
        Proc.exit(ps.get(1), ExitReason.kill());
        assertEquals(perProcess, reg.count("hot"));
        assertEquals(List.of(ps.get(2)), reg.lookup("hot").stream().map(Entry::pid).distinct().toList());
        Actor.exec(ps.get(2), () -> reg.unregister("hot"));
        assertEquals(List.of(), reg.lookup("hot"));
        assertEquals(0, reg.count());
    }

    @Test
    void nullValuesAreAllowed() {
        Registry<String, Integer> reg = start(RegistryOptions.duplicate(freshName("api")));
        Pid a = actor();
        Actor.run(a, () -> reg.register("k", null));
        assertEquals(List.of(new Entry<>("k", a, null)), reg.lookup("k"));
        assertEquals(1, reg.match("k", v -> v == null).size());
    }

    @Test
    void dispatchCallbackExceptionsReachTheCaller() {
        Registry<String, Integer> reg = start(RegistryOptions.duplicate(freshName("api")));
        Pid a = actor();
        Actor.run(a, () -> reg.register("k", 1));
        assertThrows(IllegalStateException.class, () -> reg.dispatch("k", entries -> {
            throw new IllegalStateException("consumer failed");
        }));
        assertThrows(IllegalStateException.class, () -> reg.select(e -> {
            throw new IllegalStateException("query failed");
        }));
        assertEquals(1, reg.count("k"), "nothing changed");
    }

    @Test
    void oneExitHookPerRegistryAndProcessRemovedWithTheLastEntry() {
        Registry<String, Integer> reg = start(RegistryOptions.unique(freshName("api")));
        Registry<String, Integer> other = start(RegistryOptions.duplicate(freshName("api")));
        Pid a = actor();
        int before = TestSupport.exitHookCount(a);
        Actor.exec(a, () -> {
            for (int i = 0; i < 20; i++) {
                reg.register("k" + i, i);
            }
        });
        assertEquals(before + 1, TestSupport.exitHookCount(a), "one hook for 20 keys");
        assertEquals(1, reg.state().ownerCount());
        Actor.run(a, () -> other.register("t", 0));
        assertEquals(before + 2, TestSupport.exitHookCount(a), "one more for the second registry");
        assertTrue(Proc.info(a).orElseThrow().links().contains(reg.pid()), "linked to the registry");

        Actor.exec(a, () -> {
            for (int i = 0; i < 19; i++) {
                reg.unregister("k" + i);
            }
        });
        assertEquals(before + 2, TestSupport.exitHookCount(a), "kept while an entry remains");
        Actor.exec(a, () -> reg.unregister("k19"));
        assertEquals(before + 1, TestSupport.exitHookCount(a), "removed with the last entry");
        assertEquals(0, reg.state().ownerCount());
        assertFalse(Proc.info(a).orElseThrow().links().contains(reg.pid()), "and unlinked");

        // A refused registration leaves neither a hook nor a link behind.
        Pid b = actor();
        Actor.run(b, () -> reg.register("taken", 0));
        Pid c = actor();
        int cBefore = TestSupport.exitHookCount(c);
        assertFalse(Actor.run(c, () -> reg.register("taken", 1)).isRegistered());
        assertEquals(cBefore, TestSupport.exitHookCount(c));
        assertFalse(Proc.info(c).orElseThrow().links().contains(reg.pid()));
    }

    @Test
    void aProcessLinkedBeforeRegisteringStaysLinked() {
        Object linkedAfter = TestSupport.inProcess(() -> {
            Registry<String, Integer> reg = Registry.startLink(RegistryOptions.unique(freshName("api")));
            try {
                reg.register("k", 1);
                reg.unregister("k");
                return Proc.info(Proc.self()).orElseThrow().links().contains(reg.pid());
            } finally {
                io.otpj.core.GenServer.stop(reg.pid());
            }
        });
        assertEquals(true, linkedAfter, "the parent's link to its registry survives unregister");
    }
}
