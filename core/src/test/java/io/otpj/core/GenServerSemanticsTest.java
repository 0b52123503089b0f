package io.otpj.core;

import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.awaitQuietly;
import static io.otpj.core.Probe.drainMailbox;
import static io.otpj.core.Probe.eval;
import static io.otpj.core.Probe.exec;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.join;
import static io.otpj.core.Probe.take;
import static io.otpj.core.Probe.takeUntil;
import static io.otpj.core.Probe.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Scripted.Run;
import io.otpj.core.Scripted.Step;
import io.otpj.core.Scripted.Terminated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One test (or a small group) per line of the "GenServer" section of otp-semantics.md. Most
 * servers are {@link Scripted}: the request carries the callback's body, so each test names the
 * exact return form it checks.
 */
@Timeout(60)
class GenServerSemanticsTest {

    static final RuntimeException BOOM = new IllegalStateException("boom");
    static final Duration LONG = Duration.ofSeconds(30);

    /** A server with only {@code init}: every other callback is the interface's default. */
    static class Bare implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String arg) {
            return ok(arg);
        }
    }

    /** Holds a server inside a call until released, so messages can queue up behind it. */
    static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        /** A call request that blocks in the server until released, then runs {@code then}. */
        Run blocking(Scripted.CallFn then) {
            return new Run((self, from, s) -> {
                entered.countDown();
                awaitQuietly(release);
                return then.apply(self, from, s);
            });
        }

        void awaitEntered() {
            await(entered);
        }

        void open() {
            release.countDown();
        }
    }

    /** Calls from a plain (virtual) thread; the future holds the reply or the exception. */
    static <T> CompletableFuture<T> callAsync(ServerRef server, Object request, Duration timeout) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(GenServer.call(server, request, timeout));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    static <E extends Throwable> E failure(Class<E> type, CompletableFuture<?> f) {
        return assertThrows(type, () -> get(f));
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    // ================================================================ start

    /**
     * "start_link runs init synchronously in the new process and returns only when init has
     * returned: {ok, state} (optionally with a timeout, hibernate or {continue, arg}), ignore,
     * {stop, reason}. A name already taken: {error, {already_started, pid}}. ..."
     */
    @Nested
    class Start {

        @Test
        void initRunsInTheNewProcessBeforeStartReturns() {
            AtomicReference<Pid> initPid = new AtomicReference<>();
            AtomicReference<Boolean> initDone = new AtomicReference<>(false);
            Scripted s = new Scripted();
            StartResult r = GenServer.start(s, self -> {
                initPid.set(Proc.self());
                initDone.set(true);
                return self.ok(List.of("init"));
            });
            Pid pid = assertInstanceOf(StartResult.Ok.class, r).pid();
            assertTrue(initDone.get(), "init has returned when start returns");
            assertSame(pid, initPid.get(), "init ran in the new process");
            assertEquals(List.of("init"), Sys.getState(pid));
            GenServer.stop(pid);
        }

        @Test
        void startLinkLinksBeforeInitRuns() {
            exec(() -> {
                Pid me = Proc.self();
                AtomicReference<List<Pid>> linksSeenByInit = new AtomicReference<>();
                Pid pid = GenServer.startLink(new Scripted(), self -> {
                    linksSeenByInit.set(Proc.info(Proc.self()).orElseThrow().links());
                    return self.ok(List.of());
                }).pid();
                assertEquals(List.of(me), linksSeenByInit.get());
                assertTrue(Proc.info(me).orElseThrow().links().contains(pid));
                Proc.unlink(pid);
                GenServer.stop(pid);
            });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GenServer.startLink(new Scripted(), self -> self.ok(List.of())));
            assertTrue(e.getMessage().contains("startLink"), e.getMessage());
        }

        @Test
        void okWithTimeout() {
            Scripted s = new Scripted();
            Pid pid = GenServer.start(s, self -> self.ok(List.of(), Action.timeout(Duration.ofMillis(1)))).pid();
            assertEquals("timeout", take(s.seen));
            assertEquals(List.of("timeout"), Sys.getState(pid));
            GenServer.stop(pid);
        }

        @Test
        void okWithHibernateKeepsTheState() {
            Pid pid = GenServer.start(new Scripted(), self -> self.ok(List.of("kept"), Action.hibernate())).pid();
            assertEquals(List.of("kept"), Sys.getState(pid));
            GenServer.stop(pid);
        }

        @Test
        void okWithContinueRunsBeforeAnyQueuedMessage() {
            Scripted s = new Scripted();
            Pid pid = GenServer.start(s, self -> {
                Proc.send(Proc.self(), "queued-during-init");
                return self.ok(List.of(), Action.continueWith("c"));
            }).pid();
            takeUntil(s.seen, "info:queued-during-init");
            assertEquals(List.of("continue:c", "info:queued-during-init"), Sys.getState(pid));
            GenServer.stop(pid);
        }

        @Test
        void ignoreReturnsIgnoredAndTheProcessExitsNormally() {
            AtomicReference<Pid> initPid = new AtomicReference<>();
            AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
            StartResult r = GenServer.start(new Scripted(), self -> {
                initPid.set(Proc.self());
                exit.set(watch(Proc.self()));
                return self.ignore();
            });
            assertInstanceOf(StartResult.Ignored.class, r);
            assertFalse(initPid.get().isAlive());
            assertEquals(ExitReason.normal(), get(exit.get()));
            StartException e = assertThrows(StartException.class, r::pid);
            assertSame(r, e.result());
        }

        @Test
        void stopReturnsFailedWithTheReason() {
            AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
            ExitReason why = ExitReason.shutdown("no config");
            StartResult r = GenServer.start(new Scripted(), self -> {
                exit.set(watch(Proc.self()));
                return self.stopInit(why);
            });
            assertEquals(new StartResult.Failed(why), r);
            assertEquals(why, get(exit.get()), "the process exits with the stop reason");
        }

        @Test
        void aTakenNameGivesAlreadyStartedWithTheHolder() {
            String key = uniqueName("taken");
            Pid first = GenServer.start(new Scripted(), self -> self.ok(List.of()), Name.local(key)).pid();
            AtomicInteger secondInits = new AtomicInteger();
            StartResult r = GenServer.start(new Scripted(), self -> {
                secondInits.incrementAndGet();
                return self.ok(List.of());
            }, Name.local(key));
            assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(first)), r);
            assertEquals(0, secondInits.get(), "the loser's init never runs");
            assertTrue(first.isAlive());

            // The same through a registry.
            MapRegistry registry = new MapRegistry();
            Pid viaFirst = GenServer.start(new Scripted(), self -> self.ok(List.of()), Name.via(registry, key)).pid();
            assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(viaFirst)),
                    GenServer.start(new Scripted(), self -> self.ok(List.of()), Name.via(registry, key)));
            GenServer.stop(first);
            GenServer.stop(viaFirst);
        }

        @Test
        void anInitCrashIsReturnedAndDoesNotKillTheLinkedStarter() {
            List<Object> seenByStarter = eval(() -> {
                StartResult r = GenServer.startLink(new Scripted(), self -> {
                    throw BOOM;
                });
                // Still here: the crash did not travel through the link.
                StartException e = assertThrows(StartException.class, r::pid);
                assertSame(BOOM, e.getCause());
                return List.of(r, Proc.info(Proc.self()).orElseThrow().links());
            });
            assertSame(BOOM, ((ExitReason.Crash) ((StartResult.Failed) seenByStarter.get(0)).reason()).cause());
            assertEquals(List.of(), seenByStarter.get(1), "the failed child is no longer linked");

            // A trapping starter gets the error as the result, not also as an EXIT message.
            List<Object> leftovers = eval(() -> {
                Proc.trapExit(true);
                assertInstanceOf(StartResult.Failed.class, GenServer.startLink(new Scripted(), self -> {
                    throw BOOM;
                }));
                return drainMailbox();
            });
            assertEquals(List.of(), leftovers);
        }

        @Test
        void errorInitFailsSilentlyAndTheProcessExitsNormally() {
            ExitReason why = ExitReason.of("bad config");
            AtomicReference<Pid> initPid = new AtomicReference<>();
            AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
            try (LogCapture log = new LogCapture()) {
                StartResult r = GenServer.start(new Scripted(), self -> {
                    initPid.set(Proc.self());
                    exit.set(watch(Proc.self()));
                    return self.errorInit(why);
                });
                assertEquals(new StartResult.Failed(why), r);
                assertEquals(ExitReason.normal(), get(exit.get()));
                assertEquals(List.of(), log.lines("crash_report", initPid.get()), "no crash report");
            }
            // Its counterpart, a crash in init, is reported.
            try (LogCapture log = new LogCapture()) {
                GenServer.start(new Scripted(), self -> {
                    initPid.set(Proc.self());
                    throw BOOM;
                });
                assertEquals(1, log.lines("crash_report", initPid.get()).size());
            }
        }

        @Test
        void aNullInitResultIsBadReturnValue() {
            assertEquals(new StartResult.Failed(new ExitReason.BadReturnValue("init", null)),
                    GenServer.start(new Scripted(), self -> null));
        }

        /** "start returns only after a failed process is really dead and its name is free." */
        @Test
        void aFailedStartReturnsOnlyWhenTheProcessIsDeadAndItsNameFree() {
            String key = uniqueName("retry");
            MapRegistry registry = new MapRegistry();
            for (int i = 0; i < 200; i++) {
                Name name = i % 2 == 0 ? Name.local(key) : Name.via(registry, key);
                int mode = i % 4;
                AtomicReference<Pid> initPid = new AtomicReference<>();
                StartResult r = GenServer.start(new Scripted(), self -> {
                    initPid.set(Proc.self());
                    return switch (mode) {
                        case 0 -> throw BOOM;
                        case 1 -> self.stopInit(ExitReason.of("no"));
                        case 2 -> self.errorInit(ExitReason.of("no"));
                        default -> self.ignore();
                    };
                }, name);
                assertFalse(r instanceof StartResult.Ok);
                assertFalse(initPid.get().isAlive());
                assertTrue(GenServer.whereis(name).isEmpty());
                // The name can be taken again at once.
                Pid next = GenServer.start(new Scripted(), self -> self.ok(List.of()), name).pid();
                GenServer.stop(next);
            }
        }
    }

    // ================================================================ handle_call return forms

    /** "handle_call returns {reply, r, s}, {reply, r, s, timeout|hibernate|{continue, a}}, {noreply, s}, {stop, reason, r, s}, {stop, reason, s}." */
    @Nested
    class HandleCall {

        @Test
        void reply() {
            Scripted s = Scripted.startOk();
            Object r = GenServer.call(s.pid, new Run((self, from, st) -> self.reply("answer", self.with(st, "called"))));
            assertEquals("answer", r);
            assertEquals(List.of("called"), Sys.getState(s.pid));
            assertNull(GenServer.call(s.pid, new Run((self, from, st) -> self.reply(null, st))), "null is a legal reply");
            GenServer.stop(s.pid);
        }

        @Test
        void replyWithTimeout() {
            Scripted s = Scripted.startOk();
            GenServer.call(s.pid, new Run((self, from, st) -> self.reply("r", st, Action.timeout(Duration.ofMillis(1)))));
            assertEquals("timeout", take(s.seen));
            GenServer.stop(s.pid);
        }

        @Test
        void replyWithHibernate() {
            Scripted s = Scripted.startOk();
            GenServer.call(s.pid, new Run((self, from, st) -> self.reply("r", self.with(st, "x"), Action.hibernate())));
            assertEquals(List.of("x"), Sys.getState(s.pid));
            GenServer.stop(s.pid);
        }

        @Test
        void replyWithContinue() {
            Scripted s = Scripted.startOk();
            Object r = GenServer.call(s.pid, new Run((self, from, st) -> self.reply("r", st, Action.continueWith("k"))));
            assertEquals("r", r);
            assertEquals(List.of("continue:k"), Sys.getState(s.pid), "continue ran before the next request");
            GenServer.stop(s.pid);
        }

        @Test
        void noreplyThenReplyFromAnotherProcessOrThread() {
            Scripted s = Scripted.startOk();
            BlockingQueue<Boolean> firstReplyWon = new LinkedBlockingQueue<>();
            Object fromProcess = GenServer.call(s.pid, new Run((self, from, st) -> {
                Proc.spawn(() -> {
                    firstReplyWon.add(from.reply("from a process"));
                    firstReplyWon.add(from.reply("again"));
                });
                return self.noreply(st);
            }), LONG);
            assertEquals("from a process", fromProcess);
            assertTrue(take(firstReplyWon));
            assertFalse(take(firstReplyWon), "the second reply is dropped");

            Object fromThread = GenServer.call(s.pid, new Run((self, from, st) -> {
                Thread.ofPlatform().start(() -> from.reply("from a thread"));
                return self.noreply(st);
            }), LONG);
            assertEquals("from a thread", fromThread);

            // The server itself answers later, while handling another message.
            AtomicReference<From> parked = new AtomicReference<>();
            CompletableFuture<Object> pending = callAsync(s.pid, new Run((self, from, st) -> {
                parked.set(from);
                return self.noreply(self.with(st, "parked"));
            }), LONG);
            takeUntil(s.seen, "parked");
            GenServer.cast(s.pid, new Step((self, st) -> {
                parked.get().reply("answered later");
                return self.noreply(st);
            }));
            assertEquals("answered later", get(pending));
            GenServer.stop(s.pid);
        }

        @Test
        void stopWithReply() {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            ExitReason why = ExitReason.shutdown("done");
            Object r = GenServer.call(s.pid, new Run((self, from, st) -> self.stop(why, "bye", self.with(st, "last"))));
            assertEquals("bye", r);
            assertTrue(s.terminated.isDone(), "terminate runs before the reply is sent");
            assertEquals(new Terminated(why, List.of("last")), get(s.terminated));
            assertEquals(why, get(exit));
        }

        @Test
        void stopWithoutReply() {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            ExitReason why = ExitReason.of("enough");
            ServerExitedException e = assertThrows(ServerExitedException.class,
                    () -> GenServer.call(s.pid, new Run((self, from, st) -> self.stop(why, st)), LONG));
            assertEquals(why, e.reason());
            assertEquals(why, get(s.terminated).reason());
            assertEquals(why, get(exit));
        }

        @Test
        void aNullResultIsBadReturnValue() {
            Scripted s = Scripted.startOk();
            ServerExitedException e = assertThrows(ServerExitedException.class,
                    () -> GenServer.call(s.pid, new Run((self, from, st) -> null), LONG));
            assertEquals(new ExitReason.BadReturnValue("handleCall", null), e.reason());
        }
    }

    // ================================================================ cast / info / continue return forms

    /** How a scripted step reaches the server. */
    enum Via {
        CAST, INFO, CONTINUE;

        void deliver(Pid pid, Scripted.StepFn fn) {
            switch (this) {
                case CAST -> GenServer.cast(pid, new Step(fn));
                case INFO -> Proc.send(pid, new Step(fn));
                case CONTINUE -> GenServer.cast(pid, new Step((self, st) -> self.noreply(st, Action.continueWith(new Step(fn)))));
            }
        }
    }

    /** "handle_cast, handle_info, handle_continue return {noreply, s} (with the same optional timeout / hibernate / continue) or {stop, reason, s}." */
    @Nested
    class CastInfoContinue {

        @ParameterizedTest
        @EnumSource(Via.class)
        void noreply(Via via) {
            Scripted s = Scripted.startOk();
            via.deliver(s.pid, (self, st) -> self.noreply(self.with(st, "done")));
            takeUntil(s.seen, "done");
            assertEquals(List.of("done"), Sys.getState(s.pid));
            GenServer.stop(s.pid);
        }

        @ParameterizedTest
        @EnumSource(Via.class)
        void noreplyWithTimeout(Via via) {
            Scripted s = Scripted.startOk();
            via.deliver(s.pid, (self, st) -> self.noreply(st, Action.timeout(Duration.ofMillis(1))));
            takeUntil(s.seen, "timeout");
            GenServer.stop(s.pid);
        }

        @ParameterizedTest
        @EnumSource(Via.class)
        void noreplyWithHibernate(Via via) {
            Scripted s = Scripted.startOk();
            via.deliver(s.pid, (self, st) -> self.noreply(self.with(st, "kept"), Action.hibernate()));
            takeUntil(s.seen, "kept");
            assertEquals(List.of("kept"), Sys.getState(s.pid));
            GenServer.stop(s.pid);
        }

        @ParameterizedTest
        @EnumSource(Via.class)
        void noreplyWithContinue(Via via) {
            Scripted s = Scripted.startOk();
            via.deliver(s.pid, (self, st) -> self.noreply(st, Action.continueWith("next")));
            takeUntil(s.seen, "continue:next");
            GenServer.stop(s.pid);
        }

        @ParameterizedTest
        @EnumSource(Via.class)
        void stop(Via via) {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            ExitReason why = ExitReason.shutdown(via);
            via.deliver(s.pid, (self, st) -> self.stop(why, self.with(st, "last")));
            assertEquals(why, get(exit));
            assertEquals(new Terminated(why, List.of("last")), get(s.terminated));
        }

        @ParameterizedTest
        @EnumSource(Via.class)
        void aNullResultIsBadReturnValue(Via via) {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            via.deliver(s.pid, (self, st) -> null);
            String callback = switch (via) {
                case CAST -> "handleCast";
                case INFO -> "handleInfo";
                case CONTINUE -> "handleContinue";
            };
            assertEquals(new ExitReason.BadReturnValue(callback, null), get(exit));
        }
    }

    // ================================================================ continue, idle timeout, hibernate

    /** "A {continue, a} runs handle_continue before any message that is already queued." */
    @Test
    void continueRunsBeforeMessagesAlreadyQueued() {
        Scripted s = Scripted.startOk();
        Gate gate = new Gate();
        CompletableFuture<Object> call = callAsync(s.pid,
                gate.blocking((self, from, st) -> self.reply("ok", self.with(st, "call"), Action.continueWith("k"))), LONG);
        gate.awaitEntered();
        GenServer.cast(s.pid, "c1");
        Proc.send(s.pid, "i1");
        GenServer.cast(s.pid, "c2");
        gate.open();
        assertEquals("ok", get(call));
        takeUntil(s.seen, "cast:c2");
        assertEquals(List.of("call", "continue:k", "cast:c1", "info:i1", "cast:c2"), Sys.getState(s.pid));
        GenServer.stop(s.pid);
    }

    /** "A timeout in a return arms an idle timer: if no message arrives within it, handle_info gets timeout. Any message cancels it." */
    @Nested
    class IdleTimeouts {

        @Test
        void theTimerDeliversIdleTimeout() {
            Scripted s = Scripted.startOk();
            GenServer.cast(s.pid, new Step((self, st) -> self.noreply(self.with(st, "armed"), Action.timeout(Duration.ofMillis(5)))));
            takeUntil(s.seen, "timeout");
            assertEquals(List.of("armed", "timeout"), Sys.getState(s.pid));
            assertEquals(1, Sys.statistics(s.pid).infos(), "the timeout reached handleInfo");
            GenServer.stop(s.pid);
        }

        @Test
        void anyMessageCancelsIt() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            // The call returns with a 1 ms idle timer while a cast is already queued: the cast
            // comes first, and as it returns no timeout, the timer is gone for good.
            CompletableFuture<Object> call = callAsync(s.pid,
                    gate.blocking((self, from, st) -> self.reply("ok", self.with(st, "call"), Action.timeout(Duration.ofMillis(1)))),
                    LONG);
            gate.awaitEntered();
            GenServer.cast(s.pid, "ping");
            gate.open();
            get(call);
            Proc.sendAfter(s.pid, "marker", Duration.ofMillis(50));
            takeUntil(s.seen, "info:marker");
            assertEquals(List.of("call", "cast:ping", "info:marker"), Sys.getState(s.pid));
            GenServer.stop(s.pid);
        }

        @Test
        void infinityMeansNoTimerAndNegativeIsRejected() {
            assertThrows(IllegalArgumentException.class, () -> Action.timeout(Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> Action.timeout(null));
            assertThrows(NullPointerException.class, () -> Action.continueWith(null));
            Scripted s = Scripted.startOk();
            GenServer.cast(s.pid, new Step((self, st) -> self.noreply(self.with(st, "forever"), Action.timeout(Proc.INFINITY))));
            Proc.sendAfter(s.pid, "marker", Duration.ofMillis(20));
            takeUntil(s.seen, "info:marker");
            assertEquals(List.of("forever", "info:marker"), Sys.getState(s.pid));
            GenServer.stop(s.pid);
        }
    }

    /** "hibernate releases what the process can release while idle; the state is kept." */
    @Test
    void hibernateKeepsTheState() {
        Scripted s = Scripted.startOk();
        for (int i = 0; i < 3; i++) {
            int n = i;
            GenServer.call(s.pid, new Run((self, from, st) -> self.reply(null, self.with(st, n), Action.hibernate())));
        }
        Proc.send(s.pid, "wake");
        takeUntil(s.seen, "info:wake");
        assertEquals(List.of(0, 1, 2, "info:wake"), Sys.getState(s.pid));
        GenServer.stop(s.pid);
    }

    // ================================================================ call

    @Nested
    class Calls {

        /** "call(server, req) waits 5 s by default; infinity is allowed." */
        @Test
        void theDefaultTimeoutIsFiveSeconds() {
            assertEquals(Duration.ofSeconds(5), GenServer.DEFAULT_CALL_TIMEOUT);
            Scripted s = Scripted.startOk();
            long t0 = System.nanoTime();
            CallTimeoutException e = assertThrows(CallTimeoutException.class,
                    () -> GenServer.call(s.pid, new Run((self, from, st) -> self.noreply(st))));
            Duration waited = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(waited.compareTo(GenServer.DEFAULT_CALL_TIMEOUT) >= 0, "gave up after " + waited);
            assertEquals(ExitReason.timeout(), e.reason());
            assertEquals(s.pid, e.server());
            GenServer.stop(s.pid);
        }

        @Test
        void infinityIsAllowed() {
            Scripted s = Scripted.startOk();
            AtomicReference<From> parked = new AtomicReference<>();
            CompletableFuture<Object> call = callAsync(s.pid, new Run((self, from, st) -> {
                parked.set(from);
                return self.noreply(self.with(st, "parked"));
            }), Proc.INFINITY);
            takeUntil(s.seen, "parked");
            assertTrue(parked.get().reply("eventually"));
            assertEquals("eventually", get(call));
            GenServer.stop(s.pid);
        }

        /** "On timeout the caller gets ... a reply that arrives later must never be mistaken for the answer to another call." */
        @Test
        void aLateReplyIsNeverTakenForTheNextAnswer() {
            Scripted s = Scripted.startOk();
            AtomicReference<From> stale = new AtomicReference<>();
            List<Object> outcome = eval(() -> {
                CallTimeoutException e = assertThrows(CallTimeoutException.class, () -> GenServer.call(s.pid,
                        new Run((self, from, st) -> {
                            stale.set(from);
                            return self.noreply(st);
                        }), Duration.ofMillis(20)));
                assertEquals(ExitReason.timeout(), e.reason());
                // The next call: the server first answers the stale one, then this one.
                Object fresh = GenServer.call(s.pid, new Run((self, from, st) -> {
                    boolean lateReplyLanded = stale.get().reply("stale");
                    return self.reply(List.of("fresh", lateReplyLanded), st);
                }), LONG);
                return List.of(fresh, drainMailbox());
            });
            assertEquals(List.of(List.of("fresh", false), List.of()), outcome,
                    "the late reply is dropped, and nothing stray is left in the caller's mailbox");
            assertTrue(s.pid.isAlive(), "a timed-out call does not harm the server");
            GenServer.stop(s.pid);
        }

        /** "Calling a dead or unknown server fails at once with noproc." */
        @Test
        void aDeadOrUnknownServerFailsAtOnceWithNoproc() {
            Scripted s = Scripted.startOk();
            GenServer.stop(s.pid);
            for (ServerRef ref : List.of(s.pid, Name.local(uniqueName("nobody")), Name.via(new MapRegistry(), "nobody"))) {
                NoProcException e = assertThrows(NoProcException.class, () -> GenServer.call(ref, "get", Proc.INFINITY));
                assertEquals(ExitReason.noproc(), e.reason());
                assertEquals(ref, e.server());
            }
        }

        /**
         * "a server that dies during the call fails the caller at once with the server's exit
         * reason, not after the timeout." Each call below has 30 s to run; the assertion is that it
         * ended with the server's reason, which a wait for the timeout would not give.
         */
        @Test
        void aServerCrashingInTheCallFailsTheCallerWithItsReason() {
            Scripted s = Scripted.startOk();
            ServerExitedException e = assertThrows(ServerExitedException.class,
                    () -> GenServer.call(s.pid, new Run((self, from, st) -> {
                        throw BOOM;
                    }), LONG));
            assertSame(BOOM, ((ExitReason.Crash) e.reason()).cause());
        }

        @Test
        void aServerKilledDuringTheCallFailsEveryWaitingCaller() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            CompletableFuture<Object> inProgress = callAsync(s.pid, gate.blocking((self, from, st) -> self.reply("never", st)), LONG);
            gate.awaitEntered();
            // Requests queued behind it, from this thread and from a process.
            RequestId<Object> queued = GenServer.sendRequest(s.pid, "get");
            CompletableFuture<Object> fromProcess = new CompletableFuture<>();
            CountDownLatch sent = new CountDownLatch(1);
            Proc.spawn(() -> {
                RequestId<Object> r = GenServer.sendRequest(s.pid, "get");
                sent.countDown();
                try {
                    fromProcess.complete(r.await(LONG));
                } catch (Throwable t) {
                    fromProcess.completeExceptionally(t);
                }
            });
            await(sent);
            Proc.exit(s.pid, ExitReason.kill());
            assertEquals(ExitReason.killed(), failure(ServerExitedException.class, inProgress).reason());
            assertEquals(ExitReason.killed(), assertThrows(ServerExitedException.class, () -> queued.await(LONG)).reason());
            assertEquals(ExitReason.killed(), failure(ServerExitedException.class, fromProcess).reason());
            assertEquals(0, s.terminateCalls.get());
        }

        @Test
        void aServerStoppedByAnotherRequestFailsTheCallerWithThatReason() {
            Scripted s = Scripted.startOk();
            AtomicReference<From> parked = new AtomicReference<>();
            CompletableFuture<Object> pending = callAsync(s.pid, new Run((self, from, st) -> {
                parked.set(from);
                return self.noreply(self.with(st, "parked"));
            }), LONG);
            takeUntil(s.seen, "parked");
            ExitReason why = ExitReason.of("reconfigured");
            GenServer.cast(s.pid, new Step((self, st) -> self.stop(why, st)));
            assertEquals(why, failure(ServerExitedException.class, pending).reason());
        }

        @Test
        void anExitSignalDuringTheCallFailsTheCallerWithItsReason() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            CompletableFuture<Object> pending = callAsync(s.pid, gate.blocking((self, from, st) -> self.reply("never", st)), LONG);
            gate.awaitEntered();
            ExitReason why = ExitReason.of("signalled");
            Proc.exit(s.pid, why);
            assertEquals(why, failure(ServerExitedException.class, pending).reason());
            gate.open();
        }

        /** "A process calling itself fails with calling_self." */
        @Test
        void callingItselfFails() {
            String key = uniqueName("narcissus");
            Scripted s = new Scripted();
            Pid pid = GenServer.start(s, self -> self.ok(List.of()), Name.local(key)).pid();
            List<Object> errors = GenServer.call(pid, new Run((self, from, st) -> {
                List<Object> out = new ArrayList<>();
                for (ServerRef me : List.of(Proc.self(), Name.local(key))) {
                    try {
                        GenServer.call(me, "get");
                    } catch (CallingSelfException e) {
                        out.add(e.reason());
                    }
                    try {
                        GenServer.sendRequest(me, "get");
                    } catch (CallingSelfException e) {
                        out.add(e.reason());
                    }
                }
                return self.reply(out, st);
            }));
            assertEquals(List.of(ExitReason.of("calling_self"), ExitReason.of("calling_self"), ExitReason.of("calling_self"),
                    ExitReason.of("calling_self")), errors);
            GenServer.stop(pid);
        }

        @Test
        void anInterruptedPlainCallerGetsCallInterruptedAndKeepsItsInterrupt() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    outcome.complete(GenServer.call(s.pid, gate.blocking((self, from, st) -> self.reply("late", st)), LONG));
                } catch (CallInterruptedException e) {
                    outcome.complete(List.of(e.reason(), Thread.currentThread().isInterrupted()));
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
            gate.awaitEntered();
            caller.interrupt();
            assertEquals(List.of(ExitReason.of("interrupted"), true), get(outcome));
            gate.open();
            assertEquals(List.of(), Sys.getState(s.pid), "the server is unharmed");
            GenServer.stop(s.pid);
        }

        @Test
        void badCallInput() {
            Scripted s = Scripted.startOk();
            assertThrows(NullPointerException.class, () -> GenServer.call(s.pid, null));
            assertThrows(NullPointerException.class, () -> GenServer.call(null, "get"));
            assertThrows(IllegalArgumentException.class, () -> GenServer.call(s.pid, "get", Duration.ofSeconds(-1)));
            assertThrows(NullPointerException.class, () -> GenServer.call(s.pid, "get", null));
            assertThrows(NullPointerException.class, () -> GenServer.start(null, "x"));
            assertEquals(List.of(), Sys.getState(s.pid), "nothing reached the server");
            GenServer.stop(s.pid);
        }
    }

    // ================================================================ cast

    /** "cast always returns ok, even to a dead or unknown server." */
    @Test
    void castNeverFails() {
        Scripted s = Scripted.startOk();
        GenServer.cast(s.pid, "hello");
        takeUntil(s.seen, "cast:hello");
        GenServer.stop(s.pid);
        GenServer.cast(s.pid, "to the dead");
        GenServer.cast(Name.local(uniqueName("nobody")), "to nobody");
        GenServer.cast(Name.via(new MapRegistry(), "nobody"), "to nobody via");
        exec(() -> GenServer.cast(s.pid, "from a process"));
        assertThrows(NullPointerException.class, () -> GenServer.cast(s.pid, null));
    }

    /** A registry whose every lookup throws: Elixir's own GenServer test "cast/2 with a failing via-registry". */
    static final class FailingRegistry implements NameRegistry {
        final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Pid registerName(Object key, Pid pid) {
            throw new IllegalStateException("registry down");
        }

        @Override
        public void unregisterName(Object key) {
            throw new IllegalStateException("registry down");
        }

        @Override
        public Pid whereisName(Object key) {
            lookups.incrementAndGet();
            throw new IllegalStateException("registry down: " + key);
        }
    }

    /**
     * "cast returns ok even when a via-registry raises while resolving the name; so does send to
     * a via-name, with the failure logged once": Elixir's cast catches what the registry raises.
     */
    @Test
    void castAndSendThroughAFailingRegistryReturnNormallyAndLogTheFailure() {
        FailingRegistry registry = new FailingRegistry();
        try (LogCapture log = new LogCapture()) {
            GenServer.cast(Name.via(registry, "k1"), "dropped");
            Proc.send(Name.via(registry, "k2"), "dropped too");
            exec(() -> GenServer.cast(Name.via(registry, "k3"), "from a process"));
            assertEquals(3, registry.lookups.get(), "each was resolved through the registry");
            List<String> warned = log.text().lines()
                    .filter(l -> l.contains("message_dropped reason=registry_failed") && l.contains("WARN")).toList();
            assertEquals(1, warned.size(), "one WARN line for the registry class: " + warned);
            assertTrue(warned.getFirst().contains("dest=") && warned.getFirst().contains("registry down"), warned.getFirst());
        }
        // The caller is unharmed and the runtime still works.
        Scripted s = Scripted.startOk();
        GenServer.cast(s.pid, "after");
        takeUntil(s.seen, "cast:after");
        GenServer.stop(s.pid);
        // A registry that answers "nobody" still makes send fail as Erlang's badarg.
        assertThrows(IllegalArgumentException.class, () -> Proc.send(Name.via(new MapRegistry(), "nobody"), "x"));
    }

    // ================================================================ send_request

    /** "Asynchronous requests: send a call request now, collect (or poll for) its reply later, with the same timeout and failure rules." */
    @Nested
    class AsyncRequests {

        @Test
        void sendNowCollectLater() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            RequestId<Object> id = GenServer.sendRequest(s.pid, gate.blocking((self, from, st) -> self.reply("late", st)));
            gate.awaitEntered();
            assertEquals(Optional.empty(), id.poll(), "pending");
            gate.open();
            assertEquals("late", id.await(LONG));
            assertEquals(Optional.of("late"), id.poll());
            // From a process as well.
            assertEquals(List.of(), eval(() -> GenServer.sendRequest(s.pid, "get").await(LONG)));
            GenServer.stop(s.pid);
        }

        @Test
        void awaitTimesOutAndTheLateReplyIsDropped() {
            Scripted s = Scripted.startOk();
            AtomicReference<From> parked = new AtomicReference<>();
            RequestId<Object> id = GenServer.sendRequest(s.pid, new Run((self, from, st) -> {
                parked.set(from);
                return self.noreply(self.with(st, "parked"));
            }));
            takeUntil(s.seen, "parked");
            CallTimeoutException e = assertThrows(CallTimeoutException.class, () -> id.await(Duration.ofMillis(10)));
            assertEquals(ExitReason.timeout(), e.reason());
            assertFalse(parked.get().reply("too late"), "an abandoned request takes no reply");
            // Abandoned for good: asking again is a timeout again, never a stray value.
            assertThrows(CallTimeoutException.class, () -> id.await(Duration.ofMillis(10)));
            assertThrows(CallTimeoutException.class, id::poll);
            GenServer.stop(s.pid);
        }

        @Test
        void aServerDeathFailsTheRequest() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            RequestId<Object> awaited = GenServer.sendRequest(s.pid, gate.blocking((self, from, st) -> self.noreply(st)));
            gate.awaitEntered();
            RequestId<Object> polled = GenServer.sendRequest(s.pid, "get");
            Proc.exit(s.pid, ExitReason.of("gone"));
            assertEquals(ExitReason.of("gone"), assertThrows(ServerExitedException.class, () -> awaited.await(LONG)).reason());
            assertEquals(ExitReason.of("gone"), assertThrows(ServerExitedException.class, polled::poll).reason());
            assertThrows(NoProcException.class, () -> GenServer.sendRequest(s.pid, "get"));
        }

        @Test
        void onlyTheSendingThreadMayAwait() {
            Scripted s = Scripted.startOk();
            RequestId<Object> id = GenServer.sendRequest(s.pid, "get");
            assertThrows(IllegalStateException.class, () -> exec(() -> id.await(LONG)));
            assertEquals(List.of(), id.await(LONG));
            GenServer.stop(s.pid);
        }
    }

    // ================================================================ terminate

    /**
     * "terminate(reason, s) runs when a callback returns stop, when a callback crashes, and when
     * the parent shuts the process down while it traps exits. It does not run on kill. Messages
     * queued before the exit signal are handled first. An exception in terminate is logged and
     * becomes the exit reason."
     */
    @Nested
    class Terminate {

        @Test
        void runsOnAStopResult() {
            Scripted s = Scripted.startOk();
            GenServer.cast(s.pid, new Step((self, st) -> self.stop(ExitReason.shutdown(), self.with(st, "s"))));
            assertEquals(new Terminated(ExitReason.shutdown(), List.of("s")), get(s.terminated));
        }

        @Test
        void runsOnACrashWithTheStateBeforeIt() {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            GenServer.cast(s.pid, "before");
            GenServer.cast(s.pid, new Step((self, st) -> {
                throw BOOM;
            }));
            Terminated t = get(s.terminated);
            assertSame(BOOM, ((ExitReason.Crash) t.reason()).cause());
            assertEquals(List.of("cast:before"), t.state());
            assertEquals(t.reason(), get(exit));
        }

        @Test
        void runsWhenATrappingServersParentShutsItDown() {
            for (ExitReason why : List.of(ExitReason.shutdown(), ExitReason.of("parent says so"))) {
                Scripted s = new Scripted();
                AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
                exec(() -> {
                    Pid child = GenServer.startLink(s, self -> {
                        Proc.trapExit(true);
                        exit.set(watch(Proc.self()));
                        return self.ok(List.of());
                    }).pid();
                    Proc.unlink(child); // so its exit does not come back to us
                    Proc.exit(child, why);
                });
                assertEquals(new Terminated(why, List.of()), get(s.terminated));
                assertEquals(why, get(exit.get()));
            }
        }

        @Test
        void runsWhenTheParentDiesWhileTheServerTrapsExits() {
            Scripted s = new Scripted();
            AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
            Pid parent = Probe.gated(() -> {
                GenServer.startLink(s, self -> {
                    Proc.trapExit(true);
                    exit.set(watch(Proc.self()));
                    return self.ok(List.of());
                }).pid();
                throw BOOM;
            });
            Proc.send(parent, "go");
            Terminated t = get(s.terminated);
            assertSame(BOOM, ((ExitReason.Crash) t.reason()).cause());
            assertEquals(t.reason(), get(exit.get()));
        }

        @Test
        void anExitFromSomeoneElseIsJustAMessage() {
            Scripted s = new Scripted();
            Pid pid = GenServer.start(s, self -> {
                Proc.trapExit(true);
                return self.ok(List.of());
            }).pid();
            Pid other = eval(() -> {
                Proc.exit(pid, ExitReason.shutdown());
                return Proc.self();
            });
            takeUntil(s.seen, "info:" + new Exit(other, ExitReason.shutdown()));
            assertTrue(pid.isAlive());
            assertEquals(0, s.terminateCalls.get());
            GenServer.stop(pid);
        }

        @Test
        void doesNotRunOnKill() {
            Scripted s = new Scripted();
            Pid pid = GenServer.start(s, self -> {
                Proc.trapExit(true);
                return self.ok(List.of());
            }).pid();
            CompletableFuture<ExitReason> exit = watch(pid);
            Proc.exit(pid, ExitReason.kill());
            assertEquals(ExitReason.killed(), get(exit));
            join(pid); // the server's thread is gone: terminate can no longer run
            assertEquals(0, s.terminateCalls.get());
        }

        @Test
        void doesNotRunOnAnExitSignalWhenNotTrapping() {
            Scripted s = Scripted.startOk();
            CompletableFuture<ExitReason> exit = watch(s.pid);
            Proc.exit(s.pid, ExitReason.shutdown());
            assertEquals(ExitReason.shutdown(), get(exit));
            join(s.pid);
            assertEquals(0, s.terminateCalls.get());
        }

        @Test
        void messagesQueuedBeforeTheExitSignalAreHandledFirst() {
            Scripted s = new Scripted();
            Gate gate = new Gate();
            exec(() -> {
                Pid child = GenServer.startLink(s, self -> {
                    Proc.trapExit(true);
                    return self.ok(List.of());
                }).pid();
                Proc.unlink(child);
                CompletableFuture<Object> busy = callAsync(child, gate.blocking((self, from, st) -> self.reply("ok", st)), LONG);
                gate.awaitEntered();
                GenServer.cast(child, "c1");
                GenServer.cast(child, "c2");
                Proc.exit(child, ExitReason.shutdown());
                gate.open();
                get(busy);
            });
            assertEquals(new Terminated(ExitReason.shutdown(), List.of("cast:c1", "cast:c2")), get(s.terminated));
        }

        @Test
        void stopHandlesEarlierCastsFirst() {
            Scripted s = Scripted.startOk();
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                GenServer.cast(s.pid, i);
                expected.add("cast:" + i);
            }
            GenServer.stop(s.pid);
            assertEquals(new Terminated(ExitReason.normal(), expected), get(s.terminated));
        }

        @Test
        void anExceptionInTerminateBecomesTheExitReason() {
            Scripted s = Scripted.startOk();
            RuntimeException cleanupFailed = new IllegalStateException("cleanup failed");
            s.onTerminate = (r, st) -> {
                throw cleanupFailed;
            };
            CompletableFuture<ExitReason> exit = watch(s.pid);
            try (LogCapture log = new LogCapture()) {
                ServerExitedException e = assertThrows(ServerExitedException.class, () -> GenServer.stop(s.pid));
                assertSame(cleanupFailed, ((ExitReason.Crash) e.reason()).cause());
                assertSame(cleanupFailed, ((ExitReason.Crash) get(exit)).cause());
                assertEquals(1, log.lines("terminate_failed", s.pid).size(), "the failure is logged");
            }
        }
    }

    // ================================================================ logging

    /** "Crash reports (last message, state, reason) are logged for abnormal reasons, not for normal, shutdown or {shutdown, _}." */
    @Test
    void crashReportsOnlyForAbnormalReasons() {
        List<ExitReason> clean = List.of(ExitReason.normal(), ExitReason.shutdown(), ExitReason.shutdown("maintenance"));
        List<ExitReason> abnormal = List.of(ExitReason.of("bad"), ExitReason.crash(BOOM), ExitReason.killed());
        try (LogCapture log = new LogCapture()) {
            for (ExitReason why : clean) {
                Scripted s = Scripted.startOk();
                GenServer.cast(s.pid, new Step((self, st) -> self.stop(why, self.with(st, "x"))));
                get(s.terminated);
                join(s.pid);
                assertEquals(List.of(), log.lines("crash_report", s.pid), why.toString());
            }
            for (ExitReason why : abnormal) {
                Scripted s = Scripted.startOk();
                record Last(String what) {}
                GenServer.cast(s.pid, "before");
                GenServer.cast(s.pid, new Step((self, st) -> self.noreply(self.with(st, new Last("the-state")))));
                GenServer.cast(s.pid, new Step((self, st) -> self.stop(why, st)));
                get(s.terminated);
                join(s.pid);
                List<String> lines = log.lines("crash_report", s.pid);
                assertEquals(1, lines.size(), why + ": " + lines);
                String line = lines.get(0);
                assertTrue(line.contains("reason=" + why), line);
                assertTrue(line.contains("last_message=Step["), line);
                assertTrue(line.contains("Last[what=the-state]"), "the state is in the report: " + line);
            }
            // A plain crash in a callback is reported as well.
            Scripted s = Scripted.startOk();
            GenServer.cast(s.pid, new Step((self, st) -> {
                throw BOOM;
            }));
            get(s.terminated);
            join(s.pid);
            assertEquals(1, log.lines("crash_report", s.pid).size());
        }
    }

    /** "A message the server has no clause for: handle_info logs and drops it; an unhandled call or cast is an error that names the message." */
    @Nested
    class Unhandled {

        record Stray(int n) {}

        @Test
        void anUnhandledInfoIsLoggedAndDropped() {
            Pid pid = GenServer.start(new Bare(), "state").pid();
            try (LogCapture log = new LogCapture()) {
                Proc.send(pid, new Stray(42));
                assertEquals("state", Sys.getState(pid), "the server lives on with its state");
                List<String> lines = log.lines("unhandled_info", pid);
                assertEquals(1, lines.size());
                assertTrue(lines.get(0).contains("Stray[n=42]"), lines.get(0));
            }
            assertEquals(1, Sys.statistics(pid).infos());
            GenServer.stop(pid);
        }

        @Test
        void anUnhandledCallCrashesNamingTheRequest() {
            Pid pid = GenServer.start(new Bare(), "state").pid();
            ServerExitedException e = assertThrows(ServerExitedException.class, () -> GenServer.call(pid, new Stray(7), LONG));
            Throwable cause = ((ExitReason.Crash) e.reason()).cause();
            assertInstanceOf(UnhandledMessageException.class, cause);
            assertTrue(cause.getMessage().contains("call") && cause.getMessage().contains("Stray[n=7]"), cause.getMessage());
        }

        @Test
        void anUnhandledCastCrashesNamingTheRequest() {
            Pid pid = GenServer.start(new Bare(), "state").pid();
            CompletableFuture<ExitReason> exit = watch(pid);
            GenServer.cast(pid, new Stray(8));
            Throwable cause = ((ExitReason.Crash) get(exit)).cause();
            assertInstanceOf(UnhandledMessageException.class, cause);
            assertTrue(cause.getMessage().contains("cast") && cause.getMessage().contains("Stray[n=8]"), cause.getMessage());
        }

        @Test
        void anUnhandledContinueCrashesNamingIt() {
            AtomicReference<CompletableFuture<ExitReason>> exit = new AtomicReference<>();
            GenServer.start(new Bare() {
                @Override
                public InitResult<String> init(String arg) {
                    exit.set(watch(Proc.self()));
                    return ok(arg, Action.continueWith(new Stray(9)));
                }
            }, "state").pid();
            Throwable cause = ((ExitReason.Crash) get(exit.get())).cause();
            assertTrue(cause.getMessage().contains("continue") && cause.getMessage().contains("Stray[n=9]"), cause.getMessage());
        }
    }

    // ================================================================ stop

    /** "stop(server, reason, timeout) stops synchronously and runs terminate." */
    @Nested
    class Stop {

        @Test
        void stopIsSynchronousRunsTerminateAndFreesTheName() {
            String key = uniqueName("stoppable");
            for (int i = 0; i < 50; i++) {
                Scripted s = new Scripted();
                Pid pid = GenServer.start(s, self -> self.ok(List.of()), Name.local(key)).pid();
                ExitReason why = ExitReason.shutdown(i);
                GenServer.stop(Name.local(key), why, LONG);
                assertTrue(s.terminated.isDone(), "terminate has run when stop returns");
                assertEquals(why, s.terminated.getNow(null).reason());
                assertFalse(pid.isAlive());
                assertTrue(Proc.whereis(key).isEmpty());
            }
        }

        @Test
        void stopDefaultsToNormal() {
            Scripted s = Scripted.startOk();
            GenServer.stop(s.pid);
            assertEquals(ExitReason.normal(), s.terminated.getNow(null).reason());
        }

        @Test
        void stopTimesOutOnABusyServerAndLeavesItRunning() {
            Scripted s = Scripted.startOk();
            Gate gate = new Gate();
            CompletableFuture<Object> busy = callAsync(s.pid, gate.blocking((self, from, st) -> self.reply("ok", st)), LONG);
            gate.awaitEntered();
            CallTimeoutException e = assertThrows(CallTimeoutException.class,
                    () -> GenServer.stop(s.pid, ExitReason.normal(), Duration.ofMillis(20)));
            assertEquals(ExitReason.timeout(), e.reason());
            assertTrue(s.pid.isAlive());
            CompletableFuture<ExitReason> exit = watch(s.pid);
            gate.open();
            assertEquals("ok", get(busy));
            // As in OTP, the stop request was delivered: the server handles it when it gets to it.
            assertEquals(ExitReason.normal(), get(exit));
        }

        @Test
        void stoppingADeadServerIsNoproc() {
            Scripted s = Scripted.startOk();
            GenServer.stop(s.pid);
            assertThrows(NoProcException.class, () -> GenServer.stop(s.pid));
            assertThrows(NullPointerException.class, () -> GenServer.stop(s.pid, null));
        }
    }

    // ================================================================ sys

    /** "sys-style introspection: get_state, replace_state, suspend/resume, statistics, trace." */
    @Nested
    class SysIntrospection {

        @Test
        void getAndReplaceState() {
            Pid pid = GenServer.start(new Bare(), "v1").pid();
            assertEquals("v1", Sys.getState(pid));
            assertEquals("v1", Sys.getState(pid, LONG));
            assertEquals("v2", Sys.<String>replaceState(pid, s -> s.replace('1', '2')));
            assertEquals("v2", Sys.getState(pid));
            RuntimeException failing = new IllegalArgumentException("no");
            assertSame(failing, assertThrows(IllegalArgumentException.class, () -> Sys.<String>replaceState(pid, s -> {
                throw failing;
            })));
            assertEquals("v2", Sys.getState(pid), "a failing replace leaves the state as it was");
            GenServer.stop(pid);
            assertThrows(NoProcException.class, () -> Sys.getState(pid));
        }

        @Test
        void suspendAndResume() {
            Scripted s = Scripted.startOk();
            Sys.suspend(s.pid);
            GenServer.cast(s.pid, "a");
            Proc.send(s.pid, "b");
            assertThrows(CallTimeoutException.class, () -> GenServer.call(s.pid, "get", Duration.ofMillis(20)));
            assertEquals(List.of(), Sys.getState(s.pid), "system requests are served while suspended; nothing else");
            GenServer.cast(s.pid, "c");
            Sys.resume(s.pid);
            takeUntil(s.seen, "cast:c");
            assertEquals(List.of("cast:a", "info:b", "cast:c"), Sys.getState(s.pid), "held messages run in order");
            Sys.resume(s.pid); // resuming a running server does nothing
            Sys.suspend(s.pid);
            GenServer.stop(s.pid); // a suspended server still handles the stop request
            assertEquals(ExitReason.normal(), s.terminated.getNow(null).reason());
        }

        @Test
        void statistics() {
            Instant before = Instant.now();
            Scripted s = Scripted.startOk();
            for (int i = 0; i < 3; i++) {
                GenServer.call(s.pid, "get");
            }
            for (int i = 0; i < 4; i++) {
                GenServer.cast(s.pid, i);
            }
            for (int i = 0; i < 5; i++) {
                Proc.send(s.pid, i);
            }
            takeUntil(s.seen, "info:4");
            Statistics st = Sys.statistics(s.pid);
            assertEquals(3, st.calls());
            assertEquals(4, st.casts());
            assertEquals(5, st.infos());
            assertEquals(13, st.messagesIn(), "12 messages, and this statistics request itself");
            assertEquals(0, st.mailboxLength());
            assertNotNull(st.startedAt());
            assertFalse(st.startedAt().isBefore(before.minusSeconds(1)));
            assertFalse(st.startedAt().isAfter(Instant.now()), "started before it was asked");
            Duration drift = Duration.between(st.startedAt(), Sys.statistics(s.pid).startedAt()).abs();
            assertTrue(drift.compareTo(Duration.ofMillis(50)) < 0, "the start time is one moment, asked twice: " + drift);
            GenServer.stop(s.pid);
        }

        @Test
        void traceLogsEachMessageWhileOn() {
            Scripted s = Scripted.startOk();
            try (LogCapture log = new LogCapture()) {
                Sys.trace(s.pid, true);
                GenServer.cast(s.pid, "traced");
                Sys.trace(s.pid, false);
                GenServer.cast(s.pid, "untraced");
                takeUntil(s.seen, "cast:untraced");
                Sys.getState(s.pid);
                List<String> lines = log.lines("sys_trace", s.pid);
                assertTrue(lines.stream().anyMatch(l -> l.contains("message=traced ") && l.contains("state=[cast:traced]")),
                        lines.toString());
                assertTrue(lines.stream().noneMatch(l -> l.contains("untraced")), lines.toString());
            }
            GenServer.stop(s.pid);
        }
    }
}
