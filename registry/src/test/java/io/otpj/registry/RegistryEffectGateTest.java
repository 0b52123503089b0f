package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.MonitorRef;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * otp-semantics.md, processes: once a process's exit is decided, "no send, reply, exit signal,
 * link, monitor, spawn, start or registration lands after its DOWN". For the registry module:
 * a process that already holds a key (so it has an open owner in the registry) and is killed
 * while it runs code that swallows the kill's interrupt must change nothing in the registry (no
 * key, value, unregistration or metadata), whether it tries while its death is still being
 * processed (an exit hook of its own holds the killer) or after its death is settled; each
 * attempt unwinds it, as core's own effects do.
 */
@Timeout(120)
class RegistryEffectGateTest {

    private static final Duration T = Duration.ofSeconds(30);

    @FunctionalInterface
    interface Effect {
        void run() throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"while its death is processed", "after its death is settled"})
    void aProcessWhoseExitIsDecidedRegistersNothing(String when) throws Exception {
        boolean holdTheDeath = when.startsWith("while");
        Registry<String, String> unique = Registry.start(RegistryOptions.unique(freshName("gate-u")));
        Registry<String, String> duplicate = Registry.start(RegistryOptions.duplicate(freshName("gate-d")));
        // Released in the finally too, so that a failure leaves no victim or killer waiting.
        CountDownLatch release = new CountDownLatch(1), releaseHook = new CountDownLatch(1);
        CountDownLatch otherHolds = new CountDownLatch(1);
        Pid other = Proc.spawn(() -> {
            unique.register("other's", "live");
            otherHolds.countDown();
            Proc.receive();
        });
        try {
            assertTrue(otherHolds.await(T.toMillis(), TimeUnit.MILLISECONDS));
            unique.putMeta("kept", "by the test");
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch inHook = new CountDownLatch(1);
            CompletableFuture<Map<String, Throwable>> outcomes = new CompletableFuture<>();
            Pid victim = Proc.spawn(() -> {
                if (holdTheDeath) {
                    // Added before the registrations, so it runs before the registries' hooks.
                    Proc.onExit(Proc.self(), () -> {
                        inHook.countDown();
                        awaitUninterruptibly(releaseHook);
                    });
                }
                // An owner in each registry, so that later registrations need no new hook.
                unique.register("held", "before");
                duplicate.register("topic", "before");
                holding.countDown();
                awaitUninterruptibly(release); // swallows the kill's interrupt
                Map<String, Effect> effects = new LinkedHashMap<>();
                effects.put("register a unique key", () -> unique.register("fresh", "from the dead"));
                effects.put("register a duplicate key", () -> duplicate.register("topic", "from the dead"));
                effects.put("update a value", () -> unique.updateValue("held", v -> "from the dead"));
                effects.put("unregister", () -> unique.unregister("held"));
                effects.put("put meta", () -> unique.putMeta("meta", "from the dead"));
                effects.put("delete meta", () -> unique.deleteMeta("kept"));
                effects.put("unregisterName of a live process's key", () -> unique.unregisterName("other's"));
                effects.put("registerName", () -> unique.registerName("via-fresh", Proc.self()));
                Map<String, Throwable> result = new LinkedHashMap<>();
                for (Map.Entry<String, Effect> e : effects.entrySet()) {
                    try {
                        e.getValue().run();
                        result.put(e.getKey(), null);
                    } catch (Throwable t) {
                        result.put(e.getKey(), t);
                    }
                }
                outcomes.complete(result);
            });
            assertTrue(holding.await(T.toMillis(), TimeUnit.MILLISECONDS), "the victim did not register");
            CompletableFuture<Object> down = new CompletableFuture<>();
            CountDownLatch watching = new CountDownLatch(1);
            Pid watcher = Proc.spawn(() -> {
                MonitorRef ref = Proc.monitor(victim);
                watching.countDown();
                down.complete(Proc.receive(m -> m instanceof Down d && d.ref().equals(ref), T).orElse(null));
            });
            // The monitor before the kill: one set up after the exit is decided hears noproc.
            assertTrue(watching.await(T.toMillis(), TimeUnit.MILLISECONDS), "the watcher did not monitor");
            Thread killer = Thread.ofPlatform().start(() -> Proc.exit(victim, ExitReason.kill()));
            if (holdTheDeath) {
                assertTrue(inHook.await(T.toMillis(), TimeUnit.MILLISECONDS), "the victim's exit hook did not run");
            } else {
                assertInstanceOf(Down.class, down.get(T.toMillis(), TimeUnit.MILLISECONDS));
            }
            release.countDown();
            Map<String, Throwable> result = outcomes.get(T.toMillis(), TimeUnit.MILLISECONDS);
            releaseHook.countDown();
            assertTrue(killer.join(T), "the kill did not return");
            Down d = (Down) down.get(T.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(ExitReason.killed(), d.reason());

            // After the DOWN, nothing of the victim is in either registry.
            assertEquals(List.of(), unique.lookup("fresh"), "a unique key of the dead victim landed");
            assertEquals(List.of(), unique.lookup("held"), "the dead victim's first key outlived its DOWN");
            assertEquals(List.of(), duplicate.lookup("topic"), "a duplicate key of the dead victim landed");
            assertEquals(List.of(), unique.keys(victim));
            assertEquals(List.of(), duplicate.keys(victim));
            assertTrue(unique.meta("meta").isEmpty(), "the dead victim's meta landed");
            assertEquals(java.util.Optional.of("by the test"), unique.meta("kept"), "the dead victim's meta delete landed");
            assertEquals(List.of(new Entry<>("other's", other, "live")), unique.lookup("other's"),
                    "the dead victim removed a live process's key");
            assertEquals(List.of(), unique.lookup("via-fresh"), "the dead victim's registerName landed");
            // And each attempt was refused as core refuses its own effects: the process unwinds
            // (core's ProcessExit, an Error of its own that the API does not export).
            for (Map.Entry<String, Throwable> e : result.entrySet()) {
                Throwable t = e.getValue();
                assertTrue(t != null && t.getClass().getName().equals("io.otpj.core.ProcessExit"),
                        e.getKey() + " was not refused: " + t);
            }
            Proc.exit(watcher, ExitReason.kill());
        } finally {
            release.countDown();
            releaseHook.countDown();
            Proc.exit(other, ExitReason.kill());
            GenServer.stop(unique.pid());
            GenServer.stop(duplicate.pid());
        }
    }

    /** A metadata key whose first {@code hashCode} blocks until released: a write in progress, held open. */
    private static final class SlowKey {
        final String id;
        final CountDownLatch inWrite = new CountDownLatch(1), release = new CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicBoolean first;

        SlowKey(String id, boolean slow) {
            this.id = id;
            this.first = new java.util.concurrent.atomic.AtomicBoolean(slow);
        }

        @Override
        public int hashCode() {
            if (first.getAndSet(false)) {
                inWrite.countDown();
                awaitUninterruptibly(release);
            }
            return id.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SlowKey k && k.id.equals(id);
        }
    }

    @org.junit.jupiter.api.Test
    void aMetadataWriteUnderWayWhenTheExitIsDecidedLandsBeforeTheDown() throws Exception {
        Registry<String, String> reg = Registry.start(RegistryOptions.unique(freshName("gate-m")));
        try {
            SlowKey key = new SlowKey("slow", true);
            CountDownLatch hooksRunning = new CountDownLatch(1);
            CountDownLatch watching = new CountDownLatch(1);
            CompletableFuture<Boolean> metaAtDown = new CompletableFuture<>();
            Pid victim = Proc.spawn(() -> {
                // Runs first among the victim's hooks: the death has begun.
                Proc.onExit(Proc.self(), hooksRunning::countDown);
                awaitUninterruptibly(watching);
                reg.putMeta(key, "written");
            });
            Proc.spawn(() -> {
                MonitorRef ref = Proc.monitor(victim);
                watching.countDown();
                Proc.receive(m -> m instanceof Down d && d.ref().equals(ref), T).orElseThrow();
                metaAtDown.complete(reg.meta(new SlowKey("slow", false)).isPresent());
            });
            assertTrue(key.inWrite.await(T.toMillis(), TimeUnit.MILLISECONDS), "the write did not begin");
            Thread killer = Thread.ofPlatform().start(() -> Proc.exit(victim, ExitReason.kill()));
            try {
                assertTrue(hooksRunning.await(T.toMillis(), TimeUnit.MILLISECONDS), "the victim's death did not begin");
                // The death waits for the write: its hook for it blocks the killer, before any DOWN.
                long deadline = System.nanoTime() + T.toNanos();
                while (killer.getState() != Thread.State.BLOCKED) {
                    assertTrue(System.nanoTime() - deadline < 0, "the death did not wait for the write under way");
                    Thread.onSpinWait();
                }
                assertFalse(metaAtDown.isDone(), "the DOWN came while the write was under way");
            } finally {
                key.release.countDown(); // the write finishes now, while the death runs its hooks
            }
            assertTrue(metaAtDown.get(T.toMillis(), TimeUnit.MILLISECONDS),
                    "the DOWN came before the write its process had under way");
            assertTrue(killer.join(T), "the kill did not return");
        } finally {
            GenServer.stop(reg.pid());
        }
    }

    /**
     * An exit hook of a process's own death may still change the registry: what it does is part
     * of the death and lands before the DOWN (as core's effects in such a hook do), whether the
     * process ended normally, crashed, or was killed from outside.
     */
    @ParameterizedTest
    @ValueSource(strings = {"normal", "crash", "kill"})
    void anExitHookOfTheProcessesOwnDeathChangesMetadataBeforeItsDown(String how) throws Exception {
        Registry<String, String> reg = Registry.start(RegistryOptions.unique(freshName("gate-h")));
        try {
            reg.putMeta("owned-by", "the victim");
            CountDownLatch hooked = new CountDownLatch(1), end = new CountDownLatch(1);
            Pid victim = Proc.spawn(() -> {
                Proc.onExit(Proc.self(), () -> {
                    reg.deleteMeta("owned-by");
                    reg.putMeta("epitaph", how);
                });
                hooked.countDown();
                if (how.equals("kill")) {
                    Proc.receive(); // killed here
                }
                awaitUninterruptibly(end);
                if (how.equals("crash")) {
                    throw new IllegalStateException("crash on purpose");
                }
            });
            assertTrue(hooked.await(T.toMillis(), TimeUnit.MILLISECONDS));
            CompletableFuture<List<Object>> atDown = new CompletableFuture<>();
            CountDownLatch watching = new CountDownLatch(1);
            Proc.spawn(() -> {
                MonitorRef ref = Proc.monitor(victim);
                watching.countDown();
                Proc.receive(m -> m instanceof Down d && d.ref().equals(ref), T).orElseThrow();
                atDown.complete(List.of(reg.meta("owned-by"), reg.meta("epitaph")));
            });
            assertTrue(watching.await(T.toMillis(), TimeUnit.MILLISECONDS));
            if (how.equals("kill")) {
                Proc.exit(victim, ExitReason.kill());
            }
            end.countDown();
            assertEquals(List.of(java.util.Optional.empty(), java.util.Optional.of(how)),
                    atDown.get(T.toMillis(), TimeUnit.MILLISECONDS), "the exit hook's metadata changes, seen at the DOWN");
        } finally {
            GenServer.stop(reg.pid());
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                if (latch.await(1, TimeUnit.MINUTES)) {
                    break;
                }
                throw new AssertionError("a latch was not released within a minute");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
