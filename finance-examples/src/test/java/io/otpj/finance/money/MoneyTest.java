package io.otpj.finance.money;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void normalisesToTheCurrencyMinorUnits() {
        assertEquals("IDR 50000.00", Money.of(50_000, "IDR").toString());
        assertEquals("JPY 500", Money.of("500", "JPY").toString());
        assertEquals("KWD 1.250", Money.of("1.25", "KWD").toString());
        assertEquals(Money.of("1.5", "USD"), Money.of("1.5000", "USD"));
        assertEquals(Money.of("1.5", "USD").hashCode(), Money.of("1.50", "USD").hashCode());
        assertEquals(1250, Money.of("12.50", "USD").toMinorUnits());
        assertEquals(Money.of("12.50", "USD"), Money.ofMinor(1250, Money.currency("USD")));
    }

    @Test
    void rejectsMalformedAmountsAndCurrencies() {
        assertThrows(IllegalArgumentException.class, () -> Money.of("1.005", "USD"), "more digits than cents");
        assertThrows(IllegalArgumentException.class, () -> Money.of("1.5", "JPY"));
        var e = assertThrows(IllegalArgumentException.class, () -> Money.of("12,50", "USD"));
        assertTrue(e.getMessage().contains("malformed amount '12,50'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Money.of("1", "XYZ"));
        assertTrue(e.getMessage().contains("unknown ISO-4217 currency code 'XYZ'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Money.of("1", "XAU"));
        assertTrue(e.getMessage().contains("no minor unit"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Money.of(null, Money.currency("USD")));
        assertThrows(NullPointerException.class, () -> Money.of(BigDecimal.ONE, null));
    }

    @Test
    void roundsHalfEvenToTheMinorUnit() {
        var usd = Money.currency("USD");
        assertEquals(Money.of("0.02", "USD"), Money.rounded(new BigDecimal("0.025"), usd));
        assertEquals(Money.of("0.04", "USD"), Money.rounded(new BigDecimal("0.035"), usd));
        assertEquals(Money.of("0.03", "USD"), Money.rounded(new BigDecimal("0.025"), usd, RoundingMode.HALF_UP));
        assertEquals(Money.of("0.25", "USD"), Money.of(10, "USD").multiply(new BigDecimal("0.025")));
        assertEquals(Money.of("1250", "JPY"), Money.of(50_000, "JPY").multiply(new BigDecimal("0.025")));
        assertEquals(Money.of("30.00", "USD"), Money.of(10, "USD").multiply(3));
    }

    @Test
    void arithmeticAcrossCurrenciesFailsClearly() {
        Money idr = Money.of(50_000, "IDR");
        Money usd = Money.of(5, "USD");
        var e = assertThrows(CurrencyMismatchException.class, () -> idr.plus(usd));
        assertEquals("currency mismatch: cannot add IDR 50000.00 and USD 5.00 (IDR vs USD)", e.getMessage());
        assertEquals(Money.currency("IDR"), e.expected());
        assertEquals(Money.currency("USD"), e.actual());
        assertThrows(CurrencyMismatchException.class, () -> idr.minus(usd));
        assertThrows(CurrencyMismatchException.class, () -> idr.compareTo(usd));
        assertThrows(CurrencyMismatchException.class, () -> Money.sum(Money.currency("IDR"), List.of(idr, usd)));
    }

    @Test
    void comparesAndSums() {
        Money a = Money.of(10_000, "IDR");
        Money b = Money.of(20_000, "IDR");
        assertTrue(b.isGreaterThan(a));
        assertTrue(a.isLessThan(b));
        assertEquals(0, a.compareTo(Money.of("10000.00", "IDR")));
        assertEquals(Money.of(60_000, "IDR"), Money.sum(Money.currency("IDR"), List.of(a, b, Money.of(30_000, "IDR"))));
        assertTrue(a.minus(b).isNegative());
        assertTrue(Money.zero("IDR").isZero());
        assertTrue(a.isPositive());
        assertEquals(a, a.negate().negate());
    }
}
