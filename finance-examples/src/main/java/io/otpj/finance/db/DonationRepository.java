package io.otpj.finance.db;

import io.otpj.finance.domain.Campaign;
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
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The donations table. Every method is one transaction, committed before it returns; work about
 * one campaign runs in the order it was asked for (see {@link Database}). Thread-safe.
 */
public final class DonationRepository {

    private static final String COLUMNS = "id, campaign_id, donor_id, amount, currency, status, failure_reason, created_at";

    private final Database db;

    DonationRepository(Database db) {
        this.db = db;
    }

    /**
     * What {@link #insertPending} stored.
     *
     * @param record the donation as stored
     * @param created whether this call stored it (false: it was already there, a retry)
     */
    public record Stored(DonationRecord record, boolean created) {}

    /**
     * The processed donations of one campaign.
     *
     * @param count how many
     * @param sum their sum, in the campaign's currency
     */
    public record Totals(long count, Money sum) {}

    /**
     * A campaign's running total and count as its row holds them, and the count and sum of its
     * processed donations, read by one statement (so at one snapshot of the database).
     *
     * @param raised the row's running total
     * @param counted the row's donation count
     * @param donations computed from the donations themselves
     */
    public record Recount(Money raised, long counted, Totals donations) {
        /** @return whether the row's total and count are those of its processed donations */
        public boolean consistent() {
            return raised.equals(donations.sum()) && counted == donations.count();
        }
    }

    /**
     * @return the campaign's row totals and its processed donations' count and sum, from one
     *     statement; it scans the campaign's donations, so it costs in proportion to them (an
     *     audit runs it outside the campaign's server, which it would otherwise stall)
     * @throws IllegalArgumentException if there is no such campaign
     */
    public Recount recount(String campaignId) {
        // No lane: a scan queued in the campaign's lane would hold up that campaign's writes.
        return recount(null, campaignId);
    }

    private Recount recount(Object lane, String campaignId) {
        Ids.require(campaignId, "campaign id");
        return db.transaction(lane, "recount donations of " + campaignId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT c.currency AS currency, c.raised_amount AS raised, "
                    + "c.donation_count AS counted, COUNT(d.id) AS n, COALESCE(SUM(d.amount), 0) AS total "
                    + "FROM campaigns c LEFT JOIN donations d ON d.campaign_id = c.id AND d.status = 'PROCESSED' "
                    + "WHERE c.id = ? GROUP BY c.currency, c.raised_amount, c.donation_count")) {
                ps.setString(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("no campaign " + campaignId);
                    }
                    return new Recount(Sql.money(rs, "raised", "currency"), rs.getLong("counted"),
                            new Totals(rs.getLong("n"), Sql.money(rs, "total", "currency")));
                }
            }
        });
    }

    /**
     * Stores a donation as {@code PENDING}, durable when this returns. Idempotent: if the same
     * donation is already stored, returns it with {@code created = false}.
     *
     * @throws io.otpj.finance.domain.DonationRejectedException if its campaign does not exist or
     *     is not active, the amount is not positive or not in the campaign's currency, or its id
     *     is used by a different donation; nothing is stored
     */
    public Stored insertPending(Donation donation) {
        Objects.requireNonNull(donation, "donation must not be null");
        return db.transaction(Database.campaignLane(donation.campaignId()), "store pending donation " + donation.id(), c -> {
            Optional<DonationRecord> existing = select(c, donation.id());
            if (existing.isPresent()) {
                if (!existing.get().donation().sameAs(donation)) {
                    throw new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + donation.id()
                            + " is already used by another donation").toException();
                }
                return new Stored(existing.get(), false);
            }
            Campaign campaign = CampaignRepository.select(c, donation.campaignId(), false).orElseThrow(() ->
                    new Rejection(Rejection.Reason.UNKNOWN_CAMPAIGN, "no campaign " + donation.campaignId()).toException());
            donation.check(campaign).ifPresent(r -> {
                throw r.toException();
            });
            try {
                insert(c, donation, DonationStatus.PENDING, null);
            } catch (SQLException e) {
                if (Sql.isForeignKeyViolation(e)) {
                    throw new Rejection(Rejection.Reason.UNKNOWN_CAMPAIGN, "no campaign " + donation.campaignId()).toException();
                }
                if (Sql.isUniqueViolation(e)) {
                    throw new Rejection(Rejection.Reason.DUPLICATE_ID, "donation id " + donation.id()
                            + " is already used by another donation").toException();
                }
                throw e;
            }
            return new Stored(new DonationRecord(donation, DonationStatus.PENDING, Optional.empty()), true);
        });
    }

    /**
     * Stores a donation as {@code PENDING} through the group commit: with the donations that
     * arrive meanwhile, in one transaction (see {@link GroupCommit}). The same checks and the same
     * idempotency as {@link #insertPending}; the calling thread does not wait.
     *
     * @return a future completed after the commit that holds the donation (durable then) with what
     *     was stored; or failed with {@link io.otpj.finance.domain.DonationRejectedException} for bad
     *     input (nothing stored), or with {@link DatabaseException} if the database failed or the
     *     calling process died before the batch began (nothing stored either)
     */
    public java.util.concurrent.CompletableFuture<Stored> insertPendingAsync(Donation donation) {
        Objects.requireNonNull(donation, "donation must not be null");
        return db.groupCommit().submit(donation, io.otpj.core.Proc.isProcess() ? io.otpj.core.Proc.self() : null);
    }

    /**
     * @return the campaign's pending donations, oldest first, after any write to the campaign
     *     already asked for, group commits included
     */
    public List<Donation> findPending(String campaignId) {
        Ids.require(campaignId, "campaign id");
        db.groupCommit().flush();
        return db.transaction(Database.campaignLane(campaignId), "load pending donations of " + campaignId, c -> {
            List<Donation> out = new ArrayList<>();
            for (DonationRecord r : selectPending(c, campaignId)) {
                out.add(r.donation());
            }
            return out;
        });
    }

    /** @return all of the campaign's donations, oldest first */
    public List<DonationRecord> findByCampaign(String campaignId) {
        Ids.require(campaignId, "campaign id");
        return db.transaction(Database.campaignLane(campaignId), "load donations of " + campaignId,
                c -> query(c, "SELECT " + COLUMNS + " FROM donations WHERE campaign_id = ? ORDER BY created_at, id", campaignId));
    }

    /** @return the stored donation with this id */
    public Optional<DonationRecord> find(String id) {
        Ids.require(id, "donation id");
        return db.transaction(null, "find donation " + id, c -> select(c, id));
    }

    /** @return how many of the campaign's donations are in each status (absent: none) */
    public Map<DonationStatus, Long> countByStatus(String campaignId) {
        Ids.require(campaignId, "campaign id");
        return db.transaction(Database.campaignLane(campaignId), "count donations of " + campaignId, c -> {
            Map<DonationStatus, Long> out = new EnumMap<>(DonationStatus.class);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, COUNT(*) AS n FROM donations WHERE campaign_id = ? GROUP BY status")) {
                ps.setString(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(DonationStatus.valueOf(rs.getString("status")), rs.getLong("n"));
                    }
                }
            }
            return out;
        });
    }

    /**
     * @return the count and sum of the campaign's processed donations, computed from the
     *     donations themselves (not from the campaign's running total)
     * @throws IllegalArgumentException if there is no such campaign
     */
    public Totals processedTotals(String campaignId) {
        return recount(Database.campaignLane(campaignId), campaignId).donations();
    }

    /** @return the sum of all processed donations, per currency */
    public Map<Currency, Money> processedSumByCurrency() {
        return db.transaction(null, "sum processed donations", c -> {
            Map<Currency, Money> out = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
            try (PreparedStatement ps = c.prepareStatement("SELECT currency, SUM(amount) AS total FROM donations "
                    + "WHERE status = 'PROCESSED' GROUP BY currency");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Money m = Sql.money(rs, "total", "currency");
                    out.put(m.currency(), m);
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ SQL shared with CampaignRepository

    static Optional<DonationRecord> select(Connection c, String id) throws SQLException {
        List<DonationRecord> found = query(c, "SELECT " + COLUMNS + " FROM donations WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    /** The most ids in one {@link #selectAll} statement. */
    static final int IDS_PER_SELECT = 256;

    /**
     * The stored donations among {@code ids}, in the caller's transaction: one statement per
     * {@value #IDS_PER_SELECT} ids instead of one per id (a batch's existence checks).
     *
     * @return by id, the ones that are stored
     */
    static Map<String, DonationRecord> selectAll(Connection c, Collection<String> ids) throws SQLException {
        return Sql.selectByIds(c, List.copyOf(ids), IDS_PER_SELECT, n -> "SELECT " + COLUMNS
                + " FROM donations WHERE id IN (" + Sql.placeholders(n) + ")", DonationRepository::read,
                r -> r.donation().id());
    }

    static final String INSERT = "INSERT INTO donations (id, campaign_id, donor_id, amount, currency, "
            + "status, failure_reason, created_at, processed_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)";

    static void insert(Connection c, Donation d, DonationStatus status, Instant processedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bindInsert(ps, d, status, processedAt);
            ps.executeUpdate();
        }
    }

    /** Sets the parameters of {@link #INSERT} for {@code d}. */
    static void bindInsert(PreparedStatement ps, Donation d, DonationStatus status, Instant processedAt) throws SQLException {
        ps.setString(1, d.id());
        ps.setString(2, d.campaignId());
        ps.setString(3, d.donorId());
        Sql.setMoney(ps, 4, d.amount());
        ps.setString(6, status.name());
        Sql.setInstant(ps, 7, d.createdAt());
        Sql.setInstant(ps, 8, processedAt);
    }

    /**
     * The campaign's pending donations, oldest first, in the caller's transaction.
     *
     * <p>The query names the status only and the campaign is kept here: given both, H2 reads the
     * campaign's index (every donation the campaign ever had) rather than the status index (only
     * what is pending, of every campaign, a range as long as what is in flight), since it cannot
     * tell that few rows are pending. PostgreSQL reads the status index either way.
     */
    static List<DonationRecord> selectPending(Connection c, String campaignId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM donations WHERE status = 'PENDING' ORDER BY created_at, id");
                ResultSet rs = ps.executeQuery()) {
            List<DonationRecord> out = new ArrayList<>();
            while (rs.next()) {
                if (campaignId.equals(rs.getString("campaign_id"))) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /** Moves a pending donation to {@code status}; does nothing to one already settled. */
    static void settle(Connection c, String id, DonationStatus status, String failureReason, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE donations SET status = ?, failure_reason = ?, processed_at = ? "
                + "WHERE id = ? AND status = 'PENDING'")) {
            ps.setString(1, status.name());
            ps.setString(2, failureReason);
            Sql.setInstant(ps, 3, at);
            ps.setString(4, id);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("donation " + id + " was settled by someone else meanwhile", "40001");
            }
        }
    }

    /**
     * Moves pending donations to {@code status} in one statement batch (a settle of many);
     * fails like {@link #settle} if one of them was no longer pending.
     */
    static void settleAll(Connection c, List<String> ids, DonationStatus status, String failureReason, Instant at)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE donations SET status = ?, failure_reason = ?, processed_at = ? "
                + "WHERE id = ? AND status = 'PENDING'")) {
            for (String id : ids) {
                ps.setString(1, status.name());
                ps.setString(2, failureReason);
                Sql.setInstant(ps, 3, at);
                ps.setString(4, id);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                // SUCCESS_NO_INFO (-2) does not say; H2 and PostgreSQL both report the count.
                if (counts[i] != 1 && counts[i] != java.sql.Statement.SUCCESS_NO_INFO) {
                    throw new SQLException("donation " + ids.get(i) + " was settled by someone else meanwhile", "40001");
                }
            }
        }
    }

    private static List<DonationRecord> query(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            List<DonationRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static DonationRecord read(ResultSet rs) throws SQLException {
        Donation d = new Donation(rs.getString("id"), rs.getString("campaign_id"), rs.getString("donor_id"),
                Sql.money(rs, "amount", "currency"), Sql.instant(rs, "created_at"));
        return new DonationRecord(d, DonationStatus.valueOf(rs.getString("status")),
                Optional.ofNullable(rs.getString("failure_reason")));
    }
}
