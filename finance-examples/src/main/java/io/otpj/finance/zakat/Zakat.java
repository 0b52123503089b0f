package io.otpj.finance.zakat;

import io.otpj.finance.money.CurrencyMismatchException;
import io.otpj.finance.money.Money;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The zakat rule of the seed's {@code calculate_zakat}: 2.5 % of the wealth when the wealth is
 * above the nisab (the threshold), nothing otherwise.
 *
 * <p>The result is exact to the currency's minor unit: {@code wealth × 0.025} rounded with
 * {@link Money#ROUNDING} (half-even). As in the seed, wealth exactly at the nisab owes nothing
 * ({@code compare(wealth, nisab) == :gt}).
 */
public final class Zakat {

    /** The zakat rate: 2.5 %. */
    public static final BigDecimal RATE = new BigDecimal("0.025");

    private Zakat() {}

    /**
     * @return the zakat due on {@code wealth} for the threshold {@code nisab}, in the wealth's currency
     * @throws CurrencyMismatchException if wealth and nisab are in different currencies
     * @throws IllegalArgumentException if either is negative
     */
    public static Money calculate(Money wealth, Money nisab) {
        validate(wealth, nisab);
        return wealth.isGreaterThan(nisab) ? wealth.multiply(RATE) : Money.zero(wealth.currency());
    }

    /**
     * Checks the arguments of a calculation without computing it.
     *
     * @throws CurrencyMismatchException if wealth and nisab are in different currencies
     * @throws IllegalArgumentException if either is negative
     */
    public static void validate(Money wealth, Money nisab) {
        Objects.requireNonNull(wealth, "wealth must not be null");
        Objects.requireNonNull(nisab, "nisab must not be null");
        if (!wealth.sameCurrencyAs(nisab)) {
            throw new CurrencyMismatchException("nisab", wealth.currency(), nisab.currency());
        }
        if (wealth.isNegative()) {
            throw new IllegalArgumentException("wealth must not be negative, got " + wealth);
        }
        if (nisab.isNegative()) {
            throw new IllegalArgumentException("nisab must not be negative, got " + nisab);
        }
    }
}
