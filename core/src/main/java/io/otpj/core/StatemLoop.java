package io.otpj.core;

import io.otpj.core.GenStatem.Action;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Transition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process body of a {@link GenStatem}: OTP's gen_statem engine. Runs on the machine's own
 * process only, so no field needs synchronisation.
 *
 * <p>The event queue is {@link #queue} (inserted events and postponed events being retried)
 * ahead of the mailbox. State and generic timeouts are timer messages to the machine itself, as
 * OTP's: they take their place among the other messages by arrival, so a message that came before
 * the timeout expired is handled first. Each carries the sequence number it was armed with; one
 * whose timeout was cancelled or restarted meanwhile is discarded when it arrives, so it never
 * fires. The event timeout is the mailbox receive's own deadline (any event cancels it, exactly).
 */
final class StatemLoop<A, S, D> extends ServerLoop {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.GenStatem");

    /** The running event timeout: its deadline and content. */
    private record Pending(long deadline, Object content) {}

    /** The key of the state timeout among {@link #timers}; generic timeouts use their names. */
    private static final Object STATE_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "state_timeout";
        }
    };

    /** A state or generic timeout's message to the machine itself. */
    private record Fire(Object key, long seq, Object content) implements Mailbox.Unbounded {}

    /** An armed state or generic timeout: the sequence number its message carries, and its timer. */
    private record Armed(long seq, TimerRef timer) {}

    private final GenStatem<A, S, D> impl;
    private final boolean enterCalls;
    private A arg;

    private S state;
    private D data;
    /** Events to handle before the mailbox: inserted ones first, then postponed ones retried. */
    private final ArrayDeque<Event<S>> queue = new ArrayDeque<>();
    /** Postponed events, oldest first, retried after the next state change. */
    private final ArrayList<Event<S>> postponed = new ArrayList<>();
    private Pending eventTimeout;
    /** Armed state and generic timeouts, by key ({@link #STATE_TIMEOUT} or the name). */
    private final Map<Object, Armed> timers = new HashMap<>();
    private long seq;
    private boolean hibernate;

    private StatemLoop(Pcb self, GenStatem<A, S, D> impl, A arg, StartOptions options, Pcb parent, Ack ack) {
        super(self, options, parent, ack);
        this.impl = impl;
        this.arg = arg;
        this.enterCalls = impl.stateEnter();
    }

    static <A, S, D> StartResult start(GenStatem<A, S, D> impl, A arg, StartOptions options, boolean link) {
        Objects.requireNonNull(impl, "machine must not be null");
        return GenServerClient.start(options, link, (p, parent, ack) -> new StatemLoop<>(p, impl, arg, options, parent, ack));
    }

    // ------------------------------------------------------------------ init

    @Override
    void initAndLoop() {
        GenStatem.Init<S, D> r;
        try {
            r = impl.init(arg);
        } catch (Throwable t) {
            initFailed(t);
            return;
        }
        switch (r) {
            case null -> initReturnedNull();
            case GenStatem.Init.Ok<S, D> ok -> {
                if (ok.actions().stream().anyMatch(a -> a instanceof Action.Postpone)) {
                    ExitReason reason = new ExitReason.BadReturnValue("init (postpone is not allowed in init)", ok);
                    crashReport(reason, "init", null);
                    failStart(new StartResult.Failed(reason), reason);
                    return;
                }
                state = ok.state();
                data = ok.data();
                acknowledge();
                arg = null;
                try {
                    List<Event<S>> inserted = actions(ok.actions(), false);
                    insert(inserted);
                    if (enterCalls) {
                        enter(state);
                    }
                } catch (ExitException | ProcessExit e) {
                    throw e;
                } catch (Throwable t) {
                    throw crashed(t);
                }
                loop();
            }
            case GenStatem.Init.Ignore<S, D> i -> failStart(new StartResult.Ignored(), Reasons.NORMAL);
            case GenStatem.Init.Stop<S, D> s -> initStopped(s.reason());
        }
    }

    // ------------------------------------------------------------------ the loop

    @Override
    void resumed() {
        loop();
    }

    private void loop() {
        for (;;) {
            Event<S> e = next();
            if (e == null) {
                continue; // a system request was answered, or a timeout was due: look again
            }
            lastMessage = e;
            handle(e);
            traced(e);
            lastMessage = null;
        }
    }

    /**
     * The next event to handle, or null after a system request or when it had to look again.
     * Any event cancels the event timeout.
     */
    private Event<S> next() {
        if (!queue.isEmpty()) {
            eventTimeout = null;
            return queue.poll();
        }
        if (suspended) {
            return fromMailbox(self.receive(this::handledWhileSuspended, -1L));
        }
        if (hibernate) {
            hibernate = false;
            hibernations++;
            if (eventTimeout == null) {
                // The loop goes on from here on the new thread; returns only if a message came meanwhile.
                self.hibernateReleasingThread();
            } else {
                self.hibernate(); // an event timeout is a timed wait on this thread: it keeps it
            }
        }
        long wait = -1L;
        if (eventTimeout != null) {
            long left = eventTimeout.deadline() - System.nanoTime();
            if (left <= 0) {
                // Due, but only if no event is already waiting (that event would cancel it).
                Object m;
                while ((m = self.receive(0L)) != null) {
                    Event<S> e = fromMailbox(m);
                    if (e != null) {
                        eventTimeout = null;
                        return e;
                    }
                }
                Pending p = eventTimeout;
                eventTimeout = null;
                return new Event.EventTimeout<>(p.content());
            }
            wait = left;
        } else if (hibernateAfterNanos >= 0) {
            Object m = self.receive(hibernateAfterNanos);
            if (m == null) {
                hibernations++;
                self.hibernateReleasingThread();
                m = self.receive(-1L);
            }
            return fromMailbox(m);
        }
        Object m = self.receive(wait);
        if (m == null) {
            return null; // the event timeout's deadline passed: the next round fires it
        }
        Event<S> e = fromMailbox(m);
        if (e != null) {
            eventTimeout = null;
        }
        return e;
    }

    /** A mailbox message as an event; null for a system request, answered here. */
    private Event<S> fromMailbox(Object m) {
        messagesIn++;
        switch (m) {
            case From f -> {
                if (f.request instanceof Sys.Request r) {
                    system(f, r);
                    return null;
                }
                calls++;
                return new Event.Call<>(f, f.request);
            }
            case GenServerLoop.Cast c -> {
                casts++;
                return new Event.Cast<>(c.request());
            }
            case Fire f -> {
                Armed a = timers.get(f.key());
                if (a == null || a.seq() != f.seq()) {
                    return null; // cancelled or restarted after this message was sent
                }
                timers.remove(f.key());
                return f.key() == STATE_TIMEOUT ? new Event.StateTimeout<>(f.content())
                        : new Event.GenericTimeout<>(f.key(), f.content());
            }
            case Exit x when isParentExit(x) -> throw exit(x.reason());
            default -> {
                infos++;
                return new Event.Info<>(m);
            }
        }
    }

    // ------------------------------------------------------------------ transitions

    private void handle(Event<S> e) {
        Transition<S, D> t;
        Events.SlowCallback slow = new Events.SlowCallback();
        slow.begin();
        try {
            t = impl.handleEvent(e, state, data);
        } catch (Throwable x) {
            throw crashed(x);
        }
        slow.end();
        if (slow.shouldCommit()) {
            slow.pid = self.pid.toString();
            slow.name = Events.text(name);
            slow.behaviour = implName();
            slow.callback = callbackFor(e);
            slow.messageType = e.getClass();
            slow.commit();
        }
        try {
            apply(t, e, false);
        } catch (ExitException | ProcessExit x) {
            throw x;
        } catch (Throwable x) {
            throw crashed(x);
        }
    }

    /**
     * Carries out a transition returned for {@code e} (an enter call when {@code inEnter}).
     * State change rules, actions, postponing, insertion and enter calls, as gen_statem.
     */
    private void apply(Transition<S, D> t, Event<S> e, boolean inEnter) throws Exception {
        S next;
        boolean repeat = false;
        List<Action> actions;
        switch (t) {
            case null -> throw exit(new ExitReason.BadReturnValue(inEnter ? "handleEvent (state enter)" : "handleEvent", null));
            case Transition.NextState<S, D> n -> {
                next = n.state();
                data = n.data();
                actions = n.actions();
                if (inEnter && !next.equals(state)) {
                    throw exit(new ExitReason.BadReturnValue("handleEvent (a state enter call may not change the state)", t));
                }
            }
            case Transition.KeepState<S, D> k -> {
                next = state;
                if (!k.keepData()) {
                    data = k.data();
                }
                actions = k.actions();
            }
            case Transition.RepeatState<S, D> r -> {
                next = state;
                repeat = true;
                if (!r.keepData()) {
                    data = r.data();
                }
                actions = r.actions();
            }
            case Transition.Stop<S, D> s -> {
                data = s.data();
                // As stop_and_reply: the replies go first, then terminate.
                for (Action.Reply r : s.replies()) {
                    Pcb.completeAs(self, r.from(), r.reply());
                }
                throw exit(s.reason());
            }
        }
        boolean postpone = false;
        for (Action a : actions) {
            if (inEnter && (a instanceof Action.Postpone || a instanceof Action.NextEvent)) {
                throw exit(new ExitReason.BadReturnValue("handleEvent (postpone and next_event are not allowed in a state enter call)", a));
            }
            if (a instanceof Action.Postpone) {
                postpone = true;
            }
        }
        S previous = state;
        boolean changed = !next.equals(previous);
        if (postpone) {
            postponed.add(e);
        }
        state = next;
        if (changed) {
            // The old state's timeout goes; postponed events are retried, oldest first.
            disarm(STATE_TIMEOUT);
            for (int i = postponed.size() - 1; i >= 0; i--) {
                queue.addFirst(postponed.get(i));
            }
            postponed.clear();
        }
        insert(actions(actions, inEnter));
        if (enterCalls && (changed || repeat)) {
            enter(previous);
        }
    }

    /** Runs the state enter call for the current state. */
    private void enter(S previous) throws Exception {
        Transition<S, D> t;
        try {
            t = impl.handleEvent(new Event.Enter<>(previous), state, data);
        } catch (Throwable x) {
            throw crashed(x);
        }
        apply(t, new Event.Enter<>(previous), true);
    }

    /** Carries out the actions other than postpone; returns the events to insert, in order. */
    private List<Event<S>> actions(List<Action> actions, boolean inEnter) {
        List<Event<S>> inserted = List.of();
        for (Action a : actions) {
            switch (a) {
                case Action.Postpone p -> {}
                case Action.NextEvent(Event<?> ev) -> {
                    if (inserted.isEmpty()) {
                        inserted = new ArrayList<>(2);
                    }
                    @SuppressWarnings("unchecked")
                    Event<S> typed = (Event<S>) ev;
                    inserted.add(typed);
                }
                case Action.Reply(From from, Object reply) -> Pcb.completeAs(self, from, reply);
                case Action.SetEventTimeout(Duration after, Object content) -> {
                    long nanos = Proc.toNanos(after, "event timeout");
                    eventTimeout = nanos < 0 ? null : new Pending(System.nanoTime() + nanos, content);
                }
                case Action.SetStateTimeout(Duration after, Object content) -> arm(STATE_TIMEOUT, after, content);
                case Action.SetGenericTimeout(Object name, Duration after, Object content) -> arm(name, after, content);
                case Action.Hibernate h -> hibernate = true;
            }
        }
        return inserted;
    }

    /** (Re)starts the timeout {@code key}, or cancels it for {@link Proc#INFINITY}. */
    private void arm(Object key, Duration after, Object content) {
        disarm(key);
        if (Proc.toNanos(after, "timeout") >= 0) {
            long n = ++seq;
            timers.put(key, new Armed(n, Proc.sendAfter(self.pid, new Fire(key, n, content), after)));
        }
    }

    private void disarm(Object key) {
        Armed a = timers.remove(key);
        if (a != null) {
            a.timer().cancel(); // if its message is already queued, the sequence check drops it
        }
    }

    /** Puts inserted events ahead of everything queued, keeping their order. */
    private void insert(List<Event<S>> inserted) {
        for (int i = inserted.size() - 1; i >= 0; i--) {
            queue.addFirst(inserted.get(i));
        }
    }

    // ------------------------------------------------------------------ ServerLoop

    @Override
    Logger log() {
        return LOG;
    }

    @Override
    String implName() {
        return impl.getClass().getName();
    }

    @Override
    String callbackFor(Object m) {
        return "handleEvent"; // system requests are answered in next(), never as the current event
    }

    @Override
    Object sysState() {
        return new GenStatem.StateAndData<>(state, data);
    }

    @Override
    @SuppressWarnings("unchecked")
    Object sysReplaceState(UnaryOperator<Object> fn) {
        Object r = fn.apply(new GenStatem.StateAndData<>(state, data));
        if (!(r instanceof GenStatem.StateAndData<?, ?> sd)) {
            throw new IllegalArgumentException("replaceState on a GenStatem must return a StateAndData, got " + r);
        }
        state = (S) sd.state();
        data = (D) sd.data();
        return r;
    }

    @Override
    void callTerminate(ExitReason reason) throws Exception {
        impl.terminate(reason, state, data);
    }

    @Override
    GenServer.Status formatted(Object message) {
        try {
            Object m = switch (message) {
                case Event.Call<?>(From f, Object request) -> new Event.Call<>(null, request);
                case null, default -> message;
            };
            GenServer.Status shown = impl.formatStatus(new GenServer.Status(new GenStatem.StateAndData<>(state, data), m));
            if (shown != null) {
                return shown;
            }
        } catch (RuntimeException | StackOverflowError broken) {
            // a broken format_status must not leak what it was meant to hide
        }
        return FORMAT_FAILED;
    }
}
