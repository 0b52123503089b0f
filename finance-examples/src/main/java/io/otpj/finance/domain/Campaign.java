package io.otpj.finance.domain;

import io.otpj.finance.money.CurrencyMismatchException;
import io.otpj.finance.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * A fundraising campaign: the seed's {@code %Campaign{id, name, goal, current, status}}, plus the
 * number of donations counted in {@code current}. Immutable.
 *
 * @param id the campaign id (see {@link Ids})
 * @param name a display name, 1 to 200 characters
 * @param goal the target, positive; its currency is the campaign's currency
 * @param current the sum of the donations counted so far, in the goal's currency, never negative
 * @param donationCount how many donations {@code current} sums
 * @param status the life-cycle status
 */
public record Campaign(String id, String name, Money goal, Money current, long donationCount, CampaignStatus status) {

    /** @throws IllegalArgumentException for a bad id or name, a non-positive goal, or a current amount in another currency or negative */
    public Campaign {
        Ids.require(id, "campaign id");
        Objects.requireNonNull(name, "campaign name must not be null");
        if (name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("campaign name must be 1 to 200 characters, got '" + name + "'");
        }
        Objects.requireNonNull(goal, "goal must not be null");
        Objects.requireNonNull(current, "current must not be null");
        Objects.requireNonNull(status, "status must not be null");
        if (!goal.isPositive()) {
            throw new IllegalArgumentException("campaign goal must be positive, got " + goal);
        }
        if (!current.sameCurrencyAs(goal)) {
            throw new CurrencyMismatchException("campaign current amount", goal.currency(), current.currency());
        }
        if (current.isNegative()) {
            throw new IllegalArgumentException("campaign current amount must not be negative, got " + current);
        }
        if (donationCount < 0) {
            throw new IllegalArgumentException("donation count must not be negative, got " + donationCount);
        }
    }

    /** @return a new active campaign with nothing raised yet */
    public static Campaign create(String id, String name, Money goal) {
        Objects.requireNonNull(goal, "goal must not be null");
        return new Campaign(id, name, goal, Money.zero(goal.currency()), 0, CampaignStatus.ACTIVE);
    }

    /** @return the campaign's currency (the goal's) */
    public Currency currency() {
        return goal.currency();
    }

    /** @return this campaign in {@code newStatus} */
    public Campaign withStatus(CampaignStatus newStatus) {
        return new Campaign(id, name, goal, current, donationCount, newStatus);
    }

    /** @return how much of the goal is raised, in whole percent, rounded down (may exceed 100) */
    public int percentFunded() {
        return percent(current, goal);
    }

    /**
     * @return {@code raised} in whole percent of {@code goal}, rounded down
     * @throws CurrencyMismatchException if they are in different currencies
     */
    public static int percent(Money raised, Money goal) {
        if (!raised.sameCurrencyAs(goal)) {
            throw new CurrencyMismatchException("raised amount", goal.currency(), raised.currency());
        }
        return raised.amount().multiply(BigDecimal.valueOf(100)).divide(goal.amount(), 0, RoundingMode.DOWN).intValueExact();
    }
}
