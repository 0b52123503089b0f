package io.otpj.finance.db;

import io.otpj.core.Pid;
import io.otpj.finance.db.DonationRepository.Stored;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Rejection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
 * Group commit of pending donations: the seed's "batch operations" at the database. Donations
 * stored with {@link DonationRepository#insertPendingAsync} queue here; one writer thread takes
 * everything queued (up to {@link #MAX_BATCH}) and stores it in <em>one</em> transaction, and
 * each donation's future completes only after the commit that holds it. While a batch commits,
 * the next one gathers, so the batch size follows the load: one donation per commit when they
 * come one at a time, hundreds under load, and the commit cost (a new file chunk in H2, a WAL
 * flush in PostgreSQL) is paid once per batch instead of once per donation.
 *
 * <p>What a batch checks, in its transaction, as {@link DonationRepository#insertPending} does
 * for one: the campaign exists and takes the donation (its row read {@code FOR UPDATE}, in
 * campaign id order, so a concurrent close or settle of that campaign is serialised with the
 * batch and a donation is never stored pending in a campaign closed before it committed); an
 * id already stored is a retry (the stored record is the result) or, for another donation, a
 * {@code DUPLICATE_ID} rejection; two donations with one id in the same batch are treated the
 * same way. A rejected donation fails only its own future. If the batch's insert itself fails
 * (a constraint the checks did not foresee, a lost connection), it is rolled back and each of its
 * donations is stored again in a transaction of its own, so one bad row never fails the others.
 *
 * <p>Dead submitters: a donation whose submitting process died before its batch began is not
 * stored (its future fails), as {@link Database}'s lanes skip a dead process's work: a restarted
 * processor's reload must not be followed by a write of its predecessor. {@link #flush} waits for
 * every batch that began before it was called; the reload of a campaign's pending donations
 * calls it first, so a donation committed by the predecessor is always in the reload.
 *
 * <p>Threads: {@link #submit} and {@link #flush} from any thread. The queue is a
 * {@link LinkedBlockingQueue} (its own lock orders each submission before the writer's take);
 * every other field is the writer thread's. {@link #close} stops taking submissions, lets the
 * writer finish what is queued, and waits for it.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** The most donations in one transaction. */
    static final int MAX_BATCH = 512;

    /** A donation to store, and who waits for it. */
    private record Item(Donation donation, Pid submitter, CompletableFuture<Stored> result) {}

    /** Completes once every batch begun before it was queued has ended. */
    private record Barrier(CompletableFuture<Void> done) {}

    private static final Object STOP = new Object();

    private final DataSource pool;
    private final DonationRepository donations;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /** Set once by {@link #close}; read by submitters (volatile). */
    private volatile boolean closed;
    // Written by the writer thread only, read by anyone through stats() (volatile, single writer).
    private volatile long batches;
    private volatile long stored;
    private volatile int largest;

    /**
     * What the batches did so far.
     *
     * @param batches transactions committed
     * @param donations donations they stored or answered (retries and rejections included)
     * @param largestBatch the most donations in one of them
     */
    record Stats(long batches, long donations, int largestBatch) {}

    GroupCommit(DataSource pool, DonationRepository donations, String name) {
        this.pool = pool;
        this.donations = donations;
        this.writer = Thread.ofPlatform().daemon().name("finance-group-commit-" + name).unstarted(this::run);
        writer.start();
    }

    /** Queues {@code d}; @return its future, completed after the commit that holds it */
    CompletableFuture<Stored> submit(Donation d, Pid submitter) {
        CompletableFuture<Stored> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new DatabaseException("the database is closed: donation " + d.id() + " was not stored",
                    null));
            return f;
        }
        queue.add(new Item(d, submitter, f));
        return f;
    }

    /** @return what the batches did so far */
    Stats stats() {
        return new Stats(batches, stored, largest);
    }

    /** @return submissions not yet taken by the writer */
    int queued() {
        return queue.size();
    }

    /** Waits until every donation submitted before this call has been committed or refused. */
    void flush() {
        if (Thread.currentThread() == writer || closed) {
            return; // closed: the writer stores everything queued before its stop, and lets later flushes go
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Barrier(done));
        done.join();
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
        boolean stop = false;
        while (!stop) {
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread but the JVM's end; keep draining
            }
            queue.drainTo(taken, MAX_BATCH - 1);
            for (Object o : taken) {
                switch (o) {
                    case Item i -> batch.add(i);
                    case Barrier b -> {
                        // Everything queued before the barrier is in this batch or an earlier one.
                        commit(batch);
                        batch.clear();
                        b.done().complete(null);
                    }
                    default -> stop = true; // STOP: what came before it is still stored
                }
            }
            taken.clear();
            commit(batch);
            batch.clear();
        }
        // Whatever raced with close behind the stop: refused, and flushes let go.
        for (Object o; (o = queue.poll()) != null; ) {
            switch (o) {
                case Item i -> i.result().completeExceptionally(new DatabaseException("the database is closed: donation "
                        + i.donation().id() + " was not stored", null));
                case Barrier b -> b.done().complete(null);
                default -> { }
            }
        }
        LOG.info("group_commit_stopped batches={} donations={} largest_batch={}", batches, stored, largest);
    }

    /** Stores {@code batch} in one transaction, or one by one if that fails. */
    private void commit(List<Item> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Item> live = new ArrayList<>(batch.size());
        for (Item i : batch) {
            if (i.submitter() != null && !i.submitter().isAlive()) {
                i.result().completeExceptionally(new DatabaseException("skipped storing donation " + i.donation().id()
                        + ": the process " + i.submitter() + " that asked for it died before it ran; nothing was written",
                        null));
            } else {
                live.add(i);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        Map<Item, Object> outcomes;
        try {
            outcomes = inOneTransaction(live);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("group_commit_batch_failed size={} error={} reason={} detail=storing each donation on its own",
                    live.size(), e.getClass().getSimpleName(), Durability.redact(String.valueOf(e.getMessage())));
            oneByOne(live);
            return;
        }
        batches++;
        stored += live.size();
        largest = Math.max(largest, live.size());
        // Completed after the commit, in submission order.
        for (Item i : live) {
            Object o = outcomes.get(i);
            if (o instanceof Stored s) {
                i.result().complete(s);
            } else {
                i.result().completeExceptionally((Throwable) o);
            }
        }
    }

    /** @return per item, its {@link Stored} or the exception its future fails with; committed */
    private Map<Item, Object> inOneTransaction(List<Item> live) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                Map<Item, Object> out = decideAndInsert(c, live);
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

    private static Map<Item, Object> decideAndInsert(Connection c, List<Item> live) throws SQLException {
        // Campaign rows first, locked, in id order: a batch and a close or settle of the same
        // campaign wait for each other instead of interleaving.
        Map<String, Optional<Campaign>> campaigns = new TreeMap<>();
        for (Item i : live) {
            campaigns.put(i.donation().campaignId(), null);
        }
        for (Map.Entry<String, Optional<Campaign>> e : campaigns.entrySet()) {
            e.setValue(CampaignRepository.select(c, e.getKey(), true));
        }
        Map<Item, Object> out = new HashMap<>();
        Map<String, Donation> inThisBatch = new HashMap<>();
        List<Item> toInsert = new ArrayList<>(live.size());
        for (Item i : live) {
            Donation d = i.donation();
            Donation earlier = inThisBatch.get(d.id());
            if (earlier != null) {
                out.put(i, earlier.sameAs(d) ? new Stored(new DonationRecord(earlier, DonationStatus.PENDING, Optional.empty()), false)
                        : duplicate(d));
                continue;
            }
            Optional<DonationRecord> existing = DonationRepository.select(c, d.id());
            if (existing.isPresent()) {
                out.put(i, existing.get().donation().sameAs(d) ? new Stored(existing.get(), false) : duplicate(d));
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
            inThisBatch.put(d.id(), d);
            toInsert.add(i);
        }
        if (!toInsert.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(DonationRepository.INSERT)) {
                for (Item i : toInsert) {
                    DonationRepository.bindInsert(ps, i.donation(), DonationStatus.PENDING, null);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            for (Item i : toInsert) {
                out.put(i, new Stored(new DonationRecord(i.donation(), DonationStatus.PENDING, Optional.empty()), true));
            }
        }
        return out;
    }

    private static DonationRejectedException duplicate(Donation d) {
        return new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + d.id() + " is already used by another donation")
                .toException();
    }

    /** The fallback: each donation in its own transaction, with {@link DonationRepository#insertPending}'s checks. */
    private void oneByOne(List<Item> live) {
        for (Item i : live) {
            try {
                i.result().complete(donations.insertPending(i.donation()));
            } catch (RuntimeException e) {
                i.result().completeExceptionally(e);
            }
        }
    }
}
