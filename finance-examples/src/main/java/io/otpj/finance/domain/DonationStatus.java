package io.otpj.finance.domain;

/** Where a stored donation is in its processing. */
public enum DonationStatus {
    /** Accepted and stored, waiting for a batch to count it in its campaign. */
    PENDING,
    /** Counted in its campaign's total. */
    PROCESSED,
    /** Accepted but could not be counted (its campaign stopped taking donations); kept with the reason. */
    FAILED
}
