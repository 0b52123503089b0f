package io.otpj.finance.money;

import java.util.Currency;

/**
 * Two amounts in different currencies met in an operation that needs one currency (adding,
 * subtracting, comparing, or a donation in a currency other than its campaign's). Nothing is
 * converted; the operation has no effect.
 */
public final class CurrencyMismatchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Currency expected;
    private final transient Currency actual;

    CurrencyMismatchException(String operation, Money left, Money right) {
        super("currency mismatch: cannot " + operation + " " + left + " and " + right
                + " (" + left.currency().getCurrencyCode() + " vs " + right.currency().getCurrencyCode() + ")");
        this.expected = left.currency();
        this.actual = right.currency();
    }

    /**
     * A value in {@code actual} was given where {@code expected} is required.
     *
     * @param what what was being checked, for the message ("donation amount")
     */
    public CurrencyMismatchException(String what, Currency expected, Currency actual) {
        super("currency mismatch: " + what + " is in " + actual.getCurrencyCode() + ", expected "
                + expected.getCurrencyCode());
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the currency that was required (the left operand's) */
    public Currency expected() {
        return expected;
    }

    /** @return the currency that was given */
    public Currency actual() {
        return actual;
    }
}
