package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * core's JFR events, seen through a {@link RecordingStream} as a user's recording would see them:
 * each is emitted with its fields when a recording enables it, and the per-message ones are not
 * emitted when it does not. Waits are on the events themselves (bounded by {@link Probe#WAIT});
 * a missing event fails the test.
 */
class JfrEventsTest {

    RecordingStream rs;
    final List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    /** Each arrival, so that a wait wakes when an event comes, not on a guess. */
    final LinkedBlockingQueue<RecordedEvent> arrivals = new LinkedBlockingQueue<>();

    @BeforeEach
    void record() {
        rs = new RecordingStream();
        rs.setMaxAge(Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        rs.close();
    }

    private void start(String... names) {
        for (String n : names) {
            rs.onEvent(n, e -> {
                seen.add(e);
                arrivals.add(e);
            });
        }
        rs.startAsync();
    }

    private RecordedEvent await(String name, Predicate<RecordedEvent> which) {
        long end = System.nanoTime() + WAIT.toNanos();
        for (long left = WAIT.toNanos(); left > 0; left = end - System.nanoTime()) {
            for (RecordedEvent e : seen) {
                if (e.getEventType().getName().equals(name) && which.test(e)) {
                    return e;
                }
            }
            try {
                arrivals.poll(left, TimeUnit.NANOSECONDS); // the stream flushes about once a second
            } catch (InterruptedException x) {
                throw new AssertionError(x);
            }
        }
        throw new AssertionError("no " + name + " event within " + WAIT + "; seen: " + seen);
    }

    /** A server whose calls crash, work a while, or hold their reply, as the request says. */
    static final class Busy implements GenServer<Void, Integer> {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer s) throws Exception {
            switch (request instanceof String str ? str : "") {
                case "crash" -> throw new IllegalStateException("boom");
                case "work" -> workFor(Duration.ofMillis(60)); // the callback's own work: what SlowCallback measures
                case "late" -> {
                    workFor(Duration.ofMillis(120));
                    return reply("late", s);
                }
                case "never" -> {
                    return noreply(s);
                }
                default -> {}
            }
            return reply(request, s + 1);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer s) throws Exception {
            if ("hold".equals(request)) {
                assertTrue(release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
            return noreply(s + 1);
        }
    }

    /**
     * Keeps the calling callback busy for at least {@code d}, by the clock: the duration the
     * events measure, which a loaded machine can only make longer.
     */
    static void workFor(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aCrashIsRecordedWithItsPidBehaviourReasonAndException() {
        rs.enable("io.otpj.ProcessCrash");
        start("io.otpj.ProcessCrash");
        Pid pid = GenServer.start(new Busy(), null).pid();
        assertThrows(ServerExitedException.class, () -> GenServer.call(pid, "crash", WAIT));
        RecordedEvent e = await("io.otpj.ProcessCrash", x -> pid.toString().equals(x.getString("pid")));
        assertEquals(Busy.class.getName(), e.getString("behaviour"));
        assertTrue(e.getString("reason").contains("boom"), e.getString("reason"));
        assertEquals(IllegalStateException.class.getName(), e.getClass("exception").getName());

        Pid plain = Proc.spawn(() -> {
            throw new UnsupportedOperationException("plain");
        });
        RecordedEvent p = await("io.otpj.ProcessCrash", x -> plain.toString().equals(x.getString("pid")));
        assertEquals("", p.getString("behaviour"));
        assertEquals(UnsupportedOperationException.class.getName(), p.getClass("exception").getName());
    }

    @Test
    void slowCallbacksAndLongCallWaitsAreRecordedPastTheirThresholdsOnlyWhenEnabled() {
        rs.enable("io.otpj.SlowCallback").withThreshold(Duration.ofMillis(30));
        rs.enable("io.otpj.LongCallWait").withThreshold(Duration.ofMillis(80));
        rs.enable("io.otpj.ProcessCrash");
        start("io.otpj.SlowCallback", "io.otpj.LongCallWait", "io.otpj.ProcessCrash");
        Pid pid = GenServer.start(new Busy(), null, StartOptions.defaults().withName(Name.local("jfr_busy"))).pid();
        GenServer.call(pid, "work", WAIT);
        RecordedEvent slow = await("io.otpj.SlowCallback", x -> pid.toString().equals(x.getString("pid")));
        assertEquals("handleCall", slow.getString("callback"));
        assertEquals(String.class.getName(), slow.getClass("messageType").getName());
        assertEquals(Busy.class.getName(), slow.getString("behaviour"));
        assertTrue(slow.getString("name").contains("jfr_busy"), slow.getString("name"));
        assertTrue(slow.getDuration().toMillis() >= 30);

        assertEquals("late", GenServer.call(pid, "late", WAIT));
        RecordedEvent late = await("io.otpj.LongCallWait", x -> "reply".equals(x.getString("outcome")));
        assertTrue(late.getString("server").contains(pid.toString()) || late.getString("server").contains("jfr_busy"),
                late.getString("server"));
        assertEquals("", late.getString("caller"), "called from a plain thread");
        assertTrue(late.getDuration().toMillis() >= 80);

        assertThrows(CallTimeoutException.class, () -> GenServer.call(pid, "never", Duration.ofMillis(150)));
        RecordedEvent timedOut = await("io.otpj.LongCallWait", x -> "timeout".equals(x.getString("outcome")));
        assertEquals(150L, timedOut.getLong("timeout"));

        // A quick call is not recorded: under both thresholds.
        long before = seen.stream().filter(x -> x.getEventType().getName().equals("io.otpj.SlowCallback")).count();
        GenServer.call(pid, "quick", WAIT);
        GenServer.stop(pid);
        // A crash after it is the marker: once it is seen, everything before it has been flushed.
        Pid marker = Proc.spawn(() -> {
            throw new IllegalStateException("marker");
        });
        await("io.otpj.ProcessCrash", x -> marker.toString().equals(x.getString("pid")));
        assertEquals(before, seen.stream().filter(x -> x.getEventType().getName().equals("io.otpj.SlowCallback")).count());
    }

    @Test
    void perMessageEventsAreOffUnlessTheRecordingEnablesThem() {
        rs.enable("io.otpj.ProcessCrash");
        // SlowCallback, LongCallWait and MailboxHighWater are only subscribed to, not enabled.
        start("io.otpj.SlowCallback", "io.otpj.LongCallWait", "io.otpj.MailboxHighWater", "io.otpj.ProcessCrash");
        Pid pid = GenServer.start(new Busy(), null).pid();
        GenServer.call(pid, "work", WAIT);
        assertEquals("late", GenServer.call(pid, "late", WAIT));
        GenServer.stop(pid);
        Pid marker = Proc.spawn(() -> {
            throw new IllegalStateException("marker");
        });
        await("io.otpj.ProcessCrash", x -> marker.toString().equals(x.getString("pid")));
        assertFalse(seen.stream().anyMatch(x -> !x.getEventType().getName().equals("io.otpj.ProcessCrash")),
                "only the enabled event was recorded: " + seen);
    }

    @Test
    void aMailboxAboveTheHighWaterMarkIsReportedByItsOwner() {
        rs.enable("io.otpj.MailboxHighWater");
        start("io.otpj.MailboxHighWater");
        Busy b = new Busy();
        Pid pid = GenServer.start(b, null).pid();
        GenServer.cast(pid, "hold"); // the server waits in its callback while the mail piles up
        int sent = Events.HIGH_WATER * 2;
        for (int i = 0; i < sent; i++) {
            GenServer.cast(pid, i);
        }
        b.release.countDown();
        RecordedEvent e = await("io.otpj.MailboxHighWater", x -> pid.toString().equals(x.getString("pid")));
        assertTrue(e.getInt("length") >= Events.HIGH_WATER, "length " + e.getInt("length"));
        assertEquals(Events.HIGH_WATER, e.getInt("highWater"));
        assertNotNull(GenServer.call(pid, "after", WAIT));
        GenServer.stop(pid);
    }
}
