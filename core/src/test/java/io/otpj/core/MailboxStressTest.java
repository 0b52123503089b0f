package io.otpj.core;

import static io.otpj.core.Probe.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stress of the reply slot's wake-up protocol ({@link Completion}: callers that park and are woken
 * by a reply or by the server's death). Counts are exact; any lost reply shows as a wrong count,
 * and a lost wake-up as a call that times out (which fails the test: only a server's death is an
 * expected failure). The mailbox's protocol has its own stress test, {@link WakeupStressTest}.
 */
@Timeout(120)
class MailboxStressTest {

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
