package io.otpj.core;

import static io.otpj.core.GenStatem.Action.nextEvent;
import static io.otpj.core.GenStatem.Action.postpone;
import static io.otpj.core.GenStatem.Action.reply;
import static io.otpj.core.GenStatem.Transition.keepStateAndData;
import static io.otpj.core.GenStatem.Transition.nextState;
import static io.otpj.core.GenStatem.Transition.repeatStateAndData;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.otpj.core.GenStatem.Action;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Init;
import io.otpj.core.GenStatem.Transition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * gen_statem's event order against a sequential model: any sequence of casts that postpone, change
 * state (or not), repeat the state and insert events is handled in exactly the order the model
 * computes from OTP's rules (inserted events first, in action order; after a state change the
 * postponed events, oldest first; then the mailbox), with an enter call after every change and
 * repeat.
 */
class GenStatemProperties {

    /** What a cast asks the machine to do. */
    sealed interface Cmd {}
    /** Handled in state {@code in} (logged), postponed in any other. */
    record Only(int id, int in) implements Cmd {}
    /** Go to state {@code to} (no change if already there). */
    record Go(int id, int to) implements Cmd {}
    /** Insert {@code n} internal events. */
    record Insert(int id, int n) implements Cmd {}
    /** repeat_state_and_data. */
    record Repeat(int id) implements Cmd {}

    @Provide
    Arbitrary<List<Cmd>> commands() {
        Arbitrary<Integer> state = Arbitraries.integers().between(0, 2);
        Arbitrary<Cmd> cmd = Arbitraries.oneOf(
                state.map(s -> (Cmd) new Only(0, s)),
                state.map(s -> (Cmd) new Go(0, s)),
                Arbitraries.integers().between(1, 3).map(n -> (Cmd) new Insert(0, n)),
                Arbitraries.just((Cmd) new Repeat(0)));
        return cmd.list().ofMaxSize(40).map(GenStatemProperties::numbered);
    }

    private static List<Cmd> numbered(List<Cmd> cmds) {
        List<Cmd> out = new ArrayList<>(cmds.size());
        for (int i = 0; i < cmds.size(); i++) {
            out.add(switch (cmds.get(i)) {
                case Only o -> new Only(i, o.in());
                case Go g -> new Go(i, g.to());
                case Insert n -> new Insert(i, n.n());
                case Repeat r -> new Repeat(i);
            });
        }
        return out;
    }

    /** The machine: logs "state:what" for every event it handles, enter calls included. */
    static final class Machine implements GenStatem<Void, Integer, List<String>> {
        @Override
        public Init<Integer, List<String>> init(Void arg) {
            return Init.ok(0, new ArrayList<>());
        }

        @Override
        public boolean stateEnter() {
            return true;
        }

        @Override
        public Transition<Integer, List<String>> handleEvent(Event<Integer> e, Integer state, List<String> log) {
            switch (e) {
                case Event.Enter<Integer>(Integer prev) -> log.add(state + ":enter<" + prev);
                case Event.Internal<Integer>(Object what) -> log.add(state + ":" + what);
                case Event.Call<Integer>(From from, Object req) -> {
                    return keepStateAndData(reply(from, List.copyOf(log)));
                }
                case Event.Cast<Integer>(Cmd c) -> {
                    switch (c) {
                        case Only o when o.in() != state -> {
                            return keepStateAndData(postpone());
                        }
                        case Only o -> log.add(state + ":only" + o.id());
                        case Go g -> {
                            log.add(state + ":go" + g.id());
                            return nextState(g.to(), log);
                        }
                        case Insert n -> {
                            log.add(state + ":insert" + n.id());
                            Action[] ins = new Action[n.n()];
                            for (int k = 0; k < n.n(); k++) {
                                ins[k] = nextEvent(n.id() + "." + k);
                            }
                            return keepStateAndData(ins);
                        }
                        case Repeat r -> {
                            log.add(state + ":repeat" + r.id());
                            return repeatStateAndData();
                        }
                    }
                }
                default -> throw new IllegalStateException("unexpected " + e);
            }
            return keepStateAndData();
        }
    }

    /** The model: OTP's rules, run sequentially over the same commands. */
    static List<String> model(List<Cmd> cmds) {
        List<String> log = new ArrayList<>();
        int state = 0;
        log.add("0:enter<0");
        Deque<Object> queue = new ArrayDeque<>(); // inserted + retried postponed, ahead of the mailbox
        List<Cmd> postponed = new ArrayList<>();
        Deque<Cmd> mailbox = new ArrayDeque<>(cmds);
        while (!queue.isEmpty() || !mailbox.isEmpty()) {
            Object e = queue.isEmpty() ? mailbox.poll() : queue.poll();
            if (e instanceof String internal) {
                log.add(state + ":" + internal);
                continue;
            }
            final int now = state;
            switch ((Cmd) e) {
                case Only o when o.in() != now -> postponed.add(o);
                case Only o -> log.add(state + ":only" + o.id());
                case Go g -> {
                    log.add(state + ":go" + g.id());
                    if (g.to() != state) {
                        int prev = state;
                        state = g.to();
                        for (int i = postponed.size() - 1; i >= 0; i--) {
                            queue.addFirst(postponed.get(i));
                        }
                        postponed.clear();
                        log.add(state + ":enter<" + prev);
                    }
                }
                case Insert n -> {
                    log.add(state + ":insert" + n.id());
                    for (int k = n.n() - 1; k >= 0; k--) {
                        queue.addFirst(n.id() + "." + k);
                    }
                }
                case Repeat r -> {
                    log.add(state + ":repeat" + r.id());
                    log.add(state + ":enter<" + state);
                }
            }
        }
        return log;
    }

    @Property(tries = 200)
    void eventsAreHandledInTheOrderOtpsRulesGive(@ForAll("commands") List<Cmd> cmds) {
        Pid pid = GenStatem.start(new Machine(), null).pid();
        try {
            for (Cmd c : cmds) {
                GenStatem.cast(pid, c);
            }
            List<String> seen = GenStatem.call(pid, "log", Duration.ofSeconds(30));
            assertEquals(model(cmds), seen, () -> "commands " + cmds);
        } finally {
            GenServer.stop(pid);
        }
    }
}
