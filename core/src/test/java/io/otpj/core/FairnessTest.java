package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fairness model (docs/processes.md, "Fairness"): while busy processes and virtual threads
 * saturate the scheduler, with calls that fail at once and never wait, a process woken from a
 * platform thread still runs, timeouts still fire, timers still deliver and new processes still
 * start, each within {@link #BOUND}. Without the slices and the ticker, each of these waited for
 * as long as the load lasted (20 s and more here).
 */
@Timeout(300)
class FairnessTest {

    /** Far above what this machine shows (tens of milliseconds), far below "starved". */
    static final Duration BOUND = Duration.ofSeconds(1);

    /** 32 callers (half processes, half plain virtual threads) looping on calls that fail at once. */
    static final class Saturation implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final LongAdder calls = new LongAdder();

        Saturation() {
            for (int i = 0; i < 32; i++) {
                Runnable loop = () -> {
                    while (!stop.get()) {
                        try {
                            GenServer.call(Name.local("fairness-nobody"), "x", Duration.ofSeconds(1));
                        } catch (NoProcException expected) {
                            calls.increment(); // the load
                        }
                    }
                };
                if (i % 2 == 0) {
                    Proc.spawn(loop);
                } else {
                    Thread.ofVirtual().start(loop);
                }
            }
            // Let the load build up: every caller has run through slices before the test measures.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }

        /**
         * Fails unless the callers are still calling: a measurement taken with the load gone would
         * prove nothing. Waits (bounded by {@link Probe#WAIT}) for the count to move on.
         */
        void assertStillRunning() {
            long before = calls.sum();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (calls.sum() == before) {
                assertTrue(System.nanoTime() < deadline, "the load stopped calling during the measurement");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        @Override
        public void close() {
            stop.set(true);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void aProcessWokenFromAPlatformThreadRunsWithinTheBound() throws Exception {
        LinkedBlockingQueue<Long> seen = new LinkedBlockingQueue<>();
        Pid p = Proc.spawn(() -> {
            for (;;) {
                Proc.receive();
                seen.add(System.nanoTime());
            }
        });
        long worst = 0;
        try (Saturation load = new Saturation()) {
            for (int k = 0; k < 40; k++) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // let it park again
                long t0 = System.nanoTime();
                Proc.send(p, "wake");
                Long t1 = seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(t1 != null, "a process woken from a platform thread never ran" + Probe.dumpThreads());
                worst = Math.max(worst, t1 - t0);
            }
            load.assertStillRunning();
        } finally {
            Proc.exit(p, ExitReason.kill());
        }
        System.out.println("fairness: worst wake-up from a platform thread " + millis(worst) + " ms");
        assertTrue(worst < BOUND.toNanos(), "worst wake-up " + millis(worst) + " ms");
    }

    @Test
    void timeoutsAndTimersFireWithinTheBound() {
        // A server that never answers.
        Pid mute = GenServer.start(new GenServer<Void, Integer>() {
            @Override
            public InitResult<Integer> init(Void arg) {
                return ok(0);
            }

            @Override
            public CallResult<Integer> handleCall(Object request, From from, Integer s) {
                return noreply(s);
            }
        }, null).pid();
        try (Saturation load = new Saturation()) {
            long[] worst = Probe.eval(() -> {
                long call = 0, receive = 0, timer = 0;
                for (int k = 0; k < 10; k++) {
                    long t0 = System.nanoTime();
                    try {
                        GenServer.call(mute, "hello", Duration.ofMillis(100));
                        throw new AssertionError("the mute server answered");
                    } catch (CallTimeoutException expected) {
                        call = Math.max(call, System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(100));
                    }
                    t0 = System.nanoTime();
                    assertTrue(Proc.receive(m -> m == "never", Duration.ofMillis(50)).isEmpty());
                    receive = Math.max(receive, System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(50));
                    t0 = System.nanoTime();
                    Proc.sendAfter(Proc.self(), "tick", Duration.ofMillis(20));
                    assertEquals("tick", Proc.receive(m -> m == "tick", WAIT).orElseThrow());
                    timer = Math.max(timer, System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(20));
                }
                return new long[] {call, receive, timer};
            });
            load.assertStillRunning();
            System.out.printf("fairness: worst lateness: call timeout %d ms, receive timeout %d ms, timer %d ms%n",
                    millis(worst[0]), millis(worst[1]), millis(worst[2]));
            for (long w : worst) {
                assertTrue(w < BOUND.toNanos(), "late by " + millis(w) + " ms");
            }
        } finally {
            GenServer.stop(mute);
        }
    }

    @Test
    void anIdleTimeoutFiresWithinTheBound() {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        long[] armed = new long[1];
        try (Saturation load = new Saturation()) {
            Pid p = GenServer.start(new GenServer<Void, Integer>() {
                @Override
                public InitResult<Integer> init(Void arg) {
                    armed[0] = System.nanoTime();
                    return ok(0, Action.timeout(Duration.ofMillis(50)));
                }

                @Override
                public CastResult<Integer> handleInfo(Object message, Integer s) {
                    if (message instanceof IdleTimeout) {
                        fired.complete(System.nanoTime());
                    }
                    return noreply(s);
                }
            }, null).pid();
            long late = get(fired) - armed[0] - TimeUnit.MILLISECONDS.toNanos(50);
            load.assertStillRunning();
            System.out.println("fairness: idle timeout late by " + millis(late) + " ms");
            assertTrue(late < BOUND.toNanos(), "late by " + millis(late) + " ms");
            GenServer.stop(p);
        }
    }

    @Test
    void processesStartWithinTheBound() {
        try (Saturation load = new Saturation()) {
            long worst = Probe.eval(() -> {
                long w = 0;
                for (int k = 0; k < 20; k++) {
                    long t0 = System.nanoTime();
                    Pid p = GenServer.start(new GenServer<Void, Integer>() {
                        @Override
                        public InitResult<Integer> init(Void arg) {
                            return ok(0);
                        }
                    }, null).pid();
                    w = Math.max(w, System.nanoTime() - t0);
                    GenServer.stop(p);
                }
                return w;
            });
            load.assertStillRunning();
            System.out.println("fairness: worst start " + millis(worst) + " ms");
            assertTrue(worst < BOUND.toNanos(), "a start took " + millis(worst) + " ms");
        }
    }

    /** CPU-bound loops that call {@link Proc#checkpoint} give their carriers away, and unwind when killed. */
    @Test
    void checkpointsKeepBusyLoopsFairAndKillable() {
        AtomicBoolean stop = new AtomicBoolean();
        Pid[] loops = new Pid[4]; // twice the carriers of this machine
        for (int i = 0; i < loops.length; i++) {
            loops[i] = Proc.spawn(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += System.identityHashCode(this) ^ x; // work that never calls otpj...
                    Proc.checkpoint(); // ...but for this
                }
            });
        }
        try {
            Pid echo = GenServer.start(new GenServer<Void, Integer>() {
                @Override
                public InitResult<Integer> init(Void arg) {
                    return ok(0);
                }

                @Override
                public CallResult<Integer> handleCall(Object request, From from, Integer s) {
                    return reply(request, s);
                }
            }, null).pid();
            long t0 = System.nanoTime();
            assertEquals("hi", GenServer.call(echo, "hi", BOUND.plus(BOUND)));
            long took = System.nanoTime() - t0;
            System.out.println("fairness: call past 4 busy loops with checkpoints " + millis(took) + " ms");
            assertTrue(took < BOUND.toNanos(), "took " + millis(took) + " ms");
            GenServer.stop(echo);
            CompletableFuture<ExitReason> down = Probe.watch(loops[0]);
            Proc.exit(loops[0], ExitReason.kill());
            assertInstanceOf(ExitReason.Killed.class, get(down));
            Probe.join(loops[0]); // it unwound at a checkpoint: its thread ended
        } finally {
            stop.set(true);
        }
    }
}
