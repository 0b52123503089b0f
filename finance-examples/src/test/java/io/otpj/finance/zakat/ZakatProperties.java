package io.otpj.finance.zakat;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.finance.money.CurrencyMismatchException;
import io.otpj.finance.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Zakat at, below and above the nisab. */
class ZakatProperties {

    record Case(Money wealth, Money nisab) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Currency> currency = Arbitraries.of("IDR", "USD", "JPY", "KWD", "CLF", "SAR").map(Money::currency);
        return currency.flatMap(c -> Combinators.combine(
                        Arbitraries.longs().between(0, 10_000_000_000_000L),
                        Arbitraries.longs().between(0, 10_000_000_000_000L))
                .as((w, n) -> new Case(Money.ofMinor(w, c), Money.ofMinor(n, c))));
    }

    @Property(tries = 300)
    void twoAndAHalfPercentAboveTheNisabAndNothingOtherwise(@ForAll("cases") Case k) {
        Money zakat = Zakat.calculate(k.wealth(), k.nisab());
        assertEquals(k.wealth().currency(), zakat.currency());
        assertEquals(Money.minorDigits(zakat.currency()), zakat.amount().scale(), "exact to the minor unit");
        if (k.wealth().isGreaterThan(k.nisab())) {
            BigDecimal exact = k.wealth().amount().multiply(new BigDecimal("0.025"));
            assertEquals(exact.setScale(zakat.amount().scale(), RoundingMode.HALF_EVEN), zakat.amount());
        } else {
            assertTrue(zakat.isZero(), () -> "below or at the nisab: " + k);
        }
    }

    @Property(tries = 100)
    void exactlyAtTheNisabOwesNothing(@ForAll("cases") Case k) {
        assertTrue(Zakat.calculate(k.wealth(), k.wealth()).isZero());
        Money oneUnitMore = k.wealth().plus(Money.ofMinor(1, k.wealth().currency()));
        assertEquals(oneUnitMore.multiply(Zakat.RATE), Zakat.calculate(oneUnitMore, k.wealth()));
    }

    @Property(tries = 100)
    void currencyMismatchAndNegativeAmountsAreRejected(@ForAll("cases") Case k) {
        Money other = Money.of(k.nisab().amount().setScale(0, RoundingMode.DOWN), k.nisab().currency().getCurrencyCode().equals("USD")
                ? Money.currency("EUR") : Money.currency("USD"));
        assertThrows(CurrencyMismatchException.class, () -> Zakat.calculate(k.wealth(), other));
        if (!k.wealth().isZero()) {
            assertThrows(IllegalArgumentException.class, () -> Zakat.calculate(k.wealth().negate(), k.nisab()));
        }
        if (!k.nisab().isZero()) {
            assertThrows(IllegalArgumentException.class, () -> Zakat.calculate(k.wealth(), k.nisab().negate()));
        }
    }

    @Test
    void seedExamples() {
        Money nisab = Money.of(85_000_000, "IDR");
        assertEquals(Money.of(2_500_000, "IDR"), Zakat.calculate(Money.of(100_000_000, "IDR"), nisab));
        assertEquals(Money.zero("IDR"), Zakat.calculate(Money.of(85_000_000, "IDR"), nisab));
        assertEquals(Money.zero("IDR"), Zakat.calculate(Money.of(50_000_000, "IDR"), nisab));
        // 2.5 % of USD 1000.10 is 25.0025: rounded half-even to the cent.
        assertEquals(Money.of("25.00", "USD"), Zakat.calculate(Money.of("1000.10", "USD"), Money.of(500, "USD")));
        // 2.5 % of USD 1000.30 is 25.0075: 25.01.
        assertEquals(Money.of("25.01", "USD"), Zakat.calculate(Money.of("1000.30", "USD"), Money.of(500, "USD")));
    }
}
