package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Elixir's start options: name, timeout (init within it, else killed), hibernate_after, debug trace. */
class StartOptionsTest {

    /** A server whose init waits on a latch, and whose state is its arg. */
    record Slow(CountDownLatch release, CompletableFuture<Pid> self) implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String arg) throws Exception {
            self.complete(Proc.self());
            release.await();
            return ok(arg);
        }

        @Override
        public CallResult<String> handleCall(Object req, From from, String s) {
            return reply(s, s);
        }
    }

    record Quick(Action after) implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String arg) {
            return ok(arg);
        }

        @Override
        public CallResult<String> handleCall(Object req, From from, String s) {
            return reply(s, s, after);
        }

        @Override
        public CastResult<String> handleInfo(Object msg, String s) {
            return noreply(s);
        }
    }

    @Test
    void anInitPastTheTimeoutIsKilledAndTheStartFailsWithTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Pid> server = new CompletableFuture<>();
        StartResult r = GenServer.start(new Slow(never, server), "x",
                StartOptions.defaults().withName(Name.local("slow-start")).withTimeout(Duration.ofMillis(50)));
        assertEquals(new StartResult.Failed(ExitReason.timeout()), r);
        assertFalse(Probe.get(server).isAlive(), "the half-started server was killed");
        assertEquals(java.util.Optional.empty(), Proc.whereis("slow-start"), "its name is free when start returns");
        Pid again = GenServer.start(new Quick(Action.none()), "y", StartOptions.defaults().withName(Name.local("slow-start"))).pid();
        GenServer.stop(again);
        never.countDown();
    }

    @Test
    void aLinkedStartThatTimesOutDoesNotKillItsCaller() {
        CompletableFuture<Pid> server = new CompletableFuture<>();
        Object[] result = new Object[1];
        Pid caller = Proc.spawn(() -> {
            result[0] = GenServer.startLink(new Slow(new CountDownLatch(1), server), "x",
                    StartOptions.defaults().withTimeout(Duration.ofMillis(50)));
            Proc.receive(); // stay alive until told
        });
        Probe.until(() -> result[0] != null, WAIT, "the linked start returned");
        assertEquals(new StartResult.Failed(ExitReason.timeout()), result[0]);
        assertFalse(Probe.get(server).isAlive());
        assertTrue(caller.isAlive(), "the caller was unlinked before the kill");
        Proc.send(caller, "done");
    }

    @Test
    void anInitWithinTheTimeoutStartsNormally() {
        CountDownLatch go = new CountDownLatch(1);
        go.countDown();
        Pid p = GenServer.start(new Slow(go, new CompletableFuture<>()), "fine",
                StartOptions.defaults().withTimeout(Duration.ofSeconds(30))).pid();
        assertEquals("fine", GenServer.call(p, "get"));
        GenServer.stop(p);
    }

    @Test
    void hibernateAfterHibernatesAnIdleServerButNotOneWithATimeoutOfItsOwn() {
        Pid idle = GenServer.start(new Quick(Action.none()), "s",
                StartOptions.defaults().withHibernateAfter(Duration.ofMillis(5))).pid();
        // Each look is a system call, which ends the idle time: look every 50 ms, so the server
        // has idle stretches ten times longer than its hibernate_after between them.
        long end = System.nanoTime() + WAIT.toNanos();
        while (Sys.statistics(idle).hibernations() == 0) {
            assertTrue(System.nanoTime() < end, "no hibernation within " + WAIT + Probe.dumpThreads());
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        assertEquals("s", GenServer.call(idle, "get"), "and still answers");
        GenServer.stop(idle);
        Pid plain = GenServer.start(new Quick(Action.none()), "s").pid();
        GenServer.call(plain, "get");
        assertEquals(0, Sys.statistics(plain).hibernations(), "no hibernate_after, no hibernation");
        GenServer.stop(plain);

        // A server waiting on a timeout of its own (an hour here) does not hibernate after
        // hibernate_after, as in OTP. Beside it, the same server without its own timeout, made
        // idle just after it, shows that the idle time was long enough for hibernate_after.
        StartOptions after5ms = StartOptions.defaults().withHibernateAfter(Duration.ofMillis(5));
        Pid ownTimeout = GenServer.start(new Quick(Action.timeout(Duration.ofHours(1))), "s", after5ms).pid();
        Pid control = GenServer.start(new Quick(Action.none()), "s", after5ms).pid();
        GenServer.call(ownTimeout, "get");
        GenServer.call(control, "get");
        Probe.until(() -> control.pcb.hibernated() && control.pcb.thread == null, WAIT, "the control did not hibernate");
        assertFalse(ownTimeout.pcb.hibernated(), "hibernated while a timeout of its own was pending");
        assertEquals(0, Sys.statistics(ownTimeout).hibernations());
        GenServer.stop(ownTimeout);
        GenServer.stop(control);
    }

    @Test
    void traceLogsEveryMessageFromTheStart() {
        try (LogCapture log = new LogCapture()) {
            Pid p = GenServer.start(new Quick(Action.none()), "s", StartOptions.defaults().withTrace(true)).pid();
            GenServer.call(p, "first");
            GenServer.call(p, "second");
            GenServer.stop(p);
            // From the first message on, each one handled, in order (not only the stop request).
            List<String> traced = log.lines("sys_trace", p);
            int first = indexOf(traced, "message=first"), second = indexOf(traced, "message=second");
            assertTrue(first >= 0 && second > first, log.text());
        }
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> StartOptions.defaults().withHibernateAfter(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> StartOptions.defaults().withName(null));
        assertThrows(NullPointerException.class, () -> GenServer.start(new Quick(Action.none()), "s", (StartOptions) null));
    }

    /** Collects casts of {@code long[]{sender, seq}} and checks each sender's sequence on a call. */
    static final class Sequences implements GenServer<Integer, long[]> {
        @Override
        public InitResult<long[]> init(Integer senders) {
            long[] next = new long[senders + 1]; // the last slot counts gaps and reorders
            return ok(next);
        }

        @Override
        public CastResult<long[]> handleCast(Object msg, long[] next) {
            long[] m = (long[]) msg;
            int sender = (int) m[0];
            if (m[1] != next[sender]) {
                next[next.length - 1]++;
            }
            next[sender] = m[1] + 1;
            return noreply(next);
        }

        @Override
        public CallResult<long[]> handleCall(Object req, From from, long[] next) {
            return reply(next.clone(), next);
        }
    }

    @Test
    void aHotMailboxIsThePaddedQueueAndKeepsEveryMessageInOrder() throws Exception {
        // Two-slot chunks: nearly every offer links a new chunk, the queue's hardest path.
        Node n = Node.start(NodeOptions.named("hot-" + System.nanoTime()).withShutdownHook(false).withMailboxChunk(2));
        try {
            int senders = 4, each = 20_000;
            Pid hot = n.call(() -> GenServer.start(new Sequences(), senders, StartOptions.defaults().withHotMailbox(true)).pid());
            Pid plain = n.call(() -> GenServer.start(new Sequences(), senders).pid());
            // No queue until the first message: the first sender makes it, of the class chosen at start.
            assertNull(hot.pcb.queue(), "a queue before any message");
            assertNull(plain.pcb.queue(), "a queue before any message");
            GenServer.call(hot, "seqs", WAIT);
            GenServer.call(plain, "seqs", WAIT);
            assertTrue(hot.pcb.queue() instanceof org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue,
                    "hot: " + hot.pcb.queue().getClass());
            assertEquals(Boolean.getBoolean("otpj.mailbox.padded"),
                    plain.pcb.queue() instanceof org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue,
                    "the default mailbox is the unpadded queue unless -Dotpj.mailbox.padded=true");
            assertTrue(StartOptions.defaults().withHotMailbox(true).hotMailbox());
            assertFalse(StartOptions.defaults().hotMailbox());
            // Half the senders are processes, half plain threads; both servers get the same stream.
            java.util.List<CompletableFuture<Void>> done = new java.util.ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                Runnable body = () -> {
                    for (long i = 0; i < each; i++) {
                        GenServer.cast(hot, new long[] {sender, i});
                        GenServer.cast(plain, new long[] {sender, i});
                    }
                };
                CompletableFuture<Void> f = new CompletableFuture<>();
                done.add(f);
                if (s % 2 == 0) {
                    n.spawn(() -> {
                        body.run();
                        f.complete(null);
                    });
                } else {
                    Thread.ofPlatform().start(() -> {
                        body.run();
                        f.complete(null);
                    });
                }
            }
            for (CompletableFuture<Void> f : done) {
                f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
            for (Pid server : java.util.List.of(hot, plain)) {
                long[] next = GenServer.call(server, "seqs", WAIT);
                for (int s = 0; s < senders; s++) {
                    assertEquals(each, next[s], "sender " + s + " to " + server);
                }
                assertEquals(0, next[senders], "gaps or reorders at " + server);
            }
        } finally {
            n.stop(Duration.ZERO);
        }
    }
}
