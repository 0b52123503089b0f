package io.otpj.finance.domain;

import java.util.Objects;

/**
 * A donation was refused as bad input (see {@link Rejection.Reason}); nothing was stored or
 * counted. Thrown in the caller of {@code addDonation}; the server that refused it keeps running.
 */
public final class DonationRejectedException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    /** @param rejection why */
    public DonationRejectedException(Rejection rejection) {
        super(Objects.requireNonNull(rejection, "rejection").message());
        this.rejection = rejection;
    }

    /** @return why the donation was refused */
    public Rejection rejection() {
        return rejection;
    }

    /** @return the kind of problem */
    public Rejection.Reason reason() {
        return rejection.reason();
    }
}
