package io.otpj.core;

import static io.otpj.core.Probe.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stress of the two wake-up protocols: the mailbox's (a consumer that parks and is woken by
 * producers) and the reply slot's ({@link Completion}: callers that park and are woken by a
 * reply or by the server's death). Counts are exact; any lost message or wake-up shows as a
 * wrong count or a hang, and every wait is bounded.
 */
@Timeout(120)
class MailboxStressTest {

    record Msg(int producer, int seq) {}

    /**
     * Producers that are processes send acknowledgements through their mailbox; those that are
     * plain threads through a semaphore.
     */
    private static final class Producer {
        final int index;
        volatile Pid pid;
        final Semaphore acks = new Semaphore(0);

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

        void awaitAck() throws InterruptedException {
            if (pid != null) {
                Proc.receive(Probe.WAIT).orElseThrow(() -> new IllegalStateException("no ack within " + Probe.WAIT));
            } else if (!acks.tryAcquire(Probe.WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("no ack within " + Probe.WAIT);
            }
        }
    }

    /**
     * Round by round, each of 4 producers (2 processes, 2 threads) sends a burst and waits; the
     * consumer acknowledges all of them only after the whole round arrived, so at the start of
     * every round its mailbox is empty and it goes idle: 10,000 times, 2.56 million messages.
     */
    @Test
    void aConsumerThatGoesIdleEveryRoundLosesNothing() {
        int producers = 4;
        int rounds = 10_000;
        int burst = 64;
        run(producers, rounds, burst, true);
    }

    /**
     * Free-running: each producer waits only for the acknowledgement of its own burst, so bursts
     * interleave and the consumer goes idle whenever it catches up.
     */
    @Test
    void freeRunningBurstsLoseNothing() {
        run(4, 4_000, 128, false);
    }

    private static void run(int producers, int rounds, int burst, boolean lockstep) {
        long total = (long) producers * rounds * burst;
        List<Producer> ps = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            ps.add(new Producer(i));
        }
        CompletableFuture<Long> consumed = new CompletableFuture<>();
        Pid consumer = Proc.spawn(() -> {
            int[] next = new int[producers];
            long count = 0;
            int inRound = 0;
            while (count < total) {
                Msg m = (Msg) Proc.receive(Probe.WAIT).orElseThrow(() -> new IllegalStateException("consumer starved"));
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
                        ps.forEach(Producer::ack);
                    }
                } else if (next[m.producer()] % burst == 0) {
                    ps.get(m.producer()).ack();
                }
            }
            consumed.complete(count);
        });
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Producer p : ps) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            Runnable body = () -> {
                try {
                    int seq = 0;
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < burst; i++) {
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
                CompletableFuture<Pid> started = new CompletableFuture<>();
                Pid pid = Proc.spawn(() -> {
                    // The producer must know it is a process before the first ack can come.
                    get(started);
                    body.run();
                });
                p.pid = pid;
                started.complete(pid);
            } else {
                Thread.ofPlatform().start(body);
            }
        }
        for (CompletableFuture<Void> f : done) {
            get(f);
        }
        assertEquals(total, get(consumed));
    }

    // ================================================================ the call path

    record Echo(long id) {}

    /** Replies through {@link From#reply} and counts the replies that reached their caller. */
    static final class Counting implements GenServer<Long, Long> {
        final AtomicLong delivered = new AtomicLong();
        final long dieAfter;
        final int mode;
        Pid self;

        Counting(long dieAfter, int mode) {
            this.dieAfter = dieAfter;
            this.mode = mode;
        }

        @Override
        public InitResult<Long> init(Long arg) {
            self = Proc.self();
            return ok(0L);
        }

        @Override
        public CallResult<Long> handleCall(Object request, From from, Long handled) {
            if (request instanceof Echo(long id)) {
                if (handled == dieAfter) {
                    switch (mode) {
                        case 0 -> throw new IllegalStateException("crash mid-stream");
                        // From outside, while this server goes on serving.
                        case 1 -> Thread.ofPlatform().start(() -> Proc.exit(self, ExitReason.kill()));
                        default -> Thread.ofPlatform().start(() -> Proc.exit(self, ExitReason.of("pulled")));
                    }
                }
                if (from.reply(id)) {
                    delivered.incrementAndGet();
                }
                return noreply(handled + 1);
            }
            throw new IllegalArgumentException(String.valueOf(request));
        }
    }

    /**
     * Many callers, processes and plain threads, call a server that dies mid-stream (a crash, a
     * kill from outside, an exit signal). No caller hangs; each gets its own reply or a
     * {@link ServerExitedException} / {@link NoProcException}; and the replies callers received
     * are exactly the replies the server delivered.
     */
    @Test
    void callersNeitherHangNorLoseRepliesWhenTheServerDies() throws Exception {
        int lives = 30;
        int callers = 8;
        AtomicLong ids = new AtomicLong();
        for (int life = 0; life < lives; life++) {
            int mode = life % 3;
            long dieAfter = 200 + (life * 7919L) % 1500;
            Counting impl = new Counting(dieAfter, mode);
            Pid server = GenServer.start(impl, 0L).pid();
            CompletableFuture<ExitReason> exit = Probe.watch(server);
            List<CompletableFuture<Long>> received = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                CompletableFuture<Long> mine = new CompletableFuture<>();
                received.add(mine);
                Runnable body = () -> {
                    long ok = 0;
                    try {
                        for (;;) {
                            long id = ids.incrementAndGet();
                            Object r;
                            try {
                                r = GenServer.call(server, new Echo(id), Duration.ofSeconds(30));
                            } catch (ServerExitedException | NoProcException e) {
                                break;
                            }
                            if (!Long.valueOf(id).equals(r)) {
                                throw new AssertionError("call " + id + " got " + r);
                            }
                            ok++;
                        }
                        mine.complete(ok);
                    } catch (Throwable t) {
                        mine.completeExceptionally(t);
                    }
                };
                if (c % 2 == 0) {
                    Proc.spawn(body);
                } else {
                    Thread.ofPlatform().start(body);
                }
            }
            long total = 0;
            for (CompletableFuture<Long> f : received) {
                total += get(f);
            }
            ExitReason why = get(exit);
            switch (mode) {
                case 0 -> assertTrue(why instanceof ExitReason.Crash, why.toString());
                case 1 -> assertEquals(ExitReason.killed(), why);
                default -> assertEquals(ExitReason.of("pulled"), why);
            }
            Probe.join(server); // a killed server's thread may still be finishing a reply
            assertEquals(impl.delivered.get(), total, "life " + life + ": replies delivered vs. received");
            assertTrue(total >= dieAfter, "the server died mid-stream, not before it");
        }
    }
}
