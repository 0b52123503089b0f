package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.CallException;
import io.otpj.core.CallResult;
import io.otpj.core.CallTimeoutException;
import io.otpj.core.CastResult;
import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import io.otpj.core.ServerRef;
import io.otpj.registry.Registry;
import io.otpj.registry.RegistryOptions;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The crash-storm soak of the fairness issue, as an operator would load a service: a one-for-one
 * supervisor of 50 named GenServers (half by local name, half by Registry via-name) under a top
 * supervisor; 16 plain virtual threads and 16 processes calling random children by name (1 s
 * timeout) and casting to them; and, from outside, either a random child killed every
 * millisecond, or the whole children supervisor killed every 2 seconds.
 *
 * <p>It fails when any call returns later than its timeout plus {@link #LATE_BOUND} (a busy
 * process starving the scheduler shows as calls coming back seconds late), when a killed tree is
 * not restarted, every child answering again, within {@link #RESTART_BOUND}, and when the end
 * state differs from the start: every child running and answering, the names and registry keys
 * exactly as at start, as many processes as at start, and no state of a dead child reachable.
 *
 * <p>Each mode runs {@code -Dotpj.soak.seconds} seconds (default 5; {@code -Dotpj.soak=true}: 60).
 */
@Timeout(600)
class CrashStormSoakTest {

    static final int CHILDREN = 50;
    static final int VIRTUAL_CLIENTS = 16, PROCESS_CLIENTS = 16;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    /** How much later than its timeout a call may return. */
    static final Duration LATE_BOUND = Duration.ofMillis(250);
    /** How long the supervisors may take to bring every child of a killed tree back. */
    static final Duration RESTART_BOUND = Duration.ofSeconds(2);
    static final long SECONDS = Long.getLong("otpj.soak.seconds", Boolean.getBoolean("otpj.soak") ? 60 : 5);
    static final String REGISTRY = "storm-registry";
    static volatile Pid TOP;
    /** Completed with the top supervisor's exit reason if it dies during the soak (it must not). */
    static volatile CompletableFuture<ExitReason> TOP_DOWN = new CompletableFuture<>();

    record Ping() {}
    record Bump() {}

    /** A child: answers pings with its index; its state carries a payload, to see leaks in the heap. */
    static final class Echo implements GenServer<Integer, byte[]> {
        final ConcurrentLinkedQueue<WeakReference<byte[]>> states;

        Echo(ConcurrentLinkedQueue<WeakReference<byte[]>> states) {
            this.states = states;
        }

        @Override
        public InitResult<byte[]> init(Integer index) {
            byte[] state = new byte[16 << 10];
            state[0] = (byte) (int) index;
            states.add(new WeakReference<>(state));
            return ok(state);
        }

        @Override
        public CallResult<byte[]> handleCall(Object request, From from, byte[] s) {
            return reply((int) s[0], s);
        }

        @Override
        public CastResult<byte[]> handleCast(Object request, byte[] s) {
            return noreply(s);
        }
    }

    /** What the clients saw. */
    static final class Tally {
        final AtomicLong ok = new AtomicLong(), noproc = new AtomicLong(), exited = new AtomicLong(),
                timeouts = new AtomicLong(), late = new AtomicLong(), wrong = new AtomicLong();
        final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        volatile AtomicLong completions = new AtomicLong(System.nanoTime());

        @Override
        public String toString() {
            return String.format("calls ok=%d noproc=%d exited=%d timeouts=%d late=%d wrong=%d max=%d ms unexpected=%d",
                    ok.get(), noproc.get(), exited.get(), timeouts.get(), late.get(), wrong.get(),
                    TimeUnit.NANOSECONDS.toMillis(maxNanos.get()), unexpected.size());
        }
    }

    static Name nameOf(int i) {
        return i % 2 == 0 ? Name.local("storm-" + i) : Registry.named(REGISTRY).orElseThrow().via("storm-" + i);
    }

    @Test
    void killingAChildEveryMillisecond() throws Exception {
        soak(false);
    }

    @Test
    void killingTheWholeTreeEveryTwoSeconds() throws Exception {
        soak(true);
    }

    private void soak(boolean tree) throws Exception {
        ConcurrentLinkedQueue<WeakReference<byte[]>> states = new ConcurrentLinkedQueue<>();
        List<ChildSpec> kids = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            int index = i;
            kids.add(ChildSpec.worker(i, () -> GenServer.startLink(new Echo(states), index, nameOf(index))));
        }
        SupervisorFlags storm = SupervisorFlags.oneForOne().withIntensity(1_000_000, Duration.ofSeconds(1));
        Pid top = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(1_000, Duration.ofSeconds(1)), List.of(
                ChildSpec.worker("registry", Registry.starter(RegistryOptions.unique(REGISTRY))),
                Supervisor.childSpec("children", storm, kids))).pid();
        TOP = top;
        CompletableFuture<ExitReason> topDown = new CompletableFuture<>();
        TOP_DOWN = topDown;
        Proc.spawn(() -> { // reports how the top supervisor ended, should it end during the soak
            var ref = Proc.monitor(top);
            Object m = Proc.receive(x -> x instanceof Down d && d.ref().equals(ref), Proc.INFINITY).orElseThrow();
            topDown.complete(((Down) m).reason());
        });
        try {
            ServerRef[] names = new ServerRef[CHILDREN];
            for (int i = 0; i < CHILDREN; i++) {
                names[i] = nameOf(i);
            }
            awaitAllAnswering(names, Duration.ofSeconds(10));
            long processesAtStart = Proc.count();

            Tally tally = new Tally();
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            AtomicLong stop = new AtomicLong();
            Runnable client = () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (stop.get() == 0) {
                    int i = rnd.nextInt(CHILDREN);
                    long t0 = System.nanoTime();
                    try {
                        Object r = GenServer.call(names[i], new Ping(), CALL_TIMEOUT);
                        (r.equals(i) ? tally.ok : tally.wrong).incrementAndGet();
                    } catch (NoProcException e) {
                        tally.noproc.incrementAndGet();
                    } catch (ServerExitedException e) {
                        tally.exited.incrementAndGet();
                    } catch (CallTimeoutException e) {
                        tally.timeouts.incrementAndGet();
                    } catch (CallException | IllegalStateException e) {
                        // IllegalStateException: the registry is between incarnations.
                        tally.unexpected.add(e);
                    }
                    long t1 = System.nanoTime();
                    long dt = t1 - t0;
                    tally.completions.set(t1);
                    tally.maxNanos.accumulate(dt);
                    if (dt > CALL_TIMEOUT.plus(LATE_BOUND).toNanos()) {
                        tally.late.incrementAndGet();
                    }
                    GenServer.cast(names[i], new Bump());
                }
            };
            for (int c = 0; c < VIRTUAL_CLIENTS + PROCESS_CLIENTS; c++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                clients.add(done);
                Runnable body = () -> {
                    try {
                        client.run();
                        done.complete(null);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                };
                if (c < VIRTUAL_CLIENTS) {
                    Thread.ofVirtual().start(body);
                } else {
                    Proc.spawn(body);
                }
            }

            // A stall detector: client calls must keep completing (a starved scheduler lets no call,
            // and no call's timeout, complete at all).
            AtomicLong lastCompletion = new AtomicLong(System.nanoTime());
            tally.completions = lastCompletion;

            // The killer: a platform thread, as an operator's tooling would be.
            long kills = 0, restarts = 0, worstRestartNanos = 0;
            List<String> slowRestarts = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long stalled = CALL_TIMEOUT.plus(LATE_BOUND).multipliedBy(3).toNanos();
            while (System.nanoTime() - end < 0) {
                if (System.nanoTime() - lastCompletion.get() > stalled) {
                    stop.set(1);
                    throw new AssertionError("no client call completed for " + Duration.ofNanos(stalled) + ": " + tally
                            + Stall.dump());
                }
                if (tree) {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // the load's cadence, not a wait
                    Pid children = bounded(() -> childPid(top), RESTART_BOUND);
                    Proc.exit(children, ExitReason.kill());
                    kills++;
                    long took = bounded(() -> awaitRestart(top, children, names, RESTART_BOUND.multipliedBy(5)),
                            RESTART_BOUND.multipliedBy(6));
                    worstRestartNanos = Math.max(worstRestartNanos, took);
                    if (took > RESTART_BOUND.toNanos()) {
                        slowRestarts.add(TimeUnit.NANOSECONDS.toMillis(took) + " ms");
                    }
                    restarts++;
                } else {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the load's cadence
                    Optional<Pid> victim = GenServer.whereis(names[ThreadLocalRandom.current().nextInt(CHILDREN)]);
                    if (victim.isPresent()) {
                        Proc.exit(victim.get(), ExitReason.kill());
                        kills++;
                    }
                }
            }
            stop.set(1);
            for (CompletableFuture<Void> c : clients) {
                try {
                    c.get(CALL_TIMEOUT.plus(LATE_BOUND).multipliedBy(10).toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("a client did not stop: " + tally + Stall.dump(), e);
                }
            }
            bounded(() -> {
                awaitAllAnswering(names, Duration.ofSeconds(10));
                return null;
            }, Duration.ofSeconds(15));

            System.out.printf("soak %s, %d s: %d kills, %d tree restarts (worst %d ms); %s%n", tree ? "tree" : "children",
                    SECONDS, kills, restarts, TimeUnit.NANOSECONDS.toMillis(worstRestartNanos), tally);
            assertTrue(tally.unexpected.isEmpty(), () -> "unexpected failures: " + tally.unexpected.peek());
            assertEquals(0, tally.wrong.get(), "wrong replies");
            assertEquals(0, tally.late.get(), () -> "calls later than " + CALL_TIMEOUT.plus(LATE_BOUND) + ": " + tally);
            assertEquals(List.of(), slowRestarts, "tree restarts slower than " + RESTART_BOUND);
            assertTrue(tally.ok.get() > 0, "no call succeeded");

            // The end state is the start state.
            Registry<String, Object> reg = Registry.<String, Object>named(REGISTRY).orElseThrow();
            Set<Object> keys = new HashSet<>();
            reg.select(e -> true).forEach(e -> keys.add(e.key()));
            Set<Object> expected = new HashSet<>();
            for (int i = 1; i < CHILDREN; i += 2) {
                expected.add("storm-" + i);
            }
            assertEquals(expected, keys, "registry keys after the storm");
            for (int i = 0; i < CHILDREN; i += 2) {
                assertTrue(Proc.whereis("storm-" + i).isPresent(), "storm-" + i + " not registered");
            }
            awaitProcessCount(processesAtStart, Duration.ofSeconds(10));
            long reachable = 0;
            for (int i = 0; i < 50 && (reachable = reachableStates(states)) > CHILDREN; i++) {
                System.gc();
            }
            assertTrue(reachable <= CHILDREN, reachable + " child states still reachable, " + CHILDREN + " children live");
        } finally {
            if (top.isAlive()) {
                Supervisor.stop(top);
            }
        }
    }

    /**
     * Runs {@code check} (which calls into otpj) on a platform thread and waits at most
     * {@code bound} for it: if the scheduler is starved, the check's own calls cannot time out,
     * and the test must fail here, with a thread dump, instead of hanging.
     */
    private static <T> T bounded(java.util.concurrent.Callable<T> check, Duration bound) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(check.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no progress within " + bound + ": the scheduler is starved; processes "
                    + Proc.count() + "; top " + TOP + " alive " + (TOP != null && TOP.isAlive()) + " info " + (TOP == null ? null : Proc.info(TOP)) + Stall.dump(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            CompletableFuture<ExitReason> topDown = TOP_DOWN;
            throw new AssertionError(e.getCause() + (topDown.isDone() ? "; the top supervisor exited: " + topDown.join() : ""),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A thread dump for a failure: jcmd, which lists virtual threads too. */
    static final class Stall {
        static String dump() {
            try {
                java.nio.file.Path file = java.nio.file.Path.of("target", "soak-thread-dump-" + System.nanoTime() + ".txt")
                        .toAbsolutePath();
                String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
                new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "Thread.dump_to_file", file.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                        .waitFor(30, TimeUnit.SECONDS);
                return " (thread dump: " + file + ")";
            } catch (Exception e) {
                return " (no thread dump: " + e + ")";
            }
        }
    }

    private static long reachableStates(ConcurrentLinkedQueue<WeakReference<byte[]>> states) {
        states.removeIf(r -> r.get() == null);
        return states.size();
    }

    /** @return the current pid of the children supervisor */
    private static Pid childPid(Pid top) {
        for (ChildInfo c : Supervisor.whichChildren(top)) {
            if ("children".equals(c.id()) && c.pid().isPresent()) {
                return c.pid().get();
            }
        }
        throw new AssertionError("no children supervisor under " + top);
    }

    /** Waits until the tree has a new children supervisor and every child answers; @return how long it took */
    private static long awaitRestart(Pid top, Pid killed, ServerRef[] names, Duration bound) {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        for (;;) {
            Optional<Pid> now = Supervisor.whichChildren(top).stream().filter(c -> "children".equals(c.id()))
                    .flatMap(c -> c.pid().stream()).findFirst();
            if (now.isPresent() && !now.get().equals(killed) && allAnswer(names)) {
                return System.nanoTime() - t0;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the killed tree was not back within " + bound);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static boolean allAnswer(ServerRef[] names) {
        for (int i = 0; i < names.length; i++) {
            try {
                if (!Integer.valueOf(i).equals(GenServer.call(names[i], new Ping(), Duration.ofMillis(200)))) {
                    return false;
                }
            } catch (CallException | IllegalStateException e) {
                return false;
            }
        }
        return true;
    }

    private static void awaitAllAnswering(ServerRef[] names, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!allAnswer(names)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not every child answers within " + bound);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void awaitProcessCount(long expected, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (Proc.count() != expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(Proc.count() + " processes after the storm, " + expected + " before it");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
