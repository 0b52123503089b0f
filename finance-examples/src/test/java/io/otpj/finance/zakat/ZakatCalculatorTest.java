package io.otpj.finance.zakat;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.finance.money.CurrencyMismatchException;
import io.otpj.finance.money.Money;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZakatCalculatorTest {

    static final Money NISAB = Money.of(85_000_000, "IDR");

    @Test
    void recordsEachCalculationAndResets() {
        Pid pid = ZakatCalculator.start(3).pid();
        assertEquals(Money.of(2_500_000, "IDR"), ZakatCalculator.calculate(pid, Money.of(100_000_000, "IDR"), NISAB));
        assertEquals(Money.zero("IDR"), ZakatCalculator.calculate(pid, Money.of(10, "IDR"), NISAB));
        for (int i = 0; i < 3; i++) {
            ZakatCalculator.calculate(pid, Money.of(200_000_000, "IDR"), NISAB);
        }
        var state = ZakatCalculator.state(pid);
        assertEquals(5, state.calculationCount());
        assertEquals(3, state.calculations().size(), "history is bounded");
        assertEquals(Map.of(Money.currency("IDR"), Money.of(17_500_000, "IDR")), state.totalZakat());

        assertThrows(CurrencyMismatchException.class, () -> ZakatCalculator.calculate(pid, Money.of(1, "USD"), NISAB));
        assertEquals(5, ZakatCalculator.state(pid).calculationCount());

        ZakatCalculator.reset(pid);
        state = ZakatCalculator.state(pid);
        assertEquals(0, state.calculationCount());
        assertTrue(state.calculations().isEmpty());
        assertTrue(state.totalZakat().isEmpty());
        GenServer.stop(pid);
    }
}
