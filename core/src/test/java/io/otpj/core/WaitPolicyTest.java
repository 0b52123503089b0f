package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.join;
import static io.otpj.core.Probe.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The spin-for-a-partner part of the wait policy ({@link Waiter}, {@link Pcb#onCarrier}): a
 * hint may be wrong or stale, and these tests check that a wrong hint only ever costs a bounded
 * spin, never a lost message, a missed reply or a missed timeout. Each trial ends on an event (a
 * reply, a DOWN, a latch), never on elapsed time.
 */
@Timeout(120)
class WaitPolicyTest {

    private static final int TRIALS = 300;

    /** Answers {@code "count"} with the number of casts seen; echoes any other call. */
    static final class Echo implements GenServer<Void, Integer> {
        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer casts) {
            return reply(request.equals("count") ? casts : request, casts);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer casts) {
            return noreply(casts + 1);
        }
    }

    /** Its handler blocks outside otpj, so it looks "on a carrier" to a spinning caller while it is not. */
    static final class Blocking implements GenServer<CountDownLatch[], CountDownLatch[]> {
        @Override
        public InitResult<CountDownLatch[]> init(CountDownLatch[] latches) {
            return ok(latches);
        }

        @Override
        public CallResult<CountDownLatch[]> handleCall(Object request, From from, CountDownLatch[] l) throws Exception {
            l[0].countDown();
            l[1].await();
            return reply(request, l);
        }
    }

    /** Waits, up to {@link Probe#WAIT}, until {@code p} is parked in an otpj wait. */
    private static void awaitParked(Pcb p) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p.onCarrier()) {
            assertTrue(System.nanoTime() - deadline < 0, "process never parked: its spin is not bounded");
            Thread.onSpinWait();
        }
    }

    /**
     * A server that answered a caller still on a carrier spins for it in its next receive; if
     * that caller stays on its carrier without calling again, the server must still park.
     */
    @Test
    void aServerParksAfterSpinningForAPartnerThatNeverCallsAgain() {
        for (int t = 0; t < 20; t++) {
            Pid echo = GenServer.start(new Echo(), null).pid();
            CountDownLatch answered = new CountDownLatch(1), release = new CountDownLatch(1);
            Proc.spawn(() -> {
                GenServer.call(echo, "once");
                answered.countDown();
                // Stays on a carrier (yield, not park: a one-carrier pool must still run the
                // server) and never calls again until released.
                while (release.getCount() > 0) {
                    Thread.yield();
                }
            });
            await(answered);
            awaitParked(echo.pcb);
            release.countDown();
            GenServer.stop(echo);
        }
    }

    private static void spin(int n) {
        for (int k = 0; k < n; k++) {
            Thread.onSpinWait();
        }
    }

    /** The spin back-off: 16 waits without it after a failure, doubling per failure in a row, reset by a success. */
    @Test
    void partnerSpinsBackOffExponentiallyAndResetOnSuccess() {
        Waiter p = Waiter.forPlainThread();
        p.spinWorked();
        assertTrue(p.maySpin());
        int[] expected = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 4096};
        for (int pause : expected) {
            p.spinFailed();
            for (int i = 0; i < pause; i++) {
                assertEquals(false, p.maySpin(), "call " + i + " of a pause of " + pause);
            }
            assertTrue(p.maySpin(), "allowed again after " + pause + " calls");
        }
        p.spinWorked();
        p.spinFailed();
        for (int i = 0; i < 16; i++) {
            assertEquals(false, p.maySpin());
        }
        assertTrue(p.maySpin(), "a success brings the pause back to 16");
    }

    /**
     * Defect 8: a virtual thread that is not a process used to spin 20 µs on every call to a
     * server that looks busy (blocked in the JDK), with no back-off. Its waiter now keeps the same
     * back-off as a process's: after one spin in vain, the next 16 waits go without one.
     */
    @Test
    void aVirtualThreadThatIsNotAProcessBacksOffToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Waiter.PARTNER_SPIN_NANOS > 0, "partner spins are off");
        CountDownLatch entered = new CountDownLatch(1), gate = new CountDownLatch(1);
        Pid server = GenServer.start(new Blocking(), new CountDownLatch[] {entered, gate}).pid();
        CompletableFuture<Boolean> mayStillSpin = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                GenServer.call(server, "slow", Proc.INFINITY);
                mayStillSpin.complete(Waiter.forPlainThread().maySpin());
            } catch (Throwable t) {
                mayStillSpin.completeExceptionally(t);
            }
        });
        await(entered);
        // The caller spins for the server (it reads "on a carrier": blocked in the JDK, not in
        // otpj) until its 20 µs are up, then parks: the spin failed.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (caller.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        gate.countDown();
        assertEquals(false, Probe.get(mayStillSpin), "no back-off after a partner spin in vain");
        GenServer.stop(server);
    }

    /** A new process counts as off-carrier until its thread runs; a starter must not spin for a queued one. */
    @Test
    void aNewProcessIsNotOnACarrierUntilItRuns() {
        Pcb p = Pcb.create();
        assertEquals(false, p.onCarrier());
        p.unparked();
        assertTrue(p.onCarrier());
        p.parking();
        assertEquals(false, p.onCarrier());
    }

    /** A caller spinning for a server that blocks in the JDK (not parked in otpj) still gets its reply. */
    @Test
    void callerGetsTheReplyOfAServerBlockedOutsideOtpj() {
        for (int t = 0; t < TRIALS; t++) {
            CountDownLatch entered = new CountDownLatch(1), gate = new CountDownLatch(1);
            Pid server = GenServer.start(new Blocking(), new CountDownLatch[] {entered, gate}).pid();
            CompletableFuture<Object> reply = new CompletableFuture<>();
            Pid caller = Proc.spawn(() -> reply.complete(GenServer.call(server, "req-" + 1)));
            await(entered);
            if (t % 2 == 0) {
                // The server reads "on a carrier" all along (it is blocked in the JDK, not in
                // otpj), yet the caller's spin must end in a park: its spin is bounded.
                awaitParked(caller.pcb);
            } else {
                // Released at varying points: during the caller's spin, or after it parked.
                spin(ThreadLocalRandom.current().nextInt(4_000));
            }
            gate.countDown();
            assertEquals("req-1", Probe.get(reply));
            GenServer.stop(server);
        }
    }

    /**
     * A server answering a caller that spins gets that caller as its partner and spins for it in
     * its next receive; messages from anyone else must still be taken, in order, and counted.
     */
    @Test
    void aServerSpinningForItsPartnerStillTakesEveryOtherMessage() throws Exception {
        Pid echo = GenServer.start(new Echo(), null).pid();
        int calls = 20_000, casts = 20_000;
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        Proc.spawn(() -> {
            int ok = 0;
            for (int i = 0; i < calls; i++) {
                if (GenServer.call(echo, i).equals(i)) {
                    ok++;
                }
            }
            answered.complete(ok);
        });
        Thread caster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < casts; i++) {
                GenServer.cast(echo, "inc");
            }
        });
        assertEquals(calls, Probe.get(answered));
        caster.join(WAIT.toMillis());
        assertEquals(casts, (Integer) GenServer.call(echo, "count"));
        GenServer.stop(echo);
    }

    /** A partner that exits or is killed while the server spins for it leaves a server that works. */
    @Test
    void aPartnerThatDiesWhileSpunForLeavesTheServerWorking() {
        Pid echo = GenServer.start(new Echo(), null).pid();
        for (int t = 0; t < TRIALS; t++) {
            int n = 1 + ThreadLocalRandom.current().nextInt(50);
            boolean kill = t % 2 == 0;
            CountDownLatch started = new CountDownLatch(1);
            Pid partner = Proc.spawn(() -> {
                started.countDown();
                for (int i = 0; i < n || kill; i++) {
                    GenServer.call(echo, i);
                }
            });
            CompletableFuture<ExitReason> down = watch(partner);
            await(started);
            if (kill) {
                spin(ThreadLocalRandom.current().nextInt(20_000));
                Proc.exit(partner, ExitReason.kill());
            }
            ExitReason r = Probe.get(down);
            if (kill) {
                assertInstanceOf(ExitReason.Killed.class, r);
            }
            assertEquals("still-here-" + t, GenServer.call(echo, "still-here-" + t));
        }
        GenServer.stop(echo);
        join(echo);
    }

    /**
     * An idle timeout set with a reply to a spinning caller fires although the server first spins
     * for that caller: the partner spin is bounded and the timeout is kept.
     */
    @Test
    void anIdleTimeoutFiresAfterAnsweringASpinningCaller() {
        AtomicInteger timeouts = new AtomicInteger();
        CountDownLatch fired = new CountDownLatch(1);
        GenServer<Void, Integer> server = new GenServer<>() {
            @Override
            public InitResult<Integer> init(Void arg) {
                return ok(0);
            }

            @Override
            public CallResult<Integer> handleCall(Object request, From from, Integer s) {
                return reply(request, s, Action.timeout(java.time.Duration.ofMillis(1)));
            }

            @Override
            public CastResult<Integer> handleInfo(Object message, Integer s) {
                if (message instanceof IdleTimeout) {
                    timeouts.incrementAndGet();
                    fired.countDown();
                }
                return noreply(s);
            }
        };
        Pid pid = GenServer.start(server, null).pid();
        CountDownLatch done = new CountDownLatch(1);
        // The caller stays on a carrier after the reply (busy until the timeout fired), so the
        // server's next receive starts with a partner spin.
        Proc.spawn(() -> {
            GenServer.call(pid, "x");
            while (fired.getCount() > 0) {
                Thread.yield(); // not onSpinWait: must not starve the server on a one-carrier pool
            }
            done.countDown();
        });
        await(done);
        assertTrue(timeouts.get() >= 1);
        GenServer.stop(pid);
    }
}
