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
 * The spin-for-a-partner part of the wait policy ({@link Backoff}, {@link Pcb#onCarrier}): a
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

    private static void spin(int n) {
        for (int k = 0; k < n; k++) {
            Thread.onSpinWait();
        }
    }

    /** The steal spin's back-off: 16 calls without it after a failure, doubling per failure in a row, reset by a success. */
    @Test
    void stealSpinBacksOffExponentiallyAndResetsOnSuccess() {
        Pcb p = new Pcb();
        assertTrue(p.mayStealSpin());
        int[] expected = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 4096};
        for (int pause : expected) {
            p.stealFailed();
            for (int i = 0; i < pause; i++) {
                assertEquals(false, p.mayStealSpin(), "call " + i + " of a pause of " + pause);
            }
            assertTrue(p.mayStealSpin(), "allowed again after " + pause + " calls");
        }
        p.stealWorked();
        p.stealFailed();
        for (int i = 0; i < 16; i++) {
            assertEquals(false, p.mayStealSpin());
        }
        assertTrue(p.mayStealSpin(), "a success brings the pause back to 16");
    }

    /** A new process counts as off-carrier until its thread runs; a starter must not spin for a queued one. */
    @Test
    void aNewProcessIsNotOnACarrierUntilItRuns() {
        Pcb p = new Pcb();
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
            Proc.spawn(() -> reply.complete(GenServer.call(server, "req-" + 1)));
            await(entered);
            // Released at varying points: during the caller's partner spin, or after it parked.
            spin(ThreadLocalRandom.current().nextInt(4_000));
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
