package io.otpj.finance.domain;

import java.util.Objects;

/**
 * Why a donation was refused. A refused donation changed nothing: it is not stored, counted or
 * queued.
 *
 * @param reason the kind of problem
 * @param message a sentence naming the donation, the campaign and the bad value
 */
public record Rejection(Reason reason, String message) {

    /** The kinds of bad input. */
    public enum Reason {
        /** No such campaign. */
        UNKNOWN_CAMPAIGN,
        /** The campaign is paused, completed or cancelled. */
        CAMPAIGN_NOT_ACTIVE,
        /** The amount is zero or negative. */
        NON_POSITIVE_AMOUNT,
        /** The amount's currency is not the campaign's. */
        CURRENCY_MISMATCH,
        /** The donation names another campaign than the server it was sent to. */
        WRONG_CAMPAIGN,
        /** Another, different donation already has this id. */
        DUPLICATE_ID
    }

    /** @throws NullPointerException for null parts */
    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The answer to a resend of a donation stored as {@link DonationStatus#FAILED}: it was
     * accepted once but never counted (its campaign closed first), so acknowledging the resend
     * would tell the donor it was.
     *
     * @return a {@link Reason#CAMPAIGN_NOT_ACTIVE} rejection naming the donation and the stored reason
     * @throws IllegalArgumentException if {@code stored} is not failed
     */
    public static Rejection failedEarlier(DonationRecord stored) {
        Objects.requireNonNull(stored, "stored must not be null");
        if (stored.status() != DonationStatus.FAILED) {
            throw new IllegalArgumentException("donation " + stored.donation().id() + " is " + stored.status() + ", not FAILED");
        }
        return new Rejection(Reason.CAMPAIGN_NOT_ACTIVE, "donation " + stored.donation().id() + " failed and was not counted: "
                + stored.failureReason().orElse("its campaign stopped taking donations"));
    }

    /** @return this rejection as an exception to throw in the caller */
    public DonationRejectedException toException() {
        return new DonationRejectedException(this);
    }
}
