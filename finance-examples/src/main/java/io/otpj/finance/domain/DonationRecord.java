package io.otpj.finance.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * A donation as stored: the donation, its processing status and, for a failed one, why.
 *
 * @param donation the donation
 * @param status where it is in processing
 * @param failureReason why it failed; empty unless {@code status} is {@link DonationStatus#FAILED}
 */
public record DonationRecord(Donation donation, DonationStatus status, Optional<String> failureReason) {

    /** @throws NullPointerException for null parts */
    public DonationRecord {
        Objects.requireNonNull(donation, "donation");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failureReason, "failureReason");
    }
}
