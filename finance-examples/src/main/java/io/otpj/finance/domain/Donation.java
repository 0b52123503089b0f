package io.otpj.finance.domain;

import io.otpj.finance.money.Money;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A donation to a campaign. Immutable.
 *
 * <p>The {@code id} is chosen by the donor's side (a UUID by {@link #of}) and is the donation's
 * idempotency key: sending the same donation again after a failure or a timeout never counts it
 * twice. The amount may be anything; whether it is acceptable (positive, in the campaign's
 * currency) is decided by {@link #check}, where the seed validates donations.
 *
 * @param id the donation id (see {@link Ids})
 * @param campaignId the campaign it is for
 * @param donorId who gives it
 * @param amount how much
 * @param createdAt when it was made, in microseconds (what the database keeps)
 */
public record Donation(String id, String campaignId, String donorId, Money amount, Instant createdAt) {

    /** @throws IllegalArgumentException for bad ids; {@link NullPointerException} for nulls */
    public Donation {
        Ids.require(id, "donation id");
        Ids.require(campaignId, "campaign id");
        Ids.require(donorId, "donor id");
        Objects.requireNonNull(amount, "donation amount must not be null");
        createdAt = Objects.requireNonNull(createdAt, "createdAt must not be null").truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * What logs may show of this donation: everything but the donor, for crash reports and traces
     * ({@code format_status}).
     *
     * @return the donation with its donor id replaced by {@code <redacted>}
     */
    public String redacted() {
        return "Donation[id=" + id + ", campaignId=" + campaignId + ", donorId=<redacted>, amount=" + amount
                + ", createdAt=" + createdAt + "]";
    }

    /**
     * Makes a new donation with a fresh id, now. The id is a time-ordered UUID (version 7, RFC
     * 9562: 48 bits of Unix milliseconds, then 74 random bits), so ids made later sort later: a
     * database inserts them at the right edge of its id index instead of at random pages all over
     * it (with H2, random version 4 ids made every commit rewrite pages across the whole index).
     *
     * @return the donation
     */
    public static Donation of(String campaignId, String donorId, Money amount) {
        return new Donation(timeOrderedId(), campaignId, donorId, amount, Instant.now());
    }

    /** @return a new version 7 UUID as text */
    static String timeOrderedId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * The seed's {@code validate_donation}, extended to the campaign: is this donation acceptable
     * for {@code campaign}?
     *
     * @return the reason it is not, or empty when it is
     */
    public Optional<Rejection> check(Campaign campaign) {
        Objects.requireNonNull(campaign, "campaign must not be null");
        if (!campaignId.equals(campaign.id())) {
            return Optional.of(new Rejection(Rejection.Reason.WRONG_CAMPAIGN,
                    "donation " + id + " is for campaign " + campaignId + ", not " + campaign.id()));
        }
        if (!campaign.status().acceptsDonations()) {
            return Optional.of(new Rejection(Rejection.Reason.CAMPAIGN_NOT_ACTIVE,
                    "campaign " + campaign.id() + " is " + campaign.status() + " and takes no donations"));
        }
        return checkAmount(campaign);
    }

    /** @return why the amount is unacceptable for {@code campaign} (not positive, wrong currency), or empty */
    public Optional<Rejection> checkAmount(Campaign campaign) {
        return checkAmount(campaign.currency());
    }

    /** @return why the amount is unacceptable for a campaign in {@code currency} (not positive, wrong currency), or empty */
    public Optional<Rejection> checkAmount(Currency currency) {
        Objects.requireNonNull(currency, "currency must not be null");
        if (!amount.currency().equals(currency)) {
            return Optional.of(new Rejection(Rejection.Reason.CURRENCY_MISMATCH, "donation " + id + " is in "
                    + amount.currency().getCurrencyCode() + " but campaign " + campaignId + " takes "
                    + currency.getCurrencyCode()));
        }
        if (!amount.isPositive()) {
            return Optional.of(new Rejection(Rejection.Reason.NON_POSITIVE_AMOUNT,
                    "donation " + id + " amount must be positive, got " + amount));
        }
        return Optional.empty();
    }

    /** @return whether {@code other} is the same donation (all fields equal but the time, which a retry may restate) */
    public boolean sameAs(Donation other) {
        return id.equals(other.id) && campaignId.equals(other.campaignId) && donorId.equals(other.donorId)
                && amount.equals(other.amount);
    }
}
