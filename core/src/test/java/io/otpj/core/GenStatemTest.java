package io.otpj.core;

import static io.otpj.core.GenStatem.Action.cancelGenericTimeout;
import static io.otpj.core.GenStatem.Action.eventTimeout;
import static io.otpj.core.GenStatem.Action.genericTimeout;
import static io.otpj.core.GenStatem.Action.nextEvent;
import static io.otpj.core.GenStatem.Action.postpone;
import static io.otpj.core.GenStatem.Action.reply;
import static io.otpj.core.GenStatem.Action.stateTimeout;
import static io.otpj.core.GenStatem.Transition.keepState;
import static io.otpj.core.GenStatem.Transition.keepStateAndData;
import static io.otpj.core.GenStatem.Transition.nextState;
import static io.otpj.core.GenStatem.Transition.repeatStateAndData;
import static io.otpj.core.GenStatem.Transition.stop;
import static io.otpj.core.GenStatem.Transition.stopAndReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.GenStatem.Action;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Init;
import io.otpj.core.GenStatem.StateAndData;
import io.otpj.core.GenStatem.Transition;
import io.otpj.examples.Door;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gen_statem's semantics, a test per line of the {@link GenStatem} Javadoc: event order
 * (inserted, postponed, mailbox), postpone, state enter calls, the three timeouts, calls answered
 * from any state, stop and crash, sys, start results, bad input.
 */
class GenStatemTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @FunctionalInterface
    interface Handler {
        Transition<String, Object> handle(Event<String> e, String state, Object data, Machine m) throws Exception;
    }

    /** A machine in handle_event_function mode whose handler the test gives; logs what it sees. */
    static final class Machine implements GenStatem<Object, String, Object> {
        final LinkedBlockingQueue<String> log = new LinkedBlockingQueue<>();
        final Handler handler;
        final boolean enter;
        final Init<String, Object> init;
        volatile CountDownLatch terminateWaitsFor;

        Machine(Init<String, Object> init, boolean enter, Handler handler) {
            this.init = init;
            this.enter = enter;
            this.handler = handler;
        }

        static Machine of(Handler h) {
            return new Machine(Init.ok("a", null), false, h);
        }

        @Override
        public Init<String, Object> init(Object arg) {
            return init;
        }

        @Override
        public Transition<String, Object> handleEvent(Event<String> e, String state, Object data) throws Exception {
            // Every machine answers a "sync" call, in any state, so tests can wait for it.
            if (e instanceof Event.Call<String>(From from, Object req) && "sync".equals(req)) {
                return keepStateAndData(reply(from, state));
            }
            return handler.handle(e, state, data, this);
        }

        @Override
        public boolean stateEnter() {
            return enter;
        }

        @Override
        public void terminate(ExitReason reason, String state, Object data) throws Exception {
            CountDownLatch l = terminateWaitsFor;
            String sawReply = l == null ? "" : " reply_first=" + l.await(30, TimeUnit.SECONDS);
            log.add("terminate " + reason + " in " + state + sawReply);
        }

        String next() throws InterruptedException {
            String s = log.poll(30, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("nothing logged within 30 s");
            }
            return s;
        }

        /** Everything logged up to a sync call (which is answered after all earlier events). */
        List<String> upTo(Pid pid) {
            GenStatem.call(pid, "sync", WAIT);
            List<String> out = new ArrayList<>();
            log.drainTo(out);
            return out;
        }
    }

    static Pid start(Machine m) {
        return GenStatem.start(m, null).pid();
    }

    private static String show(Event<String> e) {
        return switch (e) {
            case Event.Call<String>(var f, var r) -> "call " + r;
            case Event.Cast<String>(var r) -> "cast " + r;
            case Event.Info<String>(var r) -> "info " + r;
            case Event.Internal<String>(var r) -> "internal " + r;
            case Event.EventTimeout<String>(var r) -> "event_timeout " + r;
            case Event.StateTimeout<String>(var r) -> "state_timeout " + r;
            case Event.GenericTimeout<String>(var n, var r) -> "timeout " + n + " " + r;
            case Event.Enter<String>(var prev) -> "enter from " + prev;
        };
    }

    // ------------------------------------------------------------------ state_functions

    /** "state_functions: each state handles its own events; a state timeout locks the door again." */
    @Test
    void theCodeLockOpensForTheRightCodeAndLocksItselfAgain() {
        Pid door = GenStatem.start(new Door(), "1234").pid();
        assertFalse(GenStatem.call(door, new Door.Press("0000"), WAIT));
        assertEquals("locked", GenStatem.call(door, new Door.WhatState(), WAIT));
        boolean opened = GenStatem.call(door, new Door.Press("1234"), WAIT);
        assertTrue(opened);
        // Open now, until its 100 ms state timeout fires; then locked again.
        long end = System.nanoTime() + WAIT.toNanos();
        while (!"locked".equals(GenStatem.call(door, new Door.WhatState(), WAIT))) {
            assertTrue(System.nanoTime() - end < 0, "the door did not lock itself again within " + WAIT);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // a condition poll, not a guess
        }
        assertEquals(new StateAndData<>(new Door.Locked(), "1234"), Sys.getState(door));
        GenServer.stop(door);
    }

    // ------------------------------------------------------------------ event order and postpone

    /** "postpone: retried oldest first after the next state change, before later events." */
    @Test
    void postponedEventsAreRetriedInOrderAfterAStateChangeOnly() {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(state + ": " + show(e));
            return switch (e) {
                case Event.Cast<String>(var r) when state.equals("a") && r.equals("go") -> nextState("b", data);
                case Event.Cast<String>(var r) when state.equals("a") && r.equals("keep") -> keepStateAndData();
                case Event.Cast<String>(var r) when state.equals("a") && r.equals("repeat") -> repeatStateAndData();
                case Event.Cast<String>(var r) when state.equals("a") -> keepStateAndData(postpone());
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        GenStatem.cast(pid, 1);
        GenStatem.cast(pid, 2);
        GenStatem.cast(pid, "keep"); // no state change: nothing retried
        GenStatem.cast(pid, "repeat"); // same state: nothing retried
        GenStatem.cast(pid, "go");
        GenStatem.cast(pid, 3);
        assertEquals(List.of("a: cast 1", "a: cast 2", "a: cast keep", "a: cast repeat", "a: cast go",
                "b: cast 1", "b: cast 2", "b: cast 3"), m.upTo(pid));
        GenServer.stop(pid);
    }

    /** "next_event: inserted events first, in the order of the actions, then postponed ones, then the mailbox." */
    @Test
    void insertedEventsComeBeforePostponedOnesWhichComeBeforeTheMailbox() {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(state + ": " + show(e));
            return switch (e) {
                case Event.Cast<String>(var r) when state.equals("a") && r.equals("go") ->
                    nextState("b", data, nextEvent("i1"), nextEvent("i2"));
                case Event.Cast<String>(var r) when state.equals("a") -> keepStateAndData(postpone());
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        Sys.suspend(pid); // everything below is queued before the machine sees any of it
        GenStatem.cast(pid, "p");
        GenStatem.cast(pid, "go");
        GenStatem.cast(pid, "m");
        Proc.send(pid, "info");
        Sys.resume(pid);
        assertEquals(List.of("a: cast p", "a: cast go", "b: internal i1", "b: internal i2", "b: cast p", "b: cast m",
                "b: info info"), m.upTo(pid));
        GenServer.stop(pid);
    }

    // ------------------------------------------------------------------ state enter calls

    /** "State enter calls: for the initial state, after every change, again on repeat_state; not on keep_state." */
    @Test
    void stateEnterCallsRunForTheInitialStateEachChangeAndEachRepeat() {
        Machine m = new Machine(Init.ok("a", 0), true, (e, state, data, self) -> {
            self.log.add(state + ": " + show(e));
            return switch (e) {
                case Event.Enter<String> en -> keepState((Integer) data + 1); // counts enters in data
                case Event.Cast<String>(var r) when r.equals("next") -> nextState(state.equals("a") ? "b" : "a", data);
                case Event.Cast<String>(var r) when r.equals("same") -> nextState(state, data);
                case Event.Cast<String>(var r) when r.equals("repeat") -> repeatStateAndData();
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        GenStatem.cast(pid, "next");
        GenStatem.cast(pid, "same"); // next_state to the same state: no state change, no enter
        GenStatem.cast(pid, "repeat");
        GenStatem.cast(pid, "other");
        assertEquals(List.of("a: enter from a", "a: cast next", "b: enter from a", "b: cast same", "b: cast repeat",
                "b: enter from b", "b: cast other"), m.upTo(pid));
        assertEquals(new StateAndData<>("b", 3), Sys.getState(pid));
        GenServer.stop(pid);
    }

    /** "An enter call may not change the state, postpone or insert events: the machine ends with bad_return_value." */
    @Test
    void anEnterCallThatChangesStateOrPostponesEndsTheMachine() {
        for (Transition<String, Object> bad : List.<Transition<String, Object>>of(nextState("elsewhere", null),
                keepStateAndData(postpone()), keepStateAndData(nextEvent("x")))) {
            Machine m = new Machine(Init.ok("a", null), true, (e, state, data, self) ->
                    e instanceof Event.Enter<String> && state.equals("b") ? bad
                            : e instanceof Event.Cast<String> ? nextState("b", data) : keepStateAndData());
            Pid pid = start(m);
            var down = Probe.watch(pid);
            GenStatem.cast(pid, "to b");
            ExitReason r = Probe.get(down);
            assertInstanceOf(ExitReason.BadReturnValue.class, r, bad.toString());
            assertTrue(r.toString().contains("state enter"), r.toString());
        }
    }

    // ------------------------------------------------------------------ timeouts

    /** "Event timeout: fires when no event arrives in time; any event cancels it; 0 fires at once unless a message is queued." */
    @Test
    void anEventTimeoutFiresOnlyWhenNoEventArrives() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(show(e));
            return switch (e) {
                case Event.Cast<String>(var r) when r.equals("arm") -> keepStateAndData(eventTimeout(Duration.ofMillis(20), "et"));
                case Event.Cast<String>(var r) when r.equals("arm0") -> keepStateAndData(eventTimeout(Duration.ZERO, "et0"));
                case Event.Cast<String>(var r) when r.equals("arm+mark") -> keepStateAndData(
                        eventTimeout(Duration.ofMillis(200), "cancelled"), genericTimeout("mark", Duration.ofMillis(400), "m"));
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        GenStatem.cast(pid, "arm");
        assertEquals("cast arm", m.next());
        assertEquals("event_timeout et", m.next());
        GenStatem.cast(pid, "arm0");
        assertEquals("cast arm0", m.next());
        assertEquals("event_timeout et0", m.next());
        // A queued message cancels a zero timeout.
        Sys.suspend(pid);
        GenStatem.cast(pid, "arm0");
        GenStatem.cast(pid, "y");
        Sys.resume(pid);
        assertEquals(List.of("cast arm0", "cast y"), m.upTo(pid));
        // Cancelled by an event: the event timeout (200 ms) would fire before the mark (400 ms).
        Sys.suspend(pid);
        GenStatem.cast(pid, "arm+mark");
        GenStatem.cast(pid, "z");
        Sys.resume(pid);
        assertEquals("cast arm+mark", m.next());
        assertEquals("cast z", m.next());
        assertEquals("timeout mark m", m.next(), "the event timeout was cancelled by the cast");
        GenServer.stop(pid);
    }

    /** "State timeout: cancelled by a state change, restarted when set again, kept across keep_state." */
    @Test
    void aStateTimeoutIsCancelledByAStateChangeAndRestartedWhenSetAgain() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(state + ": " + show(e));
            return switch (e) {
                case Event.Cast<String>(var r) when r.equals("arm") -> keepStateAndData(stateTimeout(Duration.ofMillis(200), "st"));
                case Event.Cast<String>(var r) when r.equals("leave") ->
                    nextState(state.equals("a") ? "b" : "a", data, genericTimeout("mark", Duration.ofMillis(400), "m"));
                case Event.Cast<String>(var r) when r.equals("restart") -> keepStateAndData(
                        stateTimeout(Duration.ofMillis(200), "first"), genericTimeout("mark", Duration.ofMillis(400), "m"),
                        stateTimeout(Duration.ofMillis(600), "second"));
                case Event.Cast<String>(var r) when r.equals("keep") -> keepStateAndData();
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        Sys.suspend(pid);
        GenStatem.cast(pid, "arm");
        GenStatem.cast(pid, "leave");
        Sys.resume(pid);
        assertEquals("a: cast arm", m.next());
        assertEquals("a: cast leave", m.next());
        assertEquals("b: timeout mark m", m.next(), "the state timeout of a went with a");
        GenStatem.cast(pid, "restart");
        GenStatem.cast(pid, "keep");
        assertEquals("b: cast restart", m.next());
        assertEquals("b: cast keep", m.next());
        assertEquals("b: timeout mark m", m.next());
        assertEquals("b: state_timeout second", m.next(), "set again, it restarted: 'first' never fires");
        GenServer.stop(pid);
    }

    /**
     * "State and generic timeouts are messages, as OTP's: one that arrived before the timeout
     * expired is handled before it, even if the machine was busy (here: suspended) meanwhile."
     */
    @Test
    void aMessageThatArrivedBeforeTheTimeoutExpiredIsHandledFirst() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(show(e));
            return e instanceof Event.Cast<String>(var r) && r.equals("arm")
                    ? keepStateAndData(stateTimeout(Duration.ofMillis(50), "st"))
                    : keepStateAndData();
        });
        Pid pid = start(m);
        GenStatem.cast(pid, "arm");
        assertEquals("cast arm", m.next());
        Sys.suspend(pid);
        GenStatem.cast(pid, "before");
        // Wait until the timeout's message is queued behind it (the suspended machine answers sys).
        long end = System.nanoTime() + WAIT.toNanos();
        while (Sys.statistics(pid).mailboxLength() < 2) {
            assertTrue(System.nanoTime() - end < 0, "the state timeout's message never arrived");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // a condition poll
        }
        Sys.resume(pid);
        assertEquals("cast before", m.next());
        assertEquals("state_timeout st", m.next());
        GenServer.stop(pid);
    }

    /** "Generic timeouts: named, survive state changes, cancelled by name." */
    @Test
    void genericTimeoutsSurviveStateChangesAndAreCancelledByName() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> {
            self.log.add(state + ": " + show(e));
            return switch (e) {
                case Event.Cast<String>(var r) when r.equals("go") -> nextState("b", data,
                        genericTimeout("g1", Duration.ofMillis(50), "c1"), genericTimeout("g2", Duration.ofMillis(100), "c2"),
                        genericTimeout("mark", Duration.ofMillis(300), "m"));
                case Event.Cast<String>(var r) when r.equals("cancel") -> nextState("c", data, cancelGenericTimeout("g2"));
                default -> keepStateAndData();
            };
        });
        Pid pid = start(m);
        Sys.suspend(pid);
        GenStatem.cast(pid, "go");
        GenStatem.cast(pid, "cancel");
        Sys.resume(pid);
        assertEquals("a: cast go", m.next());
        assertEquals("b: cast cancel", m.next());
        assertEquals("c: timeout g1 c1", m.next(), "it survived two state changes");
        assertEquals("c: timeout mark m", m.next(), "g2 was cancelled");
        GenServer.stop(pid);
    }

    // ------------------------------------------------------------------ calls, stop, crash

    /** "Calls: replied from any state, now or later." */
    @Test
    void aCallIsAnsweredLaterFromAnotherState() {
        Machine m = Machine.of((e, state, data, self) -> switch (e) {
            case Event.Call<String>(var from, var r) when r.equals("wait") -> nextState("waiting", from);
            case Event.Cast<String>(var r) when r.equals("release") && state.equals("waiting") ->
                nextState("a", null, reply((From) data, "released"));
            default -> keepStateAndData();
        });
        Pid pid = start(m);
        RequestId<String> id = GenServer.sendRequest(pid, "wait");
        assertEquals("waiting", GenStatem.call(pid, "sync", WAIT));
        GenStatem.cast(pid, "release");
        assertEquals("released", id.await(WAIT));
        GenServer.stop(pid);
    }

    /** "stop_and_reply sends its replies before terminate runs; stop runs terminate." */
    @Test
    void stopAndReplyRepliesBeforeTerminate() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> switch (e) {
            case Event.Call<String>(var from, var r) when r.equals("bye") ->
                stopAndReply(ExitReason.normal(), data, new Action.Reply(from, "bye"));
            default -> keepStateAndData();
        });
        m.terminateWaitsFor = new CountDownLatch(1);
        Pid pid = start(m);
        var down = Probe.watch(pid);
        assertEquals("bye", GenStatem.call(pid, "bye", WAIT));
        m.terminateWaitsFor.countDown();
        assertEquals(ExitReason.normal(), Probe.get(down));
        assertEquals("terminate normal in a reply_first=true", m.next());
    }

    /** "A callback that throws or returns null ends the machine after terminate, a caller gets the exit." */
    @Test
    void aCrashOrANullTransitionEndsTheMachineAfterTerminate() throws Exception {
        Machine m = Machine.of((e, state, data, self) -> switch (e) {
            case Event.Call<String>(var from, var r) when r.equals("boom") -> throw new IllegalStateException("boom");
            case Event.Cast<String>(var r) when r.equals("null") -> null;
            case Event.Cast<String>(var r) when r.equals("stop") -> stop(ExitReason.shutdown(), "last data");
            default -> keepStateAndData();
        });
        Pid pid = start(m);
        ServerExitedException ex = assertThrows(ServerExitedException.class, () -> GenStatem.call(pid, "boom", WAIT));
        assertInstanceOf(ExitReason.Crash.class, ex.reason());
        assertTrue(m.next().startsWith("terminate {crash, java.lang.IllegalStateException: boom}"));

        Pid second = start(m);
        var down = Probe.watch(second);
        GenStatem.cast(second, "null");
        assertInstanceOf(ExitReason.BadReturnValue.class, Probe.get(down));
        assertTrue(m.next().startsWith("terminate {bad_return_value"));

        Pid third = start(m);
        var down3 = Probe.watch(third);
        GenStatem.cast(third, "stop");
        assertEquals(ExitReason.shutdown(), Probe.get(down3));
        assertEquals("terminate shutdown in a", m.next());
    }

    // ------------------------------------------------------------------ sys, start

    /** "sys: get_state and replace_state see {state, data}; statistics count events; stop runs terminate." */
    @Test
    void sysSeesStateAndDataAndStopRunsTerminate() throws Exception {
        Machine m = new Machine(Init.ok("a", 1), false, (e, state, data, self) -> switch (e) {
            case Event.Cast<String>(var r) -> nextState("b", (Integer) data + 1, GenStatem.Action.hibernate());
            default -> keepStateAndData();
        });
        Pid pid = GenStatem.start(m, null, StartOptions.defaults().withName(Name.local("statem-sys-test"))).pid();
        GenStatem.cast(Name.local("statem-sys-test"), "x");
        assertEquals("b", GenStatem.call(Name.local("statem-sys-test"), "sync", WAIT));
        assertEquals(new StateAndData<>("b", 2), Sys.getState(pid));
        StateAndData<String, Integer> replaced = Sys.replaceState(pid, (StateAndData<String, Integer> sd) -> new StateAndData<>("c", sd.data() * 10));
        assertEquals(new StateAndData<>("c", 20), replaced);
        assertThrows(IllegalArgumentException.class, () -> Sys.replaceState(pid, sd -> "not a StateAndData"));
        assertEquals("c", GenStatem.call(pid, "sync", WAIT), "a failed replace changed nothing");
        Statistics st = Sys.statistics(pid);
        assertEquals(1, st.casts());
        assertTrue(st.hibernations() >= 1, st.toString());
        GenServer.stop(pid);
        assertEquals("terminate normal in c", m.next());
        assertFalse(pid.isAlive());
    }

    /** "init: ok, stop, ignore, a crash, null, or a postpone fail or start as a GenServer's init." */
    @Test
    void initResults() {
        Handler none = (e, s, d, self) -> keepStateAndData();
        assertEquals(new StartResult.Failed(ExitReason.of("no")), GenStatem.start(new Machine(Init.stop(ExitReason.of("no")), false, none), null));
        assertEquals(new StartResult.Ignored(), GenStatem.start(new Machine(Init.ignore(), false, none), null));
        assertInstanceOf(ExitReason.BadReturnValue.class,
                ((StartResult.Failed) GenStatem.start(new Machine(null, false, none), null)).reason());
        assertInstanceOf(ExitReason.BadReturnValue.class,
                ((StartResult.Failed) GenStatem.start(new Machine(Init.ok("a", null, postpone()), false, none), null)).reason());
        GenStatem<Object, String, Object> crashing = new GenStatem<>() {
            @Override
            public Init<String, Object> init(Object arg) {
                throw new IllegalStateException("init fails");
            }

            @Override
            public Transition<String, Object> handleEvent(Event<String> event, String state, Object data) {
                return keepStateAndData();
            }
        };
        assertInstanceOf(ExitReason.Crash.class, ((StartResult.Failed) GenStatem.start(crashing, null)).reason());
        // Init actions run first: an inserted event before anything in the mailbox.
        Machine m = new Machine(Init.ok("a", null, nextEvent("from init")), false, (e, s, d, self) -> {
            self.log.add(show(e));
            return keepStateAndData();
        });
        Pid pid = start(m);
        assertEquals(List.of("internal from init"), m.upTo(pid));
        GenServer.stop(pid);
        assertThrows(IllegalStateException.class, () -> GenStatem.startLink(m, null, StartOptions.defaults()),
                "startLink from a plain thread");
    }

    /** "Bad input: null or negative durations, null actions, an inserted enter call: a clear exception at once." */
    @Test
    void badInputIsRefusedWhereTheActionIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> eventTimeout(Duration.ofMillis(-1), "x"));
        assertThrows(NullPointerException.class, () -> stateTimeout(null, "x"));
        assertThrows(NullPointerException.class, () -> genericTimeout(null, Duration.ZERO, "x"));
        assertThrows(NullPointerException.class, () -> reply(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Action.NextEvent(new Event.Enter<>("a")));
        assertThrows(IllegalArgumentException.class, () -> new Action.NextEvent(new Event.StateTimeout<>("a")));
        assertThrows(NullPointerException.class, () -> nextState(null, "d"));
        assertThrows(NullPointerException.class, () -> keepStateAndData((Action) null));
        assertThrows(NullPointerException.class, () -> Init.ok(null, "d"));
        assertThrows(NullPointerException.class, () -> stop(null, "d"));
        assertThrows(NullPointerException.class, () -> GenStatem.start(null, null));
        assertNull(new Action.Reply(new From("r", null, null, Thread.currentThread()), null).reply());
    }
}
