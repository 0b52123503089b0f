package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.until;
import static io.otpj.core.Probe.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hibernation releases the process's thread ({@link Action.Hibernate}): the process keeps its pid,
 * name, links, monitors, trap-exit flag, mailbox and state, and its next message, timer, system
 * request, exit signal or kill starts a new thread. The stress cases race wakes and kills against
 * the hibernation itself; their waits are untimed where a lost wake-up would be permanent, under a
 * {@link Watchdog} that also sees a hibernated process holding mail. core's build runs this class
 * a second time with two-slot mailbox chunks and every spin off.
 */
class HibernationTest {

    /** Counts calls and casts; hibernates after every one; the call's reply is the handling thread. */
    static final class Sleepy implements GenServer<Integer, Integer> {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final AtomicLong handled = new AtomicLong();
        final boolean initHibernates;

        Sleepy(boolean initHibernates) {
            this.initHibernates = initHibernates;
        }

        @Override
        public InitResult<Integer> init(Integer arg) {
            return initHibernates ? ok(arg, Action.hibernate()) : ok(arg);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer state) {
            handled.incrementAndGet();
            return switch (request instanceof String str ? str : "") {
                case "thread" -> reply(Thread.currentThread(), state + 1, Action.hibernate());
                case "count" -> reply(state, state, Action.hibernate());
                case "trap" -> {
                    Proc.trapExit(true);
                    yield reply(true, state, Action.hibernate());
                }
                default -> reply(request, state + 1, Action.hibernate());
            };
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer state) {
            handled.incrementAndGet();
            return noreply(state + 1, Action.hibernate());
        }

        @Override
        public CastResult<Integer> handleInfo(Object message, Integer state) {
            handled.incrementAndGet();
            events.add("info:" + message);
            return noreply(state + 1, Action.hibernate());
        }

        @Override
        public void terminate(ExitReason reason, Integer state) {
            events.add("terminate:" + reason + ":" + state);
        }
    }

    private static boolean hibernated(Pid pid) {
        return pid.pcb.hibernated() && pid.pcb.thread == null;
    }

    private static void untilHibernated(Pid pid) {
        until(() -> hibernated(pid), WAIT, pid + " did not hibernate");
    }

    private static Optional<NodeProcess.Status> listed(Pid pid) {
        return Node.current().list().stream().filter(p -> p.pid().equals(pid)).map(NodeProcess::status).findFirst();
    }

    @Test
    void hibernationEndsTheThreadAndTheNextCallRunsOnANewOneWithTheStateKept() throws InterruptedException {
        Pid pid = GenServer.start(new Sleepy(false), 0).pid();
        Thread first = GenServer.call(pid, "thread", WAIT);
        untilHibernated(pid);
        first.join(WAIT.toMillis());
        assertFalse(first.isAlive(), "the thread that hibernated has ended");
        assertEquals(Optional.of(NodeProcess.Status.HIBERNATED), listed(pid));
        assertTrue(pid.isAlive());
        Thread second = GenServer.call(pid, "thread", WAIT);
        assertNotSame(first, second, "woken on a new thread");
        assertEquals(2, (int) GenServer.call(pid, "count", WAIT), "the state survived two wakes");
        assertTrue(Sys.statistics(pid).hibernations() >= 3);
        GenServer.stop(pid);
        assertFalse(pid.isAlive());
    }

    /**
     * otp-semantics.md: handle_cast, handle_info and handle_continue return {noreply, s} "with the
     * same optional timeout / hibernate / continue": each of the three, returning hibernate, ends
     * the thread and keeps the state.
     */
    @Test
    void castInfoAndContinueCanEachHibernate() {
        GenServer<Integer, Integer> server = new GenServer<>() {
            @Override
            public InitResult<Integer> init(Integer arg) {
                return ok(arg);
            }

            @Override
            public CallResult<Integer> handleCall(Object request, From from, Integer state) {
                return reply(state, state);
            }

            @Override
            public CastResult<Integer> handleCast(Object request, Integer state) {
                return "continue".equals(request) ? noreply(state + 1, Action.continueWith("then"))
                        : noreply(state + 1, Action.hibernate());
            }

            @Override
            public CastResult<Integer> handleInfo(Object message, Integer state) {
                return noreply(state + 1, Action.hibernate());
            }

            @Override
            public CastResult<Integer> handleContinue(Object arg, Integer state) {
                return noreply(state + 10, Action.hibernate());
            }
        };
        Pid pid = GenServer.start(server, 0).pid();
        // Each step starts from an awake server (a call's plain reply leaves it awake), so the
        // hibernation seen next is the one its message asked for.
        assertEquals(0, (int) GenServer.call(pid, "state", WAIT));
        assertFalse(hibernated(pid));
        GenServer.cast(pid, "sleep");
        until(() -> hibernated(pid), WAIT, "a cast's hibernate did not hibernate");
        assertEquals(1, (int) GenServer.call(pid, "state", WAIT));
        assertFalse(hibernated(pid));
        Proc.send(pid, "info");
        until(() -> hibernated(pid), WAIT, "an info's hibernate did not hibernate");
        assertEquals(2, (int) GenServer.call(pid, "state", WAIT));
        assertFalse(hibernated(pid));
        GenServer.cast(pid, "continue"); // the cast continues; the continue hibernates
        until(() -> hibernated(pid), WAIT, "a continue's hibernate did not hibernate");
        assertEquals(13, (int) GenServer.call(pid, "state", WAIT), "the state survived the three hibernations");
        GenServer.stop(pid);
    }

    @Test
    void aServerStartedWithHibernateAfterGetsTheCompactMailboxAndKeepsEachSendersOrder() throws InterruptedException {
        assertEquals(16, Mailbox.compactChunk(32));
        assertEquals(16, Mailbox.compactChunk(1 << 10));
        assertEquals(8, Mailbox.compactChunk(16));
        assertEquals(2, Mailbox.compactChunk(2));
        GenServer<Void, List<String>> log = new GenServer<>() {
            @Override
            public InitResult<List<String>> init(Void arg) {
                return ok(new ArrayList<>(), Action.hibernate());
            }

            @Override
            public CastResult<List<String>> handleCast(Object request, List<String> state) {
                state.add((String) request);
                return noreply(state);
            }

            @Override
            public CallResult<List<String>> handleCall(Object request, From from, List<String> state) {
                return reply(List.copyOf(state), state);
            }
        };
        Pid pid = GenServer.start(log, null, StartOptions.defaults().withHibernateAfter(Duration.ofMillis(1))).pid();
        int senders = 3, each = 500; // each burst links many 16-slot chunks, between hibernations
        CountDownLatch done = new CountDownLatch(senders);
        for (int t = 0; t < senders; t++) {
            int sender = t;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    GenServer.cast(pid, sender + ":" + i);
                    if (i % 97 == 0) {
                        Thread.yield();
                    }
                }
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        List<String> got = GenServer.call(pid, "log", WAIT);
        assertEquals(senders * each, got.size(), "every cast arrived once");
        int[] next = new int[senders];
        for (String m : got) {
            int sender = Integer.parseInt(m.substring(0, m.indexOf(':')));
            assertEquals(next[sender]++, Integer.parseInt(m.substring(m.indexOf(':') + 1)), "order of sender " + sender);
        }
        GenServer.stop(pid);
    }

    @Test
    void initCanStartTheServerHibernatedAndACastOrTimerWakesIt() {
        Sleepy s = new Sleepy(true);
        Pid pid = GenServer.start(s, 10).pid();
        untilHibernated(pid);
        GenServer.cast(pid, "bump");
        Proc.sendAfter(pid, "tick", Duration.ofMillis(20));
        assertEquals("info:tick", Probe.take(s.events));
        assertEquals(12, (int) GenServer.call(pid, "count", WAIT));
        GenServer.stop(pid);
    }

    @Test
    void hibernateAfterReleasesTheThreadOfAnIdleServer() {
        GenServer<Void, String> plain = new GenServer<>() {
            @Override
            public InitResult<String> init(Void arg) {
                return ok("s");
            }

            @Override
            public CallResult<String> handleCall(Object request, From from, String state) {
                return reply(state + request, state + request);
            }
        };
        Pid pid = GenServer.start(plain, null, StartOptions.defaults().withHibernateAfter(Duration.ofMillis(10))).pid();
        untilHibernated(pid);
        assertEquals("sx", GenServer.call(pid, "x", WAIT));
        untilHibernated(pid);
        assertEquals("sxy", GenServer.call(pid, "y", WAIT));
        assertEquals("sxy", Sys.getState(pid));
        assertTrue(Sys.statistics(pid).hibernations() >= 2);
        GenServer.stop(pid);
    }

    @Test
    void aSystemRequestWakesItAndItHibernatesAgain() {
        Pid pid = GenServer.start(new Sleepy(true), 5).pid();
        untilHibernated(pid);
        assertEquals(5, (int) Sys.getState(pid));
        untilHibernated(pid);
        Sys.replaceState(pid, (Integer n) -> n * 2);
        untilHibernated(pid);
        assertEquals(10, (int) GenServer.call(pid, "count", WAIT));
        GenServer.stop(pid);
    }

    @Test
    void aHibernatedServerKeepsItsNameLinksAndMonitors() {
        Name name = Name.local("hibernating-named");
        Pid pid = GenServer.start(new Sleepy(true), 0, StartOptions.defaults().withName(name)).pid();
        CompletableFuture<ExitReason> down = watch(pid);
        CompletableFuture<ExitReason> linkedGot = new CompletableFuture<>();
        CountDownLatch linked = new CountDownLatch(1);
        Pid partner = Proc.spawn(() -> {
            Proc.trapExit(true);
            Proc.link(pid);
            linked.countDown();
            Proc.receive(m -> m instanceof Exit e && e.from().equals(pid), WAIT.multipliedBy(2))
                    .ifPresent(m -> linkedGot.complete(((Exit) m).reason()));
        });
        Probe.await(linked);
        untilHibernated(pid);
        assertEquals(Optional.of(pid), Proc.whereis("hibernating-named"));
        assertEquals(List.of(partner), Proc.info(pid).orElseThrow().links());
        assertEquals(1, Proc.info(pid).orElseThrow().monitoredBy());
        assertEquals(0, (int) GenServer.call(name, "count", WAIT), "called by name while hibernated");
        untilHibernated(pid);
        Proc.exit(pid, ExitReason.of("boom"));
        assertEquals(ExitReason.of("boom"), get(down));
        assertEquals(ExitReason.of("boom"), get(linkedGot));
        until(() -> Proc.whereis("hibernating-named").isEmpty(), WAIT, "the name was not released");
    }

    @Test
    void killingAHibernatedServerEndsItOnceWithItsDownAndNoTerminate() {
        Sleepy s = new Sleepy(true);
        long before = Node.current().processCount();
        Pid pid = GenServer.start(s, 0).pid();
        untilHibernated(pid);
        CompletableFuture<ExitReason> down = watch(pid);
        Proc.exit(pid, ExitReason.kill());
        assertEquals(ExitReason.killed(), get(down));
        assertFalse(pid.isAlive());
        until(() -> Node.current().processCount() <= before, WAIT, "the killed server's end did not run");
        assertNull(s.events.poll(), "no terminate on kill");
        assertEquals(Optional.empty(), listed(pid));
    }

    @Test
    void aTrappedExitSignalWakesItAndTerminateSeesTheState() {
        CompletableFuture<Pid> started = new CompletableFuture<>();
        Sleepy s = new Sleepy(false);
        // The parent (a plain process) starts it linked, then shuts it down as a supervisor does.
        CountDownLatch shut = new CountDownLatch(1);
        Pid parent = Proc.spawn(() -> {
            Pid child = GenServer.startLink(s, 7).pid();
            GenServer.call(child, "trap", WAIT);
            started.complete(child);
            try {
                Probe.awaitQuietly(shut);
            } catch (InterruptedException e) {
                return;
            }
            Proc.exit(child, ExitReason.shutdown());
            Proc.receive(Duration.ofSeconds(30));
        });
        Pid child = get(started);
        CompletableFuture<ExitReason> down = watch(child);
        untilHibernated(child);
        shut.countDown();
        assertEquals(ExitReason.shutdown(), get(down));
        assertEquals("terminate:" + ExitReason.shutdown() + ":7", Probe.take(s.events));
        Proc.exit(parent, ExitReason.kill());
    }

    @Test
    void aGenStatemThatHibernatesReleasesItsThreadAndGoesOn() {
        GenStatem<Void, String, Integer> m = new GenStatem<>() {
            @Override
            public Init<String, Integer> init(Void arg) {
                return Init.ok("idle", 0, GenStatem.Action.hibernate());
            }

            @Override
            public Transition<String, Integer> handleEvent(Event<String> event, String state, Integer data) {
                return switch (event) {
                    case Event.Call<String> c -> Transition.keepState(data + 1, GenStatem.Action.reply(c.from(), state + (data + 1)),
                            GenStatem.Action.hibernate());
                    case Event.Cast<String> c -> Transition.nextState("busy", data + 1, GenStatem.Action.hibernate());
                    default -> Transition.keepStateAndData();
                };
            }
        };
        Pid pid = GenStatem.start(m, null).pid();
        untilHibernated(pid);
        assertEquals("idle1", GenStatem.call(pid, "go", WAIT));
        untilHibernated(pid);
        GenStatem.cast(pid, "switch");
        assertEquals("busy3", GenStatem.call(pid, "go", WAIT));
        untilHibernated(pid);
        GenServer.stop(pid);
        assertFalse(pid.isAlive());
    }

    @Test
    void aSuspendedServerKeepsItsThreadAndHibernatesAgainOnceResumed() {
        Pid pid = GenServer.start(new Sleepy(true), 0).pid();
        untilHibernated(pid);
        Sys.suspend(pid);
        GenServer.cast(pid, "held");
        assertEquals(0, (int) Sys.getState(pid), "a suspended server holds the cast");
        Sys.resume(pid);
        assertEquals(1, (int) GenServer.call(pid, "count", WAIT), "the held cast ran after the resume");
        untilHibernated(pid);
        GenServer.stop(pid);
    }

    // ---------------------------------------------------------------- races

    /**
     * Senders (processes and plain threads) race every hibernation: each message the server
     * handles ends in a hibernate, so nearly every send finds it hibernating or hibernated. The
     * calls are untimed: a lost wake-up hangs them, and the watchdog fails the run.
     */
    @Test
    void wakesRacingEveryHibernationAreNeverLost() {
        Sleepy s = new Sleepy(false);
        Pid server = GenServer.start(s, 0).pid();
        int senders = 6, each = 3_000;
        try (Watchdog dog = new Watchdog()) {
            dog.watch(server, s.handled);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                done.add(f);
                Runnable body = () -> {
                    try {
                        for (int n = 0; n < each; n++) {
                            if ((n & 3) == 0) {
                                GenServer.call(server, n, Proc.INFINITY);
                            } else {
                                GenServer.cast(server, n);
                            }
                        }
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                };
                if ((i & 1) == 0) {
                    Proc.spawn(body);
                } else {
                    Thread.ofPlatform().daemon().start(body);
                }
            }
            dog.await(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)), WakeupStressTest.BOUND_SECONDS);
            assertEquals((long) senders * each, (long) (int) GenServer.call(server, "count", Proc.INFINITY));
        }
        GenServer.stop(server);
    }

    /**
     * Kills race hibernations and wakes: each round starts a server that hibernates after every
     * message, casts to it from two threads and kills it at a random moment. Every server must die
     * exactly once (one DOWN), end (its thread and count gone), and the senders must never hang.
     */
    @Test
    void killsRacingHibernationsEndEveryServerExactlyOnce() {
        int rounds = 400;
        long before = Node.current().processCount();
        AtomicInteger downs = new AtomicInteger();
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            for (int r = 0; r < rounds; r++) {
                Pid pid = GenServer.start(new Sleepy(r % 2 == 0), 0).pid();
                CompletableFuture<ExitReason> down = watch(pid);
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Void>> senders = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    senders.add(CompletableFuture.runAsync(() -> {
                        Probe.await(go);
                        for (int n = 0; n < 50 && pid.isAlive(); n++) {
                            GenServer.cast(pid, n);
                        }
                    }, runnable -> Thread.ofVirtual().start(runnable)));
                }
                go.countDown();
                int spins = ThreadLocalRandom.current().nextInt(2_000);
                for (int i = 0; i < spins; i++) {
                    Thread.onSpinWait();
                }
                Proc.exit(pid, ExitReason.kill());
                assertEquals(ExitReason.killed(), get(down));
                downs.incrementAndGet();
                senders.forEach(Probe::get);
                assertFalse(pid.isAlive());
            }
        });
        get(run);
        assertEquals(rounds, downs.get());
        until(() -> Node.current().processCount() <= before, WAIT,
                "killed servers whose end never ran: " + (Node.current().processCount() - before));
    }
}
