package io.otpj.finance.campaign;

import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.money.Money;
import java.util.Objects;

/**
 * What the campaign servers publish on the application's pub/sub: lifecycle events on the
 * {@link #CAMPAIGNS} topic, donations on each campaign's own {@link #topic(String) topic}.
 * Immutable messages, received in subscribers' {@code handleInfo}.
 */
public sealed interface CampaignEvent {

    /** The topic of campaign lifecycle events (the seed's {@code "campaigns"}). */
    String CAMPAIGNS = "campaigns";

    /** The topic of one campaign's donations. */
    record Topic(String campaignId) {
        /** @throws IllegalArgumentException for a bad id */
        public Topic {
            Ids.require(campaignId, "campaign id");
        }
    }

    /** @return the topic of {@code campaignId}'s donations */
    static Topic topic(String campaignId) {
        return new Topic(campaignId);
    }

    /** A campaign was created. */
    record CampaignCreated(Campaign campaign) implements CampaignEvent {
        /** @throws NullPointerException for a null campaign */
        public CampaignCreated {
            Objects.requireNonNull(campaign, "campaign");
        }
    }

    /** A campaign's status changed (committed). */
    record StatusChanged(String campaignId, CampaignStatus status) implements CampaignEvent {}

    /** A reminder scheduled with the campaign manager came due. */
    record Reminder(String campaignId) implements CampaignEvent {}

    /**
     * A donation was counted in its campaign (committed): the seed's
     * {@code {:donation_received, donation}}.
     *
     * @param donation the donation
     * @param raised the campaign's total after it
     */
    record DonationReceived(Donation donation, Money raised) implements CampaignEvent {}
}
