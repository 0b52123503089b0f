package io.otpj.finance.app;

import io.otpj.core.CallException;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.core.TimerRef;
import io.otpj.finance.campaign.CampaignEvent;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.registry.PubSub;
import io.otpj.registry.Registry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code CampaignScheduler}: in {@code init} it loads the active campaigns,
 * subscribes to the {@link CampaignEvent#CAMPAIGNS} topic and schedules its periodic check (a
 * minute by default, the seed's {@code Process.send_after(self(), :check_campaigns, 60_000)}).
 *
 * <p>The check audits every active campaign: it asks each campaign server to compare its
 * in-memory total with the database ({@link CampaignServer#audit}), logs any disagreement as an
 * error, and asks the {@link CampaignManager} to start the servers of a campaign that has none
 * (a campaign whose supervisor gave up, say). Lifecycle events keep its list of active
 * campaigns current without reloading it.
 */
public final class CampaignScheduler implements GenServer<CampaignScheduler.Options, CampaignScheduler.State> {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignScheduler.class);

    /**
     * @param db the database
     * @param registry the application's registry (to reach the campaign servers)
     * @param pubsub the application's pub/sub
     * @param manager the campaign manager
     * @param checkInterval the period of the checks
     * @param runsCampaign which stored active campaigns it audits from its start (campaigns
     *     created or activated later through the application's events are audited regardless)
     */
    public record Options(Database db, Registry<Object, Object> registry, PubSub pubsub, ServerRef manager,
            Duration checkInterval, java.util.function.Predicate<String> runsCampaign) {
        /** @throws IllegalArgumentException for a non-positive interval */
        public Options {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(pubsub, "pubsub");
            Objects.requireNonNull(manager, "manager");
            Objects.requireNonNull(checkInterval, "checkInterval");
            Objects.requireNonNull(runsCampaign, "runsCampaign");
            if (checkInterval.isNegative() || checkInterval.isZero()) {
                throw new IllegalArgumentException("checkInterval must be positive, got " + checkInterval);
            }
        }
    }

    /**
     * The outcome of one check.
     *
     * @param at when it ran
     * @param consistent campaigns whose memory and database agree
     * @param inconsistent campaigns whose memory and database disagree (a bug: logged as errors)
     * @param unavailable campaigns whose server did not answer (restarting, or not running)
     */
    public record CheckReport(Instant at, List<String> consistent, List<String> inconsistent, List<String> unavailable) {}

    /** The scheduler's state; confined to its process. */
    static final class State {
        final Options options;
        /** The active campaigns, the seed's {@code campaigns}. */
        final TreeSet<String> campaigns = new TreeSet<>();
        CheckReport lastCheck;
        long checks;
        long remindersSeen;
        TimerRef timer;

        State(Options options) {
            this.options = options;
        }
    }

    private record CheckCampaigns() {}
    private record CheckNow() {}
    private record LastCheck() {}

    private static final CheckCampaigns CHECK = new CheckCampaigns();

    private CampaignScheduler() {}

    /** Starts the scheduler registered under {@code name}, linked to the calling process. */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new CampaignScheduler(), Objects.requireNonNull(options, "options"), name);
    }

    /** Runs a check now; @return its report */
    public static CheckReport checkNow(ServerRef scheduler) {
        return GenServer.call(scheduler, new CheckNow(), Duration.ofSeconds(60));
    }

    /** @return the report of the last check, if one ran */
    public static Optional<CheckReport> lastCheck(ServerRef scheduler) {
        return GenServer.call(scheduler, new LastCheck());
    }

    @Override
    public InitResult<State> init(Options options) {
        State s = new State(options);
        for (Campaign c : options.db().campaigns().findByStatus(CampaignStatus.ACTIVE)) {
            if (options.runsCampaign().test(c.id())) {
                s.campaigns.add(c.id());
            }
        }
        options.pubsub().subscribe(CampaignEvent.CAMPAIGNS);
        s.timer = Proc.sendAfter(Proc.self(), CHECK, options.checkInterval());
        return ok(s);
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case CheckNow c -> reply(check(s), s);
            case LastCheck l -> reply(Optional.ofNullable(s.lastCheck), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        return switch (message) {
            case CheckCampaigns c -> {
                check(s);
                s.timer = Proc.sendAfter(Proc.self(), CHECK, s.options.checkInterval());
                yield noreply(s);
            }
            case CampaignEvent.CampaignCreated(Campaign c) -> {
                if (c.status() == CampaignStatus.ACTIVE) {
                    s.campaigns.add(c.id());
                }
                yield noreply(s);
            }
            case CampaignEvent.StatusChanged(String id, CampaignStatus status) -> {
                if (status == CampaignStatus.ACTIVE) {
                    s.campaigns.add(id);
                } else {
                    s.campaigns.remove(id);
                }
                yield noreply(s);
            }
            case CampaignEvent.Reminder(String id) -> {
                s.remindersSeen++;
                LOG.info("campaign_reminder campaign={}", id);
                yield noreply(s);
            }
            default -> GenServer.super.handleInfo(message, s);
        };
    }

    @Override
    public void terminate(ExitReason reason, State s) {
        if (s.timer != null) {
            s.timer.cancel();
        }
    }

    private static CheckReport check(State s) {
        List<String> consistent = new ArrayList<>();
        List<String> inconsistent = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        for (String id : s.campaigns) {
            try {
                CampaignServer.Audit audit = CampaignServer.audit(CampaignServer.via(s.options.registry(), id));
                if (audit.consistent()) {
                    consistent.add(id);
                } else {
                    inconsistent.add(id);
                    LOG.error("campaign_inconsistent campaign={} in_memory={} stored={} donations={}", id,
                            audit.inMemory().current(), audit.stored().current(), audit.donations());
                }
            } catch (CallException e) {
                unavailable.add(id);
                CampaignManager.ensureStarted(s.options.manager(), id);
            }
        }
        s.checks++;
        s.lastCheck = new CheckReport(Instant.now(), List.copyOf(consistent), List.copyOf(inconsistent),
                List.copyOf(unavailable));
        return s.lastCheck;
    }
}
