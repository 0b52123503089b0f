package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static io.otpj.registry.TestSupport.inProcess;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.MonitorRef;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.registry.Registration.AlreadyRegistered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One test (or a few) per line of the Registry section of otp-semantics.md. */
class RegistrySemanticsTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final List<Registry<?, ?>> registries = new ArrayList<>();
    private final List<Pid> actors = new ArrayList<>();

    private <K, V> Registry<K, V> unique(int partitions) {
        Registry<K, V> r = Registry.start(RegistryOptions.unique(freshName("sem-u")).withPartitions(partitions));
        registries.add(r);
        return r;
    }

    private <K, V> Registry<K, V> duplicate(int partitions) {
        Registry<K, V> r = Registry.start(RegistryOptions.duplicate(freshName("sem-d")).withPartitions(partitions));
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

    record Key(String id) {}

    // ---- Keys are unique or duplicate; partitions spread the load.

    @Test
    void uniqueKeysHaveOneProcess() {
        Registry<Key, String> reg = unique(1);
        Pid a = actor();
        Pid b = actor();
        assertEquals(new Registration.Registered(), Actor.run(a, () -> reg.register(new Key("k"), "a")));
        assertEquals(new AlreadyRegistered(a), Actor.run(b, () -> reg.register(new Key("k"), "b")));
        assertEquals(List.of(new Entry<>(new Key("k"), a, "a")), reg.lookup(new Key("k")));
    }

    @Test
    void duplicateKeysHaveManyProcessesEvenTheSameTwice() {
        Registry<Key, String> reg = duplicate(1);
        Pid a = actor();
        Pid b = actor();
        assertTrue(Actor.run(a, () -> reg.register(new Key("t"), "a1")).isRegistered());
        assertTrue(Actor.run(b, () -> reg.register(new Key("t"), "b")).isRegistered());
        assertTrue(Actor.run(a, () -> reg.register(new Key("t"), "a2")).isRegistered());
        assertEquals(Set.of(new Entry<>(new Key("t"), a, "a1"), new Entry<>(new Key("t"), b, "b"),
                new Entry<>(new Key("t"), a, "a2")), new HashSet<>(reg.lookup(new Key("t"))));
        assertEquals(3, reg.count(new Key("t")));
        assertEquals(List.of(new Key("t"), new Key("t")), reg.keys(a));
    }

    @Test
    void uniquePartitionsSpreadKeysAndFindThemAll() {
        Registry<Integer, Integer> reg = unique(8);
        Pid a = actor();
        Actor.exec(a, () -> {
            for (int i = 0; i < 200; i++) {
                assertTrue(reg.register(i, i * 10).isRegistered());
            }
        });
        for (int i = 0; i < 200; i++) {
            assertEquals(List.of(new Entry<>(i, a, i * 10)), reg.lookup(i));
        }
        assertEquals(200, reg.count());
        long[] sizes = reg.state().store.partitionSizes();
        assertEquals(8, sizes.length);
        for (long s : sizes) {
            assertTrue(s > 0, () -> "every partition holds some of 200 keys: " + java.util.Arrays.toString(sizes));
        }
    }

    @Test
    void duplicatePartitionsSpreadOneTopicOverProcesses() {
        Registry<String, Integer> reg = duplicate(4);
        List<Pid> subs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Pid p = actor();
            int v = i;
            Actor.run(p, () -> reg.register("topic", v));
            subs.add(p);
        }
        List<Entry<String, Integer>> found = reg.lookup("topic");
        assertEquals(40, found.size());
        assertEquals(new HashSet<>(subs), new HashSet<>(found.stream().map(Entry::pid).toList()));
        long used = java.util.Arrays.stream(reg.state().store.partitionSizes()).filter(s -> s > 0).count();
        assertTrue(used > 1, "one topic's subscribers are spread over partitions");
    }

    // ---- A registered process that dies is removed automatically, before links and monitors fire.

    @Test
    void deadProcessIsGoneWhenItsMonitorFires() {
        Registry<Key, String> reg = unique(2);
        Pid worker = actor();
        Actor.run(worker, () -> reg.register(new Key("campaign-1"), "w"));
        Pid watcher = actor();
        Object outcome = Actor.run(watcher, () -> {
            MonitorRef ref = Proc.monitor(worker);
            GenServer.cast(worker, new Actor.Crash()); // it dies on its own thread
            Down d = Proc.receive(Down.class, T).orElseThrow();
            assertEquals(ref, d.ref());
            // The DOWN handler sees the key free and can take it at once.
            assertEquals(List.of(), reg.lookup(new Key("campaign-1")));
            assertNull(reg.whereisName(new Key("campaign-1")));
            return reg.register(new Key("campaign-1"), "restarted");
        });
        assertEquals(new Registration.Registered(), outcome);
        assertEquals(List.of(new Entry<>(new Key("campaign-1"), watcher, "restarted")), reg.lookup(new Key("campaign-1")));
    }

    @Test
    void deadProcessIsGoneWhenItsLinkFires() {
        Registry<Key, String> reg = duplicate(1);
        Object seen = inProcess(() -> {
            Proc.trapExit(true);
            Pid parent = Proc.self();
            Pid child = Proc.spawnLink(() -> {
                reg.register(new Key("t"), "child");
                reg.register(new Key("u"), "child");
                Proc.send(parent, "ready");
                Proc.receive(); // wait for the exit signal
            });
            Proc.receive("ready"::equals, T).orElseThrow();
            Proc.exit(child, ExitReason.of("boom"));
            Exit e = Proc.receive(Exit.class, T).orElseThrow();
            return List.of(e.reason(), reg.lookup(new Key("t")), reg.lookup(new Key("u")), reg.keys(child));
        });
        assertEquals(List.of(ExitReason.of("boom"), List.of(), List.of(), List.of()), seen);
        assertEquals(0, reg.count());
    }

    @Test
    void removalHappensForEveryKindOfDeath() {
        Registry<Key, String> reg = unique(1);
        for (ExitReason reason : List.of(ExitReason.normal(), ExitReason.shutdown(), ExitReason.kill(),
                ExitReason.of("error"))) {
            Pid p = actor();
            Actor.run(p, () -> reg.register(new Key("k"), reason.toString()));
            Pid watcher = actor();
            Object again = Actor.run(watcher, () -> {
                Proc.monitor(p);
                if (reason instanceof ExitReason.Normal) {
                    GenServer.stop(p); // exits normal, on its own thread
                } else {
                    Proc.exit(p, reason);
                }
                Proc.receive(Down.class, T).orElseThrow();
                Registration r = reg.register(new Key("k"), "watcher");
                reg.unregister(new Key("k"));
                return r;
            });
            assertEquals(new Registration.Registered(), again, () -> "after death by " + reason);
        }
        assertEquals(0, reg.count());
    }

    // ---- A unique-key clash returns who holds the key.

    @Test
    void clashNamesTheHolderEvenWhenItIsTheCaller() {
        Registry<String, Integer> reg = unique(4);
        Pid a = actor();
        Pid b = actor();
        Actor.run(a, () -> reg.register("k", 1));
        assertEquals(new AlreadyRegistered(a), Actor.run(b, () -> reg.register("k", 2)));
        assertEquals(new AlreadyRegistered(a), Actor.run(a, () -> reg.register("k", 3)));
        assertEquals(List.of(new Entry<>("k", a, 1)), reg.lookup("k"));
        assertEquals(List.of(), reg.keys(b), "a loser holds nothing");
    }

    // ---- A unique key has at most one live owner at any instant: see MutualExclusionTest and
    // RegistryPropertiesTest.raceForOneKeyHasOneWinner.

    @Test
    void deadButNotYetCleanedHolderCountsAsFree() {
        Registry<String, String> reg = unique(1);
        Pid holder = actor();
        Actor.run(holder, () -> reg.register("k", "old"));
        // Simulate the instant between a death and its hook: the hook is removed, so only the
        // liveness check can free the key.
        RegistryState<String, String> st = reg.state();
        Owner<String, String> o = st.owners.get(holder);
        io.otpj.core.Proc.removeExitHook(holder, o.hook);
        Proc.exit(holder, ExitReason.kill());
        assertEquals(1, reg.count(), "the stale slot is still in the table");
        assertEquals(List.of(), reg.lookup("k"), "but a dead holder is never returned");
        Pid next = actor();
        assertEquals(new Registration.Registered(), Actor.run(next, () -> reg.register("k", "new")));
        assertEquals(List.of(new Entry<>("k", next, "new")), reg.lookup("k"));
        st.ownerExited(o); // the late hook must not remove the new owner's entry
        assertEquals(List.of(new Entry<>("k", next, "new")), reg.lookup("k"));
    }

    // ---- {via, Registry, {registry, key}} names a GenServer at start, call and cast: see ViaNameTest.

    // ---- A duplicate-key registry is the basis of local pub/sub (dispatch to all subscribers).

    @Test
    void dispatchSendsToAllSubscribers() {
        Registry<String, String> reg = duplicate(2);
        List<Pid> subs = List.of(actor(), actor(), actor());
        for (Pid p : subs) {
            Actor.run(p, () -> reg.register("prices", "sub"));
        }
        Pid other = actor();
        Actor.run(other, () -> reg.register("news", "sub"));
        List<Integer> calls = new ArrayList<>();
        reg.dispatch("prices", entries -> {
            calls.add(entries.size());
            for (Entry<String, String> e : entries) {
                Proc.send(e.pid(), "tick");
            }
        });
        assertEquals(List.of(3), calls, "called once, with every entry");
        for (Pid p : subs) {
            assertEquals(List.of("tick"), Actor.inbox(p));
        }
        assertEquals(List.of(), Actor.inbox(other));
        reg.dispatch("nobody", entries -> fail("not called without entries"));
    }
}
