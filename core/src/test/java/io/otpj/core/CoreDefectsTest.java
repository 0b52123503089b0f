package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.awaitQuietly;
import static io.otpj.core.Probe.drainMailbox;
import static io.otpj.core.Probe.eval;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.idle;
import static io.otpj.core.Probe.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One regression test per defect of the second concurrency review of core ("core correctness you
 * can see"), each asserting OTP's behaviour. Races that cannot be paused are run as many trials,
 * each ending on an event (a DOWN, a join, a latch), never on elapsed time; where a pause is
 * possible (a blocking exit hook, a latch in {@code init}) the test holds the window open instead.
 */
@Timeout(120)
class CoreDefectsTest {

    /** Waits, ignoring interrupts (as user code may), until {@code latch} opens. */
    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("latch not released within " + WAIT);
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects garbage until {@code ref} is cleared, at most 50 times. */
    static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }

    // ---------------------------------------------------------------- 2. effects after DOWN

    /**
     * Defect 2: {@code exit(pid, reason)} from a process checked the unwind flag outside the guard
     * that sends use, so a watcher that had received {@code Down(x)} could still receive
     * {@code Exit(x, ...)} from x: a process already seen dead could kill. Each trial: x signals
     * the trapping watcher in a loop; the watcher kills x, reads up to x's DOWN, waits for x's
     * thread to end, then drains its mailbox: no exit signal from x may follow the DOWN.
     */
    @Test
    void aKilledProcessesExitSignalsNeverArriveAfterItsDown() {
        int trials = 2_000;
        int violations = eval(() -> {
            Proc.trapExit(true);
            Pid w = Proc.self();
            int bad = 0;
            for (int t = 0; t < trials; t++) {
                CountDownLatch running = new CountDownLatch(1);
                Pid x = Proc.spawn(() -> {
                    running.countDown();
                    for (;;) {
                        Proc.exit(w, ExitReason.of("ping"));
                    }
                });
                MonitorRef ref = Proc.monitor(x);
                awaitQuietly(running);
                Proc.exit(x, ExitReason.kill());
                for (;;) {
                    Object m = Proc.receive(WAIT).orElseThrow(() -> new AssertionError("no DOWN for " + x));
                    if (m instanceof Down d && d.ref() == ref) {
                        break;
                    }
                }
                join(x);
                for (Object m : drainMailbox()) {
                    if (m instanceof Exit e && e.from().equals(x)) {
                        bad++;
                        break;
                    }
                }
            }
            return bad;
        });
        assertEquals(0, violations, "trials (of " + trials + ") with an exit signal from x after x's DOWN");
    }

    // ---------------------------------------------------------------- 3. timers addressed to a pid

    /**
     * Defect 3: a timer addressed to a pid outlived the process, keeping its task, its message and
     * the control block until it fired (an hour later here). As on the BEAM, the process's exit
     * cancels it: the message becomes unreachable and {@code cancel} finds nothing to cancel.
     */
    @Test
    void aTimerAddressedToAPidIsCancelledWhenThatProcessExits() {
        Pid target = idle();
        Object[] payload = {new byte[16 << 20]};
        WeakReference<Object> message = new WeakReference<>(payload);
        TimerRef timer = Proc.sendAfter(target, payload, Duration.ofHours(1));
        payload = null;
        assertTrue(timer.remaining().isPresent());
        CompletableFuture<ExitReason> down = Probe.watch(target);
        Proc.exit(target, ExitReason.kill());
        get(down);
        assertEquals(Optional.empty(), timer.cancel(), "the exit cancelled the timer");
        assertEquals(Optional.empty(), timer.remaining());
        assertTrue(collected(message), "the dead process's timer message is still reachable");
    }

    /** The other half of the rule: a timer addressed to a name is not tied to any process. */
    @Test
    void aTimerAddressedToANameOutlivesItsFirstHolder() {
        String name = "timer-name-" + System.nanoTime();
        Pid first = idle();
        Proc.register(name, first);
        TimerRef timer = Proc.sendAfter(Name.local(name), "for whoever holds it", Duration.ofHours(1));
        CompletableFuture<ExitReason> down = Probe.watch(first);
        Proc.exit(first, ExitReason.kill());
        get(down);
        assertTrue(timer.cancel().isPresent(), "a name's timer must still be pending");
    }

    /** A timer addressed to a process already gone is never scheduled. */
    @Test
    void aTimerAddressedToADeadPidIsBornCancelled() {
        Pid gone = Proc.spawn(() -> {});
        join(gone);
        CompletableFuture<ExitReason> down = Probe.watch(gone);
        get(down);
        TimerRef timer = Proc.sendAfter(gone, "nobody", Duration.ofMillis(1));
        assertEquals(Optional.empty(), timer.remaining());
        assertEquals(Optional.empty(), timer.cancel());
    }

    // ---------------------------------------------------------------- 4. what a dead pid keeps

    private static WeakReference<Object> spawnAndEndCapturing(List<Pid> held) {
        Object captured = new byte[1 << 20];
        CountDownLatch ran = new CountDownLatch(1);
        Pid p = Proc.spawn(() -> {
            if (captured.hashCode() != 0) {
                ran.countDown();
            }
        });
        held.add(p);
        await(ran);
        join(p);
        return new WeakReference<>(captured);
    }

    /**
     * Defect 4: the control block kept the spawned body (and what it captured) in a field no one
     * read, so a held pid of a dead process kept the whole closure.
     */
    @Test
    void aDeadProcessesPidKeepsNothingItsBodyCaptured() {
        List<Pid> held = new ArrayList<>();
        WeakReference<Object> captured = spawnAndEndCapturing(held);
        assertTrue(collected(captured), "the dead process's captured state is reachable from its pid");
        assertFalse(Proc.isAlive(held.getFirst()));
    }

    record Payload(byte[] bytes) {}

    /**
     * otp-semantics.md: "a dead pid keeps nothing of the process alive but its identity", for the
     * messages still queued when it died. A process killed while parked in a receive (that
     * matches none of them) releases them at its death. One killed while busy outside otpj (a
     * zombie, which swallows the kill's interrupt) keeps its queue until its thread ends, as
     * docs/processes.md says ("What a dead pid keeps"); once it has ended, the pid keeps none.
     */
    @Test
    void theMessagesQueuedInADeadProcessesMailboxAreReleased() {
        for (boolean busy : new boolean[] {false, true}) {
            CountDownLatch never = new CountDownLatch(1), holding = new CountDownLatch(1);
            Pid p = Proc.spawn(() -> {
                holding.countDown();
                if (busy) {
                    awaitUninterruptibly(never); // swallows the kill: the queue is never read
                } else {
                    Proc.receive(m -> m == never, Proc.INFINITY); // matches nothing it is sent
                }
            });
            Probe.await(holding);
            List<WeakReference<Object>> queued = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                queued.add(sendBig(p));
            }
            CompletableFuture<ExitReason> down = Probe.watch(p);
            Proc.exit(p, ExitReason.kill());
            assertEquals(ExitReason.killed(), Probe.get(down));
            if (busy) {
                never.countDown(); // the zombie's code returns
                join(p);
            }
            for (WeakReference<Object> ref : queued) {
                assertTrue(collected(ref), "a message queued for the dead process (busy: " + busy
                        + ") is reachable from its pid");
            }
            assertFalse(Proc.isAlive(p)); // the pid itself is still held here
        }
    }

    private static WeakReference<Object> sendBig(Pid to) {
        Payload p = new Payload(new byte[4 << 20]);
        Proc.send(to, p);
        return new WeakReference<>(p);
    }

    /** Keeps nothing of the messages it handles. */
    static final class Forgetful implements GenServer<Void, Integer> {
        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer n) {
            return reply(n, n + 1);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer n) {
            return noreply(n + 1);
        }
    }

    private static WeakReference<Object> castBig(Pid server) {
        Payload p = new Payload(new byte[4 << 20]);
        GenServer.cast(server, p);
        return new WeakReference<>(p);
    }

    private static WeakReference<Object> callBig(Pid server) {
        Payload p = new Payload(new byte[4 << 20]);
        GenServer.call(server, p);
        return new WeakReference<>(p);
    }

    /**
     * Defect 4: an idle GenServer kept its last message (a big payload here, or a call's
     * {@code From} with its caller's thread) until the next one arrived.
     */
    @Test
    void anIdleServerKeepsNoneOfItsLastMessages() {
        Pid server = GenServer.start(new Forgetful(), null).pid();
        WeakReference<Object> cast = castBig(server);
        GenServer.call(server, "sync"); // the cast has been handled
        WeakReference<Object> call = callBig(server);
        assertTrue(collected(cast), "an idle server still holds the last cast it handled");
        assertTrue(collected(call), "an idle server still holds the last call it handled");
        GenServer.stop(server);
    }

    // ---------------------------------------------------------------- 5. interrupts

    /**
     * Answers every call once its caller's thread is parked, interrupts that thread, and then
     * releases {@code done}: the caller reads its interrupt status only after both happened.
     */
    record Caller(Thread thread, java.util.concurrent.Semaphore done) {}

    static final class ReplyThenInterrupt implements GenServer<Caller, Caller> {
        @Override
        public InitResult<Caller> init(Caller caller) {
            return ok(caller);
        }

        @Override
        public CallResult<Caller> handleCall(Object request, From from, Caller caller) {
            Thread t = caller.thread();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            from.reply(request);
            t.interrupt();
            caller.done().release();
            return noreply(caller);
        }
    }

    /**
     * Defect 5: a plain thread interrupted while its reply won the race returned the reply with
     * its interrupt status cleared. {@code java.util.concurrent} never swallows an interrupt: the
     * call returns its reply (or, had the interrupt come first, throws
     * {@link CallInterruptedException}), and either way the interrupt status is still set.
     */
    @Test
    void aPlainCallerInterruptedAsItsReplyArrivesKeepsItsInterrupt() throws Exception {
        int trials = 200;
        AtomicInteger lost = new AtomicInteger();
        Thread caller = Thread.ofPlatform().unstarted(() -> {
            Caller me = new Caller(Thread.currentThread(), new java.util.concurrent.Semaphore(0));
            Pid server = GenServer.start(new ReplyThenInterrupt(), me).pid();
            for (int t = 0; t < trials; t++) {
                boolean replied;
                try {
                    replied = Integer.valueOf(t).equals(GenServer.call(server, t, Proc.INFINITY));
                } catch (CallInterruptedException e) {
                    replied = true; // the interrupt came first: allowed
                }
                me.done().acquireUninterruptibly(); // keeps the status as it finds it
                if (!replied || !Thread.interrupted()) {
                    lost.incrementAndGet();
                }
            }
            GenServer.stop(server);
        });
        caller.start();
        assertTrue(caller.join(WAIT), "caller did not finish");
        assertEquals(0, lost.get(), "calls (of " + trials + ") that returned with the interrupt status cleared");
    }

    /**
     * Defect 5: a process parked in {@code receive} that its own code's peer interrupted (not a
     * kill) lost the interrupt. The receive goes on waiting (a process's receive is not
     * interruptible) and returns the message with the interrupt status set.
     */
    @Test
    void aLiveProcessesInterruptSurvivesItsReceive() {
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        Pid p = Proc.spawn(() -> {
            Object m = Proc.receive();
            interruptedAfter.complete("go".equals(m) && Thread.currentThread().isInterrupted());
        });
        Thread t = p.pcb.thread;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        t.interrupt();
        Proc.send(p, "go");
        assertTrue(get(interruptedAfter), "the receive swallowed an interrupt aimed at a live process");
    }

    // ---------------------------------------------------------------- 6. exit(kill) by oneself

    /**
     * Defect 6: only {@code exit(pid, kill)} is untrappable and turns into {@code killed}. A
     * process that ends itself with reason {@code kill} exits with {@code kill}: a trapping link
     * receives {@code Exit(p, kill)}, a monitor gets {@code Down(..., kill)}, and a non-trapping
     * link dies with {@code kill} (checked on OTP 25).
     */
    @Test
    void aProcessEndingItselfWithKillSendsAnOrdinaryKill() {
        record Seen(ExitReason trapped, ExitReason down, ExitReason nonTrapping) {}
        Seen seen = eval(() -> {
            Proc.trapExit(true);
            CountDownLatch linked = new CountDownLatch(1);
            Pid p = Proc.spawnLink(() -> {
                awaitUninterruptibly(linked);
                throw Proc.exit(ExitReason.kill());
            });
            // A second, non-trapping process linked to p.
            CompletableFuture<ExitReason> plain = new CompletableFuture<>();
            CountDownLatch plainLinked = new CountDownLatch(1);
            Pid q = Proc.spawn(() -> {
                Proc.link(p);
                plainLinked.countDown();
                Proc.receive();
            });
            MonitorRef qRef = Proc.monitor(q);
            MonitorRef pRef = Proc.monitor(p);
            awaitQuietly(plainLinked);
            linked.countDown();
            Exit e = Proc.receive(Exit.class, WAIT).orElseThrow();
            Down d = (Down) Proc.receive(m -> m instanceof Down dd && dd.ref() == pRef, WAIT).orElseThrow();
            Down dq = (Down) Proc.receive(m -> m instanceof Down dd && dd.ref() == qRef, WAIT).orElseThrow();
            plain.complete(dq.reason());
            return new Seen(e.reason(), d.reason(), get(plain));
        });
        assertEquals(new Seen(ExitReason.kill(), ExitReason.kill(), ExitReason.kill()), seen);
    }

    /** And {@code GenServer.stop(pid, kill)} ends the server with {@code kill}, after terminate. */
    @Test
    void stoppingAServerWithKillEndsItWithKill() {
        Pid server = GenServer.start(new Forgetful(), null).pid();
        CompletableFuture<ExitReason> down = Probe.watch(server);
        GenServer.stop(server, ExitReason.kill());
        assertEquals(ExitReason.kill(), get(down));
    }

    // ---------------------------------------------------------------- 7. init acknowledged

    /**
     * Defect 7: {@code init}'s acknowledgement did not go through the guarded reply path, so a
     * starter could get {@code Ok(pid)} for a process killed during its {@code init}. The kill's
     * exit hook holds the death half-processed (decided, callers not yet told) while init returns
     * ok; the start must still fail with {@code killed}.
     */
    @Test
    void aServerKilledDuringInitIsNeverReportedStarted() {
        CountDownLatch inHook = new CountDownLatch(1), releaseHook = new CountDownLatch(1);
        CountDownLatch releaseInit = new CountDownLatch(1);
        CompletableFuture<Pid> self = new CompletableFuture<>();
        GenServer<Void, Integer> server = new GenServer<>() {
            @Override
            public InitResult<Integer> init(Void arg) {
                Pid me = Proc.self();
                Proc.onExit(me, () -> {
                    inHook.countDown();
                    awaitUninterruptibly(releaseHook);
                });
                self.complete(me);
                awaitUninterruptibly(releaseInit); // swallows the kill's interrupt
                return ok(0);
            }
        };
        CompletableFuture<StartResult> started = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> started.complete(GenServer.start(server, null)));
        Pid pid = get(self);
        Thread killer = Thread.ofPlatform().start(() -> Proc.exit(pid, ExitReason.kill()));
        await(inHook);
        releaseInit.countDown(); // init now returns ok while the death is half done
        join(pid); // its thread has acknowledged (or tried to) and ended; the hook still blocks
        releaseHook.countDown();
        assertEquals(new StartResult.Failed(ExitReason.killed()), get(started));
        try {
            assertTrue(killer.join(WAIT));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- 8. waits on others' progress

    /**
     * Defect 8: monitoring or linking a process whose exit hooks were running spun until they had
     * run, with no bound: a hook that blocks held the monitoring process's carrier spinning. Now
     * the monitor and the link return at once, and their {@code noproc} comes when the hooks are
     * done.
     */
    @Test
    void monitorAndLinkOfADyingProcessDoNotWaitForItsExitHooks() {
        CountDownLatch inHook = new CountDownLatch(1), releaseHook = new CountDownLatch(1);
        Pid dying = idle();
        Proc.onExit(dying, () -> {
            inHook.countDown();
            awaitUninterruptibly(releaseHook);
        });
        Thread killer = Thread.ofPlatform().start(() -> Proc.exit(dying, ExitReason.kill()));
        await(inHook);
        CountDownLatch returned = new CountDownLatch(2);
        CompletableFuture<List<Object>> seen = new CompletableFuture<>();
        Proc.spawn(() -> {
            Proc.trapExit(true);
            MonitorRef ref = Proc.monitor(dying);
            returned.countDown();
            Proc.link(dying);
            returned.countDown();
            Object first = Proc.receive(WAIT).orElseThrow();
            Object second = Proc.receive(WAIT).orElseThrow();
            seen.complete(List.of(first, second, ref));
        });
        await(returned); // both returned while the hook still blocks
        assertFalse(seen.isDone(), "noproc arrived before the dying process's exit hooks had run");
        releaseHook.countDown();
        List<Object> got = get(seen);
        MonitorRef ref = (MonitorRef) got.get(2);
        assertTrue(got.contains(new Down(ref, dying, ExitReason.noproc())), got.toString());
        assertTrue(got.contains(new Exit(dying, ExitReason.noproc())), got.toString());
        try {
            assertTrue(killer.join(WAIT));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Defect 8 (no unbounded wait) with defect 2 (effects land before the DOWN): a kill of a
     * process stuck inside one of its own effects (its start's registration, in a via registry
     * that blocks in {@code registerName}) returns, within its bounded wait; the death completes
     * (DOWN, the starter's failure) when the effect ends, so the registration lands before the
     * DOWN or not at all.
     */
    @Test
    void aKillDoesNotWaitForAVictimStuckInsideAnEffect() {
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        AtomicReference<Pid> victim = new AtomicReference<>();
        NameRegistry blocking = new NameRegistry() {
            @Override
            public Pid registerName(Object key, Pid pid) {
                victim.set(pid);
                entered.countDown();
                awaitUninterruptibly(release);
                return null;
            }

            @Override
            public void unregisterName(Object key) {}

            @Override
            public Pid whereisName(Object key) {
                return null;
            }
        };
        CompletableFuture<StartResult> started = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> started.complete(GenServer.start(new GenServer<Void, Integer>() {
            @Override
            public InitResult<Integer> init(Void arg) {
                return ok(0);
            }
        }, null, Name.via(blocking, "stuck"))));
        await(entered);
        Pid pid = victim.get();
        CompletableFuture<ExitReason> down = Probe.watch(pid);
        Thread killer = Thread.ofPlatform().start(() -> Proc.exit(pid, ExitReason.kill()));
        try {
            assertTrue(killer.join(WAIT), "the kill waited for the victim's effect to end");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(down.isDone(), "DOWN before the victim's effect ended");
        release.countDown();
        assertEquals(ExitReason.killed(), get(down));
        assertEquals(new StartResult.Failed(ExitReason.killed()), get(started));
    }

    /**
     * Found while documenting {@code GenServer.start}: a plain-thread starter interrupted while the
     * new server was still registering its name (inside a registry's code, so inside an effect)
     * returned {@code Failed} at once, and the name was registered and only then released, after
     * the start had returned. "On failure its name is free when start returns": the starter waits
     * for the death to be carried out, as a kill from outside does.
     */
    @Test
    void anInterruptedPlainStarterReturnsOnlyOnceTheNameIsFreeAgain() throws Exception {
        MapRegistry names = new MapRegistry();
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Pid> server = new AtomicReference<>();
        NameRegistry slow = new NameRegistry() {
            @Override
            public Pid registerName(Object key, Pid pid) {
                server.set(pid);
                entered.countDown();
                awaitUninterruptibly(release); // the registry's own code: the kill must wait for it
                Pid taken = names.registerName(key, pid);
                events.add("registered");
                return taken;
            }

            @Override
            public void unregisterName(Object key) {
                names.unregisterName(key);
            }

            @Override
            public Pid whereisName(Object key) {
                return names.whereisName(key);
            }
        };
        CompletableFuture<StartResult> result = new CompletableFuture<>();
        Thread starter = Thread.ofPlatform().start(() -> {
            StartResult r = GenServer.start(new GenServer<Void, Integer>() {
                @Override
                public InitResult<Integer> init(Void arg) {
                    return ok(0);
                }
            }, null, Name.via(slow, "slow-key"));
            // What the caller of start sees the moment it returns.
            events.add("start returned, key " + (names.whereisName("slow-key") == null ? "free" : "held"));
            result.complete(r);
        });
        assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the new server never registered");
        starter.interrupt();
        // The fixed starter now waits for the death to be carried out (parked on the dying
        // process's control block); the old one returned at once.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!result.isDone() && java.util.concurrent.locks.LockSupport.getBlocker(starter) != server.get().pcb) {
            assertTrue(System.nanoTime() < deadline, "the starter neither returned nor waited");
            Thread.onSpinWait();
        }
        release.countDown();
        assertEquals(new StartResult.Failed(ExitReason.of("interrupted")), get(result));
        starter.join(WAIT.toMillis());
        assertEquals(List.of("registered", "start returned, key free"), List.copyOf(events));
    }
}
