package io.otpj.finance.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money in one ISO-4217 currency: the Java form of the seed's {@code Money.t()}.
 *
 * <p>The amount always has exactly the currency's number of minor digits ({@code USD 12.50},
 * {@code IDR 50000.00}, {@code JPY 500}, {@code KWD 1.250}), so two equal amounts are
 * {@code equals} whatever scale they were written with, and every value can be stored exactly in
 * a {@code NUMERIC(19, 4)} column. Construction never rounds silently: {@link #of(BigDecimal,
 * Currency)} rejects an amount with more fraction digits than the currency has; only
 * {@link #rounded(BigDecimal, Currency)} and {@link #multiply(BigDecimal)} round, with
 * {@link #ROUNDING} ({@link RoundingMode#HALF_EVEN}, "banker's rounding": no upward bias when
 * many results are rounded and summed) unless a mode is given.
 *
 * <p>Addition, subtraction and comparison are exact and defined only within one currency:
 * mixing currencies throws {@link CurrencyMismatchException}; nothing is ever converted.
 * Amounts may be negative (a difference, a refund); where a positive amount is required
 * (a donation, a payment) the server that takes it checks {@link #isPositive()}.
 *
 * <p>Immutable and thread-safe. Currencies without minor units ({@code XAU}, {@code XXX}, ...)
 * are rejected, since there is no minor unit to round to.
 *
 * @param amount the amount, with the currency's number of fraction digits
 * @param currency the ISO-4217 currency
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

    /** The rounding mode of {@link #rounded(BigDecimal, Currency)} and {@link #multiply(BigDecimal)}. */
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

    /**
     * Normalises the amount to the currency's minor digits, exactly.
     *
     * @throws NullPointerException if either part is null
     * @throws IllegalArgumentException if the amount has more fraction digits than the currency
     *     (say {@code USD 1.005}), or the currency has no minor unit
     */
    public Money {
        Objects.requireNonNull(amount, "amount must not be null");
        Objects.requireNonNull(currency, "currency must not be null");
        int digits = minorDigits(currency);
        if (amount.scale() != digits) {
            try {
                amount = amount.setScale(digits, RoundingMode.UNNECESSARY);
            } catch (ArithmeticException tooPrecise) {
                throw new IllegalArgumentException("amount " + amount.toPlainString() + " has more fraction digits than "
                        + currency.getCurrencyCode() + " allows (" + digits + "); use Money.rounded to round it");
            }
        }
    }

    // ------------------------------------------------------------------ factories

    /** @return exactly {@code amount} of {@code currency}; see the constructor for what is rejected */
    public static Money of(BigDecimal amount, Currency currency) {
        return new Money(amount, currency);
    }

    /**
     * Parses a decimal amount and a currency code: {@code Money.of("50000", "IDR")}.
     *
     * @throws IllegalArgumentException for a malformed amount, an unknown currency code or an
     *     amount more precise than the currency
     */
    public static Money of(String amount, String currencyCode) {
        Objects.requireNonNull(amount, "amount must not be null");
        BigDecimal parsed;
        try {
            parsed = new BigDecimal(amount.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed amount '" + amount + "': expected a decimal number such as 12.50");
        }
        return new Money(parsed, currency(currencyCode));
    }

    /** @return {@code units} whole units of the currency: {@code Money.of(50_000, "IDR")} is IDR 50000.00 */
    public static Money of(long units, String currencyCode) {
        return new Money(BigDecimal.valueOf(units), currency(currencyCode));
    }

    /** @return {@code units} whole units of {@code currency} */
    public static Money of(long units, Currency currency) {
        return new Money(BigDecimal.valueOf(units), currency);
    }

    /** @return an amount given in minor units: {@code ofMinor(1250, USD)} is USD 12.50 */
    public static Money ofMinor(long minorUnits, Currency currency) {
        Objects.requireNonNull(currency, "currency must not be null");
        return new Money(BigDecimal.valueOf(minorUnits, minorDigits(currency)), currency);
    }

    /** @return zero in {@code currency} */
    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    /** @return zero in the currency with ISO code {@code currencyCode} */
    public static Money zero(String currencyCode) {
        return zero(currency(currencyCode));
    }

    /** @return {@code amount} rounded to the currency's minor unit with {@link #ROUNDING} */
    public static Money rounded(BigDecimal amount, Currency currency) {
        return rounded(amount, currency, ROUNDING);
    }

    /** @return {@code amount} rounded to the currency's minor unit with {@code mode} */
    public static Money rounded(BigDecimal amount, Currency currency, RoundingMode mode) {
        Objects.requireNonNull(amount, "amount must not be null");
        Objects.requireNonNull(mode, "rounding mode must not be null");
        return new Money(amount.setScale(minorDigits(Objects.requireNonNull(currency, "currency must not be null")), mode),
                currency);
    }

    /**
     * @return the ISO-4217 currency with this code
     * @throws IllegalArgumentException for an unknown code or a currency without minor units
     */
    public static Currency currency(String code) {
        Objects.requireNonNull(code, "currency code must not be null");
        Currency c;
        try {
            c = Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown ISO-4217 currency code '" + code + "'");
        }
        minorDigits(c);
        return c;
    }

    /**
     * @return how many minor digits {@code currency} has (2 for USD and IDR, 0 for JPY, 3 for KWD)
     * @throws IllegalArgumentException if it has none defined (gold, test and fund codes)
     */
    public static int minorDigits(Currency currency) {
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new IllegalArgumentException("currency " + currency.getCurrencyCode()
                    + " has no minor unit, so it cannot be used for money amounts");
        }
        return digits;
    }

    /**
     * @return the sum of {@code amounts}, all in {@code currency}; zero when empty
     * @throws CurrencyMismatchException if one is in another currency
     */
    public static Money sum(Currency currency, Iterable<Money> amounts) {
        Money total = zero(currency);
        for (Money m : amounts) {
            total = total.plus(m);
        }
        return total;
    }

    // ------------------------------------------------------------------ arithmetic

    /** @return this + {@code other}, exactly; throws {@link CurrencyMismatchException} across currencies */
    public Money plus(Money other) {
        requireSameCurrency("add", other);
        return new Money(amount.add(other.amount), currency);
    }

    /** @return this - {@code other}, exactly; throws {@link CurrencyMismatchException} across currencies */
    public Money minus(Money other) {
        requireSameCurrency("subtract", other);
        return new Money(amount.subtract(other.amount), currency);
    }

    /** @return -this */
    public Money negate() {
        return new Money(amount.negate(), currency);
    }

    /** @return this times a whole number, exactly */
    public Money multiply(long factor) {
        return new Money(amount.multiply(BigDecimal.valueOf(factor)), currency);
    }

    /** @return this times {@code factor}, rounded to the minor unit with {@link #ROUNDING} */
    public Money multiply(BigDecimal factor) {
        return multiply(factor, ROUNDING);
    }

    /** @return this times {@code factor}, rounded to the minor unit with {@code mode} */
    public Money multiply(BigDecimal factor, RoundingMode mode) {
        Objects.requireNonNull(factor, "factor must not be null");
        return rounded(amount.multiply(factor), currency, mode);
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Compares two amounts of the same currency by value.
     *
     * @throws CurrencyMismatchException if the currencies differ: amounts in different
     *     currencies have no order without an exchange rate
     */
    @Override
    public int compareTo(Money other) {
        requireSameCurrency("compare", other);
        return amount.compareTo(other.amount);
    }

    /** @return whether this is more than {@code other} (same currency required) */
    public boolean isGreaterThan(Money other) {
        return compareTo(other) > 0;
    }

    /** @return whether this is less than {@code other} (same currency required) */
    public boolean isLessThan(Money other) {
        return compareTo(other) < 0;
    }

    /** @return whether the amount is more than zero */
    public boolean isPositive() {
        return amount.signum() > 0;
    }

    /** @return whether the amount is less than zero */
    public boolean isNegative() {
        return amount.signum() < 0;
    }

    /** @return whether the amount is zero */
    public boolean isZero() {
        return amount.signum() == 0;
    }

    /** @return whether {@code other} is in the same currency */
    public boolean sameCurrencyAs(Money other) {
        return currency.equals(Objects.requireNonNull(other, "other must not be null").currency);
    }

    /**
     * @return the amount in minor units (cents, sen): USD 12.50 gives 1250
     * @throws ArithmeticException if it does not fit in a {@code long}
     */
    public long toMinorUnits() {
        return amount.movePointRight(amount.scale()).longValueExact();
    }

    /** @return the currency's ISO code and the plain amount: {@code IDR 50000.00} */
    @Override
    public String toString() {
        return currency.getCurrencyCode() + " " + amount.toPlainString();
    }

    private void requireSameCurrency(String op, Money other) {
        Objects.requireNonNull(other, "other amount must not be null");
        if (!currency.equals(other.currency)) {
            throw new CurrencyMismatchException(op, this, other);
        }
    }
}
