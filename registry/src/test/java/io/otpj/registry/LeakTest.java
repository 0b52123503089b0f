package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Keys are user objects; nothing interns or keeps them. After unregister or exit, no key or
 * value object is reachable from the registry: weak references to all of them clear.
 */
class LeakTest {

    /** A dynamic key, as a campaign id would be: equal by id, a fresh object each time. */
    static final class CampaignKey {
        final long id;
        final byte[] ballast = new byte[256];

        CampaignKey(long id) {
            this.id = id;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CampaignKey k && k.id == id;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    static final int PER_PROCESS = 200;

    /** Registers keys made here (not captured by any lambda) and records weak references. */
    private static void registerMany(Registry<Object, Object> reg, long base, Queue<WeakReference<Object>> refs,
            boolean unregister) {
        for (long i = base; i < base + PER_PROCESS; i++) {
            CampaignKey key = new CampaignKey(i);
            Object value = new Object[] {"value", i};
            refs.add(new WeakReference<>(key));
            refs.add(new WeakReference<>(value));
            reg.register(key, value);
        }
        if (unregister) {
            for (long i = base; i < base + PER_PROCESS; i++) {
                reg.unregister(new CampaignKey(i)); // an equal key, not the same object
            }
        }
    }

    @Test
    void keysAndValuesAreUnreachableAfterUnregisterAndExit() throws Exception {
        for (RegistryOptions options : List.of(RegistryOptions.unique(freshName("leak-u")).withPartitions(4),
                RegistryOptions.duplicate(freshName("leak-d")).withPartitions(4))) {
            Registry<Object, Object> reg = Registry.start(options);
            Queue<WeakReference<Object>> refs = new ConcurrentLinkedQueue<>();
            try {
                // 1. Unregisters everything and stays alive.
                CountDownLatch ready = new CountDownLatch(1);
                Pid stays = Proc.spawn(() -> {
                    registerMany(reg, 0, refs, true);
                    ready.countDown();
                    Proc.receive();
                });
                assertTrue(ready.await(30, TimeUnit.SECONDS));
                // 2. Exits normally holding its keys; 3. is killed holding them.
                Pid normal = Proc.spawn(() -> registerMany(reg, 1_000, refs, false));
                CountDownLatch registered = new CountDownLatch(1);
                Pid killed = Proc.spawn(() -> {
                    registerMany(reg, 2_000, refs, false);
                    registered.countDown();
                    Proc.receive();
                });
                assertTrue(registered.await(30, TimeUnit.SECONDS));
                Proc.exit(killed, ExitReason.kill());
                TestSupport.inProcess(() -> {
                    Proc.monitor(normal);
                    return Proc.receive(Down.class, Duration.ofSeconds(30)).orElseThrow();
                });

                assertTrue(stays.isAlive());
                assertEquals(0, reg.count());
                assertEquals(0, reg.state().ownerCount());
                assertEquals(3 * PER_PROCESS * 2, refs.size());

                int cleared = 0;
                for (int attempt = 0; attempt < 50 && cleared < refs.size(); attempt++) {
                    System.gc();
                    cleared = (int) refs.stream().filter(r -> r.get() == null).count();
                }
                assertEquals(refs.size(), cleared, "every key and value object was collected");
                Proc.exit(stays, ExitReason.kill());
            } finally {
                GenServer.stop(reg.pid());
            }
        }
    }

    @Test
    void aHotDuplicateKeyIsReleasedWithItsLastEntry() throws Exception {
        Registry<Object, Object> reg = Registry.start(RegistryOptions.duplicate(freshName("leak-hot")));
        Queue<WeakReference<Object>> refs = new ConcurrentLinkedQueue<>();
        try {
            for (int p = 0; p < 3; p++) {
                TestSupport.inProcess(() -> {
                    hotKeys(reg, refs);
                    return null;
                });
            }
            assertEquals(0, reg.count());
            int cleared = 0;
            for (int attempt = 0; attempt < 50 && cleared < refs.size(); attempt++) {
                System.gc();
                cleared = (int) refs.stream().filter(r -> r.get() == null).count();
            }
            assertEquals(3 * (DuplicateStore.SMALL + 4), refs.size());
            assertEquals(refs.size(), cleared);
        } finally {
            GenServer.stop(reg.pid());
        }
    }

    /** Registers equal (not identical) keys, enough to turn the bucket into a set. */
    private static void hotKeys(Registry<Object, Object> reg, Queue<WeakReference<Object>> refs) {
        for (int i = 0; i < DuplicateStore.SMALL + 4; i++) {
            CampaignKey key = new CampaignKey(42);
            refs.add(new WeakReference<>(key));
            reg.register(key, i);
        }
    }

    @Test
    void manyDynamicKeysLeaveEmptyTables() {
        Registry<Object, Object> reg = Registry.start(RegistryOptions.unique(freshName("leak")).withPartitions(8));
        try {
            for (int round = 0; round < 5; round++) {
                long base = round * 10_000L;
                TestSupport.inProcess(() -> {
                    for (long i = base; i < base + 2_000; i++) {
                        assertTrue(reg.register(new CampaignKey(i), i).isRegistered());
                    }
                    return null;
                });
                assertEquals(0, reg.count());
                assertEquals(0, reg.state().ownerCount());
                for (long s : reg.state().store.partitionSizes()) {
                    assertEquals(0, s);
                }
            }
        } finally {
            GenServer.stop(reg.pid());
        }
    }
}
