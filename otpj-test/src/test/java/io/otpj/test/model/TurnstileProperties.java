package io.otpj.test.model;

import static io.otpj.core.GenStatem.Action.postpone;
import static io.otpj.core.GenStatem.Action.reply;
import static io.otpj.core.GenStatem.Transition.keepStateAndData;
import static io.otpj.core.GenStatem.Transition.nextState;

import io.otpj.core.GenStatem;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Transition;
import io.otpj.core.Node;
import io.otpj.core.ServerRef;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.ActionChain;

/**
 * The kit on a {@link GenStatem} (issue: "and gen_statem, once it exists"): a coin turnstile in
 * state_functions mode, checked against its model sequentially and with several clients at once.
 * A machine takes {@code GenServer.call}, so the kit drives it unchanged.
 */
class TurnstileProperties {

    record Coin() {}
    record Push() {}
    record Passes() {}

    /** Locked takes coins (each one unlocks); Unlocked lets one pass per push and locks again. */
    static final class Turnstile implements GenStatem.ByState<Void, Turnstile.State, Integer> {
        sealed interface State extends GenStatem.State<State, Integer> {}

        record Locked() implements State {
            @Override
            public Transition<State, Integer> handle(Event<State> e, Integer passes) {
                return switch (e) {
                    case Event.Call<State>(var from, Coin c) -> nextState(new Unlocked(), passes, reply(from, "unlocked"));
                    case Event.Call<State>(var from, Push p) -> keepStateAndData(reply(from, "locked"));
                    case Event.Call<State>(var from, Passes p) -> keepStateAndData(reply(from, passes));
                    default -> keepStateAndData();
                };
            }
        }

        record Unlocked() implements State {
            @Override
            public Transition<State, Integer> handle(Event<State> e, Integer passes) {
                return switch (e) {
                    case Event.Call<State>(var from, Coin c) -> keepStateAndData(reply(from, "already unlocked"));
                    case Event.Call<State>(var from, Push p) -> nextState(new Locked(), passes + 1, reply(from, "passed"));
                    case Event.Call<State>(var from, Passes p) -> keepStateAndData(reply(from, passes));
                    default -> keepStateAndData(postpone());
                };
            }
        }

        @Override
        public Init<State, Integer> init(Void arg) {
            return Init.ok(new Locked(), 0);
        }
    }

    /** The model: unlocked or not, and how many passed. */
    record Model(boolean unlocked, int passes) {}

    static final ServerModel<Model> MODEL = new ServerModel<>() {
        @Override
        public Model initial() {
            return new Model(false, 0);
        }

        @Override
        public Arbitrary<?> requests(Model m) {
            return Arbitraries.of(new Coin(), new Push(), new Passes());
        }

        @Override
        public Expected<Model> expect(Model m, Object request) {
            return switch (request) {
                case Coin c -> m.unlocked() ? Expected.of("already unlocked", m) : Expected.of("unlocked", new Model(true, m.passes()));
                case Push p -> m.unlocked() ? Expected.of("passed", new Model(false, m.passes() + 1)) : Expected.of("locked", m);
                case Passes p -> Expected.of(m.passes(), m);
                default -> throw new IllegalArgumentException("not a turnstile request: " + request);
            };
        }
    };

    final ServerProperties<Model> kit = ServerProperties.of(MODEL, (Node node) -> node.call(
            () -> (ServerRef) GenStatem.start(new Turnstile(), null).pid()));

    @Property(tries = 40)
    void sequential(@ForAll("sequences") ActionChain<ServerProperties.Run<Model>> chain) {
        kit.check(chain);
    }

    @Property(tries = 20)
    void parallel(@ForAll("parallelCases") ServerProperties.Parallel p) {
        kit.checkParallel(p);
    }

    @Provide
    Arbitrary<ActionChain<ServerProperties.Run<Model>>> sequences() {
        return kit.sequential();
    }

    @Provide
    Arbitrary<ServerProperties.Parallel> parallelCases() {
        return kit.parallel(3, 4);
    }
}
