package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.Down;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.registry.Registration.AlreadyRegistered;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A unique key has at most one live owner at any instant, however many processes race: the
 * key used as a mutex must never be held by two processes, while holders unregister or die.
 */
class MutualExclusionTest {

    private static final int RACERS = 8;
    private static final int ROUNDS = 1000;

    @Test
    void aUniqueKeyIsAMutexUnderRegisterAndUnregister() throws Exception {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("mutex")).withPartitions(4));
        AtomicInteger holders = new AtomicInteger();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger wins = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(RACERS);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread observer = Thread.ofPlatform().start(() -> observe(reg, running, violations));
        try {
            for (int r = 0; r < RACERS; r++) {
                Proc.spawn(() -> {
                    try {
                        Pid self = Proc.self();
                        for (int i = 0; i < ROUNDS; i++) {
                            switch (reg.register("lock", i)) {
                                case Registration.Registered ok -> {
                                    wins.incrementAndGet();
                                    if (holders.incrementAndGet() != 1) {
                                        violations.add("two holders at once");
                                    }
                                    Thread.yield();
                                    holders.decrementAndGet();
                                    reg.unregister("lock");
                                }
                                case AlreadyRegistered(Pid holder) -> {
                                    if (holder.equals(self)) {
                                        violations.add("told it holds a key it released");
                                    }
                                }
                            }
                            Thread.yield();
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
        } finally {
            running.set(false);
            observer.join();
            GenServer.stop(reg.pid());
        }
        assertEquals(List.of(), List.copyOf(violations));
        assertTrue(wins.get() >= 1);
    }

    @Test
    void aUniqueKeyIsAMutexWhenHoldersDieHoldingIt() throws Exception {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("mutex")).withPartitions(2));
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger wins = new AtomicInteger();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(RACERS);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread observer = Thread.ofPlatform().start(() -> observe(reg, running, violations));
        try {
            for (int r = 0; r < RACERS; r++) {
                Proc.spawn(() -> {
                    try {
                        for (int i = 0; i < ROUNDS / 5; i++) {
                            // A short-lived child races for the key and, if it wins, dies holding it:
                            // the next winner can only win once it is dead.
                            Pid child = Proc.spawn(() -> {
                                if (reg.register("lock", 0).isRegistered()) {
                                    wins.incrementAndGet();
                                    if (holders.incrementAndGet() != 1) {
                                        violations.add("two live holders at once");
                                    }
                                    Thread.yield();
                                    holders.decrementAndGet();
                                }
                            });
                            Proc.monitor(child);
                            Proc.receive(Down.class, Duration.ofSeconds(30)).orElseThrow();
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            assertEquals(0, reg.count(), "every holder died and took its entry along");
        } finally {
            running.set(false);
            observer.join();
            GenServer.stop(reg.pid());
        }
        assertEquals(List.of(), List.copyOf(violations));
        assertTrue(wins.get() >= 1);
    }

    private static void observe(Registry<String, Integer> reg, AtomicBoolean running,
            ConcurrentLinkedQueue<String> violations) {
        while (running.get()) {
            int n = reg.lookup("lock").size();
            if (n > 1) {
                violations.add("lookup returned " + n + " live owners");
            }
            Thread.yield();
        }
    }
}
