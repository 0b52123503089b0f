package io.otpj.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A state machine behaviour: the Java form of Erlang's {@code gen_statem}, with OTP's model.
 *
 * <p>The machine has a <em>state</em> ({@code S}, best a sealed interface of records) and
 * <em>data</em> ({@code D}). Every event (a call, a cast, any other message, a timeout, an
 * event the machine inserted itself) goes to one callback with the current state and data, which
 * returns a {@link Transition}: the next state and data, and {@link Action}s (reply, postpone,
 * insert events, start or cancel timeouts, hibernate). Two callback modes, as in OTP:
 * <ul>
 *   <li><b>handle_event_function</b>: implement {@link #handleEvent} and switch on the state and
 *       the event together.</li>
 *   <li><b>state_functions</b>: implement {@link ByState}; each state type implements
 *       {@link State#handle}, so each state handles only its own events and the compiler checks
 *       that every state has its function. With a sealed state interface, a transition can only
 *       name a state the machine has.</li>
 * </ul>
 *
 * {@snippet class=io.otpj.examples.Door region=machine}
 *
 * <h2>The semantics, as OTP's</h2>
 * <ul>
 *   <li>Events are handled one at a time on the machine's own process, in this order: events
 *       inserted with {@link Action#nextEvent} (in the order of the actions), then postponed
 *       events being retried, then the mailbox in arrival order.</li>
 *   <li>{@link Action#postpone()}: the event is kept and retried, oldest first, after the next
 *       <em>state change</em> (a next state not {@code equals} to the current one).
 *       {@code keepState} and {@code repeatState} do not retry postponed events.</li>
 *   <li><b>State enter calls</b> ({@link #stateEnter()} true): after every state change, and for
 *       the initial state, the callback gets {@link Event.Enter} with the previous state (the
 *       initial state itself at the start), before any other event. {@code repeatState} runs it
 *       again. An enter call may keep or repeat the state, change data, reply, set timeouts and
 *       stop; it may not change the state nor postpone nor insert events: doing so ends the
 *       machine with {@link ExitReason.BadReturnValue}.</li>
 *   <li><b>Timeouts</b>: an <em>event timeout</em> ({@link Action#eventTimeout}) fires as
 *       {@link Event.EventTimeout} if no event at all arrives before it (any event cancels it); a
 *       <em>state timeout</em> ({@link Action#stateTimeout}) fires as {@link Event.StateTimeout}
 *       unless the state changes first (setting it again restarts it); a <em>generic
 *       timeout</em> ({@link Action#genericTimeout}) is named, survives state changes and fires
 *       as {@link Event.GenericTimeout}. {@link Proc#INFINITY} or the cancel actions cancel a
 *       timeout. State and generic timeouts are timer messages to the machine, as OTP's: a
 *       message that arrived before one expired is handled before it, and a cancelled or
 *       restarted timeout never fires, even if its message was already queued. The event
 *       timeout is the deadline of the machine's wait for its next event. None fires while the
 *       machine is suspended (they wait in the mailbox).</li>
 *   <li><b>Calls</b> arrive as {@link Event.Call}; answer with {@link Action#reply} (or
 *       {@link From#reply}) from any state, now or later. {@link GenServer#call} and
 *       {@link GenServer#cast} work on a machine too; {@link #call}/{@link #cast} are the same
 *       with this behaviour's name.</li>
 *   <li>A callback that throws, or returns null, ends the machine (with {@link ExitReason.Crash}
 *       or {@link ExitReason.BadReturnValue}) after {@link #terminate} and a crash report, as a
 *       GenServer. {@link Transition#stopAndReply} sends its replies before {@code terminate}
 *       runs, as OTP's {@code stop_and_reply}.</li>
 *   <li>Start, names, {@link StartOptions} (init timeout, {@code hibernateAfter}, trace), linking,
 *       {@code sys} ({@link Sys#getState} returns a {@link StateAndData}), a parent's exit signal
 *       while trapping exits, and {@link GenServer#stop} are those of {@link GenServer}.</li>
 * </ul>
 * Bad input: null or negative durations, null actions or events, and an inserted
 * {@link Event.Enter} throw at once where the action or transition is built
 * ({@link NullPointerException} / {@link IllegalArgumentException} naming the problem), which
 * in a callback crashes the machine and nothing else.
 *
 * @param <A> the start argument
 * @param <S> the state type
 * @param <D> the data type
 */
public interface GenStatem<A, S, D> {

    // ------------------------------------------------------------------ callbacks

    /**
     * Initialises the machine in its new process, before {@code start} returns.
     *
     * @param arg the start argument, as given
     * @return {@link Init#ok} with the initial state, data and actions (no postpone), or
     *     {@link Init#stop} / {@link Init#ignore}; null fails the start with
     *     {@link ExitReason.BadReturnValue}
     * @throws Exception fails the start with the crash, as a GenServer's init
     */
    Init<S, D> init(A arg) throws Exception;

    /**
     * Handles one event in the current state (handle_event_function mode). {@link ByState}
     * implements it by delegating to the state.
     *
     * @param event what happened
     * @param state the current state
     * @param data the current data
     * @return the transition; null ends the machine with {@link ExitReason.BadReturnValue}
     * @throws Exception crashes the machine, after {@code terminate}
     */
    Transition<S, D> handleEvent(Event<S> event, S state, D data) throws Exception;

    /**
     * Whether the machine gets state enter calls ({@code state_enter} in OTP's callback mode).
     *
     * @return false by default
     */
    default boolean stateEnter() {
        return false;
    }

    /**
     * Runs when the machine stops, as a GenServer's {@code terminate}: after a stop transition, a
     * crash, a stop request, or its parent's exit signal while it traps exits; not on
     * {@code kill}.
     *
     * @param reason why it stops
     * @param state the state it stops in
     * @param data its data
     * @throws Exception its crash becomes the exit reason
     */
    default void terminate(ExitReason reason, S state, D data) throws Exception {}

    /**
     * What crash reports and traces show, as {@link GenServer#formatStatus}: {@code status.state()}
     * is a {@link StateAndData}. Override it to hide data (e.g. a card number).
     *
     * @param status the state-and-data and the event being handled
     * @return what to show; a failing one shows {@code format_status_failed} instead
     */
    default GenServer.Status formatStatus(GenServer.Status status) {
        return status;
    }

    // ------------------------------------------------------------------ state functions

    /**
     * A state that handles its own events: the state_functions callback mode.
     *
     * @param <S> the machine's state type (the sealed interface this state belongs to)
     * @param <D> the data type
     */
    interface State<S, D> {
        /**
         * Handles an event in this state.
         *
         * @param event what happened
         * @param data the current data
         * @return the transition
         * @throws Exception crashes the machine
         */
        Transition<S, D> handle(Event<S> event, D data) throws Exception;
    }

    /**
     * A machine in state_functions mode: {@link #handleEvent} asks the state.
     *
     * @param <A> the start argument
     * @param <S> the state type, whose values handle their events
     * @param <D> the data type
     */
    interface ByState<A, S extends State<S, D>, D> extends GenStatem<A, S, D> {
        @Override
        default Transition<S, D> handleEvent(Event<S> event, S state, D data) throws Exception {
            return state.handle(event, data);
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * An event, as the callback receives it (OTP's event type and content).
     *
     * @param <S> the state type (for {@link Enter})
     */
    sealed interface Event<S> {
        /**
         * A call ({@code {call, From}}): answer with {@link Action#reply} or {@link From#reply}.
         *
         * @param <S> the state type
         * @param from the caller's reply handle
         * @param request what was asked
         */
        record Call<S>(From from, Object request) implements Event<S> {}

        /**
         * A cast.
         *
         * @param <S> the state type
         * @param request what was sent
         */
        record Cast<S>(Object request) implements Event<S> {}

        /**
         * Any other message: {@link Down}, {@link Exit} (when trapping), anything sent.
         *
         * @param <S> the state type
         * @param message the message
         */
        record Info<S>(Object message) implements Event<S> {}

        /**
         * An event the machine inserted with {@link Action#nextEvent} ({@code internal}).
         *
         * @param <S> the state type
         * @param content what was inserted
         */
        record Internal<S>(Object content) implements Event<S> {}

        /**
         * The event timeout fired: no event arrived in time.
         *
         * @param <S> the state type
         * @param content the timeout's content
         */
        record EventTimeout<S>(Object content) implements Event<S> {}

        /**
         * The state timeout fired: the state did not change in time.
         *
         * @param <S> the state type
         * @param content the timeout's content
         */
        record StateTimeout<S>(Object content) implements Event<S> {}

        /**
         * A generic (named) timeout fired.
         *
         * @param <S> the state type
         * @param name its name
         * @param content its content
         */
        record GenericTimeout<S>(Object name, Object content) implements Event<S> {}

        /**
         * A state enter call (only with {@link #stateEnter()}).
         *
         * @param <S> the state type
         * @param previous the state before the change (the same state for a repeat, and the
         *     initial state at the start)
         */
        record Enter<S>(S previous) implements Event<S> {}
    }

    // ------------------------------------------------------------------ actions

    /** What a transition asks of the machine besides its next state (OTP's transition actions). */
    sealed interface Action {
        /** Keep the current event and retry it after the next state change. */
        record Postpone() implements Action {}

        /**
         * Handle {@code event} next, before anything queued.
         *
         * @param event an internal, cast or info event; not an enter call
         */
        record NextEvent(Event<?> event) implements Action {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code event} is null
             * @throws IllegalArgumentException if it is an {@link Event.Enter}, a timeout or a
             *     call (only the machine makes those)
             */
            public NextEvent {
                Objects.requireNonNull(event, "event must not be null");
                if (!(event instanceof Event.Internal || event instanceof Event.Cast || event instanceof Event.Info)) {
                    throw new IllegalArgumentException("next_event takes an internal, cast or info event, not " + event);
                }
            }
        }

        /**
         * Reply to a call.
         *
         * @param from the call's reply handle
         * @param reply the reply (may be null)
         */
        record Reply(From from, Object reply) implements Action {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code from} is null
             */
            public Reply {
                Objects.requireNonNull(from, "from must not be null");
            }
        }

        /**
         * Start (or with {@link Proc#INFINITY} cancel) the event timeout.
         *
         * @param after how long no event may arrive
         * @param content what the timeout event carries
         */
        record SetEventTimeout(Duration after, Object content) implements Action {
            /**
             * Checks the components.
             *
             * @throws IllegalArgumentException if {@code after} is negative
             */
            public SetEventTimeout {
                Proc.toNanos(after, "event timeout");
            }
        }

        /**
         * Start, restart, or with {@link Proc#INFINITY} cancel the state timeout.
         *
         * @param after how long the state may last
         * @param content what the timeout event carries
         */
        record SetStateTimeout(Duration after, Object content) implements Action {
            /**
             * Checks the components.
             *
             * @throws IllegalArgumentException if {@code after} is negative
             */
            public SetStateTimeout {
                Proc.toNanos(after, "state timeout");
            }
        }

        /**
         * Start, restart, or with {@link Proc#INFINITY} cancel a generic timeout.
         *
         * @param name its name
         * @param after when it fires
         * @param content what the timeout event carries
         */
        record SetGenericTimeout(Object name, Duration after, Object content) implements Action {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code name} or {@code after} is null
             * @throws IllegalArgumentException if {@code after} is negative
             */
            public SetGenericTimeout {
                Objects.requireNonNull(name, "timeout name must not be null");
                Proc.toNanos(after, "generic timeout " + name);
            }
        }

        /** Hibernate before waiting for the next event. */
        record Hibernate() implements Action {}

        /**
         * {@code postpone}.
         *
         * @return the action
         */
        static Action postpone() {
            return new Postpone();
        }

        /**
         * {@code {next_event, internal, content}}.
         *
         * @param content what {@link Event.Internal} carries
         * @return the action
         */
        static Action nextEvent(Object content) {
            return new NextEvent(new Event.Internal<>(content));
        }

        /**
         * {@code {reply, From, Reply}}.
         *
         * @param from the call's reply handle
         * @param reply the reply
         * @return the action
         */
        static Action reply(From from, Object reply) {
            return new Reply(from, reply);
        }

        /**
         * An event timeout ({@code {timeout, T, Content}}).
         *
         * @param after how long no event may arrive; {@link Proc#INFINITY} cancels
         * @param content what {@link Event.EventTimeout} carries
         * @return the action
         */
        static Action eventTimeout(Duration after, Object content) {
            return new SetEventTimeout(after, content);
        }

        /**
         * A state timeout ({@code {state_timeout, T, Content}}).
         *
         * @param after how long the state may last; {@link Proc#INFINITY} cancels
         * @param content what {@link Event.StateTimeout} carries
         * @return the action
         */
        static Action stateTimeout(Duration after, Object content) {
            return new SetStateTimeout(after, content);
        }

        /**
         * {@code {state_timeout, cancel}}.
         *
         * @return the action
         */
        static Action cancelStateTimeout() {
            return new SetStateTimeout(Proc.INFINITY, null);
        }

        /**
         * A generic timeout ({@code {{timeout, Name}, T, Content}}).
         *
         * @param name its name
         * @param after when it fires; {@link Proc#INFINITY} cancels
         * @param content what {@link Event.GenericTimeout} carries
         * @return the action
         */
        static Action genericTimeout(Object name, Duration after, Object content) {
            return new SetGenericTimeout(name, after, content);
        }

        /**
         * {@code {{timeout, Name}, cancel}}.
         *
         * @param name the timeout's name
         * @return the action
         */
        static Action cancelGenericTimeout(Object name) {
            return new SetGenericTimeout(name, Proc.INFINITY, null);
        }

        /**
         * {@code hibernate}.
         *
         * @return the action
         */
        static Action hibernate() {
            return new Hibernate();
        }
    }

    // ------------------------------------------------------------------ results

    /**
     * What {@link #init} returns.
     *
     * @param <S> the state type
     * @param <D> the data type
     */
    sealed interface Init<S, D> {
        /**
         * Start in {@code state} with {@code data}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param state the initial state; not null
         * @param data the initial data
         * @param actions actions to carry out first (no postpone); not null
         */
        record Ok<S, D>(S state, D data, List<Action> actions) implements Init<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code state}, {@code actions} or an action is null
             */
            public Ok {
                Objects.requireNonNull(state, "initial state must not be null");
                actions = List.copyOf(Objects.requireNonNull(actions, "actions must not be null"));
            }
        }

        /**
         * Fail the start with {@code reason}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param reason the reason; not null
         */
        record Stop<S, D>(ExitReason reason) implements Init<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code reason} is null
             */
            public Stop {
                Objects.requireNonNull(reason, "reason must not be null");
            }
        }

        /**
         * Do not start; the starter gets {@link StartResult.Ignored}.
         *
         * @param <S> the state type
         * @param <D> the data type
         */
        record Ignore<S, D>() implements Init<S, D> {}

        /**
         * {@code {ok, State, Data, Actions}}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param state the initial state
         * @param data the initial data
         * @param actions actions to carry out first
         * @return the result
         */
        static <S, D> Init<S, D> ok(S state, D data, Action... actions) {
            return new Ok<>(state, data, List.of(actions));
        }

        /**
         * {@code {stop, Reason}}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param reason why the start fails
         * @return the result
         */
        static <S, D> Init<S, D> stop(ExitReason reason) {
            return new Stop<>(reason);
        }

        /**
         * {@code ignore}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @return the result
         */
        static <S, D> Init<S, D> ignore() {
            return new Ignore<>();
        }
    }

    /**
     * What an event callback returns: OTP's transition results.
     *
     * @param <S> the state type
     * @param <D> the data type
     */
    sealed interface Transition<S, D> {
        /**
         * {@code {next_state, S, D, Actions}}: a state change when {@code state} differs
         * ({@code equals}) from the current one.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param state the next state; not null
         * @param data the next data
         * @param actions the actions; not null
         */
        record NextState<S, D>(S state, D data, List<Action> actions) implements Transition<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code state}, {@code actions} or an action is null
             */
            public NextState {
                Objects.requireNonNull(state, "next state must not be null");
                actions = List.copyOf(Objects.requireNonNull(actions, "actions must not be null"));
            }
        }

        /**
         * {@code {keep_state, D, Actions}} (and {@code keep_state_and_data} when
         * {@code keepData}).
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param keepData whether the data stays (then {@code data} is ignored)
         * @param data the next data
         * @param actions the actions; not null
         */
        record KeepState<S, D>(boolean keepData, D data, List<Action> actions) implements Transition<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code actions} or an action is null
             */
            public KeepState {
                actions = List.copyOf(Objects.requireNonNull(actions, "actions must not be null"));
            }
        }

        /**
         * {@code {repeat_state, D, Actions}} (and {@code repeat_state_and_data}): keep the state
         * and run its enter call again.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param keepData whether the data stays
         * @param data the next data
         * @param actions the actions; not null
         */
        record RepeatState<S, D>(boolean keepData, D data, List<Action> actions) implements Transition<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code actions} or an action is null
             */
            public RepeatState {
                actions = List.copyOf(Objects.requireNonNull(actions, "actions must not be null"));
            }
        }

        /**
         * {@code {stop, Reason, D}} and {@code {stop_and_reply, Reason, Replies, D}}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param reason why it stops; not null
         * @param data the data {@code terminate} gets
         * @param replies sent before {@code terminate} runs; not null
         */
        record Stop<S, D>(ExitReason reason, D data, List<Action.Reply> replies) implements Transition<S, D> {
            /**
             * Checks the components.
             *
             * @throws NullPointerException if {@code reason}, {@code replies} or a reply is null
             */
            public Stop {
                Objects.requireNonNull(reason, "reason must not be null");
                replies = List.copyOf(Objects.requireNonNull(replies, "replies must not be null"));
            }
        }

        /**
         * Change to (or stay in) {@code state}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param state the next state
         * @param data the next data
         * @param actions the actions
         * @return the transition
         */
        static <S, D> Transition<S, D> nextState(S state, D data, Action... actions) {
            return new NextState<>(state, data, List.of(actions));
        }

        /**
         * Stay in the state with new data.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param data the next data
         * @param actions the actions
         * @return the transition
         */
        static <S, D> Transition<S, D> keepState(D data, Action... actions) {
            return new KeepState<>(false, data, List.of(actions));
        }

        /**
         * Stay in the state with the same data.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param actions the actions
         * @return the transition
         */
        static <S, D> Transition<S, D> keepStateAndData(Action... actions) {
            return new KeepState<>(true, null, List.of(actions));
        }

        /**
         * Stay in the state with new data, and run its enter call again.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param data the next data
         * @param actions the actions
         * @return the transition
         */
        static <S, D> Transition<S, D> repeatState(D data, Action... actions) {
            return new RepeatState<>(false, data, List.of(actions));
        }

        /**
         * Stay in the state with the same data, and run its enter call again.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param actions the actions
         * @return the transition
         */
        static <S, D> Transition<S, D> repeatStateAndData(Action... actions) {
            return new RepeatState<>(true, null, List.of(actions));
        }

        /**
         * Stop with {@code reason}, after {@code terminate}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param reason why
         * @param data the data {@code terminate} gets
         * @return the transition
         */
        static <S, D> Transition<S, D> stop(ExitReason reason, D data) {
            return new Stop<>(reason, data, List.of());
        }

        /**
         * Send {@code replies}, then stop with {@code reason} after {@code terminate}.
         *
         * @param <S> the state type
         * @param <D> the data type
         * @param reason why
         * @param data the data {@code terminate} gets
         * @param replies the replies
         * @return the transition
         */
        static <S, D> Transition<S, D> stopAndReply(ExitReason reason, D data, Action.Reply... replies) {
            return new Stop<>(reason, data, List.of(replies));
        }
    }

    /**
     * The state and data of a machine, as {@link Sys#getState} returns them and
     * {@link Sys#replaceState} takes them.
     *
     * @param <S> the state type
     * @param <D> the data type
     * @param state the state; not null
     * @param data the data
     */
    record StateAndData<S, D>(S state, D data) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if {@code state} is null
         */
        public StateAndData {
            Objects.requireNonNull(state, "state must not be null");
        }
    }

    // ------------------------------------------------------------------ client API

    /**
     * Starts a machine linked to nobody, from any thread.
     *
     * @param <A> the start argument
     * @param <S> the state type
     * @param <D> the data type
     * @param machine the callbacks
     * @param arg given to {@link #init}
     * @param options name, init timeout, hibernate after, trace
     * @return {@link StartResult.Ok} with its pid, or why it did not start
     * @throws NullPointerException if {@code machine} or {@code options} is null
     */
    static <A, S, D> StartResult start(GenStatem<A, S, D> machine, A arg, StartOptions options) {
        return StatemLoop.start(machine, arg, options, false);
    }

    /**
     * Like {@link #start(GenStatem, Object, StartOptions)} with default options.
     *
     * @param <A> the start argument
     * @param <S> the state type
     * @param <D> the data type
     * @param machine the callbacks
     * @param arg given to {@link #init}
     * @return {@link StartResult.Ok} with its pid, or why it did not start
     * @throws NullPointerException if {@code machine} is null
     */
    static <A, S, D> StartResult start(GenStatem<A, S, D> machine, A arg) {
        return StatemLoop.start(machine, arg, StartOptions.defaults(), false);
    }

    /**
     * Starts a machine linked to the calling process (a supervisor's child).
     *
     * @param <A> the start argument
     * @param <S> the state type
     * @param <D> the data type
     * @param machine the callbacks
     * @param arg given to {@link #init}
     * @param options name, init timeout, hibernate after, trace
     * @return {@link StartResult.Ok} with its pid, or why it did not start
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if {@code machine} or {@code options} is null
     */
    static <A, S, D> StartResult startLink(GenStatem<A, S, D> machine, A arg, StartOptions options) {
        return StatemLoop.start(machine, arg, options, true);
    }

    /**
     * Calls the machine and waits for its reply, as {@link GenServer#call(ServerRef, Call, Duration)}.
     *
     * @param <R> the reply type the request carries
     * @param machine a pid or name
     * @param request the request
     * @param timeout how long to wait
     * @return the reply
     * @throws CallException as {@link GenServer#call}: no process, timeout, exited, calling self
     */
    static <R> R call(ServerRef machine, Call<R> request, Duration timeout) {
        return GenServerClient.call(machine, request, timeout);
    }

    /**
     * Calls the machine with an untyped request, as {@link GenServer#call(ServerRef, Object, Duration)}.
     *
     * @param <R> the reply type expected (checked on use)
     * @param machine a pid or name
     * @param request the request
     * @param timeout how long to wait
     * @return the reply
     * @throws CallException as {@link GenServer#call}
     */
    static <R> R call(ServerRef machine, Object request, Duration timeout) {
        return GenServerClient.call(machine, request, timeout);
    }

    /**
     * Casts to the machine; never fails, as {@link GenServer#cast}.
     *
     * @param machine a pid or name
     * @param request what {@link Event.Cast} carries
     * @throws NullPointerException if an argument is null
     */
    static void cast(ServerRef machine, Object request) {
        GenServer.cast(machine, request);
    }
}
