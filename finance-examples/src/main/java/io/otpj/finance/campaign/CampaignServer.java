package io.otpj.finance.campaign;

import io.otpj.core.Call;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
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
import java.util.List;
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
 * committed together in one transaction; the in-memory campaign is then replaced by the one read
 * back in that transaction, so memory and database agree after every write. If the server dies
 * at any moment, its successor's {@code init} reloads the campaign from the database, after the
 * outcome of any write still in flight (see {@link Database}). A donation whose reply was lost
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
     * A comparison of the server's memory with the database, made inside the server between two
     * requests, so no write is half done ({@link #audit}).
     *
     * @param inMemory the campaign the server holds
     * @param stored the campaign's row (its running total and count)
     * @param donations the count and sum of its processed donations
     */
    public record Audit(Campaign inMemory, Campaign stored, DonationRepository.Totals donations) {
        /** @return whether the three agree on amount and count */
        public boolean consistent() {
            return inMemory.current().equals(stored.current()) && inMemory.current().equals(donations.sum())
                    && inMemory.donationCount() == stored.donationCount() && inMemory.donationCount() == donations.count();
        }
    }

    /** The server's state: the campaign as last committed. */
    record State(Options options, Campaign campaign) {
        State with(Campaign c) {
            return new State(options, c);
        }

        Database db() {
            return options.db();
        }
    }

    private record GetCampaign() implements Call<Campaign> {}
    private record AddDonation(Donation donation) {}
    private record UpdateStatus(CampaignStatus status) {}
    private record ProcessPending(List<String> donationIds) {}
    private record GetAudit() implements Call<Audit> {}
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

    /** @return the server's memory compared with the database, at a moment between two writes */
    public static Audit audit(ServerRef server) {
        return GenServer.call(server, new GetAudit(), Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public InitResult<State> init(Options options) {
        Optional<Campaign> campaign = options.db().campaigns().find(options.campaignId());
        if (campaign.isEmpty()) {
            return errorInit(ExitReason.of(new NotFound(options.campaignId())));
        }
        return ok(new State(options, campaign.get()));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State state) throws Exception {
        return switch (request) {
            case GetCampaign g -> replyTo(g, state.campaign(), state);
            case AddDonation(Donation d) -> addDonation(d, state);
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
                String id = state.campaign().id();
                Campaign stored = state.db().campaigns().find(id).orElseThrow();
                yield replyTo(a, new Audit(state.campaign(), stored, state.db().donations().processedTotals(id)), state);
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

    private CallResult<State> addDonation(Donation d, State state) {
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
        try {
            CampaignRepository.Recorded r = state.db().campaigns().recordDonation(d);
            if (r.status() == DonationStatus.FAILED) {
                // Never counted: acknowledging a resend would tell the donor it was.
                return reply(new Rejected(new Rejection(Rejection.Reason.CAMPAIGN_NOT_ACTIVE,
                        "donation " + d.id() + " failed and was not counted")), state.with(r.campaign()));
            }
            if (!r.duplicate()) {
                publish(state, CampaignEvent.topic(campaign.id()), new CampaignEvent.DonationReceived(d, r.campaign().current()));
            }
            return reply(new Accepted(r.campaign()), state.with(r.campaign()));
        } catch (DonationRejectedException e) {
            return reply(new Rejected(e.rejection()), state);
        }
    }
}
