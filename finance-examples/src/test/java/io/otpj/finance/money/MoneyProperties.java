package io.otpj.finance.money;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of Money arithmetic. */
class MoneyProperties {

    static final List<String> CODES = List.of("IDR", "USD", "EUR", "JPY", "KWD", "CLF", "SAR", "MYR");

    @Provide
    Arbitrary<Currency> currencies() {
        return Arbitraries.of(CODES).map(Money::currency);
    }

    /** Three amounts in one random currency. */
    @Provide
    Arbitrary<List<Money>> triples() {
        return currencies().flatMap(c -> amounts(c).list().ofSize(3));
    }

    /** Two amounts in two different currencies. */
    @Provide
    Arbitrary<List<Money>> mismatched() {
        return Arbitraries.of(CODES).list().ofSize(2).uniqueElements()
                .flatMap(codes -> Combinators.combine(amounts(Money.currency(codes.get(0))), amounts(Money.currency(codes.get(1))))
                        .as(List::of));
    }

    static Arbitrary<Money> amounts(Currency c) {
        return Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L).map(minor -> Money.ofMinor(minor, c));
    }

    @Property(tries = 200)
    void additionIsAssociativeAndCommutative(@ForAll("triples") List<Money> m) {
        Money a = m.get(0), b = m.get(1), c = m.get(2);
        assertEquals(a.plus(b).plus(c), a.plus(b.plus(c)));
        assertEquals(a.plus(b), b.plus(a));
    }

    @Property(tries = 200)
    void zeroIsTheIdentityAndNegationTheInverse(@ForAll("triples") List<Money> m) {
        Money a = m.get(0);
        Money zero = Money.zero(a.currency());
        assertEquals(a, a.plus(zero));
        assertEquals(zero, a.plus(a.negate()));
        assertEquals(a, a.minus(m.get(1)).plus(m.get(1)));
    }

    @Property(tries = 200)
    void integerMultiplicationDistributesExactly(@ForAll("triples") List<Money> m, @ForAll("smallFactors") long k) {
        Money a = m.get(0), b = m.get(1);
        assertEquals(a.plus(b).multiply(k), a.multiply(k).plus(b.multiply(k)));
    }

    @Provide
    Arbitrary<Long> smallFactors() {
        return Arbitraries.longs().between(-1000, 1000);
    }

    @Property(tries = 200)
    void comparisonAgreesWithSubtraction(@ForAll("triples") List<Money> m) {
        Money a = m.get(0), b = m.get(1);
        assertEquals(Integer.signum(a.compareTo(b)), a.minus(b).amount().signum());
        assertEquals(a.compareTo(b) == 0, a.equals(b));
    }

    @Property(tries = 200)
    void roundedResultsKeepTheMinorUnitsAndAreWithinHalfAUnit(@ForAll("triples") List<Money> m,
            @ForAll("factors") BigDecimal factor) {
        Money a = m.get(0);
        Money r = a.multiply(factor);
        int digits = Money.minorDigits(a.currency());
        assertEquals(digits, r.amount().scale());
        BigDecimal exact = a.amount().multiply(factor);
        BigDecimal halfUnit = BigDecimal.ONE.movePointLeft(digits).divide(BigDecimal.TWO);
        assertTrue(r.amount().subtract(exact).abs().compareTo(halfUnit) <= 0, () -> r + " vs exact " + exact);
    }

    @Provide
    Arbitrary<BigDecimal> factors() {
        return Arbitraries.bigDecimals().between(new BigDecimal("-10"), new BigDecimal("10")).ofScale(5);
    }

    @Property(tries = 100)
    void differentCurrenciesNeverMix(@ForAll("mismatched") List<Money> m) {
        Money a = m.get(0), b = m.get(1);
        assertThrows(CurrencyMismatchException.class, () -> a.plus(b));
        assertThrows(CurrencyMismatchException.class, () -> a.minus(b));
        assertThrows(CurrencyMismatchException.class, () -> a.compareTo(b));
        assertNotEquals(a, b);
    }

    @Property(tries = 100)
    void minorUnitsRoundTrip(@ForAll("triples") List<Money> m) {
        Money a = m.get(0);
        assertEquals(a, Money.ofMinor(a.toMinorUnits(), a.currency()));
        assertEquals(a, Money.of(a.amount().toPlainString(), a.currency().getCurrencyCode()));
    }
}
