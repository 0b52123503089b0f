package io.otpj.finance.app;

import io.otpj.finance.campaign.MilestoneAlert;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How each campaign's servers run: the batching of its donation processor, the period of its
 * monitor, where milestone alerts go, how many restarts its supervisor tolerates, and how long a
 * reminder waits.
 *
 * @param batchSize donations per batch of a processor, at least 1
 * @param batchInterval the period of a processor's batch timer
 * @param monitorInterval the period of a monitor's checks
 * @param alerts where milestone alerts go (called in a monitor's process)
 * @param maxRestarts restarts a campaign's supervisor tolerates within {@code maxPeriod}
 * @param maxPeriod the window of {@code maxRestarts}
 * @param reminderDelay how long after {@code scheduleReminder} a reminder comes due
 */
public record CampaignSettings(int batchSize, Duration batchInterval, Duration monitorInterval,
        Consumer<MilestoneAlert> alerts, int maxRestarts, Duration maxPeriod, Duration reminderDelay) {

    /** @throws IllegalArgumentException for values out of range */
    public CampaignSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        positive(batchInterval, "batchInterval");
        positive(monitorInterval, "monitorInterval");
        Objects.requireNonNull(alerts, "alerts must not be null");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative, got " + maxRestarts);
        }
        positive(maxPeriod, "maxPeriod");
        positive(reminderDelay, "reminderDelay");
    }

    /**
     * @return the seed's settings (batches of 100 every 30 s, checks every 5 minutes), alerts
     *     dropped, 10 restarts in 5 s per campaign, reminders after a day
     */
    public static CampaignSettings defaults() {
        return new CampaignSettings(100, Duration.ofSeconds(30), Duration.ofMinutes(5), alert -> {}, 10,
                Duration.ofSeconds(5), Duration.ofDays(1));
    }

    /** @return these settings with another batch size and interval */
    public CampaignSettings withBatching(int size, Duration interval) {
        return new CampaignSettings(size, interval, monitorInterval, alerts, maxRestarts, maxPeriod, reminderDelay);
    }

    /** @return these settings with another monitor interval */
    public CampaignSettings withMonitorInterval(Duration interval) {
        return new CampaignSettings(batchSize, batchInterval, interval, alerts, maxRestarts, maxPeriod, reminderDelay);
    }

    /** @return these settings sending alerts to {@code sink} */
    public CampaignSettings withAlerts(Consumer<MilestoneAlert> sink) {
        return new CampaignSettings(batchSize, batchInterval, monitorInterval, sink, maxRestarts, maxPeriod, reminderDelay);
    }

    /** @return these settings with another restart intensity for each campaign's supervisor */
    public CampaignSettings withIntensity(int restarts, Duration period) {
        return new CampaignSettings(batchSize, batchInterval, monitorInterval, alerts, restarts, period, reminderDelay);
    }

    /** @return these settings with another reminder delay */
    public CampaignSettings withReminderDelay(Duration delay) {
        return new CampaignSettings(batchSize, batchInterval, monitorInterval, alerts, maxRestarts, maxPeriod, delay);
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
