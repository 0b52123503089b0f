package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Stress of the mailbox's wake-up protocol where a lost wake-up is permanent: every receive and
 * every call here is untimed, so a consumer left parked with a message queued would stay parked,
 * and the {@link Watchdog} fails the test (with a thread dump) within a second of it. Nothing heals.
 *
 * <p>core's build runs this class twice: with the defaults, and with two-slot mailbox chunks and
 * every spin of the wait policy at zero ({@code -Dotpj.mailbox.chunk=2 -Dotpj.wait.*=0}), where
 * nearly every offer links a new chunk and every wait parks at once: the conditions under which
 * the queue's offer is only release-ordered and the protocol's own fences must carry it. Together
 * the two runs pass more than 10^7 messages. {@code -Dotpj.soak=true} multiplies every count by
 * {@link #SCALE} (10^9 messages and more; hours).
 */
class WakeupStressTest {

    static final int SCALE = Boolean.getBoolean("otpj.soak") ? 200 : 1;
    /** Bound on a whole run: only a hang the watchdog cannot see ends up here. */
    static final long BOUND_SECONDS = 600L * SCALE;

    record Msg(int producer, int seq) {}

    /** Sent by the producers beside their messages, for the consumer's selective receive to set aside. */
    record Noise(int producer) {}

    /**
     * How the consumer waits: an untimed receive; a timed one whose timeout (an hour) cannot end
     * a lost wake-up within the watchdog's second; or a selective receive by class that sets the
     * producers' {@link Noise} aside (drained at the end of each round).
     */
    enum Wait { PLAIN, TIMED, SELECTIVE }

    private static final java.time.Duration HOUR = java.time.Duration.ofHours(1);

    /** A producer: a process (acknowledged through its mailbox) or a plain thread (a semaphore). */
    private static final class Producer {
        final int index;
        volatile Pid pid;
        final Semaphore acks = new Semaphore(0);
        final AtomicLong progress = new AtomicLong();

        Producer(int index) {
            this.index = index;
        }

        void ack() {
            Pid p = pid;
            if (p != null) {
                Proc.send(p, Boolean.TRUE);
            } else {
                acks.release();
            }
        }

        void awaitAck() {
            if (pid != null) {
                Proc.receive();
                progress.incrementAndGet();
            } else {
                acks.acquireUninterruptibly();
            }
        }
    }

    /**
     * Round by round, producers (half processes, half plain threads) send a burst each and wait;
     * the consumer acknowledges all of them once the whole round has arrived, so it goes idle at
     * the start of every round, and so does every producer process while it waits for its ack.
     */
    @Test
    void aConsumerThatGoesIdleEveryRoundIsAlwaysWoken() {
        assertEquals(6L * 20_000 * 32 * SCALE, run(6, 20_000 * SCALE, 32, true, Wait.PLAIN));
    }

    /**
     * otp-semantics.md: a message sent to a live process is delivered "however the receiver was
     * waiting": the lockstep rounds again, with the consumer in a timed receive, then in a
     * selective one that sets a message of another kind aside in every burst.
     */
    @Test
    void aConsumerInATimedOrSelectiveReceiveIsAlwaysWoken() {
        assertEquals(6L * 5_000 * 32 * SCALE, run(6, 5_000 * SCALE, 32, true, Wait.TIMED));
        assertEquals(6L * 5_000 * 32 * SCALE, run(6, 5_000 * SCALE, 32, true, Wait.SELECTIVE));
    }

    /** Free-running bursts: each producer waits for its own burst's ack only, so bursts interleave. */
    @Test
    void freeRunningBurstsAreAlwaysDelivered() {
        assertEquals(4L * 10_000 * 64 * SCALE, run(4, 10_000 * SCALE, 64, false, Wait.PLAIN));
    }

    private static long run(int producers, int rounds, int burst, boolean lockstep, Wait wait) {
        long total = (long) producers * rounds * burst;
        List<Producer> ps = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            ps.add(new Producer(i));
        }
        try (Watchdog dog = new Watchdog()) {
            CompletableFuture<Long> consumed = new CompletableFuture<>();
            AtomicLong progress = new AtomicLong();
            Pid consumer = Proc.spawn(() -> {
                int[] next = new int[producers];
                long count = 0;
                int inRound = 0;
                while (count < total) {
                    Msg m = switch (wait) {
                        case PLAIN -> (Msg) Proc.receive();
                        case TIMED -> (Msg) Proc.receive(HOUR).orElseThrow(); // never runs out here
                        case SELECTIVE -> Proc.receive(Msg.class, HOUR).orElseThrow();
                    };
                    progress.incrementAndGet();
                    if (m.seq() != next[m.producer()]) {
                        consumed.completeExceptionally(new AssertionError(
                                "producer " + m.producer() + ": got " + m.seq() + ", expected " + next[m.producer()]));
                        return;
                    }
                    next[m.producer()]++;
                    count++;
                    if (lockstep) {
                        if (++inRound == producers * burst) {
                            inRound = 0;
                            if (wait == Wait.SELECTIVE) {
                                // One per producer and burst, all sent before its last message.
                                for (int i = 0; i < producers; i++) {
                                    Proc.receive(Noise.class, java.time.Duration.ZERO).orElseThrow();
                                }
                            }
                            ps.forEach(Producer::ack);
                        }
                    } else if (next[m.producer()] % burst == 0) {
                        ps.get(m.producer()).ack();
                    }
                }
                consumed.complete(count);
            });
            dog.watch(consumer, progress);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (Producer p : ps) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                done.add(f);
                Runnable body = () -> {
                    try {
                        int seq = 0;
                        for (int r = 0; r < rounds; r++) {
                            for (int i = 0; i < burst; i++) {
                                if (wait == Wait.SELECTIVE && i == burst / 2) {
                                    Proc.send(consumer, new Noise(p.index));
                                }
                                Proc.send(consumer, new Msg(p.index, seq++));
                            }
                            p.awaitAck();
                        }
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                };
                if (p.index % 2 == 0) {
                    CompletableFuture<Pid> known = new CompletableFuture<>();
                    Pid pid = Proc.spawn(() -> {
                        known.join(); // it must know it is a process before the first ack can come
                        body.run();
                    });
                    p.pid = pid;
                    dog.watch(pid, p.progress);
                    known.complete(pid);
                } else {
                    Thread.ofPlatform().start(body);
                }
            }
            for (CompletableFuture<Void> f : done) {
                dog.await(f, BOUND_SECONDS);
            }
            return dog.await(consumed, BOUND_SECONDS);
        }
    }

    // ================================================================ through the public API

    /** Counts what it handles; its progress counter is what the watchdog reads. */
    static final class Counter implements GenServer<Void, Long> {
        private final AtomicLong progress;

        Counter(AtomicLong progress) {
            this.progress = progress;
        }

        @Override
        public InitResult<Long> init(Void arg) {
            return ok(0L);
        }

        @Override
        public CallResult<Long> handleCall(Object request, From from, Long casts) {
            progress.incrementAndGet();
            return reply(casts, casts);
        }

        @Override
        public CastResult<Long> handleCast(Object request, Long casts) {
            progress.incrementAndGet();
            return noreply(casts + 1);
        }
    }

    /**
     * The reviewer's reproduction through the public API: plain threads that each cast to an idle
     * server and then call it, with no timeout. A lost wake-up leaves the server parked on the
     * cast and the call, and the caller waiting for ever; the watchdog sees the server.
     */
    @Test
    void castThenCallToAnIdleServerIsAlwaysAnswered() {
        int threads = 4;
        int iterations = 60_000 * SCALE;
        AtomicLong progress = new AtomicLong();
        Pid server = GenServer.start(new Counter(progress), null).pid();
        try (Watchdog dog = new Watchdog()) {
            dog.watch(server, progress);
            List<CompletableFuture<Long>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                CompletableFuture<Long> f = new CompletableFuture<>();
                done.add(f);
                Thread.ofPlatform().start(() -> {
                    try {
                        long last = 0;
                        for (int i = 0; i < iterations; i++) {
                            GenServer.cast(server, "inc");
                            last = GenServer.<Long>call(server, "count", Proc.INFINITY);
                        }
                        f.complete(last);
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                });
            }
            for (CompletableFuture<Long> f : done) {
                dog.await(f, BOUND_SECONDS);
            }
            assertEquals((long) threads * iterations, (long) GenServer.<Long>call(server, "count", Proc.INFINITY));
        } finally {
            GenServer.stop(server);
        }
    }

    /**
     * A process has no mailbox queue until its first message, whose sender makes it (a CAS) while
     * the process may be spinning or parking on the empty field. Each round a fresh process waits
     * untimed for its messages: one, or (every other round) two that two processes send at once,
     * racing each other's install; a lost wake-up leaves it parked with its mail, which the
     * watchdog sees. With one sender nothing later can cover a lost first wake-up.
     */
    @Test
    void theFirstMessagesToAFreshProcessAlwaysWakeIt() {
        int rounds = 20_000 * SCALE;
        try (Watchdog dog = new Watchdog()) {
            for (int r = 0; r < rounds; r++) {
                AtomicLong progress = new AtomicLong();
                CompletableFuture<Long> got = new CompletableFuture<>();
                boolean two = (r & 1) == 0;
                Pid consumer = Proc.spawn(() -> {
                    long sum = (Integer) Proc.receive();
                    progress.incrementAndGet();
                    if (two) {
                        sum += (Integer) Proc.receive();
                        progress.incrementAndGet();
                    }
                    got.complete(sum);
                });
                dog.watch(consumer, progress);
                if (r % 64 == 0) {
                    assertNull(consumer.pcb.queue(), "a queue before the first message"); // until one is sent
                }
                Proc.spawn(() -> Proc.send(consumer, 1));
                if (two) {
                    Proc.spawn(() -> Proc.send(consumer, 2));
                }
                assertEquals(two ? 3L : 1L, (long) dog.await(got, BOUND_SECONDS), "round " + r);
            }
        }
    }

    /**
     * The same race for a server whose {@code init} hibernates it: no thread and no queue, and
     * two casts arriving together make the queue and start its thread. Nothing else is sent, so a
     * lost wake-up of either cast is not covered by a later message: the server, hibernated with
     * its mail, is what the watchdog sees.
     */
    @Test
    void theFirstCastsToAServerStartedHibernatedAlwaysWakeIt() {
        int rounds = 10_000 * SCALE;
        record Round(AtomicLong progress, CompletableFuture<Long> twoCasts) {}
        java.util.function.Supplier<GenServer<Round, Long>> sleeper = () -> new GenServer<>() {
            private Round round;

            @Override
            public InitResult<Long> init(Round r) {
                round = r;
                return ok(0L, Action.hibernate());
            }

            @Override
            public CastResult<Long> handleCast(Object request, Long casts) {
                round.progress().incrementAndGet();
                if (casts + 1 == 2) {
                    round.twoCasts().complete(casts + 1);
                }
                return noreply(casts + 1, Action.hibernate());
            }
        };
        try (Watchdog dog = new Watchdog()) {
            for (int r = 0; r < rounds; r++) {
                Round round = new Round(new AtomicLong(), new CompletableFuture<>());
                Pid server = GenServer.start(sleeper.get(), round).pid(); // one instance per server: it keeps its round
                dog.watch(server, round.progress());
                Proc.spawn(() -> GenServer.cast(server, "a"));
                Proc.spawn(() -> GenServer.cast(server, "b"));
                assertEquals(2L, (long) dog.await(round.twoCasts(), BOUND_SECONDS), "round " + r);
                GenServer.stop(server);
            }
        }
    }

    /**
     * First messages racing a kill: whatever the interleaving, a dead process ends with the
     * {@link Mailbox#CLOSED} queue, so no sender installed a queue after its end and no message
     * stays reachable from its pid; a call among them ends (the process never answers, so with
     * its death), never hangs.
     */
    @Test
    void firstMessagesRacingAKillLeaveNoQueueOnTheDeadPid() throws Exception {
        int rounds = 10_000 * SCALE;
        for (int r = 0; r < rounds; r++) {
            Pid victim = Proc.spawn(() -> {
                for (;;) {
                    Proc.receive();
                }
            });
            CompletableFuture<Void> a = new CompletableFuture<>(), b = new CompletableFuture<>();
            CompletableFuture<Throwable> call = new CompletableFuture<>();
            Proc.spawn(() -> {
                Proc.send(victim, "a");
                a.complete(null);
            });
            Proc.spawn(() -> {
                try {
                    GenServer.call(victim, "never answered", Proc.INFINITY);
                    call.complete(null);
                } catch (RuntimeException e) {
                    call.complete(e);
                }
            });
            Proc.spawn(() -> {
                Proc.send(victim, "b");
                b.complete(null);
            });
            if ((r & 1) == 0) {
                Proc.exit(victim, ExitReason.kill());
            } else {
                Proc.spawn(() -> Proc.exit(victim, ExitReason.kill()));
            }
            a.get(BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            b.get(BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            Throwable ended = call.get(BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(ended instanceof ServerExitedException || ended instanceof NoProcException,
                    "round " + r + ": the call ended with " + ended);
            // Its end swaps in CLOSED; a queue a late sender installed instead would never go.
            int round = r;
            Probe.until(() -> victim.pcb.queue() == Mailbox.CLOSED, Probe.WAIT, "round " + round + ": the dead pid's queue is "
                    + victim.pcb.queue());
            assertSame(Mailbox.CLOSED, victim.pcb.queue(), "round " + r);
            assertEquals(0, victim.pcb.size(), "round " + r);
        }
    }

    /**
     * A dead process's mailbox is drained whole, however long: one JCTools drain takes at most
     * 4,096 messages, and the calls beyond would be failed only by their callers' death watch.
     */
    @Test
    void aDrainAtDeathTakesEveryQueuedMessage() {
        org.jctools.queues.MessagePassingQueue<Object> q = Mailbox.newQueue(Mailbox.CHUNK, false);
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            q.offer(i);
        }
        AtomicLong drained = new AtomicLong();
        Mailbox.drainAll(q, m -> drained.incrementAndGet());
        assertEquals(n, drained.get());
        assertTrue(q.isEmpty());
    }
}
