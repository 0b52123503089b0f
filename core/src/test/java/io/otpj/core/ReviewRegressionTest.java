package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.awaitQuietly;
import static io.otpj.core.Probe.drainMailbox;
import static io.otpj.core.Probe.eval;
import static io.otpj.core.Probe.gated;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.idle;
import static io.otpj.core.Probe.join;
import static io.otpj.core.Probe.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for the findings of the concurrency review of core (fixed in 4d8ee79). Each
 * test reproduces one finding as the reviewer's program did; races the runtime cannot be paused
 * in are run as many short trials, each ending on an event (a join, a DOWN, a latch), never on
 * elapsed time.
 */
@Timeout(120)
class ReviewRegressionTest {

    record Msg(int i) {}

    /** Spins for roughly {@code n} pauses: varies where in the other thread's work a signal lands. */
    private static void spin(int n) {
        for (int k = 0; k < n; k++) {
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- 1. broken exceptions

    /** An exception whose getMessage throws (so toString, and printing its stack, throw too). */
    static RuntimeException brokenMessage() {
        return new RuntimeException() {
            @Override
            public String getMessage() {
                throw new IllegalStateException("getMessage failed");
            }
        };
    }

    /** An exception whose toString throws (printing its stack trace calls it). */
    static RuntimeException brokenToString() {
        return new RuntimeException("broken") {
            @Override
            public String toString() {
                throw new IllegalStateException("toString failed");
            }
        };
    }

    /** An exception whose toString throws an Error, not a RuntimeException. */
    static RuntimeException brokenWithError() {
        return new RuntimeException("broken") {
            @Override
            public String toString() {
                throw new AssertionError("toString failed with an Error");
            }
        };
    }

    static RuntimeException broken(String kind) {
        return switch (kind) {
            case "getMessage" -> brokenMessage();
            case "toString" -> brokenToString();
            case "toStringError" -> brokenWithError();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /**
     * Review finding: a process whose exception could not be printed (its getMessage or toString
     * throws) never died: the crash log threw out of the death path, leaving it alive forever.
     */
    @ParameterizedTest
    @ValueSource(strings = {"getMessage", "toString", "toStringError"})
    void processDiesEvenWhenItsExceptionCannotBePrinted(String kind) {
        RuntimeException boom = broken(kind);
        Pid z = gated(() -> {
            throw boom;
        });
        CompletableFuture<ExitReason> down = watch(z);
        Proc.send(z, "go");
        ExitReason reason = get(down);
        ExitReason.Crash crash = assertInstanceOf(ExitReason.Crash.class, reason, "reason type");
        assertTrue(crash.cause() == boom, "the crash carries the process's own exception");
        assertFalse(Proc.isAlive(z));
        join(z);
    }

    /** The same for a GenServer whose callback throws such an exception and whose state cannot be printed. */
    @ParameterizedTest
    @ValueSource(strings = {"getMessage", "toString", "toStringError"})
    void genServerDiesEvenWhenItsExceptionAndStateCannotBePrinted(String kind) {
        RuntimeException boom = broken(kind);
        Object unprintable = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("state toString failed");
            }
        };
        Pid pid = GenServer.start(new Scripted(), self -> self.ok(List.of(unprintable))).pid();
        CompletableFuture<ExitReason> down = watch(pid);
        GenServer.cast(pid, new Scripted.Step((self, s) -> {
            throw boom;
        }));
        ExitReason reason = get(down);
        // Only the kind of reason: ExitException's constructor prints the reason, so for such an
        // exception the crash's cause is today the printing failure, not the callback's exception.
        assertInstanceOf(ExitReason.Crash.class, reason, "reason type");
        assertFalse(Proc.isAlive(pid));
        join(pid);
    }

    // ---------------------------------------------------------------- 2. nothing after DOWN

    /**
     * Review finding: a killed process's own code kept running between the exit CAS and the end
     * of its death processing, so a sender in a tight loop got messages into the watcher's
     * mailbox after its DOWN. Each trial: the watcher kills the sender, reads up to the DOWN,
     * waits until the sender's thread has finished (it can send nothing more), then drains the
     * rest of its mailbox: none of it may come from the sender.
     */
    @Test
    void killedSendersMessagesNeverArriveAfterItsDown() {
        int trials = 200;
        int violations = eval(() -> {
            int bad = 0;
            Pid w = Proc.self();
            for (int t = 0; t < trials; t++) {
                CountDownLatch sending = new CountDownLatch(1);
                Pid x = Proc.spawn(() -> {
                    sending.countDown();
                    for (int i = 0; ; i++) {
                        Proc.send(w, new Msg(i));
                    }
                });
                MonitorRef ref = Proc.monitor(x);
                awaitQuietly(sending);
                spin((t % 20) * 10);
                Proc.exit(x, ExitReason.kill());
                for (;;) {
                    Object m = Proc.receive(WAIT).orElseThrow(() -> new AssertionError("no DOWN for " + x));
                    if (m instanceof Down d && d.ref() == ref) {
                        assertEquals(ExitReason.killed(), d.reason());
                        break;
                    }
                    assertInstanceOf(Msg.class, m);
                }
                join(x);
                List<Object> after = drainMailbox();
                if (!after.isEmpty()) {
                    bad++;
                }
            }
            return bad;
        });
        assertEquals(0, violations, "trials (of " + trials + ") in which the killed sender's messages arrived after its DOWN");
    }

    /**
     * A via registry whose lookup blocks (as one that takes a lock or asks a server would) until
     * the test releases it; it resolves every key to {@code target}. It swallows the interrupt
     * of a kill while it waits, as blocking user code may.
     */
    static final class BlockingLookupRegistry implements NameRegistry {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Pid target;

        @Override
        public Pid registerName(Object key, Pid pid) {
            throw new UnsupportedOperationException("lookups only");
        }

        @Override
        public void unregisterName(Object key) {}

        @Override
        public Pid whereisName(Object key) {
            entered.countDown();
            boolean interrupted = false;
            for (;;) {
                try {
                    if (!release.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new IllegalStateException("lookup never released");
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return target;
        }
    }

    /**
     * The deterministic form of the finding above: the sender is killed while its send is
     * resolving a via-name (user code, between the runtime's liveness check and the delivery).
     * When the lookup returns, the send must not deliver: the watcher already has the DOWN.
     */
    @Test
    void killedSendersViaNameSendNeverArrivesAfterItsDown() {
        BlockingLookupRegistry reg = new BlockingLookupRegistry();
        List<Object> after = eval(() -> {
            reg.target = Proc.self();
            Pid x = Proc.spawn(() -> Proc.send(Name.via(reg, "watcher"), "sent by the killed process"));
            MonitorRef ref = Proc.monitor(x);
            awaitQuietly(reg.entered);
            Proc.exit(x, ExitReason.kill());
            Object down = Proc.receive(m -> m instanceof Down d && d.ref() == ref, WAIT)
                    .orElseThrow(() -> new AssertionError("no DOWN for " + x));
            assertEquals(ExitReason.killed(), ((Down) down).reason());
            reg.release.countDown();
            join(x);
            return drainMailbox();
        });
        assertEquals(List.of(), after, "messages from the killed sender that arrived after its DOWN");
    }

    // ---------------------------------------------------------------- 3. link from a dead process

    /**
     * Review finding: a killed process whose code swallowed the interrupt and then called
     * {@code link(b)} killed the innocent b (it linked a dead process, and b got its exit signal).
     */
    @ParameterizedTest
    @ValueSource(strings = {"kill", "shutdown"})
    void killedProcessLinkingDoesNotKillAnInnocentProcess(String how) {
        Pid b = idle();
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch after = new CountDownLatch(1);
        AtomicReference<Throwable> linkOutcome = new AtomicReference<>();
        Pid x = Proc.spawn(() -> {
            in.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                // user code swallowing the interrupt of its own kill
            }
            try {
                Proc.link(b);
            } catch (Throwable e) {
                linkOutcome.set(e);
                throw e;
            } finally {
                after.countDown();
            }
        });
        await(in);
        Proc.exit(x, how.equals("kill") ? ExitReason.kill() : ExitReason.shutdown());
        await(after);
        join(x);
        assertFalse(Proc.isAlive(x));
        assertInstanceOf(ProcessExit.class, linkOutcome.get(), "link from a dead process unwinds it");
        assertTrue(Proc.isAlive(b), "innocent process killed by a dead process's link; its reason: " + b.pcb.exitReason);
        assertEquals(List.of(), Proc.info(b).orElseThrow().links(), "no stale link to the dead process");
        Proc.exit(b, ExitReason.kill());
    }

    // ---------------------------------------------------------------- 4. spawnLink race

    /**
     * Review finding: a child created by {@code spawnLink} and killed (through the link) before its
     * thread started still ran its body, and what it sent reached other processes. Each trial
     * kills a parent that spawns linked children in a loop; a child that finds itself dead sends
     * to an observer, which must never hear from one.
     */
    @Test
    void childOfParentKilledDuringSpawnLinkNeverActsWhileDead() {
        CompletableFuture<Integer> count = new CompletableFuture<>();
        Pid obs = Proc.spawn(() -> {
            int n = 0;
            for (;;) {
                Object m = Proc.receive();
                if (m instanceof CompletableFuture<?> f) {
                    @SuppressWarnings("unchecked")
                    CompletableFuture<Integer> reply = (CompletableFuture<Integer>) f;
                    reply.complete(n);
                    return;
                }
                n++;
            }
        });
        int trials = 300;
        Runnable child = () -> {
            if (!Proc.isAlive(Proc.self())) {
                Proc.send(obs, "ran while dead");
            }
            Proc.receive();
        };
        long spawned = 0;
        for (int t = 0; t < trials; t++) {
            CountDownLatch started = new CountDownLatch(1);
            Queue<Pid> children = new ConcurrentLinkedQueue<>();
            Pid a = Proc.spawn(() -> {
                started.countDown();
                for (;;) {
                    // Recorded after spawnLink returns: every child whose thread was started is here.
                    children.add(Proc.spawnLink(child));
                }
            });
            await(started);
            spin((t % 50) * 40);
            Proc.exit(a, ExitReason.shutdown());
            join(a);
            for (Pid c : children) {
                join(c);
                assertFalse(Proc.isAlive(c), c + " outlived its linked parent");
            }
            spawned += children.size();
        }
        Proc.send(obs, count);
        assertEquals(0, get(count), "children (of " + spawned + ") that ran and reached another process while dead");
    }

    // ---------------------------------------------------------------- 5. unlink vs death

    /**
     * Review finding: after {@code unlink(o)} had returned, o's death (already in progress) still
     * killed the caller. Each trial: s is linked to o; many monitors on o widen the window between
     * o's death starting and its link signals; s unlinks while the test kills o. s's exit hook
     * records whether unlink had already returned when s died: it must never have.
     */
    @Test
    void unlinkThatReturnedIsNeverUndoneByAConcurrentDeath() {
        int trials = 300;
        int violations = 0;
        int linkWon = 0;
        for (int t = 0; t < trials; t++) {
            AtomicBoolean unlinkReturned = new AtomicBoolean();
            CompletableFuture<Boolean> diedAfterUnlink = new CompletableFuture<>();
            CompletableFuture<Pid> ready = new CompletableFuture<>();
            CompletableFuture<Pid> helperPid = new CompletableFuture<>();
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            Pid s = Proc.spawn(() -> {
                Pid o = Proc.spawnLink(() -> Proc.receive());
                Pid me = Proc.self();
                Proc.onExit(me, () -> diedAfterUnlink.complete(unlinkReturned.get()));
                helperPid.complete(Proc.spawn(() -> {
                    for (int i = 0; i < 3000; i++) {
                        Proc.monitor(o);
                    }
                    ready.complete(o);
                    Proc.receive();
                }));
                try {
                    awaitQuietly(go);
                    Proc.unlink(o);
                    unlinkReturned.set(true);
                    awaitQuietly(checked);
                } catch (InterruptedException e) {
                    return; // killed: the exit hook has recorded it
                }
                diedAfterUnlink.complete(false);
            });
            Pid o = get(ready);
            go.countDown();
            spin((t % 50) * 20);
            // Runs o's whole death, link signals included, on this thread.
            Proc.exit(o, ExitReason.of("boom"));
            checked.countDown();
            if (get(diedAfterUnlink)) {
                violations++;
            }
            join(s);
            if (s.pcb.exitReason instanceof ExitReason.Term) {
                linkWon++;
            }
            Proc.exit(get(helperPid), ExitReason.kill());
        }
        assertEquals(0, violations, "trials (of " + trials + ", link signal first in " + linkWon
                + ") where the caller was killed by the link after unlink had returned");
    }

    // ---------------------------------------------------------------- 6. suspended server

    /**
     * Review finding: a suspended GenServer handled only system requests, so the exit signal of
     * its parent (a supervisor shutting it down) waited forever; the server neither ran
     * terminate nor exited.
     */
    @Test
    void suspendedTrappingServerStillObeysItsParentsShutdown() {
        CompletableFuture<ExitReason> terminated = new CompletableFuture<>();
        ExitReason down = eval(() -> {
            Proc.trapExit(true);
            Pid s = GenServer.startLink(new GenServer<Object, Object>() {
                @Override
                public InitResult<Object> init(Object o) {
                    Proc.trapExit(true);
                    return ok(o);
                }

                @Override
                public void terminate(ExitReason r, Object st) {
                    terminated.complete(r);
                }
            }, "s").pid();
            Sys.suspend(s);
            MonitorRef m = Proc.monitor(s);
            Proc.exit(s, ExitReason.shutdown());
            return Proc.receive(x -> x instanceof Down d && d.ref() == m, WAIT)
                    .map(x -> ((Down) x).reason())
                    .orElseThrow(() -> new AssertionError("suspended server ignored its parent's shutdown"));
        });
        assertEquals(ExitReason.shutdown(), down);
        assertEquals(ExitReason.shutdown(), get(terminated), "terminate ran with the parent's reason");
    }

    // ---------------------------------------------------------------- 7. dead pid, state freed

    /** Starts and stops a server whose state is a large array; returns only a weak reference to that state. */
    private static WeakReference<Object> startAndStopServerWithBigState(List<Pid> keep) {
        AtomicReference<WeakReference<Object>> ref = new AtomicReference<>();
        Pid p = GenServer.start(new GenServer<Object, Object>() {
            @Override
            public InitResult<Object> init(Object ignored) {
                Object big = new byte[8 << 20];
                ref.set(new WeakReference<>(big));
                return ok(big);
            }
        }, null).pid();
        GenServer.stop(p);
        join(p);
        keep.add(p);
        return ref.get();
    }

    /**
     * Review finding: a stopped GenServer's state stayed reachable from its pid (through the
     * finished thread the pid's control block still referenced), so holding pids of dead servers
     * leaked their states.
     */
    @Test
    void stoppedServersStateIsUnreachableWhileItsPidIsHeld() {
        List<Pid> held = new ArrayList<>();
        WeakReference<Object> state = startAndStopServerWithBigState(held);
        for (int i = 0; i < 50 && state.get() != null; i++) {
            System.gc();
        }
        // Not assertNull: a failure would print the whole array.
        assertTrue(state.get() == null, "the dead server's state is still reachable after 50 collections");
        assertEquals(1, held.size());
        assertFalse(Proc.isAlive(held.getFirst()));
    }

    // ---------------------------------------------------------------- 8. start waits for exit hooks

    /**
     * A via registry that releases a name in a slow exit hook: a start (or stop) that returned
     * before the hook finished would see the name still taken.
     */
    static final class SlowReleaseRegistry implements NameRegistry {
        final ConcurrentHashMap<Object, Pid> map = new ConcurrentHashMap<>();

        @Override
        public Pid registerName(Object key, Pid pid) {
            Pid prev = map.putIfAbsent(key, pid);
            if (prev != null) {
                return prev;
            }
            if (!Proc.onExit(pid, () -> {
                // Widens the window between the death and the release of the name.
                for (long end = System.nanoTime() + 5_000_000L; System.nanoTime() < end; ) {
                    Thread.onSpinWait();
                }
                map.remove(key, pid);
            })) {
                map.remove(key, pid);
            }
            return null;
        }

        @Override
        public void unregisterName(Object key) {
            map.remove(key);
        }

        @Override
        public Pid whereisName(Object key) {
            return map.get(key);
        }
    }

    /**
     * Review finding: {@code start} returned Failed as soon as the new process's exit CAS was
     * done, before its exit hooks ran, so the via-name was still registered when it returned.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stopInit", "errorInit"})
    void failedStartReturnsOnlyAfterTheNameIsReleased(String how) {
        SlowReleaseRegistry reg = new SlowReleaseRegistry();
        ExitReason refused = ExitReason.shutdown("init refused");
        Function<GenServer<Object, Object>, InitResult<Object>> result =
                g -> how.equals("stopInit") ? g.stopInit(refused) : g.errorInit(refused);
        int stale = 0;
        int trials = 20;
        for (int t = 0; t < trials; t++) {
            String key = "k" + t;
            StartResult r = GenServer.start(new GenServer<Object, Object>() {
                @Override
                public InitResult<Object> init(Object o) {
                    return result.apply(this);
                }
            }, null, Name.via(reg, key));
            assertEquals(new StartResult.Failed(refused), r);
            if (reg.map.containsKey(key)) {
                stale++;
            }
        }
        assertEquals(0, stale, "starts (of " + trials + ") that returned while the name was still registered");
    }

    /** The same guarantee for {@code stop}: it returns with the name free. */
    @Test
    void stopReturnsOnlyAfterTheNameIsReleased() {
        SlowReleaseRegistry reg = new SlowReleaseRegistry();
        int stale = 0;
        int trials = 20;
        for (int t = 0; t < trials; t++) {
            String key = "s" + t;
            Pid p = GenServer.start(new Scripted(), self -> self.ok(List.of()), Name.via(reg, key)).pid();
            GenServer.stop(p);
            if (reg.map.containsKey(key)) {
                stale++;
            }
        }
        assertEquals(0, stale, "stops (of " + trials + ") that returned while the name was still registered");
    }

    // ---------------------------------------------------------------- monitor of a dying process

    /**
     * A monitor set on a process that is dead but still running its exit hooks (a registry
     * removing its keys) must not deliver its DOWN before those hooks have run: a DOWN means
     * the death is settled, as it does for the monitors the death itself fires. Found by the
     * registry's LeakTest, which saw entries of a process whose DOWN it had already received.
     */
    @Test
    void aMonitorSetDuringTheExitHooksFiresAfterThem() throws Exception {
        CountDownLatch inHook = new CountDownLatch(1), releaseHook = new CountDownLatch(1);
        AtomicBoolean hookDone = new AtomicBoolean();
        Pid victim = idle();
        assertTrue(Proc.onExit(victim, () -> {
            inHook.countDown();
            awaitInHook(releaseHook);
            hookDone.set(true);
        }));
        Thread killer = Thread.ofPlatform().start(() -> Proc.exit(victim, ExitReason.kill()));
        await(inHook);
        assertFalse(victim.isAlive());
        CompletableFuture<Boolean> hookDoneAtDown = new CompletableFuture<>();
        Proc.spawn(() -> {
            Proc.monitor(victim);
            Proc.receive(Down.class, WAIT).orElseThrow();
            hookDoneAtDown.complete(hookDone.get());
        });
        // While the hook runs, the DOWN must not come (a wrong DOWN comes at once).
        try {
            hookDoneAtDown.get(200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException expected) {
            // right: the monitor waits for the death to settle
        }
        releaseHook.countDown();
        assertTrue(get(hookDoneAtDown), "DOWN arrived before the dying process's exit hooks had run");
        killer.join();
    }

    private static void awaitInHook(CountDownLatch latch) {
        try {
            Probe.awaitQuietly(latch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
