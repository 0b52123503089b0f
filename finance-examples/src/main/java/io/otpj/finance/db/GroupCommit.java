package io.otpj.finance.db;

import io.otpj.core.Pid;
import io.otpj.finance.db.DonationRepository.Stored;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of donations: the seed's "batch operations" at the database. Donations stored
 * with {@link DonationRepository#insertPendingAsync} (as {@code PENDING}, for a donation
 * processor) or recorded with {@link CampaignRepository#recordDonationAsync} (as {@code
 * PROCESSED} and counted in the campaign's total, for a campaign server) queue here; one writer thread takes
 * everything queued (up to {@link #MAX_BATCH}) and stores it in <em>one</em> transaction, and
 * each donation's future completes only after the commit that holds it. While a batch commits,
 * the next one gathers, so the batch size follows the load: one donation per commit when they
 * come one at a time, hundreds under load, and the commit cost (a new file chunk in H2, a WAL
 * flush in PostgreSQL) is paid once per batch instead of once per donation. Settles of pending
 * donations ({@link CampaignRepository#processPending}, a donation processor's batch through its
 * campaign server) queue here too and run in the same transaction, after its inserts: each
 * pending donation is then written twice (stored, settled) but committed with others both times,
 * and the settles of every campaign share one commit instead of one each.
 *
 * <p>What a batch checks, in its transaction, as {@link DonationRepository#insertPending} does
 * for one: the campaign exists and takes the donation (its row read {@code FOR UPDATE}, in
 * campaign id order, so a concurrent close or settle of that campaign is serialised with the
 * batch and a donation is never stored pending in a campaign closed before it committed); an
 * id already stored is a retry (the stored record is the result) or, for another donation, a
 * {@code DUPLICATE_ID} rejection; two donations with one id in the same batch are treated the
 * same way. A recorded donation is also added to its campaign's running total, one update per
 * campaign per batch, and its result carries the campaign just after it, as if the batch's
 * donations had been committed one by one in submission order (the batch's settles run after
 * all of them); a recorded retry of a stored donation counts nothing and
 * carries the campaign too, a retry of a {@code FAILED} one is rejected as
 * {@link CampaignRepository#recordDonation} rejects it. A rejected donation fails only its own future. If the batch's insert itself fails
 * (a constraint the checks did not foresee, a lost connection), it is rolled back and each of its
 * donations is stored again in a transaction of its own, so one bad row never fails the others.
 *
 * <p>A settle runs {@link CampaignRepository#processPending}'s checks on the rows as the batch
 * left them (a donation stored pending by an earlier batch, a campaign row with the batch's
 * counted donations added); one for a campaign that does not exist fails its own future with
 * {@link IllegalArgumentException}. If the batch fails as a whole, each settle runs again in a
 * transaction of its own, in its campaign's lane.
 *
 * <p>Dead submitters: a donation or settle whose submitting process died before its batch began is not
 * stored (its future fails), as {@link Database}'s lanes skip a dead process's work: a restarted
 * processor's reload must not be followed by a write of its predecessor. {@link #flush} waits for
 * every batch that began before it was called; the reload of a campaign's pending donations
 * calls it first, so a donation committed by the predecessor is always in the reload.
 *
 * <p>Threads: {@link #submit}, {@link #record}, {@link #settle} and {@link #flush} from any thread. The queue is a
 * {@link LinkedBlockingQueue} (its own lock orders each submission before the writer's take);
 * every other field is the writer thread's. {@link #close} stops taking submissions, lets the
 * writer finish what is queued, and waits for it; a submission racing with it is either stored
 * or refused as closed, never left unanswered, and a flush racing with it or after it waits for
 * the writer to end (so it still returns only once what came before it is stored or refused).
 *
 * <p>A writer killed by what its batch code does not handle (an {@link Error}: that code catches
 * {@link SQLException} and {@link RuntimeException} where a batch can fail) is as good as a close: the group commit refuses submissions
 * from then on, saying why; the work it held fails with an outcome unknown (its transaction may
 * or may not have committed: a reload tells), and everything queued behind it is refused, so no
 * future is left unanswered and no flush blocks.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /**
     * The most donations and settles in one transaction (a settle counts as one, whatever the
     * number of donations it names: a processor's batch size bounds those).
     */
    static final int MAX_BATCH = 512;

    /**
     * A donation to store, and who waits for it: {@code counted} for a recorded one (its future
     * takes a {@link CampaignRepository.Recorded}), else a pending one (a {@link Stored}).
     */
    private record Item(Donation donation, Pid submitter, boolean counted, CompletableFuture<Object> result) {}

    /**
     * A settle of pending donations of one campaign ({@link CampaignRepository#processPending}):
     * run in the batch's transaction after its donations are inserted.
     */
    private record Settle(String campaignId, List<String> ids, Pid submitter, CompletableFuture<CampaignRepository.BatchOutcome> result) {}

    /** Completes once every batch begun before it was queued has ended. */
    private record Barrier(CompletableFuture<Void> done) {}

    private static final Object STOP = new Object();

    private final DataSource pool;
    private final DonationRepository donations;
    private final CampaignRepository campaigns;
    private final LinkedBlockingQueue<Object> queue;
    private final Thread writer;
    /** Set once by {@link #close} or by the writer's death; read by submitters (volatile). */
    private volatile boolean closed;
    /**
     * What killed the writer, or null: written once by the writer before it sets {@link #closed},
     * read by submitters. When the death is what closes the group commit, a submitter that reads
     * {@code closed == true} reads it too; after a {@link #close} the writer may still die in its
     * last batch, and a submitter refused meanwhile says only "closed".
     */
    private volatile Throwable died;
    // Written by the writer thread only, read by anyone through stats() (volatile, single writer).
    private volatile long batches;
    private volatile long stored;
    private volatile long settled;
    private volatile int largest;

    /**
     * What the batches did so far.
     *
     * @param batches transactions committed
     * @param donations donations they stored or answered (retries and rejections included)
     * @param largestBatch the most donations in one of them
     * @param settles settles they ran
     */
    record Stats(long batches, long donations, int largestBatch, long settles) {}

    GroupCommit(DataSource pool, DonationRepository donations, CampaignRepository campaigns, String name) {
        this(pool, donations, campaigns, name, new LinkedBlockingQueue<>());
    }

    /** With the queue given (empty; tests hold a submitter between its check and its enqueue with it). */
    GroupCommit(DataSource pool, DonationRepository donations, CampaignRepository campaigns, String name,
            LinkedBlockingQueue<Object> queue) {
        this.pool = pool;
        this.queue = queue;
        this.donations = donations;
        this.campaigns = campaigns;
        this.writer = Thread.ofPlatform().daemon().name("finance-group-commit-" + name).unstarted(this::run);
        writer.start();
    }

    /** Queues {@code d} to be stored pending; @return its future, completed after the commit that holds it */
    CompletableFuture<Stored> submit(Donation d, Pid submitter) {
        return enqueue(d, submitter, false).thenApply(Stored.class::cast);
    }

    /** Queues {@code d} to be stored processed and counted; @return its future, completed after the commit */
    CompletableFuture<CampaignRepository.Recorded> record(Donation d, Pid submitter) {
        return enqueue(d, submitter, true).thenApply(CampaignRepository.Recorded.class::cast);
    }

    private CompletableFuture<Object> enqueue(Donation d, Pid submitter, boolean counted) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Item item = new Item(d, submitter, counted, f);
        if (closed || !enqueued(item)) {
            f.completeExceptionally(closedError(item));
        }
        return f;
    }

    /**
     * Queues a settle of {@code ids} (distinct) of campaign {@code campaignId}, to run in the
     * next batch's transaction (called on the writer thread itself, from a callback of a batch's
     * future, it runs in a transaction of its own in the campaign's lane instead).
     *
     * @return its future, completed after the commit that holds it; failed with
     *     {@link IllegalArgumentException} if there is no such campaign (nothing written), with
     *     {@link DatabaseException} if the submitter died before its batch began or the database
     *     is closed (nothing written either), or if the batch failed and the settle's own
     *     transaction failed too
     */
    CompletableFuture<CampaignRepository.BatchOutcome> settle(String campaignId, List<String> ids, Pid submitter) {
        CompletableFuture<CampaignRepository.BatchOutcome> f = new CompletableFuture<>();
        if (Thread.currentThread() == writer) {
            // From a callback of a batch's future: the writer cannot wait for its own next batch.
            try {
                f.complete(campaigns.processPendingAlone(campaignId, List.copyOf(ids)));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
            return f;
        }
        Settle settle = new Settle(campaignId, List.copyOf(ids), submitter, f);
        if (closed || !enqueued(settle)) {
            f.completeExceptionally(closedError(settle));
        }
        return f;
    }

    /** @return why {@code work} (an {@link Item} or a {@link Settle}) is refused once the database is closed: nothing written */
    private DatabaseException closedError(Object work) {
        String what = what(work, "was not stored", "were not settled");
        Throwable cause = died;
        if (cause != null) {
            return new DatabaseException("the database's group commit stopped (its writer died of " + cause + "): "
                    + what, cause);
        }
        return new DatabaseException("the database is closed: " + what, null);
    }

    /** @return why {@code work}, which the writer held when it died, has no known outcome */
    private static DatabaseException unknownOutcome(Object work, Throwable cause) {
        String what = what(work, "may or may not have been stored", "may or may not have been settled");
        return new DatabaseException("the database's group commit writer died of " + cause + " during its batch: "
                + what + " (a reload of the campaign tells)", cause);
    }

    /** @return {@code work} (an {@link Item} or a {@link Settle}) named, then what became of it */
    private static String what(Object work, String ofADonation, String ofASettle) {
        return switch (work) {
            case Item i -> "donation " + i.donation().id() + " " + ofADonation;
            case Settle st -> st.ids().size() + " donations of " + st.campaignId() + " " + ofASettle;
            default -> throw new IllegalArgumentException("not a submission: " + work);
        };
    }

    /** @return what the batches did so far */
    Stats stats() {
        return new Stats(batches, stored, largest, settled);
    }

    /** @return submissions not yet taken by the writer */
    int queued() {
        return queue.size();
    }

    /**
     * Waits until every donation and settle submitted before this call has been committed or
     * refused (at once on the writer thread itself, from a callback of a batch's future). Once
     * the group commit is closed it waits for the writer to end instead, with no time limit: by
     * then the writer has stored or refused everything queued. The wait for a barrier ignores
     * interrupts; the wait for the writer's end returns at an interrupt, with the thread's
     * interrupt status set.
     */
    void flush() {
        if (Thread.currentThread() == writer) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!closed && enqueued(new Barrier(done))) {
            done.join();
            return;
        }
        // Closed (the barrier, if queued, was withdrawn): what came before this call is queued
        // ahead of the stop, or was taken already; the writer ends once it has answered it all.
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Adds {@code work} to the queue, unless a {@link #close} that raced with its submitter has
     * already let the writer go.
     *
     * <p>Why the second read of {@link #closed}: a submitter that read it {@code false} may add
     * its work after the writer's last drain (behind the stop), where nobody would ever answer
     * it. {@code close} writes {@code closed} before it adds the stop, and both adds go through
     * the queue's lock, so a submitter whose add lands behind the stop reads {@code true} here.
     * It then takes its work back out: the queue's {@code remove} and the writer's {@code take},
     * {@code drainTo} and {@code poll} are atomic under the queue's lock, so exactly one of the
     * two has it and answers it. What the writer took in a batch (before the stop, or behind it
     * in the same drain) it stores; what it finds after its last batch it refuses. Work added
     * before the stop may be withdrawn too (refused, nothing written) if its submitter removes
     * it before the writer takes it.
     *
     * @return {@code true} if the writer will answer {@code work}; {@code false} if the caller must
     *     (the database is closed, nothing of it was written)
     */
    private boolean enqueued(Object work) {
        queue.add(work);
        return !closed || !queue.remove(work);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Object> taken = new ArrayList<>(MAX_BATCH);
        List<Item> batch = new ArrayList<>(MAX_BATCH);
        List<Settle> settles = new ArrayList<>();
        try {
            loop(taken, batch, settles);
        } catch (Throwable t) { // an Error, say: the batch's code handles SQL and runtime failures itself
            died = t; // before closed: a submitter that reads closed == true set by this death reads why
            closed = true;
            // Answered before anything is logged: under an OutOfMemoryError the log line (or a
            // message) may fail too, and what was held must not stay unanswered.
            for (Object o : taken) { // what it held: batch and settles are drawn from it
                refuse(o, w -> unknownOutcome(w, t), t);
            }
            try {
                LOG.error("group_commit_writer_died error={} held={} detail=the group commit refuses submissions from now"
                        + " on; what it held has an unknown outcome", t.getClass().getName(), taken.size(), t);
            } catch (Throwable logFailed) {
                t.addSuppressed(logFailed); // nothing else to do with it: the answers are out
            }
        } finally {
            refuseTheRest();
        }
        LOG.info("group_commit_stopped batches={} donations={} settles={} largest_batch={}", batches, stored, settled, largest);
    }

    /** Takes batches until the stop (what came before it is still stored). */
    private void loop(List<Object> taken, List<Item> batch, List<Settle> settles) {
        boolean stop = false;
        while (!stop) {
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread but the JVM's end; keep draining
            }
            queue.drainTo(taken, MAX_BATCH - 1); // a settle counts as one (see MAX_BATCH)
            for (Object o : taken) {
                switch (o) {
                    case Item i -> batch.add(i);
                    case Settle st -> settles.add(st);
                    case Barrier b -> {
                        // Everything queued before the barrier is in this batch or an earlier one.
                        commit(batch, settles);
                        batch.clear();
                        settles.clear();
                        b.done().complete(null);
                    }
                    default -> stop = true; // STOP: what came before it is still stored
                }
            }
            commit(batch, settles);
            taken.clear(); // after the commit: on an Error, what is held is what is taken
            batch.clear();
            settles.clear();
        }
    }

    /**
     * After the last batch (closed is set): whatever came behind the stop, or is queued when the
     * writer died, is refused, and flushes are let go. A submission added after this drain is
     * withdrawn and refused by its submitter ({@link #enqueued}).
     */
    private void refuseTheRest() {
        for (Object o; (o = queue.poll()) != null; ) {
            refuse(o, this::closedError, died);
        }
    }

    /**
     * Answers {@code o} without storing it: a donation's or settle's future fails with {@code
     * why}'s exception for it, or with {@code fallback} (or the failure to make it) if making it
     * fails, an answer even under an OutOfMemoryError; a barrier is let go; the stop is ignored.
     */
    private static void refuse(Object o, java.util.function.Function<Object, ? extends Throwable> why, Throwable fallback) {
        switch (o) {
            case Item i -> fail(i.result(), o, why, fallback);
            case Settle st -> fail(st.result(), o, why, fallback);
            case Barrier b -> b.done().complete(null);
            default -> { } // the stop
        }
    }

    private static void fail(CompletableFuture<?> f, Object work, java.util.function.Function<Object, ? extends Throwable> why,
            Throwable fallback) {
        try {
            f.completeExceptionally(why.apply(work));
        } catch (Throwable cannot) {
            f.completeExceptionally(fallback != null ? fallback : cannot);
        }
    }

    /**
     * Stores {@code batch} and runs {@code settles} in one transaction, or each on its own if that
     * fails.
     */
    private void commit(List<Item> batch, List<Settle> settles) {
        if (batch.isEmpty() && settles.isEmpty()) {
            return;
        }
        List<Settle> liveSettles = new ArrayList<>(settles.size());
        for (Settle st : settles) {
            if (!skippedAsDead(st)) {
                liveSettles.add(st);
            }
        }
        List<Item> live = new ArrayList<>(batch.size());
        for (Item i : batch) {
            if (!skippedAsDead(i)) {
                live.add(i);
            }
        }
        if (live.isEmpty() && liveSettles.isEmpty()) {
            return;
        }
        Map<Object, Object> outcomes;
        try {
            outcomes = inOneTransaction(live, liveSettles);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("group_commit_batch_failed size={} settles={} error={} reason={} detail=storing each donation and settle on its own",
                    live.size(), liveSettles.size(), e.getClass().getSimpleName(),
                    Durability.redact(String.valueOf(e.getMessage())));
            oneByOne(live, liveSettles);
            return;
        }
        batches++;
        stored += live.size();
        settled += liveSettles.size();
        largest = Math.max(largest, live.size());
        // Completed after the commit, in submission order.
        for (Item i : live) {
            Object o = outcomes.get(i);
            if (o instanceof Throwable t) {
                i.result().completeExceptionally(t);
            } else {
                i.result().complete(o);
            }
        }
        for (Settle st : liveSettles) {
            Object o = outcomes.get(st);
            if (o instanceof Throwable t) {
                st.result().completeExceptionally(t);
            } else {
                st.result().complete((CampaignRepository.BatchOutcome) o);
            }
        }
    }

    /**
     * Fails {@code o}'s future if its submitting process is dead (nothing written).
     *
     * @param o an {@link Item} or a {@link Settle}
     * @return whether it was skipped
     */
    private static boolean skippedAsDead(Object o) {
        switch (o) {
            case Item i when i.submitter() != null && !i.submitter().isAlive() -> {
                i.result().completeExceptionally(new DatabaseException("skipped storing donation " + i.donation().id()
                        + ": the process " + i.submitter() + " that asked for it died before it ran; nothing was written",
                        null));
                return true;
            }
            case Settle st when st.submitter() != null && !st.submitter().isAlive() -> {
                st.result().completeExceptionally(new DatabaseException("skipped settling " + st.ids().size()
                        + " donations of " + st.campaignId() + ": the process " + st.submitter()
                        + " that asked for it died before it ran; nothing was written", null));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * @return per item, its {@link Stored} or {@code Recorded}, per settle its {@code BatchOutcome},
     *     or the exception its future fails with; committed
     */
    private Map<Object, Object> inOneTransaction(List<Item> live, List<Settle> settles) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                Map<Object, Object> out = decideAndInsert(c, live, settles);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        }
    }

    private static Map<Object, Object> decideAndInsert(Connection c, List<Item> live, List<Settle> settles)
            throws SQLException {
        // Campaign rows first, locked, in id order: a batch and a close of the same campaign (or
        // another JVM's batch) wait for each other instead of interleaving.
        Map<String, Optional<Campaign>> campaigns = new TreeMap<>();
        for (Item i : live) {
            campaigns.put(i.donation().campaignId(), Optional.empty());
        }
        for (Settle st : settles) {
            campaigns.put(st.campaignId(), Optional.empty());
        }
        CampaignRepository.selectForUpdate(c, List.copyOf(campaigns.keySet()))
                .forEach((id, found) -> campaigns.put(id, Optional.of(found)));
        List<String> ids = new ArrayList<>(live.size());
        for (Item i : live) {
            ids.add(i.donation().id());
        }
        Map<String, DonationRecord> stored = ids.isEmpty() ? Map.of() : DonationRepository.selectAll(c, ids);
        Map<Object, Object> out = new HashMap<>();
        Map<String, DonationRecord> inThisBatch = new HashMap<>();
        List<Item> toInsert = new ArrayList<>(live.size());
        // Per campaign, as the batch has left it so far, in submission order: each recorded
        // donation's result is its campaign just after it, as if the batch's donations had been
        // committed one by one in that order (the row is locked for the whole batch, so this is
        // what the database holds at the commit for the last of them).
        Map<String, Campaign> running = new HashMap<>();
        for (Item i : live) {
            Donation d = i.donation();
            DonationRecord existing = inThisBatch.get(d.id());
            if (existing == null) {
                existing = stored.get(d.id());
            }
            if (existing != null) {
                Object o = retry(i, existing);
                if (o instanceof DonationStatus status) {
                    Campaign now = running.computeIfAbsent(d.campaignId(), id -> campaigns.get(id).orElseThrow(() ->
                            new IllegalStateException("donation " + d.id() + " is stored for campaign " + id + ", which is gone")));
                    o = new CampaignRepository.Recorded(now, status, true);
                }
                out.put(i, o);
                continue;
            }
            Optional<Campaign> campaign = campaigns.get(d.campaignId());
            if (campaign.isEmpty()) {
                out.put(i, new Rejection(Rejection.Reason.UNKNOWN_CAMPAIGN, "no campaign " + d.campaignId()).toException());
                continue;
            }
            Optional<Rejection> bad = d.check(campaign.get());
            if (bad.isPresent()) {
                out.put(i, bad.get().toException());
                continue;
            }
            DonationStatus status = i.counted() ? DonationStatus.PROCESSED : DonationStatus.PENDING;
            inThisBatch.put(d.id(), new DonationRecord(d, status, Optional.empty()));
            toInsert.add(i);
            if (i.counted()) {
                Campaign before = running.getOrDefault(d.campaignId(), campaign.get());
                Campaign after = new Campaign(before.id(), before.name(), before.goal(), before.current().plus(d.amount()),
                        before.donationCount() + 1, before.status());
                running.put(d.campaignId(), after);
                out.put(i, new CampaignRepository.Recorded(after, DonationStatus.PROCESSED, false));
            } else {
                out.put(i, new Stored(new DonationRecord(d, DonationStatus.PENDING, Optional.empty()), true));
            }
        }
        if (!toInsert.isEmpty()) {
            Instant now = Instant.now();
            // Per campaign, in id order: what the recorded donations add to its total.
            Map<String, Money> added = new TreeMap<>();
            Map<String, Long> count = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(DonationRepository.INSERT)) {
                for (Item i : toInsert) {
                    Donation d = i.donation();
                    if (i.counted()) {
                        DonationRepository.bindInsert(ps, d, DonationStatus.PROCESSED, now);
                        added.merge(d.campaignId(), d.amount(), Money::plus);
                        count.merge(d.campaignId(), 1L, Long::sum);
                    } else {
                        DonationRepository.bindInsert(ps, d, DonationStatus.PENDING, null);
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            if (!added.isEmpty()) {
                CampaignRepository.addToTotals(c, added, count);
            }
        }
        // Settles last, in submission order: each sees the batch's donations and the settles
        // before it (its campaign's row is locked by this transaction since the start).
        for (Settle st : settles) {
            if (campaigns.get(st.campaignId()).isEmpty()) {
                out.put(st, new IllegalArgumentException("no campaign " + st.campaignId()));
            } else {
                out.put(st, CampaignRepository.settle(c, st.campaignId(), st.ids()));
            }
        }
        return out;
    }

    /**
     * The outcome of an item whose id is stored already (or earlier in this batch): a {@link
     * Stored}, an exception, or for a recorded retry the stored status.
     */
    private static Object retry(Item i, DonationRecord existing) {
        Donation d = i.donation();
        if (!existing.donation().sameAs(d)) {
            return duplicate(d);
        }
        if (!i.counted()) {
            return new Stored(existing, false);
        }
        if (existing.status() == DonationStatus.FAILED) {
            return Rejection.failedEarlier(existing).toException();
        }
        return existing.status(); // a recorded retry: the caller adds the campaign as it stands
    }

    private static DonationRejectedException duplicate(Donation d) {
        return new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + d.id() + " is already used by another donation")
                .toException();
    }

    /**
     * The fallback: each donation in its own transaction, with {@link DonationRepository#insertPending}'s
     * or {@link CampaignRepository#recordDonation}'s checks, then each settle in one of its own.
     * A submitter that died meanwhile (while the failed batch ran) is skipped here too: its work
     * never lands after its death.
     */
    private void oneByOne(List<Item> live, List<Settle> settles) {
        for (Item i : live) {
            if (skippedAsDead(i)) {
                continue;
            }
            try {
                i.result().complete(i.counted() ? campaigns.recordDonation(i.donation()) : donations.insertPending(i.donation()));
            } catch (RuntimeException e) {
                i.result().completeExceptionally(e);
            }
        }
        for (Settle st : settles) {
            if (skippedAsDead(st)) {
                continue;
            }
            try {
                st.result().complete(campaigns.processPendingAlone(st.campaignId(), st.ids()));
            } catch (RuntimeException e) {
                st.result().completeExceptionally(e);
            }
        }
    }
}
