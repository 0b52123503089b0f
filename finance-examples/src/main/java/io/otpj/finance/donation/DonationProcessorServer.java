package io.otpj.finance.donation;

import io.otpj.core.Action;
import io.otpj.core.CallException;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.IdleTimeout;
import io.otpj.core.StartOptions;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.core.TimerRef;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.CampaignRepository;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Currency;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import io.otpj.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code Financial.DonationProcessorServer}: per campaign, it takes donations,
 * validates them, and counts them in its campaign in batches, by size ({@code batchSize}, 100)
 * and by a periodic timer ({@code batchInterval}, 30 s), keeping processed and failed lists.
 *
 * <h2>Durability</h2>
 * {@link #addDonation} is a call, where the seed casts: a donation is stored as {@code PENDING}
 * in the database before ok is returned, and a cast cannot say when that has happened. The write
 * is a group commit ({@link DonationRepository#insertPendingAsync}): the server queues it and takes
 * the next donation without waiting, and answers the caller from {@code handleInfo} when the
 * commit that holds the donation has happened, so donations that arrive together, to this
 * campaign and to others, share one transaction. A caller that resends while the first copy is
 * being committed waits for the same commit. If the server dies first, its callers fail with
 * {@code ServerExitedException} and send again; their donations were stored or not, and the
 * resend finds out (a donation queued but not begun when the server died is not stored at all:
 * see {@code GroupCommit}). A batch
 * asks the campaign's {@link CampaignServer} to settle the pending donations
 * ({@link CampaignServer#processPending}): in one transaction each is marked processed and
 * counted in the campaign's total (or failed, if the campaign ended meanwhile; while it is
 * paused they wait), so the
 * campaign server's memory and the database agree after every batch. If the campaign server is
 * down or slow, the donations stay pending and the next batch retries them; settling is
 * idempotent. A restarted processor reloads its pending donations from the database.
 *
 * <h2>Bad input</h2>
 * A donation for another campaign, with a non-positive amount, in another currency, for a
 * campaign that is not active, or reusing another donation's id throws
 * {@link DonationRejectedException} in the caller; nothing is stored. Sending again a donation
 * that is stored as failed (its campaign closed before a batch counted it) is rejected too, with
 * {@code CAMPAIGN_NOT_ACTIVE} and the stored reason.
 *
 * <p>The processed and failed lists keep the latest {@code historyLimit} entries; the counters
 * and the total count everything since this server started.
 */
public final class DonationProcessorServer implements GenServer<DonationProcessorServer.Options, DonationProcessorServer.State> {

    private static final Logger LOG = LoggerFactory.getLogger(DonationProcessorServer.class);

    /** The registry key of a campaign's processor: the seed's {@code {:donation_processor, campaign_id}}. */
    public record Key(String campaignId) {
        /** @throws IllegalArgumentException for a bad id */
        public Key {
            Ids.require(campaignId, "campaign id");
        }
    }

    /** @return the via-name of {@code campaignId}'s processor in {@code registry} */
    public static Name via(Registry<Object, ?> registry, String campaignId) {
        return registry.via(new Key(campaignId));
    }

    /**
     * How to run a processor.
     *
     * @param db the database
     * @param campaignId the campaign
     * @param campaignServer where the campaign's server is reached
     * @param batchSize pending donations that start a batch by themselves, at least 1
     * @param batchInterval the period of the batch timer, positive
     * @param campaignTimeout how long a batch waits for the campaign server
     * @param historyLimit processed and failed donations kept for inspection, at least 1
     * @param idleFlush how long the server may sit idle with donations pending before it runs a
     *     batch without waiting for the timer (the seed's best practice 3, {@code {:reply, r, state,
     *     timeout}}: any message in between defers it), positive
     */
    public record Options(Database db, String campaignId, ServerRef campaignServer, int batchSize, Duration batchInterval,
            Duration campaignTimeout, int historyLimit, Duration idleFlush) {
        /** @throws IllegalArgumentException for a bad id, limits below 1 or non-positive durations */
        public Options {
            Objects.requireNonNull(db, "db must not be null");
            Ids.require(campaignId, "campaign id");
            Objects.requireNonNull(campaignServer, "campaignServer must not be null");
            if (batchSize < 1 || historyLimit < 1) {
                throw new IllegalArgumentException("batchSize and historyLimit must be at least 1, got "
                        + batchSize + " and " + historyLimit);
            }
            requirePositive(batchInterval, "batchInterval");
            requirePositive(campaignTimeout, "campaignTimeout");
            requirePositive(idleFlush, "idleFlush");
        }

        /**
         * @return the seed's settings: batches of 100, every 30 s; 5 s for the campaign server; the
         *     last 1000 kept; and a batch after 1 s idle with donations pending
         */
        public static Options of(Database db, String campaignId, ServerRef campaignServer) {
            return new Options(db, campaignId, campaignServer, 100, Duration.ofSeconds(30), Duration.ofSeconds(5), 1000,
                    Duration.ofSeconds(1));
        }

        /** @return these options with another idle flush */
        public Options withIdleFlush(Duration idle) {
            return new Options(db, campaignId, campaignServer, batchSize, batchInterval, campaignTimeout, historyLimit, idle);
        }

        /** @return these options with another batch size */
        public Options withBatchSize(int size) {
            return new Options(db, campaignId, campaignServer, size, batchInterval, campaignTimeout, historyLimit, idleFlush);
        }

        /** @return these options with another batch interval */
        public Options withBatchInterval(Duration interval) {
            return new Options(db, campaignId, campaignServer, batchSize, interval, campaignTimeout, historyLimit, idleFlush);
        }

        /** @return these options with another history limit */
        public Options withHistoryLimit(int limit) {
            return new Options(db, campaignId, campaignServer, batchSize, batchInterval, campaignTimeout, limit, idleFlush);
        }

        private static void requirePositive(Duration d, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
        }
    }

    /**
     * The processor's status ({@code get_status}).
     *
     * @param pendingCount donations stored and waiting for a batch
     * @param processedCount donations counted in the campaign since this server started
     * @param failedCount donations failed since this server started
     * @param totalAmount the sum of {@code processedCount} donations
     * @param lastProcessed when a batch last settled donations
     * @param errorCount batches deferred because the campaign server did not answer
     */
    public record Status(String campaignId, int pendingCount, long processedCount, long failedCount, Money totalAmount,
            Optional<Instant> lastProcessed, long errorCount) {}

    /** What one batch run did: donations settled, and donations still pending after it. */
    public record BatchReport(int processed, int failed, int stillPending) {}

    /** The server's state; confined to its process. */
    static final class State {
        final Options options;
        final Currency currency;
        /** Pending donations by id, in arrival order: stored, waiting for a batch. */
        final LinkedHashMap<String, Donation> pending = new LinkedHashMap<>();
        /** Donations queued for a group commit, by id, with the callers waiting for that commit. */
        final HashMap<String, InFlight> inFlight = new HashMap<>();
        final Deque<Donation> processed = new ArrayDeque<>();
        final Deque<DonationRecord> failed = new ArrayDeque<>();
        long processedCount;
        long failedCount;
        Money totalAmount;
        Instant lastProcessed;
        long errorCount;
        TimerRef timer;

        State(Options options, Currency currency) {
            this.options = options;
            this.currency = currency;
            this.totalAmount = Money.zero(currency);
        }
    }

    private record AddDonation(Donation donation) {}
    /** A donation on its way to the database, and every caller (the first and its retries) waiting for it. */
    private record InFlight(Donation donation, List<From> waiting) {}
    /** The group commit's answer for a donation: what was stored, or why nothing was. */
    private record Committed(Donation donation, DonationRepository.Stored stored, Throwable error) {}
    private record ProcessBatch() {}
    private record GetStatus() {}
    private record GetRecent() {}
    private record Tick() {}
    private record SizeReached() {}
    private record Accepted() {}
    private record Rejected(Rejection rejection) {}

    private static final Tick TICK = new Tick();

    private DonationProcessorServer() {}

    // ------------------------------------------------------------------ client API

    /** Starts a processor, unlinked, registered under {@code name}. */
    public static StartResult start(Options options, Name name) {
        return GenServer.start(new DonationProcessorServer(), Objects.requireNonNull(options, "options"), startOptions(name));
    }

    /** Starts a processor registered under {@code name}, linked to the calling process. */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new DonationProcessorServer(), Objects.requireNonNull(options, "options"), startOptions(name));
    }

    /** A campaign's processor takes every donation to it: it gets a hot mailbox. */
    private static StartOptions startOptions(Name name) {
        return StartOptions.defaults().withName(Objects.requireNonNull(name, "name")).withHotMailbox(true);
    }

    /**
     * Adds a donation ({@code add_donation}): stored as pending when this returns, counted in
     * the campaign by the next batch. Sending the same donation again is harmless; if it has
     * failed meanwhile (its campaign closed first), the resend is rejected.
     *
     * @throws DonationRejectedException for bad input; nothing stored
     * @throws io.otpj.core.CallException if the processor is not running, does not answer or
     *     crashed; send the donation again with the same id
     */
    public static void addDonation(ServerRef processor, Donation donation) {
        addDonation(processor, donation, GenServer.DEFAULT_CALL_TIMEOUT);
    }

    /** Like {@link #addDonation(ServerRef, Donation)} with another timeout. */
    public static void addDonation(ServerRef processor, Donation donation, Duration timeout) {
        Object reply = GenServer.call(processor, new AddDonation(Objects.requireNonNull(donation, "donation must not be null")),
                timeout);
        if (reply instanceof Rejected(Rejection r)) {
            throw r.toException();
        }
    }

    /** Runs a batch now ({@code process_batch}). */
    public static BatchReport processBatch(ServerRef processor) {
        return GenServer.call(processor, new ProcessBatch(), Duration.ofSeconds(30));
    }

    /** @return the processor's status ({@code get_status}) */
    public static Status getStatus(ServerRef processor) {
        return GenServer.call(processor, new GetStatus());
    }

    /** @return the latest processed donations and failures, newest first */
    public static Recent recent(ServerRef processor) {
        return GenServer.call(processor, new GetRecent());
    }

    /** The latest settled donations, newest first. */
    public record Recent(List<Donation> processed, List<DonationRecord> failed) {}

    // ------------------------------------------------------------------ callbacks

    /**
     * OTP's {@code format_status}: crash reports and traces show counts, never a donor. A donation
     * being added, or its commit coming back, shows as {@link Donation#redacted()}.
     */
    @Override
    public GenServer.Status formatStatus(GenServer.Status status) {
        Object state = status.state() instanceof State s
                ? "DonationProcessorServer[currency=" + s.currency + ", pending=" + s.pending.size() + ", committing="
                        + s.inFlight.size() + ", processed="
                        + s.processedCount + ", failed=" + s.failedCount + ", total=" + s.totalAmount + "]"
                : status.state();
        Object message = switch (status.message()) {
            case AddDonation(Donation d) -> "AddDonation[" + d.redacted() + "]";
            case Committed(Donation d, DonationRepository.Stored stored, Throwable error) -> "Committed[" + d.redacted()
                    + (error == null ? ", status=" + stored.record().status() : ", error=" + error.getClass().getSimpleName()) + "]";
            case null, default -> status.message();
        };
        return new GenServer.Status(state, message);
    }

    @Override
    public InitResult<State> init(Options o) {
        Optional<Campaign> campaign = o.db().campaigns().find(o.campaignId());
        if (campaign.isEmpty()) {
            return errorInit(ExitReason.of(new CampaignServer.NotFound(o.campaignId())));
        }
        State s = new State(o, campaign.get().currency());
        for (Donation d : o.db().donations().findPending(o.campaignId())) {
            s.pending.put(d.id(), d);
        }
        if (!s.pending.isEmpty()) {
            LOG.info("donation_processor_reloaded campaign={} pending={}", o.campaignId(), s.pending.size());
        }
        s.timer = Proc.sendAfter(Proc.self(), TICK, o.batchInterval());
        return ok(s, s.pending.size() >= o.batchSize() ? Action.continueWith(new SizeReached()) : Action.none());
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case AddDonation(Donation d) -> {
                Optional<Rejection> bad = check(d, s);
                if (bad.isPresent()) {
                    yield reply(new Rejected(bad.get()), s);
                }
                if (s.pending.containsKey(d.id())) {
                    yield reply(new Accepted(), s); // a resend of a donation already stored
                }
                InFlight f = s.inFlight.get(d.id());
                if (f != null) {
                    f.waiting().add(from); // a resend while the first is being committed: one answer for both
                    yield noreply(s);
                }
                List<From> waiting = new ArrayList<>(1);
                waiting.add(from);
                s.inFlight.put(d.id(), new InFlight(d, waiting));
                // Answered from handleInfo once the commit that holds it has happened: the server
                // takes the next donation meanwhile, so donations that arrive together share a commit.
                Pid self = Proc.self();
                s.options.db().donations().insertPendingAsync(d)
                        .whenComplete((stored, error) -> Proc.send(self, new Committed(d, stored, error)));
                yield noreply(s);
            }
            case ProcessBatch p -> reply(process(s), s);
            case GetStatus g -> reply(new Status(s.options.campaignId(), s.pending.size(), s.processedCount, s.failedCount,
                    s.totalAmount, Optional.ofNullable(s.lastProcessed), s.errorCount), s);
            case GetRecent r -> reply(new Recent(List.copyOf(s.processed), List.copyOf(s.failed)), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleContinue(Object arg, State s) throws Exception {
        if (arg instanceof SizeReached) {
            process(s);
            return noreply(s);
        }
        return GenServer.super.handleContinue(arg, s);
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        if (message instanceof Committed(Donation d, DonationRepository.Stored stored, Throwable error)) {
            InFlight f = s.inFlight.remove(d.id());
            Object answer = committed(d, stored, error, s);
            for (From from : f.waiting()) {
                from.reply(answer);
            }
            return noreply(s, afterAdd(s));
        }
        if (message instanceof IdleTimeout) {
            // Nothing arrived for idleFlush: count what is pending now rather than at the next tick.
            if (!s.pending.isEmpty()) {
                process(s);
            }
            return noreply(s);
        }
        if (message instanceof Tick) {
            process(s);
            s.timer = Proc.sendAfter(Proc.self(), TICK, s.options.batchInterval());
            return noreply(s);
        }
        return GenServer.super.handleInfo(message, s);
    }

    @Override
    public void terminate(ExitReason reason, State s) {
        // Nothing to flush: pending donations are stored, and donations still being committed
        // are answered by the server's death (their callers send again).
        if (s.timer != null) {
            s.timer.cancel();
        }
    }

    // ------------------------------------------------------------------ internals

    /**
     * What to do after a donation is in: a batch at once when the batch is full; else, with
     * donations pending, wait at most {@code idleFlush} for the next message (OTP's timeout in a
     * callback's result); else nothing.
     */
    private static Action afterAdd(State s) {
        if (s.pending.size() >= s.options.batchSize()) {
            return Action.continueWith(new SizeReached());
        }
        return s.pending.isEmpty() ? Action.none() : Action.timeout(s.options.idleFlush());
    }

    /** The checks that need no database: campaign, amount, an id reused by another donation. */
    private static Optional<Rejection> check(Donation d, State s) {
        String campaignId = s.options.campaignId();
        if (!d.campaignId().equals(campaignId)) {
            return Optional.of(new Rejection(Rejection.Reason.WRONG_CAMPAIGN,
                    "donation " + d.id() + " is for campaign " + d.campaignId() + ", not " + campaignId));
        }
        Optional<Rejection> bad = d.checkAmount(s.currency);
        if (bad.isPresent()) {
            return bad;
        }
        Donation known = s.pending.get(d.id());
        if (known == null && s.inFlight.get(d.id()) instanceof InFlight f) {
            known = f.donation();
        }
        if (known != null && !known.sameAs(d)) {
            return Optional.of(new Rejection(Rejection.Reason.DUPLICATE_ID,
                    "donation id " + d.id() + " is already used by another donation"));
        }
        return Optional.empty();
    }

    /**
     * Takes the group commit's outcome into the state. @return the answer for the waiting callers
     * @throws RuntimeException a database failure, which crashes the server as a failed write in a
     *     call would: its callers get {@code ServerExitedException} and send again
     */
    private static Object committed(Donation d, DonationRepository.Stored stored, Throwable error, State s) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof DonationRejectedException e) {
                return new Rejected(e.rejection());
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("storing donation " + d.id() + " failed", cause);
        }
        return switch (stored.record().status()) {
            case PENDING -> {
                s.pending.put(d.id(), stored.record().donation());
                yield new Accepted();
            }
            case PROCESSED -> new Accepted();
            // A resend of a donation that failed: it was never counted, so ok would mislead the donor.
            case FAILED -> new Rejected(Rejection.failedEarlier(stored.record()));
        };
    }

    /**
     * Settles the pending donations through the campaign server, a batch at a time. Donations
     * the campaign defers (it is paused) stay pending; a campaign server that does not answer
     * ends the run, leaving the rest pending for the next one.
     */
    private static BatchReport process(State s) {
        int ok = 0;
        int bad = 0;
        Options o = s.options;
        List<String> ids = List.copyOf(s.pending.keySet());
        for (int from = 0; from < ids.size(); from += o.batchSize()) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + o.batchSize()));
            CampaignRepository.BatchOutcome outcome;
            try {
                outcome = CampaignServer.processPending(o.campaignServer(), chunk, o.campaignTimeout());
            } catch (CallException e) {
                s.errorCount++;
                LOG.warn("donation_batch_deferred campaign={} pending={} reason={}", o.campaignId(), s.pending.size(),
                        e.reason());
                break;
            }
            for (DonationRecord r : outcome.settled()) {
                Donation d = s.pending.remove(r.donation().id());
                if (d == null) {
                    continue;
                }
                if (r.status() == DonationStatus.PROCESSED) {
                    s.totalAmount = s.totalAmount.plus(d.amount());
                    s.processedCount++;
                    DonationProcessor.push(s.processed, d, o.historyLimit());
                    ok++;
                } else {
                    s.failedCount++;
                    DonationProcessor.push(s.failed, r, o.historyLimit());
                    bad++;
                }
            }
            for (String id : outcome.missing()) {
                s.pending.remove(id);
                LOG.error("donation_missing campaign={} donation={} detail=pending donation not in the database", o.campaignId(), id);
            }
            s.lastProcessed = Instant.now();
        }
        return new BatchReport(ok, bad, s.pending.size());
    }
}
