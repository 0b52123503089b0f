package io.otpj.finance.zakat;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.finance.money.CurrencyMismatchException;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZakatCalculatorServerTest {

    static final Money NISAB = Money.of(85_000_000, "IDR");

    Name name;

    @BeforeEach
    void start() {
        name = Name.local(TestDatabase.uniqueId("zakat"));
        ZakatCalculatorServer.start(ZakatCalculatorServer.Options.defaults(), name).pid();
    }

    @AfterEach
    void stop() {
        GenServer.stop(name);
    }

    @Test
    void cachesResultsAndReportsTheHitRate() {
        Money wealth = Money.of(100_000_000, "IDR");
        assertEquals(Money.of(2_500_000, "IDR"), ZakatCalculatorServer.calculate(name, wealth, NISAB));
        assertEquals(Money.of(2_500_000, "IDR"), ZakatCalculatorServer.calculate(name, wealth, NISAB));
        assertEquals(Money.zero("IDR"), ZakatCalculatorServer.calculate(name, Money.of(1_000, "IDR"), NISAB));

        var stats = ZakatCalculatorServer.getStatistics(name);
        assertEquals(2, stats.totalCalculations());
        assertEquals(Map.of(Money.currency("IDR"), Money.of(2_500_000, "IDR")), stats.totalZakat());
        assertEquals(1, stats.cacheHits());
        assertEquals(2, stats.cacheMisses());
        assertEquals(33.33, stats.cacheHitRate());
        assertEquals(2, stats.cacheSize());
        assertEquals(2, ZakatCalculatorServer.history(name).size());

        ZakatCalculatorServer.clearCache(name);
        // The cast and this call come from the same sender: the cast is handled first.
        stats = ZakatCalculatorServer.getStatistics(name);
        assertEquals(0, stats.cacheSize());
        assertEquals(1, stats.cacheHits(), "statistics survive clearing the cache");
    }

    @Test
    void hitRateIsZeroBeforeAnyRequest() {
        assertEquals(0.0, ZakatCalculatorServer.getStatistics(name).cacheHitRate());
    }

    @Test
    void totalsArePerCurrency() {
        ZakatCalculatorServer.calculate(name, Money.of(100_000_000, "IDR"), NISAB);
        ZakatCalculatorServer.calculate(name, Money.of(10_000, "USD"), Money.of(5_000, "USD"));
        assertEquals(Map.of(Money.currency("IDR"), Money.of(2_500_000, "IDR"), Money.currency("USD"), Money.of(250, "USD")),
                ZakatCalculatorServer.getStatistics(name).totalZakat());
    }

    @Test
    void badInputFailsInTheCallerAndChangesNothing() {
        assertThrows(CurrencyMismatchException.class,
                () -> ZakatCalculatorServer.calculate(name, Money.of(100, "USD"), NISAB));
        assertThrows(IllegalArgumentException.class,
                () -> ZakatCalculatorServer.calculate(name, Money.of(-100, "IDR"), NISAB));
        var stats = ZakatCalculatorServer.getStatistics(name);
        assertEquals(0, stats.cacheHits() + stats.cacheMisses());
        assertTrue(GenServer.whereis(name).isPresent());
    }

    @Test
    void cacheAndHistoryAreBounded() {
        Name small = Name.local(TestDatabase.uniqueId("zakat-small"));
        ZakatCalculatorServer.start(new ZakatCalculatorServer.Options(2, 3), small).pid();
        for (int i = 1; i <= 5; i++) {
            ZakatCalculatorServer.calculate(small, Money.of(100_000_000 + i, "IDR"), NISAB);
        }
        assertEquals(2, ZakatCalculatorServer.getStatistics(small).cacheSize());
        var history = ZakatCalculatorServer.history(small);
        assertEquals(3, history.size());
        assertEquals(Money.of(100_000_005, "IDR"), history.getFirst().wealth(), "newest first");
        GenServer.stop(small);
    }

    @Test
    void registersUnderItsModuleNameByDefault() {
        ZakatCalculatorServer.start(ZakatCalculatorServer.Options.defaults()).pid();
        try {
            assertEquals(Money.of(2_500_000, "IDR"), ZakatCalculatorServer.calculate(Money.of(100_000_000, "IDR"), NISAB));
            ZakatCalculatorServer.clearCache();
            assertEquals(1, ZakatCalculatorServer.getStatistics().totalCalculations());
        } finally {
            GenServer.stop(ZakatCalculatorServer.NAME);
        }
    }
}
