package io.otpj.finance.app;

import io.otpj.core.Action;
import io.otpj.core.CallException;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.core.TimerRef;
import io.otpj.finance.campaign.CampaignEvent;
import io.otpj.finance.campaign.CampaignMonitor;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.money.Money;
import io.otpj.registry.PubSub;
import io.otpj.registry.Registry;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.DynamicSupervisor;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code CampaignManager}: creates campaigns and runs their servers, reports their
 * statistics, counts views and schedules reminders.
 *
 * <p>Each campaign runs under its own supervisor (one_for_one), a child of the
 * {@link DynamicSupervisor} that {@link Options#campaignSupervisor()} names for its id: its {@link CampaignServer}, its
 * {@link DonationProcessorServer} and its {@link CampaignMonitor}, each registered in the
 * application's registry under the campaign id. {@code init} returns at once and, in
 * {@code handleContinue}, starts the servers of every active or paused campaign in the
 * database that is not running yet, so a restarted manager (or application) picks up where the
 * last one stopped.
 *
 * <p>Calls are the seed's ({@link #createCampaign} and {@link #getCampaignStats} answer,
 * {@link #trackView} and {@link #scheduleReminder} are casts). Bad input ({@link NewCampaign}
 * with a duplicate id, an unknown campaign) throws {@link IllegalArgumentException} in the
 * caller; the manager keeps running.
 */
public final class CampaignManager implements GenServer<CampaignManager.Options, CampaignManager.State> {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignManager.class);

    /** The registry key of a campaign's supervisor. */
    public record SupervisorKey(String campaignId) {}

    /**
     * What the manager works with.
     *
     * @param db the database
     * @param registry the application's unique registry
     * @param pubsub the application's pub/sub
     * @param campaignSupervisor the dynamic supervisor a campaign id's servers start under (in the
     *     application: the campaign's partition of the campaigns {@code PartitionSupervisor})
     * @param settings how each campaign's servers run
     * @param runsCampaign which stored active or paused campaigns it starts when it starts
     */
    public record Options(Database db, Registry<Object, Object> registry, PubSub pubsub,
            Function<String, ServerRef> campaignSupervisor,
            CampaignSettings settings, java.util.function.Predicate<String> runsCampaign) {
        /** @throws NullPointerException for null parts */
        public Options {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(pubsub, "pubsub");
            Objects.requireNonNull(campaignSupervisor, "campaignSupervisor");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(runsCampaign, "runsCampaign");
        }
    }

    /**
     * The attributes of a new campaign (the seed's {@code attrs}).
     *
     * @param id its id
     * @param name its display name
     * @param goal its goal; its currency is the campaign's
     */
    public record NewCampaign(String id, String name, Money goal) {
        /** Validates eagerly, as {@link Campaign} does. */
        public NewCampaign {
            Campaign.create(id, name, goal);
        }
    }

    /**
     * A campaign's statistics ({@code get_campaign_stats}).
     *
     * @param campaign the campaign (from its server, or from the database if it has none)
     * @param views views tracked since the manager started
     * @param processing its donation processor's status, if one runs
     * @param reminderScheduled whether a reminder is pending
     */
    public record CampaignStats(Campaign campaign, long views, Optional<DonationProcessorServer.Status> processing,
            boolean reminderScheduled) {}

    /** The manager's state; confined to its process. */
    static final class State {
        final Options options;
        /** The campaigns this manager knows (loaded at start or created through it): the only keys of {@code views} and {@code reminders}. */
        final Set<String> known = new HashSet<>();
        final Map<String, Long> views = new HashMap<>();
        final Map<String, TimerRef> reminders = new HashMap<>();
        long remindersSent;

        State(Options options) {
            this.options = options;
        }
    }

    private record LoadCampaigns() {}
    private record Create(NewCampaign attrs) {}
    private record GetStats(String campaignId) {}
    private record TrackView(String campaignId) {}
    private record ScheduleReminder(String campaignId) {}
    private record ReminderDue(String campaignId) {}
    private record EnsureStarted(String campaignId) {}
    private record Running() {}
    private record Refused(String message) {}

    private CampaignManager() {}

    // ------------------------------------------------------------------ client API

    /** Starts the manager registered under {@code name}, linked to the calling process (the application's supervisor). */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new CampaignManager(), Objects.requireNonNull(options, "options"), name);
    }

    /**
     * Creates a campaign ({@code create_campaign}): stores it, starts its servers and announces
     * it on {@link CampaignEvent#CAMPAIGNS}.
     *
     * @return the stored campaign
     * @throws IllegalArgumentException if a campaign with that id exists, or its servers cannot start
     */
    public static Campaign createCampaign(ServerRef manager, NewCampaign attrs) {
        return unwrap(GenServer.call(manager, new Create(Objects.requireNonNull(attrs, "attrs")), Duration.ofSeconds(30)));
    }

    /**
     * @return the campaign's statistics ({@code get_campaign_stats})
     * @throws IllegalArgumentException if there is no such campaign
     */
    public static CampaignStats getCampaignStats(ServerRef manager, String campaignId) {
        return unwrap(GenServer.call(manager, new GetStats(Ids.require(campaignId, "campaign id")), Duration.ofSeconds(30)));
    }

    /**
     * Counts a view of the campaign ({@code track_view}); returns at once. A campaign the manager
     * does not know (not in the database when it started, nor created or started through it since)
     * is ignored, so made-up ids cannot grow its memory.
     */
    public static void trackView(ServerRef manager, String campaignId) {
        GenServer.cast(manager, new TrackView(Ids.require(campaignId, "campaign id")));
    }

    /**
     * Schedules a reminder for the campaign ({@code schedule_reminder}); returns at once. When it
     * comes due, {@link CampaignEvent.Reminder} is published on {@link CampaignEvent#CAMPAIGNS}.
     * Scheduling again replaces the pending reminder. A campaign the manager does not know is
     * ignored, as in {@link #trackView}.
     */
    public static void scheduleReminder(ServerRef manager, String campaignId) {
        GenServer.cast(manager, new ScheduleReminder(Ids.require(campaignId, "campaign id")));
    }

    /** Starts the campaign's servers if they are not running; returns at once. */
    public static void ensureStarted(ServerRef manager, String campaignId) {
        GenServer.cast(manager, new EnsureStarted(Ids.require(campaignId, "campaign id")));
    }

    /** @return the ids of the campaigns whose supervisor runs, sorted */
    public static List<String> runningCampaigns(ServerRef manager) {
        return GenServer.call(manager, new Running());
    }

    @SuppressWarnings("unchecked")
    private static <T> T unwrap(Object reply) {
        if (reply instanceof Refused(String message)) {
            throw new IllegalArgumentException(message);
        }
        return (T) reply;
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public InitResult<State> init(Options options) {
        return ok(new State(options), Action.continueWith(new LoadCampaigns()));
    }

    @Override
    public CastResult<State> handleContinue(Object arg, State s) throws Exception {
        if (arg instanceof LoadCampaigns) {
            int started = 0;
            for (Campaign c : s.options.db().campaigns().findAll()) {
                s.known.add(c.id());
                if ((c.status() == CampaignStatus.ACTIVE || c.status() == CampaignStatus.PAUSED)
                        && s.options.runsCampaign().test(c.id())) {
                    if (ensureStarted(s, c.id()) instanceof StartResult.Ok) {
                        started++;
                    }
                }
            }
            LOG.info("campaigns_loaded running={}", started);
            return noreply(s);
        }
        return GenServer.super.handleContinue(arg, s);
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case Create(NewCampaign a) -> {
                Campaign created;
                try {
                    created = s.options.db().campaigns().create(Campaign.create(a.id(), a.name(), a.goal()));
                } catch (IllegalArgumentException e) {
                    yield reply(new Refused(e.getMessage()), s);
                }
                s.known.add(created.id());
                if (ensureStarted(s, created.id()) instanceof StartResult.Failed(var reason)) {
                    yield reply(new Refused("campaign " + created.id() + " is stored but its servers did not start: " + reason), s);
                }
                broadcast(s, new CampaignEvent.CampaignCreated(created));
                yield reply(created, s);
            }
            case GetStats(String id) -> reply(stats(s, id), s);
            case Running r -> {
                List<String> ids = new ArrayList<>();
                for (var e : s.options.registry().select(e -> e.key() instanceof SupervisorKey)) {
                    ids.add(((SupervisorKey) e.key()).campaignId());
                }
                ids.sort(null);
                yield reply(List.copyOf(ids), s);
            }
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State s) throws Exception {
        return switch (request) {
            case TrackView(String id) -> {
                // Only known campaigns: a cast of made-up ids must not grow the map without bound.
                if (known(s, id, "track_view")) {
                    s.views.merge(id, 1L, Long::sum);
                }
                yield noreply(s);
            }
            case ScheduleReminder(String id) -> {
                if (!known(s, id, "schedule_reminder")) {
                    yield noreply(s);
                }
                TimerRef old = s.reminders.put(id,
                        Proc.sendAfter(Proc.self(), new ReminderDue(id), s.options.settings().reminderDelay()));
                if (old != null) {
                    old.cancel();
                }
                yield noreply(s);
            }
            case EnsureStarted(String id) -> {
                ensureStarted(s, id);
                yield noreply(s);
            }
            default -> GenServer.super.handleCast(request, s);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        if (message instanceof ReminderDue(String id)) {
            s.reminders.remove(id);
            s.remindersSent++;
            broadcast(s, new CampaignEvent.Reminder(id));
            return noreply(s);
        }
        return GenServer.super.handleInfo(message, s);
    }

    // ------------------------------------------------------------------ internals

    private static boolean known(State s, String id, String request) {
        if (s.known.contains(id)) {
            return true;
        }
        LOG.debug("campaign_request_ignored request={} campaign={} reason=unknown campaign", request, id);
        return false;
    }

    private static Object stats(State s, String id) {
        Registry<Object, Object> registry = s.options.registry();
        long views = s.views.getOrDefault(id, 0L);
        boolean reminder = s.reminders.containsKey(id);
        try {
            Campaign campaign = CampaignServer.getCampaign(CampaignServer.via(registry, id));
            Optional<DonationProcessorServer.Status> processing =
                    Optional.of(DonationProcessorServer.getStatus(DonationProcessorServer.via(registry, id)));
            return new CampaignStats(campaign, views, processing, reminder);
        } catch (CallException notRunning) {
            // Not running (finished, or restarting): the database has the committed campaign.
            Optional<Campaign> stored = s.options.db().campaigns().find(id);
            if (stored.isEmpty()) {
                return new Refused("no campaign " + id);
            }
            return new CampaignStats(stored.get(), views, Optional.empty(), reminder);
        }
    }

    /** Starts the campaign's supervisor unless it runs. */
    private static StartResult ensureStarted(State s, String id) {
        Registry<Object, Object> registry = s.options.registry();
        Pid running = registry.whereisName(new SupervisorKey(id));
        if (running != null) {
            return new StartResult.Ok(running);
        }
        StartResult r = DynamicSupervisor.startChild(s.options.campaignSupervisor().apply(id), campaignSpec(s.options, id));
        if (r instanceof StartResult.Failed f) {
            LOG.error("campaign_start_failed campaign={} reason={}", id, f.reason());
        } else {
            s.known.add(id);
        }
        return r;
    }

    /** One campaign's supervision subtree. */
    static ChildSpec campaignSpec(Options o, String id) {
        Registry<Object, Object> registry = o.registry();
        CampaignSettings cs = o.settings();
        Name campaign = CampaignServer.via(registry, id);
        CampaignServer.Options campaignOptions = CampaignServer.Options.of(o.db(), id).withPubSub(o.pubsub());
        DonationProcessorServer.Options processorOptions = DonationProcessorServer.Options.of(o.db(), id, campaign)
                .withBatchSize(cs.batchSize()).withBatchInterval(cs.batchInterval());
        CampaignMonitor.Options monitorOptions = CampaignMonitor.Options.of(o.db(), id, cs.alerts())
                .withCheckInterval(cs.monitorInterval()).withPubSub(o.pubsub());
        return Supervisor.childSpec("campaign:" + id, SupervisorFlags.oneForOne().withIntensity(cs.maxRestarts(), cs.maxPeriod()),
                List.of(
                        ChildSpec.worker("campaign", () -> CampaignServer.startLink(campaignOptions, campaign)),
                        ChildSpec.worker("processor", () -> DonationProcessorServer.startLink(processorOptions,
                                DonationProcessorServer.via(registry, id))),
                        ChildSpec.worker("monitor", () -> CampaignMonitor.startLink(monitorOptions,
                                CampaignMonitor.via(registry, id)))),
                registry.via(new SupervisorKey(id)));
    }

    private static void broadcast(State s, CampaignEvent event) {
        try {
            s.options.pubsub().broadcast(CampaignEvent.CAMPAIGNS, event);
        } catch (IllegalStateException notRunning) {
            LOG.debug("campaign_event_dropped event={} reason={}", event, notRunning.getMessage());
        }
    }
}
