package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.RequestSet.Failure;
import io.otpj.core.RequestSet.Reply;
import io.otpj.core.RequestSet.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestSet}: Erlang's request id collections. Every request gets exactly one response (a
 * reply or a failure), in arrival order; a timeout abandons nothing; abandon drops late replies;
 * deaths answer at once, while the owner is parked too; only the owner may use it.
 */
class RequestSetTest {

    static final Duration WAIT = Probe.WAIT;

    record Seq() {}
    record Hold(Object value) {}
    record Release() {}
    record Crash(ExitReason reason) {}

    /** Answers {@code Seq} with a counter, holds {@code Hold}s until a {@code Release} cast, stops on {@code Crash}. */
    static final class Desk implements GenServer<Void, Desk.State> {
        static final class State {
            int next;
            final List<From> held = new ArrayList<>();
            final List<Object> values = new ArrayList<>();
        }

        final CountDownLatch holding;

        Desk(int holds) {
            holding = new CountDownLatch(holds);
        }

        @Override
        public InitResult<State> init(Void arg) {
            return ok(new State());
        }

        @Override
        public CallResult<State> handleCall(Object request, From from, State s) {
            return switch (request) {
                case Seq q -> reply(s.next++, s);
                case Hold(Object v) -> {
                    s.held.add(from);
                    s.values.add(v);
                    holding.countDown();
                    yield noreply(s);
                }
                case Crash(ExitReason r) -> stop(r, s);
                default -> reply(request, s);
            };
        }

        @Override
        public CastResult<State> handleCast(Object request, State s) {
            if (request instanceof Release) {
                for (int i = 0; i < s.held.size(); i++) {
                    s.held.get(i).reply(s.values.get(i));
                }
                s.held.clear();
                s.values.clear();
            }
            return noreply(s);
        }

        static Pid start(Desk d) {
            return GenServer.start(d, null).pid();
        }
    }

    @Test
    void aPipelineToOneServerIsAnsweredInFullAndTheServerSeesTheRequestsInSendingOrder() {
        Pid desk = Desk.start(new Desk(0));
        RequestSet<Integer> set = RequestSet.create();
        for (int i = 0; i < 500; i++) {
            set.send(desk, new Seq(), i);
        }
        assertEquals(500, set.size());
        List<Response<Integer>> all = set.awaitAll(WAIT);
        assertTrue(set.isEmpty());
        assertEquals(500, all.size());
        for (Response<Integer> r : all) {
            // The i-th request sent was the i-th the server handled.
            assertEquals(r.label(), assertInstanceOf(Reply.class, r).value());
            assertEquals(desk, r.server());
        }
        GenServer.stop(desk);
    }

    @Test
    void responsesComeInArrivalOrderNotSendingOrder() {
        Desk slow = new Desk(1);
        Pid held = Desk.start(slow);
        Pid quick = Desk.start(new Desk(0));
        // The owner waits without a limit: a lost wake-up hangs it and fails the test, never heals.
        List<Response<String>> got = onPlainThread(() -> {
            RequestSet<String> set = RequestSet.create();
            set.send(held, new Hold("late"), "held");
            set.send(quick, "now", "quick");
            Probe.await(slow.holding);
            List<Response<String>> out = new ArrayList<>();
            out.add(set.awaitNext(Proc.INFINITY).orElseThrow());
            assertEquals(Optional.empty(), set.poll(), "the held request has no reply yet");
            CompletableFuture.runAsync(() -> {
                Probe.until(() -> countWatches(held.pcb) == 1, WAIT, "the owner never parked");
                GenServer.cast(held, new Release());
            });
            out.add(set.awaitNext(Proc.INFINITY).orElseThrow());
            assertTrue(set.isEmpty());
            return out;
        });
        assertEquals(List.of(new Reply<>("quick", quick, "now"), new Reply<>("held", held, "late")), got);
        GenServer.stop(held);
        GenServer.stop(quick);
    }

    @Test
    void aTimeoutAbandonsNothingAndTheReplyCanBeAwaitedAgain() {
        Desk d = new Desk(1);
        Pid desk = Desk.start(d);
        RequestSet<String> set = RequestSet.create();
        set.send(desk, new Hold(7), "a");
        Probe.await(d.holding);
        assertEquals(Optional.empty(), set.awaitNext(Duration.ofMillis(20)));
        assertEquals(Optional.empty(), set.awaitNext(Duration.ZERO));
        assertEquals(List.of(), set.awaitAll(Duration.ofMillis(20)));
        assertEquals(1, set.size());
        GenServer.cast(desk, new Release());
        assertEquals(new Reply<>("a", desk, 7), set.awaitNext(WAIT).orElseThrow());
        GenServer.stop(desk);
    }

    @Test
    void aServerThatExitsBeforeReplyingAnswersWithAFailureAndTheOthersAreUnaffected() {
        Pid doomed = Desk.start(new Desk(0));
        Pid fine = Desk.start(new Desk(0));
        RequestSet<String> set = RequestSet.create();
        ExitReason why = ExitReason.of("gave_up");
        set.send(doomed, new Hold("never"), "held"); // taken, then left unanswered by the crash
        set.send(doomed, new Crash(why), "crash");
        set.send(fine, "ok", "fine");
        List<Response<String>> all = set.awaitAll(WAIT);
        assertEquals(3, all.size());
        Set<Response<String>> got = new HashSet<>(all);
        assertEquals(Set.of(new Failure<>("crash", doomed, why), new Failure<>("held", doomed, why),
                new Reply<>("fine", fine, "ok")), got);
        GenServer.stop(fine);
    }

    @Test
    void aDeathWhileTheOwnerIsParkedAnswersAtOnce() {
        Desk d = new Desk(2);
        Pid desk = Desk.start(d);
        List<Response<Integer>> all = onPlainThread(() -> {
            RequestSet<Integer> set = RequestSet.create();
            set.send(desk, new Hold(1), 1);
            set.send(desk, new Hold(2), 2);
            Probe.await(d.holding);
            CompletableFuture.runAsync(() -> {
                // Kill only once the owner has registered its watches and parked.
                Probe.until(() -> countWatches(desk.pcb) == 2, WAIT, "the owner never parked on its requests");
                Proc.exit(desk, ExitReason.kill());
            });
            return set.awaitAll(Proc.INFINITY);
        });
        assertEquals(List.of(new Failure<>(1, desk, ExitReason.killed()), new Failure<>(2, desk, ExitReason.killed())),
                all.stream().sorted(java.util.Comparator.comparing(Response::label)).toList());
    }

    @Test
    void anAbsentServerAnswersNoprocWithoutThrowingAndCallingSelfThrows() {
        Pid dead = Desk.start(new Desk(0));
        GenServer.stop(dead);
        Pid live = Desk.start(new Desk(0));
        RequestSet<String> set = RequestSet.create();
        set.send(dead, "x", "dead");
        set.send(Name.local("nobody-" + System.nanoTime()), "x", "unregistered");
        set.send(live, "x", "live");
        List<Response<String>> all = set.awaitAll(WAIT);
        assertEquals(3, all.size());
        for (Response<String> r : all) {
            switch (r) {
                case Failure<String>(String label, ServerRef server, ExitReason reason) -> {
                    assertTrue(label.equals("dead") || label.equals("unregistered"), label);
                    assertEquals(ExitReason.noproc(), reason);
                }
                case Reply<String>(String label, ServerRef server, Object value) -> {
                    assertEquals("live", label);
                    assertEquals("x", value);
                }
            }
        }
        // A process sending to itself gets an exception and its set is unchanged.
        List<Object> inProcess = Probe.eval(() -> {
            RequestSet<String> own = RequestSet.create();
            CallingSelfException e = assertThrows(CallingSelfException.class, () -> own.send(Proc.self(), "x", "me"));
            return List.of(e.reason(), own.size());
        });
        assertEquals(List.of(ExitReason.of("calling_self"), 0), inProcess);
        GenServer.stop(live);
    }

    @Test
    void abandonDropsLateRepliesAndTheSetCanBeUsedAgain() {
        Desk d = new Desk(2);
        Pid desk = Desk.start(d);
        RequestSet<String> set = RequestSet.create();
        set.send(desk, new Hold("old-1"), "old");
        set.send(desk, new Hold("old-2"), "old");
        Probe.await(d.holding);
        assertEquals(Optional.empty(), set.awaitNext(Duration.ofMillis(5))); // registers the watches
        set.abandon();
        assertTrue(set.isEmpty());
        assertEquals(0, countWatches(desk.pcb), "abandoned requests leave no watch on the server");
        GenServer.cast(desk, new Release()); // the late replies
        set.send(desk, "new", "new");
        assertEquals(List.of(new Reply<>("new", desk, "new")), set.awaitAll(WAIT));
        assertEquals(Optional.empty(), set.poll());
        assertThrows(IllegalStateException.class, () -> set.awaitNext(WAIT), "nothing pending");
        GenServer.stop(desk);
    }

    @Test
    void aKilledOwnerUnwindsAndLeavesNoWatchBehind() {
        Desk d = new Desk(1);
        Pid desk = Desk.start(d);
        CompletableFuture<Pid> owner = new CompletableFuture<>();
        Pid p = Proc.spawn(() -> {
            RequestSet<String> set = RequestSet.create();
            set.send(desk, new Hold("never"), "h");
            owner.complete(Proc.self());
            set.awaitNext(Proc.INFINITY);
        });
        Probe.get(owner);
        Probe.await(d.holding);
        Probe.until(() -> countWatches(desk.pcb) == 1, WAIT, "the owner never parked");
        ExitReason reason = Probe.eval(() -> {
            Proc.monitor(p);
            Proc.exit(p, ExitReason.kill());
            return Proc.receive(Down.class, WAIT).orElseThrow().reason();
        });
        assertEquals(ExitReason.killed(), reason);
        Probe.until(() -> countWatches(desk.pcb) == 0, WAIT, "the killed owner's watch stayed");
        GenServer.stop(desk);
    }

    @Test
    void anInterruptedPlainOwnerGetsCallInterruptedKeepsItsInterruptAndItsRequests() throws Exception {
        Desk d = new Desk(1);
        Pid desk = Desk.start(d);
        CompletableFuture<List<Object>> outcome = new CompletableFuture<>();
        CountDownLatch sent = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                RequestSet<String> set = RequestSet.create();
                set.send(desk, new Hold("v"), "h");
                sent.countDown();
                List<Object> seen = new ArrayList<>();
                try {
                    set.awaitAll(Proc.INFINITY);
                } catch (CallInterruptedException e) {
                    seen.add(Thread.interrupted());
                    seen.add(set.size());
                }
                GenServer.cast(desk, new Release());
                seen.add(set.awaitNext(WAIT).orElseThrow());
                outcome.complete(seen);
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        Probe.await(sent);
        Probe.await(d.holding);
        Probe.until(() -> countWatches(desk.pcb) == 1, WAIT, "the owner never parked");
        t.interrupt();
        assertEquals(List.of(true, 1, new Reply<>("h", desk, "v")), Probe.get(outcome));
        GenServer.stop(desk);
    }

    @Test
    void aFullBoundedMailboxAnswersMailboxFull() {
        BoundedMailboxTest.Holder h = new BoundedMailboxTest.Holder();
        Pid pid = h.startBlocked(MailboxLimit.dropping(1));
        RequestSet<Integer> set = RequestSet.create();
        set.send(pid, "a", 1); // queued
        set.send(pid, "b", 2); // refused
        assertEquals(new Failure<>(2, pid, MailboxBounds.MAILBOX_FULL), set.awaitNext(WAIT).orElseThrow());
        h.release.countDown();
        assertEquals(new Reply<>(1, pid, "ok"), set.awaitNext(WAIT).orElseThrow());
        GenServer.stop(pid);
    }

    @Test
    void onlyTheOwnerMayUseItAndBadInputIsRefused() {
        Pid desk = Desk.start(new Desk(0));
        RequestSet<String> set = RequestSet.create();
        assertThrows(NullPointerException.class, () -> set.send(null, "x", "l"));
        assertThrows(NullPointerException.class, () -> set.send(desk, null, "l"));
        assertThrows(NullPointerException.class, () -> set.send(desk, "x", null));
        assertThrows(IllegalArgumentException.class, () -> set.awaitAll(Duration.ofSeconds(-1)));
        assertTrue(set.isEmpty());
        set.send(desk, "x", "l");
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
            try {
                set.awaitNext(WAIT);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertInstanceOf(IllegalStateException.class, Probe.get(other));
        assertEquals(List.of(new Reply<>("l", desk, "x")), set.awaitAll(WAIT));
        GenServer.stop(desk);
    }

    @Test
    void aProcessCanPipelineToManyServers() {
        List<Pid> desks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            desks.add(Desk.start(new Desk(0)));
        }
        int total = Probe.eval(() -> {
            try (RequestSet<Pid> set = RequestSet.create()) {
                for (int round = 0; round < 10; round++) {
                    for (Pid d : desks) {
                        set.send(d, new Seq(), d);
                    }
                }
                int sum = 0;
                for (Response<Pid> r : set.awaitAll(WAIT)) {
                    sum += (Integer) ((Reply<Pid>) r).value();
                }
                assertFalse(set.awaitAll(WAIT).iterator().hasNext());
                return sum;
            }
        });
        assertEquals(8 * 45, total, "each server answered 0..9");
        desks.forEach(GenServer::stop);
    }

    /** Runs {@code body} on a fresh platform thread (the set's owner); a hang fails with a thread dump. */
    static <T> T onPlainThread(Probe.Body<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(body.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return Probe.get(result);
    }

    static int countWatches(Pcb p) {
        synchronized (p) {
            int n = 0;
            for (DeathWatch w = p.watchHead; w != null; w = w.next) {
                if (w instanceof RequestSet.Member) {
                    n++;
                }
            }
            return n;
        }
    }
}
