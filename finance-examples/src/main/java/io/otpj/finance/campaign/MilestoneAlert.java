package io.otpj.finance.campaign;

import io.otpj.finance.money.Money;
import java.time.Instant;

/**
 * A campaign reached a milestone: {@code percent} (25, 50, 75 or 100) of its goal.
 *
 * @param campaignId the campaign
 * @param percent the milestone, in percent of the goal
 * @param raised the amount raised when it was noticed
 * @param goal the campaign's goal
 * @param at when it was noticed
 */
public record MilestoneAlert(String campaignId, int percent, Money raised, Money goal, Instant at) {}
