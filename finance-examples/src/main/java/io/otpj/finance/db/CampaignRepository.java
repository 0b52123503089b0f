package io.otpj.finance.db;

import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The campaigns table, and the two operations that count donations in a campaign's total.
 *
 * <p>A campaign's {@code current} amount and donation count are kept in its row and changed only
 * in the transaction that marks donations {@code PROCESSED}, so they always equal the sum and
 * count of its processed donations. Every method is one transaction, committed before it
 * returns. Work about one campaign runs in the order it was asked for (see {@link Database}),
 * except the group commit's ({@link #recordDonationAsync}, {@link #processPending}): those run
 * in the writer's batches, serialised with the lane's work by the campaign's row lock, and a
 * caller whose wait for one timed out or was interrupted may read the campaign before it lands
 * ({@link #findAfterWrites} waits for it).
 * Thread-safe.
 */
public final class CampaignRepository {

    private static final String COLUMNS =
            "id, name, goal_amount, currency, raised_amount, donation_count, status";

    private final Database db;

    CampaignRepository(Database db) {
        this.db = db;
    }

    /**
     * What {@link #recordDonation} did.
     *
     * @param campaign the campaign just after it, as if the donations of its batch had been
     *     committed one by one (a later donation or settle of the batch may add more)
     * @param status the donation's stored status ({@code PROCESSED} unless it was already
     *     stored, pending, by an earlier request; a retry of a failed donation is rejected instead)
     * @param duplicate whether the donation was already stored (a retry): nothing changed
     */
    public record Recorded(Campaign campaign, DonationStatus status, boolean duplicate) {}

    /**
     * What {@link #processPending} did.
     *
     * @param campaign the campaign just after it, in its batch (a later settle of the same
     *     campaign in the batch may add more)
     * @param settled the requested donations that are now processed or failed, whether this call
     *     or an earlier one settled them
     * @param deferred requested donations left pending because the campaign is paused
     * @param missing requested ids with no stored donation of this campaign
     */
    public record BatchOutcome(Campaign campaign, List<DonationRecord> settled, List<String> deferred, List<String> missing) {}

    /**
     * Stores a new campaign.
     *
     * @return the campaign as stored
     * @throws IllegalArgumentException if a campaign with that id exists
     */
    public Campaign create(Campaign campaign) {
        Objects.requireNonNull(campaign, "campaign must not be null");
        return db.transaction(Database.campaignLane(campaign.id()), "create campaign " + campaign.id(), c -> {
            if (select(c, campaign.id(), false).isPresent()) {
                throw new IllegalArgumentException("campaign " + campaign.id() + " already exists");
            }
            Instant now = Instant.now();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO campaigns (id, name, goal_amount, currency, "
                    + "raised_amount, donation_count, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, campaign.id());
                ps.setString(2, campaign.name());
                Sql.setMoney(ps, 3, campaign.goal());
                ps.setBigDecimal(5, campaign.current().amount());
                ps.setLong(6, campaign.donationCount());
                ps.setString(7, campaign.status().name());
                Sql.setInstant(ps, 8, now);
                Sql.setInstant(ps, 9, now);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Sql.isUniqueViolation(e)) {
                    throw new IllegalArgumentException("campaign " + campaign.id() + " already exists");
                }
                throw e;
            }
            return select(c, campaign.id(), false).orElseThrow();
        });
    }

    /**
     * @return the campaign, as committed after any write to it that was already asked for (so a
     *     restarted server reloads the outcome of its predecessor's last write)
     */
    public Optional<Campaign> find(String id) {
        Ids.require(id, "campaign id");
        return db.transaction(Database.campaignLane(id), "find campaign " + id, c -> select(c, id, false));
    }

    /** @return all campaigns, by id */
    public List<Campaign> findAll() {
        return db.transaction(null, "list campaigns", c -> list(c, "SELECT " + COLUMNS + " FROM campaigns ORDER BY id", null));
    }

    /** @return the campaigns in {@code status}, by id */
    public List<Campaign> findByStatus(CampaignStatus status) {
        Objects.requireNonNull(status, "status must not be null");
        return db.transaction(null, "list " + status + " campaigns",
                c -> list(c, "SELECT " + COLUMNS + " FROM campaigns WHERE status = ? ORDER BY id", status.name()));
    }

    /**
     * Sets a campaign's status. <b>An acknowledged donation is always counted:</b> closing a
     * campaign (to {@code COMPLETED} or {@code CANCELLED}) first counts every donation still
     * stored as {@code PENDING} — each was acknowledged to its donor, and validated against the
     * campaign, when it was stored — in the same transaction: marked {@code PROCESSED} and added to
     * the campaign's total. A batch that comes later finds them settled and counts nothing twice.
     *
     * @return the campaign after the change
     * @throws IllegalArgumentException if there is no such campaign
     */
    public Campaign updateStatus(String id, CampaignStatus status) {
        Ids.require(id, "campaign id");
        Objects.requireNonNull(status, "status must not be null");
        return db.transaction(Database.campaignLane(id), "update status of campaign " + id, c -> {
            Campaign before = select(c, id, true).orElseThrow(() -> new IllegalArgumentException("no campaign " + id));
            if (status.isFinal() && !before.status().isFinal()) {
                settlePendingOnClose(c, before);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, status.name());
                Sql.setInstant(ps, 2, Instant.now());
                ps.setString(3, id);
                if (ps.executeUpdate() == 0) {
                    throw new IllegalArgumentException("no campaign " + id);
                }
            }
            return select(c, id, false).orElseThrow();
        });
    }

    /**
     * Stores a donation as processed and counts it in its campaign, in one transaction: the
     * seed's {@code add_donation}, durable when this returns.
     *
     * <p>Idempotent: a donation whose id is already stored with the same campaign, donor and
     * amount is a retry; it returns {@code duplicate = true} and changes nothing. A retry of a
     * donation stored as {@code FAILED} (its campaign closed before it was counted) is rejected
     * with {@code CAMPAIGN_NOT_ACTIVE} and the stored failure reason: it was never counted.
     *
     * @throws io.otpj.finance.domain.DonationRejectedException for an unknown or inactive campaign,
     *     a non-positive amount, a currency other than the campaign's, an id already used by a
     *     different donation, or a retry of a failed donation; nothing is stored
     */
    public Recorded recordDonation(Donation donation) {
        Objects.requireNonNull(donation, "donation must not be null");
        String campaignId = donation.campaignId();
        return db.transaction(Database.campaignLane(campaignId), "record donation " + donation.id(), c -> {
            Campaign campaign = select(c, campaignId, true).orElseThrow(() -> new Rejection(
                    Rejection.Reason.UNKNOWN_CAMPAIGN, "no campaign " + campaignId).toException());
            Optional<DonationRecord> existing = DonationRepository.select(c, donation.id());
            if (existing.isPresent()) {
                DonationRecord stored = existing.get();
                if (!stored.donation().sameAs(donation)) {
                    throw duplicateId(donation, stored);
                }
                if (stored.status() == DonationStatus.FAILED) {
                    throw Rejection.failedEarlier(stored).toException();
                }
                return new Recorded(campaign, stored.status(), true);
            }
            donation.check(campaign).ifPresent(r -> {
                throw r.toException();
            });
            try {
                DonationRepository.insert(c, donation, DonationStatus.PROCESSED, Instant.now());
            } catch (SQLException e) {
                if (Sql.isUniqueViolation(e)) {
                    throw new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + donation.id()
                            + " is already used by another donation").toException();
                }
                throw e;
            }
            addToTotals(c, campaignId, donation.amount(), 1);
            return new Recorded(select(c, campaignId, false).orElseThrow(), DonationStatus.PROCESSED, false);
        });
    }

    /**
     * Records a donation as {@link #recordDonation} does (stored processed and counted in its
     * campaign, with the same checks and the same idempotency) through the group commit: with
     * the donations that arrive meanwhile, in one transaction (see {@link GroupCommit}). The
     * calling thread does not wait. A donation queued by a process that dies before its batch
     * begins is not stored; {@link #findAfterWrites} waits for the batches in flight.
     *
     * @return a future completed after the commit that holds the donation (durable then), with
     *     the campaign just after it in that commit (see {@link Recorded}); or failed with
     *     {@link io.otpj.finance.domain.DonationRejectedException} for bad input or a retry of a
     *     failed donation (nothing stored), or with {@link DatabaseException} if the database
     *     failed or the calling process died before the batch began (nothing stored either)
     */
    public java.util.concurrent.CompletableFuture<Recorded> recordDonationAsync(Donation donation) {
        Objects.requireNonNull(donation, "donation must not be null");
        return db.groupCommit().record(donation, io.otpj.core.Proc.isProcess() ? io.otpj.core.Proc.self() : null);
    }

    /**
     * @return the campaign as stored after every group commit already asked for (a restarted
     *     campaign server's reload: a write its predecessor queued is in it or never happens)
     */
    public Optional<Campaign> findAfterWrites(String id) {
        db.groupCommit().flush();
        return find(id);
    }

    /**
     * Settles pending donations of one campaign in one transaction (the group commit's next
     * batch, shared with the donations and settles queued with it: see {@link GroupCommit};
     * commits are what a settle costs most): each is marked
     * {@code PROCESSED} and counted in the campaign's total, or, if the campaign is over
     * (completed or cancelled), marked {@code FAILED} with the reason. While the campaign is
     * paused they stay pending (reported in {@code deferred}). Donations already settled are
     * reported as they are and not counted again, so a batch can be retried safely.
     *
     * <p>Called from an otpj process that dies before the batch begins, nothing is written and
     * the call fails, as every write of a dead process (see {@link Database}).
     *
     * @throws IllegalArgumentException if there is no such campaign
     * @throws DatabaseException if the database failed, the wait timed out or was interrupted
     */
    public BatchOutcome processPending(String campaignId, Collection<String> donationIds) {
        Ids.require(campaignId, "campaign id");
        List<String> ids = List.copyOf(new LinkedHashSet<>(donationIds)); // an id named twice is settled once
        String operation = "process " + ids.size() + " donations of " + campaignId;
        return db.await(db.groupCommit().settle(campaignId, ids, io.otpj.core.Proc.isProcess() ? io.otpj.core.Proc.self() : null),
                operation);
    }

    /**
     * {@link #processPending} in a transaction of its own, in the campaign's lane: the group
     * commit's fallback when the batch that held the settle failed as a whole.
     */
    BatchOutcome processPendingAlone(String campaignId, List<String> ids) {
        return db.transaction(Database.campaignLane(campaignId), "process " + ids.size() + " donations of " + campaignId,
                c -> settle(c, campaignId, ids));
    }

    /**
     * {@link #processPending}'s work in the transaction of {@code c}: the campaign's row is
     * locked (it may be already, by the group commit's batch), and the outcome's campaign is the
     * row as this transaction leaves it so far.
     *
     * @param ids distinct donation ids
     * @throws IllegalArgumentException if there is no such campaign (nothing written)
     */
    static BatchOutcome settle(Connection c, String campaignId, List<String> ids) throws SQLException {
        Campaign campaign = select(c, campaignId, true)
                .orElseThrow(() -> new IllegalArgumentException("no campaign " + campaignId));
        Instant now = Instant.now();
        Money added = Money.zero(campaign.currency());
        long count = 0;
        List<DonationRecord> settled = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        List<String> processed = new ArrayList<>();
        Map<String, DonationRecord> found = DonationRepository.selectAll(c, ids);
        for (String id : ids) {
            DonationRecord stored = found.get(id);
            if (stored == null || !stored.donation().campaignId().equals(campaignId)) {
                missing.add(id);
                continue;
            }
            if (stored.status() != DonationStatus.PENDING) {
                settled.add(stored);
                continue;
            }
            if (campaign.status() == CampaignStatus.PAUSED) {
                deferred.add(id);
                continue;
            }
            Optional<Rejection> problem = stored.donation().check(campaign);
            if (problem.isEmpty()) {
                processed.add(id);
                added = added.plus(stored.donation().amount());
                count++;
                settled.add(new DonationRecord(stored.donation(), DonationStatus.PROCESSED, Optional.empty()));
            } else {
                String reason = truncate(problem.get().message(), 200);
                DonationRepository.settle(c, id, DonationStatus.FAILED, reason, now);
                settled.add(new DonationRecord(stored.donation(), DonationStatus.FAILED, Optional.of(reason)));
            }
        }
        DonationRepository.settleAll(c, processed, DonationStatus.PROCESSED, null, now);
        if (count > 0) {
            addToTotals(c, campaignId, added, count);
        }
        // The row is locked by this transaction, so the total read above plus what it added is
        // what the row holds now: no second read.
        Campaign after = count == 0 ? campaign : new Campaign(campaign.id(), campaign.name(), campaign.goal(),
                campaign.current().plus(added), campaign.donationCount() + count, campaign.status());
        return new BatchOutcome(after, List.copyOf(settled), List.copyOf(deferred), List.copyOf(missing));
    }

    /** Counts every pending donation of {@code campaign}, which is about to close (see {@link #updateStatus}). */
    private static void settlePendingOnClose(Connection c, Campaign campaign) throws SQLException {
        Instant now = Instant.now();
        Money added = Money.zero(campaign.currency());
        long count = 0;
        List<String> ids = new ArrayList<>();
        for (DonationRecord r : DonationRepository.selectPending(c, campaign.id())) {
            ids.add(r.donation().id());
            added = added.plus(r.donation().amount());
            count++;
        }
        DonationRepository.settleAll(c, ids, DonationStatus.PROCESSED, null, now);
        if (count > 0) {
            addToTotals(c, campaign.id(), added, count);
        }
    }

    // ------------------------------------------------------------------ SQL

    private static RuntimeException duplicateId(Donation donation, DonationRecord stored) {
        return new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + donation.id()
                + " is already used by another donation (" + stored.donation().amount() + " from "
                + stored.donation().donorId() + " to " + stored.donation().campaignId() + ")").toException();
    }

    static void addToTotals(Connection c, String id, Money amount, long count) throws SQLException {
        addToTotals(c, Map.of(id, amount), Map.of(id, count));
    }

    /**
     * The campaigns among {@code ids}, each row locked until commit, locked in id order: one
     * statement per {@link DonationRepository#IDS_PER_SELECT} of them (a group commit's batch)
     * instead of one per campaign.
     *
     * @param ids distinct campaign ids, in id order
     * @return by id, the ones that exist
     */
    static Map<String, Campaign> selectForUpdate(Connection c, List<String> ids) throws SQLException {
        return Sql.selectByIds(c, ids, DonationRepository.IDS_PER_SELECT, n -> "SELECT " + COLUMNS
                + " FROM campaigns WHERE id IN (" + Sql.placeholders(n) + ") ORDER BY id FOR UPDATE",
                CampaignRepository::read, Campaign::id);
    }

    /**
     * Adds to several campaigns' totals in one statement batch (in the map's order).
     *
     * @param added per campaign id, the amount to add
     * @param count per campaign id, the donations it adds
     */
    static void addToTotals(Connection c, Map<String, Money> added, Map<String, Long> count) throws SQLException {
        Instant now = Instant.now();
        try (PreparedStatement ps = c.prepareStatement(ADD_TO_TOTALS)) {
            for (Map.Entry<String, Money> e : added.entrySet()) {
                ps.setBigDecimal(1, e.getValue().amount());
                ps.setLong(2, count.get(e.getKey()));
                Sql.setInstant(ps, 3, now);
                ps.setString(4, e.getKey());
                ps.addBatch();
            }
            int[] rows = ps.executeBatch();
            for (int r : rows) {
                if (r != 1 && r != java.sql.Statement.SUCCESS_NO_INFO) {
                    throw new SQLException("a campaign vanished while counting its donations " + added.keySet(), "02000");
                }
            }
        }
    }

    private static final String ADD_TO_TOTALS = "UPDATE campaigns SET raised_amount = raised_amount + ?, "
            + "donation_count = donation_count + ?, updated_at = ? WHERE id = ?";

    /** @param lock whether to lock the row until commit (serialises writers in other JVMs too) */
    static Optional<Campaign> select(Connection c, String id, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM campaigns WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static List<Campaign> list(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            List<Campaign> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static Campaign read(ResultSet rs) throws SQLException {
        Money goal = Sql.money(rs, "goal_amount", "currency");
        Money raised = Sql.money(rs, "raised_amount", "currency");
        return new Campaign(rs.getString("id"), rs.getString("name"), goal, raised, rs.getLong("donation_count"),
                CampaignStatus.valueOf(rs.getString("status")));
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
