package io.otpj.finance.db;

import io.otpj.finance.domain.Ids;
import io.otpj.finance.money.Money;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The milestones (25, 50, 75 and 100 % of a goal) already announced for each campaign: the
 * record that makes each milestone alert happen once, across restarts. Thread-safe.
 */
public final class MilestoneRepository {

    /** The milestones, in percent of the goal. */
    public static final Set<Integer> MILESTONES = Set.of(25, 50, 75, 100);

    private final Database db;

    MilestoneRepository(Database db) {
        this.db = db;
    }

    /**
     * Records that the campaign reached {@code percent} with {@code raised}, unless already recorded.
     *
     * @return true if this call recorded it (announce it), false if it was recorded before
     * @throws IllegalArgumentException for a percent other than 25, 50, 75, 100 or an unknown campaign
     */
    public boolean markReached(String campaignId, int percent, Money raised) {
        Ids.require(campaignId, "campaign id");
        Objects.requireNonNull(raised, "raised must not be null");
        if (!MILESTONES.contains(percent)) {
            throw new IllegalArgumentException("milestone must be one of 25, 50, 75, 100, got " + percent);
        }
        return db.transaction(Database.campaignLane(campaignId), "mark milestone " + percent + " of " + campaignId, c -> {
            if (reached(c, campaignId).contains(percent)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO campaign_milestones (campaign_id, percent, raised, reached_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, campaignId);
                ps.setInt(2, percent);
                ps.setBigDecimal(3, raised.amount());
                Sql.setInstant(ps, 4, Instant.now());
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (Sql.isForeignKeyViolation(e)) {
                    throw new IllegalArgumentException("no campaign " + campaignId);
                }
                if (Sql.isUniqueViolation(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** @return the milestones recorded for the campaign, ascending */
    public SortedSet<Integer> reached(String campaignId) {
        Ids.require(campaignId, "campaign id");
        return db.transaction(Database.campaignLane(campaignId), "load milestones of " + campaignId,
                c -> Collections.unmodifiableSortedSet(reached(c, campaignId)));
    }

    private static SortedSet<Integer> reached(java.sql.Connection c, String campaignId) throws SQLException {
        SortedSet<Integer> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT percent FROM campaign_milestones WHERE campaign_id = ?")) {
            ps.setString(1, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
        }
        return out;
    }
}
