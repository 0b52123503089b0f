package io.otpj.finance.domain;

/** The life cycle of a campaign. Only an {@link #ACTIVE} campaign takes donations. */
public enum CampaignStatus {
    /** Open for donations. */
    ACTIVE,
    /** Temporarily closed; may become active again. */
    PAUSED,
    /** Finished: the campaign ran its course. */
    COMPLETED,
    /** Withdrawn. */
    CANCELLED;

    /** @return whether a campaign in this status accepts donations */
    public boolean acceptsDonations() {
        return this == ACTIVE;
    }

    /** @return whether the campaign is over: donations still pending for it can only fail */
    public boolean isFinal() {
        return this == COMPLETED || this == CANCELLED;
    }

    /**
     * The legal transitions: {@code ACTIVE <-> PAUSED}, and {@code ACTIVE} or {@code PAUSED} to
     * {@code COMPLETED} or {@code CANCELLED}. A final status stays final. Setting the current
     * status again is allowed (it changes nothing).
     *
     * @return whether a campaign in this status may be set to {@code next}
     * @throws NullPointerException if {@code next} is null
     */
    public boolean canChangeTo(CampaignStatus next) {
        java.util.Objects.requireNonNull(next, "next status must not be null");
        return this == next || !isFinal();
    }
}
