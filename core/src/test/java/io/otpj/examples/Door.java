package io.otpj.examples;

import static io.otpj.core.GenStatem.Action.reply;
import static io.otpj.core.GenStatem.Action.stateTimeout;
import static io.otpj.core.GenStatem.Transition.keepStateAndData;
import static io.otpj.core.GenStatem.Transition.nextState;

import io.otpj.core.Call;
import io.otpj.core.GenStatem;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Transition;
import java.time.Duration;

/**
 * OTP's code lock (the gen_statem user's guide example) in state_functions mode: a door that
 * opens for the right code and locks itself again after a state timeout. Used by the
 * {@link GenStatem} Javadoc and tested by {@code GenStatemTest}.
 */
// @start region=machine
public final class Door implements GenStatem.ByState<String, Door.State, String> {

    /** Requests: a typed call and a cast. */
    public record Press(String code) implements Call<Boolean> {}
    public record WhatState() implements Call<String> {}

    /** The states: sealed, so a transition can only name one of these. */
    public sealed interface State extends GenStatem.State<State, String> {}

    /** Locked: the right code opens the door for 100 ms. */
    public record Locked() implements State {
        @Override
        public Transition<State, String> handle(Event<State> event, String code) {
            return switch (event) {
                case Event.Call<State>(var from, Press(String tried)) when tried.equals(code) ->
                    nextState(new Open(), code, reply(from, true), stateTimeout(Duration.ofMillis(100), "lock"));
                case Event.Call<State>(var from, Press p) -> keepStateAndData(reply(from, false));
                case Event.Call<State>(var from, WhatState w) -> keepStateAndData(reply(from, "locked"));
                default -> keepStateAndData();
            };
        }
    }

    /** Open: locks again when its state timeout fires; pressing does nothing. */
    public record Open() implements State {
        @Override
        public Transition<State, String> handle(Event<State> event, String code) {
            return switch (event) {
                case Event.StateTimeout<State>(var content) -> nextState(new Locked(), code);
                case Event.Call<State>(var from, Press p) -> keepStateAndData(reply(from, false));
                case Event.Call<State>(var from, WhatState w) -> keepStateAndData(reply(from, "open"));
                default -> keepStateAndData();
            };
        }
    }

    @Override
    public Init<State, String> init(String code) {
        return Init.ok(new Locked(), code);
    }
}
// @end
