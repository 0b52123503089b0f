package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * Bounded mailboxes, opt-in per server: past the bound a DROP mailbox drops casts and sends
 * (counted) and fails calls at once; a KILL mailbox kills its process with the untrappable
 * {@code mailbox_full}; deaths are always admitted; a high-water mark is reported per crossing;
 * unbounded stays the default.
 */
class BoundedMailboxTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** Blocks on "block" until released; records every other cast, info and call it handles. */
    static final class Holder implements GenServer<Void, List<Object>> {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public InitResult<List<Object>> init(Void arg) {
            Proc.trapExit(true);
            return ok(new ArrayList<>());
        }

        @Override
        public CastResult<List<Object>> handleCast(Object request, List<Object> s) throws Exception {
            if ("block".equals(request)) {
                blocked.countDown();
                release.await();
            } else {
                seen.add(request);
            }
            return noreply(s);
        }

        @Override
        public CastResult<List<Object>> handleInfo(Object message, List<Object> s) {
            seen.add(message instanceof Down d ? "down " + d.reason() : message);
            return noreply(s);
        }

        @Override
        public CallResult<List<Object>> handleCall(Object request, From from, List<Object> s) {
            seen.add("call " + request);
            return reply("ok", s);
        }

        /** Starts it and blocks it, so that what is sent next only queues. */
        Pid startBlocked(MailboxLimit limit) {
            Pid pid = GenServer.start(this, null, StartOptions.defaults().withMailboxLimit(limit)).pid();
            GenServer.cast(pid, "block");
            Probe.await(blocked);
            return pid;
        }
    }

    @Test
    void aFullDropMailboxDropsCastsAndSendsCountsThemAndFailsCallsAtOnce() throws Exception {
        Holder h = new Holder();
        Pid pid = h.startBlocked(MailboxLimit.dropping(3));
        for (int i = 0; i < 5; i++) {
            GenServer.cast(pid, i);
        }
        Proc.send(pid, "sent while full");
        MailboxFullException full = assertThrows(MailboxFullException.class, () -> GenServer.call(pid, "refused", WAIT));
        assertEquals("mailbox_full", full.reason().toString());
        MailboxStats st = Proc.mailboxStats(pid).orElseThrow();
        assertEquals(3, st.length());
        assertEquals(4, st.dropped(), "two casts, the send and the call: " + st);
        assertEquals(MailboxLimit.dropping(3), st.limit());
        assertEquals(3, st.peak());
        h.release.countDown();
        assertEquals(0, h.seen.take());
        assertEquals(1, h.seen.take());
        assertEquals(2, h.seen.take());
        assertEquals("ok", GenServer.call(pid, "after", WAIT), "calls work again once there is room");
        assertEquals("call after", h.seen.take());
        assertTrue(h.seen.isEmpty(), "nothing else was queued: " + h.seen);
        GenServer.stop(pid);
    }

    @Test
    void deathsAreAdmittedWhenFull() throws Exception {
        Holder h = new Holder();
        Pid pid = h.startBlocked(MailboxLimit.dropping(1));
        GenServer.cast(pid, "fills it");
        GenServer.cast(pid, "dropped");
        // A process linked to the (trapping) server dies: its Exit must get in anyway.
        CountDownLatch linked = new CountDownLatch(1);
        CountDownLatch die = new CountDownLatch(1);
        Pid partner = Proc.spawn(() -> {
            Proc.link(pid);
            linked.countDown();
            Probe.await(die);
            throw new IllegalStateException("partner dies");
        });
        Probe.await(linked);
        var gone = Probe.watch(partner);
        die.countDown();
        Probe.get(gone);
        // (Its DOWN reached us before its links were signalled: wait for the Exit to be queued.)
        Probe.until(() -> Proc.mailboxStats(pid).orElseThrow().length() == 2, WAIT, "the Exit never got in past the bound");
        h.release.countDown();
        assertEquals("fills it", h.seen.take());
        Object exit = h.seen.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertInstanceOf(Exit.class, exit);
        assertEquals(partner, ((Exit) exit).from());
        GenServer.stop(pid);
    }

    @Test
    void aFullKillMailboxKillsItsProcessWithMailboxFullEvenWhenTrapping() {
        Holder h = new Holder();
        Pid pid = h.startBlocked(MailboxLimit.killing(2));
        var down = Probe.watch(pid);
        GenServer.cast(pid, 1);
        GenServer.cast(pid, 2);
        assertTrue(pid.isAlive(), "at the bound, not past it");
        GenServer.cast(pid, 3);
        ExitReason r = Probe.get(down);
        assertEquals("mailbox_full", r.toString());
        assertFalse(pid.isAlive());
        assertTrue(Proc.mailboxStats(pid).isEmpty(), "a dead process has no mailbox");
        h.release.countDown();
    }

    @Test
    void theHighWaterMarkIsReportedOncePerCrossing() throws Exception {
        Holder h = new Holder();
        try (LogCapture log = new LogCapture()) {
            Pid pid = h.startBlocked(MailboxLimit.dropping(10).withHighWater(4));
            for (int i = 0; i < 6; i++) {
                GenServer.cast(pid, i);
            }
            MailboxStats st = Proc.mailboxStats(pid).orElseThrow();
            assertTrue(st.aboveHighWater());
            assertEquals(1, st.highWaterCrossings());
            assertEquals(1, log.lines("mailbox_high_water", pid).size(), log.text());
            // Drained below half the mark, then filled again: a second crossing.
            h.release.countDown();
            for (int i = 0; i < 6; i++) {
                assertEquals(i, h.seen.take());
            }
            GenServer.call(pid, "sync", WAIT); // empty now
            GenServer.cast(pid, "one"); // length 1 <= 4 / 2: re-armed
            GenServer.call(pid, "sync", WAIT);
            assertFalse(Proc.mailboxStats(pid).orElseThrow().aboveHighWater());
            GenServer.stop(pid);
        }
    }

    @Test
    void unboundedIsTheDefaultAndBadBoundsAreRefused() {
        Pid pid = GenServer.start(new Holder(), null).pid();
        MailboxStats st = Proc.mailboxStats(pid).orElseThrow();
        assertNull(st.limit());
        assertEquals(0, st.dropped());
        GenServer.stop(pid);
        assertThrows(IllegalArgumentException.class, () -> MailboxLimit.dropping(0));
        assertThrows(IllegalArgumentException.class, () -> MailboxLimit.killing(-1));
        assertThrows(IllegalArgumentException.class, () -> MailboxLimit.dropping(5).withHighWater(6));
        assertThrows(IllegalArgumentException.class, () -> MailboxLimit.dropping(5).withHighWater(0));
        assertThrows(NullPointerException.class, () -> new MailboxLimit(5, null, 3));
        assertThrows(NullPointerException.class, () -> Proc.mailboxStats(null));
        assertEquals(3, MailboxLimit.dropping(4).highWater());
        assertEquals(1, MailboxLimit.killing(1).highWater());
    }
}
