package io.otpj.finance.campaign;

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
import io.otpj.finance.db.Database;
import io.otpj.finance.db.MilestoneRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.money.Money;
import io.otpj.registry.PubSub;
import io.otpj.registry.Registry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one campaign and announces its milestones: the seed's {@code CampaignMonitor}.
 *
 * <p>Every {@code checkInterval} (5 minutes by default, a timer message to itself as the seed's
 * {@code Process.send_after}) it reads the campaign from the database and, for each of 25, 50,
 * 75 and 100 % of the goal newly reached, sends one {@link MilestoneAlert} to the alert sink. A
 * {@link CampaignEvent.DonationReceived} message (what the campaign's topic delivers) triggers a check at
 * once, so alerts follow donations closely; with a pub/sub in its options the monitor
 * subscribes to its campaign's topic in {@code init}, as the seed's monitor handles
 * {@code {:donation_received, donation}} from Phoenix.PubSub.
 *
 * <p>Each milestone is announced once, ever: it is recorded in the database
 * ({@link MilestoneRepository#markReached}) before the sink is called, so a restarted monitor
 * does not repeat it. The sink runs in the monitor's process; if it throws, the failure is logged
 * and the alert is not retried.
 */
public final class CampaignMonitor implements GenServer<CampaignMonitor.Options, CampaignMonitor.State> {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignMonitor.class);

    /** The registry key of a campaign's monitor. */
    public record Key(String campaignId) {
        /** @throws IllegalArgumentException for a bad id */
        public Key {
            Ids.require(campaignId, "campaign id");
        }
    }

    /** @return the via-name of {@code campaignId}'s monitor in {@code registry} */
    public static Name via(Registry<Object, ?> registry, String campaignId) {
        return registry.via(new Key(campaignId));
    }

    /**
     * How to monitor a campaign.
     *
     * @param db the database
     * @param campaignId the campaign
     * @param checkInterval the period of the checks, positive
     * @param alerts where alerts go (called in the monitor's process; keep it short)
     * @param pubsub if present, the monitor subscribes to the campaign's {@linkplain CampaignEvent#topic topic}
     *     and checks on each {@link CampaignEvent.DonationReceived}
     */
    public record Options(Database db, String campaignId, Duration checkInterval, Consumer<MilestoneAlert> alerts,
            Optional<PubSub> pubsub) {
        /** @throws IllegalArgumentException for a bad id or a non-positive interval */
        public Options {
            Objects.requireNonNull(db, "db must not be null");
            Ids.require(campaignId, "campaign id");
            Objects.requireNonNull(checkInterval, "checkInterval must not be null");
            if (checkInterval.isNegative() || checkInterval.isZero()) {
                throw new IllegalArgumentException("checkInterval must be positive, got " + checkInterval);
            }
            Objects.requireNonNull(alerts, "alerts must not be null");
            Objects.requireNonNull(pubsub, "pubsub must not be null");
        }

        /** @return options with the seed's 5-minute interval and no subscription */
        public static Options of(Database db, String campaignId, Consumer<MilestoneAlert> alerts) {
            return new Options(db, campaignId, Duration.ofMinutes(5), alerts, Optional.empty());
        }

        /** @return these options with another check interval */
        public Options withCheckInterval(Duration interval) {
            return new Options(db, campaignId, interval, alerts, pubsub);
        }

        /** @return these options subscribing to the campaign's donations on {@code pubsub} */
        public Options withPubSub(PubSub pubsub) {
            return new Options(db, campaignId, checkInterval, alerts, Optional.of(pubsub));
        }
    }

    /**
     * The monitor's state.
     *
     * @param checkCount checks done since start
     * @param alertsSent alerts this monitor sent, newest first (at most four)
     * @param reached milestones recorded in the database
     * @param goal the campaign as loaded at start (its goal does not change), if it exists
     */
    record State(Options options, long checkCount, List<MilestoneAlert> alertsSent, SortedSet<Integer> reached,
            Optional<Campaign> goal, TimerRef timer) {}

    private record CheckStatus() {}
    private record CheckNow() {}
    private record AlertsSent() {}

    private static final CheckStatus CHECK = new CheckStatus();
    private static final List<Integer> MILESTONES = List.of(25, 50, 75, 100);

    private CampaignMonitor() {}

    /** Starts a monitor, unlinked. */
    public static StartResult start(Options options) {
        return GenServer.start(new CampaignMonitor(), Objects.requireNonNull(options, "options"));
    }

    /** Starts a monitor registered under {@code name}, linked to the calling process. */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new CampaignMonitor(), Objects.requireNonNull(options, "options"), name);
    }

    /** Checks now; @return the alerts this check sent (empty if no new milestone) */
    public static List<MilestoneAlert> checkNow(ServerRef monitor) {
        return GenServer.call(monitor, new CheckNow());
    }

    /** @return the alerts this monitor has sent, newest first */
    public static List<MilestoneAlert> alertsSent(ServerRef monitor) {
        return GenServer.call(monitor, new AlertsSent());
    }

    /** Tells the monitor a donation arrived, as its topic subscription does: it checks at once. */
    public static void donationReceived(ServerRef monitor, Donation donation, Money raised) {
        Proc.send(monitor, new CampaignEvent.DonationReceived(Objects.requireNonNull(donation, "donation must not be null"),
                Objects.requireNonNull(raised, "raised must not be null")));
    }

    @Override
    public InitResult<State> init(Options options) {
        options.pubsub().ifPresent(p -> p.subscribe(CampaignEvent.topic(options.campaignId())));
        SortedSet<Integer> reached = new TreeSet<>(options.db().milestones().reached(options.campaignId()));
        Optional<Campaign> campaign = options.db().campaigns().find(options.campaignId());
        return ok(new State(options, 0, List.of(), reached, campaign, schedule(options)));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State state) throws Exception {
        return switch (request) {
            case CheckNow c -> {
                Checked r = check(state);
                yield reply(r.sent(), r.state());
            }
            case AlertsSent a -> reply(state.alertsSent(), state);
            default -> GenServer.super.handleCall(request, from, state);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State state) throws Exception {
        return switch (message) {
            case CheckStatus c -> {
                State next = check(state).state();
                yield noreply(new State(next.options(), next.checkCount(), next.alertsSent(), next.reached(), next.goal(),
                        schedule(next.options())));
            }
            case CampaignEvent.DonationReceived(Donation d, Money raised) -> {
                LOG.debug("donation_received campaign={} donation={} amount={} raised={}", d.campaignId(), d.id(), d.amount(), raised);
                yield noreply(check(state, raised).state());
            }
            default -> GenServer.super.handleInfo(message, state);
        };
    }

    @Override
    public void terminate(ExitReason reason, State state) {
        state.timer().cancel();
    }

    private record Checked(State state, List<MilestoneAlert> sent) {}

    /** A check from the database: the campaign's committed state. */
    private static Checked check(State state) {
        Options o = state.options();
        Optional<Campaign> found = o.db().campaigns().find(o.campaignId());
        if (found.isEmpty()) {
            LOG.warn("campaign_monitor_check campaign={} detail=campaign not found", o.campaignId());
            return new Checked(state, List.of());
        }
        Campaign c = found.get();
        return announce(state, c.current(), c.goal(), c.percentFunded());
    }

    /**
     * A check from a donation event, which carries the campaign's committed total: the database
     * is touched only when a milestone is newly crossed, not once per donation.
     */
    private static Checked check(State state, Money raised) {
        Options o = state.options();
        if (state.reached().size() == MILESTONES.size()) {
            return new Checked(state, List.of());
        }
        Optional<Campaign> goal = state.goal();
        if (goal.isEmpty() || !raised.sameCurrencyAs(goal.get().goal())) {
            return check(state);
        }
        Campaign c = goal.get();
        int funded = Campaign.percent(raised, c.goal());
        if (MILESTONES.stream().noneMatch(m -> funded >= m && !state.reached().contains(m))) {
            return new Checked(state, List.of());
        }
        return announce(state, raised, c.goal(), funded);
    }

    private static Checked announce(State state, Money raised, Money goal, int funded) {
        Options o = state.options();
        SortedSet<Integer> reached = new TreeSet<>(state.reached());
        List<MilestoneAlert> sent = new ArrayList<>();
        for (int milestone : MILESTONES) {
            if (funded < milestone || reached.contains(milestone)) {
                continue;
            }
            reached.add(milestone);
            if (o.db().milestones().markReached(o.campaignId(), milestone, raised)) {
                MilestoneAlert alert = new MilestoneAlert(o.campaignId(), milestone, raised, goal, Instant.now());
                sent.add(alert);
                try {
                    o.alerts().accept(alert);
                } catch (RuntimeException e) {
                    LOG.error("milestone_alert_failed campaign={} percent={}", o.campaignId(), milestone, e);
                }
            }
        }
        List<MilestoneAlert> all = new ArrayList<>(sent.reversed());
        all.addAll(state.alertsSent());
        return new Checked(new State(o, state.checkCount() + 1, List.copyOf(all), reached, state.goal(), state.timer()),
                List.copyOf(sent));
    }

    private static TimerRef schedule(Options o) {
        return Proc.sendAfter(Proc.self(), CHECK, o.checkInterval());
    }
}
