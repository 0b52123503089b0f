package io.otpj.finance.zakat;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.money.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's {@code ZakatCalculator} (its "State Updates" example): each calculation returns a
 * new state with the calculation recorded, the total and the count updated; {@link #reset}
 * empties it.
 *
 * <p>The state is an immutable record, replaced on every update as in the seed. Its history
 * keeps the latest {@code historyLimit} calculations (1000 by default). Totals are per
 * currency: the seed's single IDR total would fail on the first calculation in another
 * currency. Bad arguments (negative amounts, wealth and nisab in different currencies) are
 * rejected in the caller, before anything is sent, so they change nothing.
 */
public final class ZakatCalculator implements GenServer<Integer, ZakatCalculator.State> {

    /**
     * The calculator's state.
     *
     * @param calculations the latest calculations, newest first
     * @param totalZakat zakat calculated, per currency
     * @param calculationCount calculations since start or reset
     * @param historyLimit how many calculations are kept
     */
    public record State(List<Calculation> calculations, Map<Currency, Money> totalZakat, long calculationCount,
            int historyLimit) {
        /** Makes defensive copies. */
        public State {
            calculations = List.copyOf(calculations);
            totalZakat = Map.copyOf(totalZakat);
        }

        static State empty(int historyLimit) {
            return new State(List.of(), Map.of(), 0, historyLimit);
        }

        State with(Calculation c) {
            List<Calculation> history = new ArrayList<>(Math.min(calculations.size() + 1, historyLimit));
            history.add(c);
            history.addAll(calculations.subList(0, Math.min(calculations.size(), historyLimit - 1)));
            Map<Currency, Money> totals = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
            totals.putAll(totalZakat);
            totals.merge(c.zakat().currency(), c.zakat(), Money::plus);
            return new State(history, totals, calculationCount + 1, historyLimit);
        }
    }

    private record Calculate(Money wealth, Money nisab) {}
    private record GetState() {}
    private record Reset() {}

    private ZakatCalculator() {}

    /** Starts a calculator keeping the latest 1000 calculations, unlinked. */
    public static StartResult start() {
        return start(1000);
    }

    /** Starts a calculator keeping the latest {@code historyLimit} calculations, unlinked. */
    public static StartResult start(int historyLimit) {
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be at least 1, got " + historyLimit);
        }
        return GenServer.start(new ZakatCalculator(), historyLimit);
    }

    /**
     * Calculates and records the zakat on {@code wealth} ({@code {:calculate, wealth, nisab}}).
     *
     * @return the zakat due
     * @throws io.otpj.finance.money.CurrencyMismatchException if wealth and nisab differ in currency
     * @throws IllegalArgumentException if either is negative
     */
    public static Money calculate(ServerRef calculator, Money wealth, Money nisab) {
        Zakat.validate(wealth, nisab);
        return GenServer.call(calculator, new Calculate(wealth, nisab));
    }

    /** @return the calculator's current state */
    public static State state(ServerRef calculator) {
        return GenServer.call(calculator, new GetState());
    }

    /** Empties the history, totals and count ({@code :reset}), asynchronously. */
    public static void reset(ServerRef calculator) {
        GenServer.cast(calculator, new Reset());
    }

    @Override
    public InitResult<State> init(Integer historyLimit) {
        return ok(State.empty(historyLimit));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State state) throws Exception {
        return switch (request) {
            case Calculate(Money wealth, Money nisab) -> {
                Money zakat = Zakat.calculate(wealth, nisab);
                yield reply(zakat, state.with(new Calculation(wealth, nisab, zakat, Instant.now())));
            }
            case GetState g -> reply(state, state);
            default -> GenServer.super.handleCall(request, from, state);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State state) throws Exception {
        if (request instanceof Reset) {
            return noreply(State.empty(state.historyLimit()));
        }
        return GenServer.super.handleCast(request, state);
    }
}
