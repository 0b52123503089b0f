package io.otpj.finance.campaign;

import io.otpj.core.Call;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.db.CampaignRepository;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.domain.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import io.otpj.registry.PubSub;
import io.otpj.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One campaign's server: the seed's {@code CampaignServer}. It holds the campaign (goal, amount
 * raised, donation count, status) and is the only writer of its total.
 *
 * <pre>{@code
 * Name name = CampaignServer.via(registry, "ramadan-2025");  // {:via, Registry, {CampaignRegistry, id}}
 * CampaignServer.start(db, "ramadan-2025", name).pid();      // normally: a supervisor's startLink
 * Campaign c = CampaignServer.addDonation(name, Donation.of("ramadan-2025", "donor_123", Money.of(50_000, "IDR")));
 * c.current();                                               // IDR 50000.00, already committed
 * CampaignServer.updateStatus(name, CampaignStatus.COMPLETED);
 * }</pre>
 *
 * <h2>Durability and restart</h2>
 * {@link #addDonation} returns only after the donation row and the campaign's new total are
 * committed together in one transaction. The write is a group commit
 * ({@link io.otpj.finance.db.CampaignRepository#recordDonationAsync}): the server queues it and
 * takes its next request without waiting, and answers the caller from {@code handleInfo} once the
 * commit holding the donation has happened, so donations that arrive together share one
 * transaction. The in-memory campaign is then replaced by the one read back in that commit
 * (commits come back in the order they happened; of two snapshots the one with more donations
 * counted is the later, since a campaign's row is locked by each writer); an {@link #audit}
 * asked while writes are in flight is answered when the last of them is back, so memory and
 * database agree whenever the server answers. If the server dies at any moment, its successor's
 * {@code init} reloads the campaign from the database after the outcome of every write still in
 * flight (a write queued by the dead server and not begun is not made at all). A donation whose reply was lost
 * can be sent again with the same id: it is recognised and not counted twice.
 *
 * <h2>Bad input</h2>
 * A donation for another campaign, with a non-positive amount, in another currency, to a campaign
 * that is not active, or reusing another donation's id throws {@link DonationRejectedException}
 * in the caller; the server keeps running and nothing is stored. A database failure crashes the
 * server (the caller gets {@link io.otpj.core.ServerExitedException}); nothing was committed
 * unless the failure came after the commit, which a retry with the same donation id resolves.
 *
 * <h2>Events</h2>
 * With a pub/sub in its options, the server publishes each committed change after the commit:
 * {@link CampaignEvent.DonationReceived} on the campaign's topic, {@link CampaignEvent.StatusChanged}
 * on {@link CampaignEvent#CAMPAIGNS}.
 *
 * <p>Starting a server for a campaign that does not exist fails with
 * {@code StartResult.Failed} whose reason is {@code ExitReason.of(new NotFound(id))}.
 */
public final class CampaignServer implements GenServer<CampaignServer.Options, CampaignServer.State> {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignServer.class);

    /** The exit reason term of a start for a campaign that does not exist. */
    public record NotFound(String campaignId) {}

    /** The registry key of a campaign's server (the seed's {@code {CampaignRegistry, campaign_id}}). */
    public record Key(String campaignId) {
        /** @throws IllegalArgumentException for a bad id */
        public Key {
            Ids.require(campaignId, "campaign id");
        }
    }

    /** @return the via-name of {@code campaignId}'s server in {@code registry}: the seed's {@code via_tuple(campaign_id)} */
    public static Name via(Registry<Object, ?> registry, String campaignId) {
        return registry.via(new Key(campaignId));
    }

    /**
     * How to run a campaign's server.
     *
     * @param db the database
     * @param campaignId the campaign
     * @param pubsub if present, where committed changes are published ({@link CampaignEvent})
     */
    public record Options(Database db, String campaignId, Optional<PubSub> pubsub) {
        /** @throws IllegalArgumentException for a bad id */
        public Options {
            Objects.requireNonNull(db, "db must not be null");
            Ids.require(campaignId, "campaign id");
            Objects.requireNonNull(pubsub, "pubsub must not be null");
        }

        /** @return options without publishing */
        public static Options of(Database db, String campaignId) {
            return new Options(db, campaignId, Optional.empty());
        }

        /** @return these options publishing on {@code pubsub} */
        public Options withPubSub(PubSub pubsub) {
            return new Options(db, campaignId, Optional.of(pubsub));
        }
    }

    /**
     * A comparison of the server's memory with the database, in two parts ({@link #audit}):
     * between two requests, so no write is half done, the server compares what it holds with its
     * campaign's row (a lookup by key); then, off the server, one statement recounts the
     * campaign's processed donations against the row's total at one snapshot of the database. The
     * recount scans every donation of the campaign, and made inside the server it stalled the
     * server (and every donor of the campaign) for a fraction of a second per 100k donations.
     *
     * @param inMemory the campaign the server holds
     * @param stored the campaign's row (its running total and count) at the same moment
     * @param recount the row's totals and the donations' count and sum, read together afterwards
     */
    public record Audit(Campaign inMemory, Campaign stored, DonationRepository.Recount recount) {
        /** @return whether memory and row agree, and the row agrees with its donations */
        public boolean consistent() {
            return inMemory.current().equals(stored.current()) && inMemory.donationCount() == stored.donationCount()
                    && recount.consistent();
        }

        /** @return the count and sum of the campaign's processed donations, from the recount */
        public DonationRepository.Totals donations() {
            return recount.donations();
        }
    }

    /** A donation being committed, and the callers waiting for it (a resend joins the first). */
    private record InFlight(Donation donation, List<From> waiting) {}

    /** The group commit's outcome for a donation, sent to the server by the commit's thread. */
    private record Committed(Donation donation, CampaignRepository.Recorded recorded, Throwable error) {}

    /**
     * The server's state: the campaign as last committed, the donations being committed, and the
     * audits waiting for them. The two collections are the server's own (mutated only by it).
     */
    record State(Options options, Campaign campaign, Map<String, InFlight> inFlight, List<From> audits) {
        State(Options options, Campaign campaign) {
            this(options, campaign, new HashMap<>(), new ArrayList<>());
        }

        /** @return the state holding {@code c}, read back by a write this server just made */
        State with(Campaign c) {
            return new State(options, c, inFlight, audits);
        }

        /**
         * @return the state holding {@code c}, read back by a group commit, if it counts more
         *     donations than what the server holds; else this state. A commit's snapshot with no
         *     more donations is not newer: the server's own writes (a status change, a settle)
         *     read back after it may have been taken in already.
         */
        State withCommitted(Campaign c) {
            return c.donationCount() > campaign.donationCount() ? with(c) : this;
        }

        Database db() {
            return options.db();
        }
    }

    private record GetCampaign() implements Call<Campaign> {}
    private record AddDonation(Donation donation) {}
    private record UpdateStatus(CampaignStatus status) {}
    private record ProcessPending(List<String> donationIds) {}
    private record GetAudit() implements Call<Object> {}
    private record Accepted(Campaign campaign) {}
    private record Rejected(Rejection rejection) {}

    private CampaignServer() {}

    // ------------------------------------------------------------------ client API

    /** Starts the server of campaign {@code campaignId}, unlinked, registered under {@code name}, publishing nothing. */
    public static StartResult start(Database db, String campaignId, Name name) {
        return start(Options.of(db, campaignId), name);
    }

    /** Starts a campaign's server, unlinked, registered under {@code name}. */
    public static StartResult start(Options options, Name name) {
        return GenServer.start(new CampaignServer(), Objects.requireNonNull(options, "options"), name);
    }

    /** Starts a campaign's server registered under {@code name}, linked to the calling process (a supervisor). */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new CampaignServer(), Objects.requireNonNull(options, "options"), name);
    }

    /** @return the campaign as last committed ({@code get_campaign}) */
    public static Campaign getCampaign(ServerRef server) {
        return GenServer.call(server, new GetCampaign());
    }

    /**
     * Adds a donation ({@code add_donation}): durable when this returns.
     *
     * @return the campaign with the donation counted (a retry of a donation already stored
     *     returns the campaign as it is)
     * @throws DonationRejectedException for bad input, or for a retry of a donation stored as
     *     failed ({@code CAMPAIGN_NOT_ACTIVE}: it was never counted); nothing changed
     * @throws io.otpj.core.CallException if the server is not running, does not answer in 5 s, or
     *     crashed; the donation may or may not be stored: send it again with the same id
     */
    public static Campaign addDonation(ServerRef server, Donation donation) {
        return addDonation(server, donation, GenServer.DEFAULT_CALL_TIMEOUT);
    }

    /** Like {@link #addDonation(ServerRef, Donation)} with another timeout. */
    public static Campaign addDonation(ServerRef server, Donation donation, Duration timeout) {
        Object reply = GenServer.call(server, new AddDonation(Objects.requireNonNull(donation, "donation must not be null")),
                timeout);
        return switch (reply) {
            case Accepted(Campaign c) -> c;
            case Rejected(Rejection r) -> throw r.toException();
            default -> throw new IllegalStateException("unexpected reply " + reply);
        };
    }

    /**
     * Sets the campaign's status, asynchronously ({@code update_status}); it is stored before the
     * next request is handled. An illegal transition ({@link CampaignStatus#canChangeTo}: a
     * completed or cancelled campaign stays so) is ignored and logged as a warning. Closing the
     * campaign first counts every donation still pending: each was acknowledged, so each is
     * counted (see {@link io.otpj.finance.db.CampaignRepository#updateStatus}).
     */
    public static void updateStatus(ServerRef server, CampaignStatus status) {
        GenServer.cast(server, new UpdateStatus(Objects.requireNonNull(status, "status must not be null")));
    }

    /**
     * Settles pending donations of this campaign (stored by a donation processor): counts them,
     * or fails them if the campaign no longer takes donations. Idempotent.
     *
     * @return what was settled, and the campaign after it
     */
    public static CampaignRepository.BatchOutcome processPending(ServerRef server, List<String> donationIds,
            Duration timeout) {
        return GenServer.call(server, new ProcessPending(List.copyOf(donationIds)), timeout);
    }

    /**
     * @return the server's memory compared with its row at a moment between two writes, and the
     *     row recounted against its donations (see {@link Audit})
     * @throws io.otpj.finance.db.DatabaseException if the database could not be read
     */
    public static Audit audit(ServerRef server) {
        Object outcome = GenServer.call(server, new GetAudit(), Duration.ofSeconds(30));
        if (outcome instanceof RuntimeException e) {
            throw e;
        }
        return (Audit) outcome;
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public InitResult<State> init(Options options) {
        Optional<Campaign> campaign = options.db().campaigns().findAfterWrites(options.campaignId());
        if (campaign.isEmpty()) {
            return errorInit(ExitReason.of(new NotFound(options.campaignId())));
        }
        return ok(new State(options, campaign.get()));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State state) throws Exception {
        return switch (request) {
            case GetCampaign g -> replyTo(g, state.campaign(), state);
            case AddDonation(Donation d) -> addDonation(d, from, state);
            case ProcessPending(List<String> ids) -> {
                var outcome = state.db().campaigns().processPending(state.campaign().id(), ids);
                for (var r : outcome.settled()) {
                    if (r.status() == DonationStatus.PROCESSED) {
                        publish(state, CampaignEvent.topic(r.donation().campaignId()),
                                new CampaignEvent.DonationReceived(r.donation(), outcome.campaign().current()));
                    }
                }
                yield reply(outcome, state.with(outcome.campaign()));
            }
            case GetAudit a -> {
                if (!state.inFlight().isEmpty()) {
                    state.audits().add(from); // answered once the writes in flight are back
                    yield noreply(state);
                }
                audit(state, List.of(from));
                yield noreply(state);
            }
            default -> GenServer.super.handleCall(request, from, state);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State state) throws Exception {
        return switch (request) {
            case UpdateStatus(CampaignStatus s) -> {
                CampaignStatus current = state.campaign().status();
                if (!current.canChangeTo(s)) {
                    // A cast has no caller to refuse: the illegal change is dropped and logged.
                    LOG.warn("campaign_status_change_ignored campaign={} from={} to={} reason=illegal transition",
                            state.campaign().id(), current, s);
                    yield noreply(state);
                }
                Campaign updated = state.db().campaigns().updateStatus(state.campaign().id(), s);
                publish(state, CampaignEvent.CAMPAIGNS, new CampaignEvent.StatusChanged(updated.id(), s));
                yield noreply(state.with(updated));
            }
            default -> GenServer.super.handleCast(request, state);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State state) throws Exception {
        if (message instanceof Committed(Donation d, CampaignRepository.Recorded r, Throwable error)) {
            InFlight f = state.inFlight().remove(d.id());
            Object answer;
            State next = state;
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (!(cause instanceof DonationRejectedException e)) {
                    // A database failure crashes the server, as a failed write in a call would:
                    // its callers get ServerExitedException and send again.
                    throw cause instanceof RuntimeException re ? re
                            : new IllegalStateException("recording donation " + d.id() + " failed", cause);
                }
                answer = new Rejected(e.rejection());
            } else {
                next = state.withCommitted(r.campaign());
                if (!r.duplicate()) {
                    publish(state, CampaignEvent.topic(d.campaignId()), new CampaignEvent.DonationReceived(d, r.campaign().current()));
                }
                answer = new Accepted(r.campaign());
            }
            for (From from : f.waiting()) {
                from.reply(answer);
            }
            if (next.inFlight().isEmpty() && !next.audits().isEmpty()) {
                audit(next, List.copyOf(next.audits()));
                next.audits().clear();
            }
            return noreply(next);
        }
        return GenServer.super.handleInfo(message, state);
    }

    /**
     * OTP's {@code format_status}: crash reports and traces show the campaign and counts, never a
     * donor. A donation being added, or its commit coming back, shows as {@link Donation#redacted()}.
     */
    @Override
    public GenServer.Status formatStatus(GenServer.Status status) {
        Object st = status.state() instanceof State s
                ? "CampaignServer[campaign=" + s.campaign() + ", committing=" + s.inFlight().size() + "]"
                : status.state();
        Object message = switch (status.message()) {
            case AddDonation(Donation d) -> "AddDonation[" + d.redacted() + "]";
            case Committed(Donation d, CampaignRepository.Recorded r, Throwable error) -> "Committed[" + d.redacted()
                    + (error == null ? ", status=" + r.status() : ", error=" + error.getClass().getSimpleName()) + "]";
            case null, default -> status.message();
        };
        return new GenServer.Status(st, message);
    }

    /**
     * The audit for {@code callers}: the row is read now, in the server (no write of it in flight),
     * the recount afterwards on a thread of its own, which answers the callers (a failure is
     * answered as the exception, which {@link #audit(ServerRef)} throws).
     */
    private static void audit(State state, List<From> callers) {
        String id = state.campaign().id();
        Campaign inMemory = state.campaign();
        Campaign stored;
        try {
            stored = state.db().campaigns().find(id).orElseThrow();
        } catch (RuntimeException e) {
            callers.forEach(from -> from.reply(e));
            return;
        }
        Thread.ofVirtual().name("audit-" + id).start(() -> {
            Object answer;
            try {
                answer = new Audit(inMemory, stored, state.db().donations().recount(id));
            } catch (RuntimeException e) {
                answer = e;
            }
            for (From from : callers) {
                from.reply(answer);
            }
        });
    }

    /**
     * Publishes a committed change. The pub/sub is a sibling in the supervision tree; while it
     * restarts the event is dropped (events are notifications; the database is the record).
     */
    private static void publish(State state, Object topic, CampaignEvent event) {
        state.options().pubsub().ifPresent(p -> {
            try {
                p.broadcast(topic, event);
            } catch (IllegalStateException notRunning) {
                LOG.debug("campaign_event_dropped campaign={} event={} reason={}", state.campaign().id(), event,
                        notRunning.getMessage());
            }
        });
    }

    private CallResult<State> addDonation(Donation d, From from, State state) {
        Campaign campaign = state.campaign();
        // Checks that need no database; the status is checked after the duplicate check, so a
        // retry of a donation accepted before the campaign closed is still answered ok.
        if (!d.campaignId().equals(campaign.id())) {
            return reply(new Rejected(new Rejection(Rejection.Reason.WRONG_CAMPAIGN, "donation " + d.id()
                    + " is for campaign " + d.campaignId() + ", not " + campaign.id())), state);
        }
        Optional<Rejection> bad = d.checkAmount(campaign);
        if (bad.isPresent()) {
            return reply(new Rejected(bad.get()), state);
        }
        InFlight f = state.inFlight().get(d.id());
        if (f != null) {
            if (!f.donation().sameAs(d)) {
                return reply(new Rejected(new Rejection(Rejection.Reason.DUPLICATE_ID,
                        "donation id " + d.id() + " is already used by another donation")), state);
            }
            f.waiting().add(from); // a resend while the first is being committed: one answer for both
            return noreply(state);
        }
        List<From> waiting = new ArrayList<>(1);
        waiting.add(from);
        state.inFlight().put(d.id(), new InFlight(d, waiting));
        // Answered from handleInfo once the commit that holds it has happened (a retry of a
        // failed donation is rejected there: it was never counted, and ok would say it was).
        Pid self = Proc.self();
        state.db().campaigns().recordDonationAsync(d)
                .whenComplete((recorded, error) -> Proc.send(self, new Committed(d, recorded, error)));
        return noreply(state);
    }
}
