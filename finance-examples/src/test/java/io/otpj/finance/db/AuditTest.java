package io.otpj.finance.db;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign server's audit, in its two parts: memory against the row (in the server), and the
 * row against its donations (the recount, off the server). Each disagreement is caught by its own
 * part: a donation changed behind everyone's back by the recount only, a row changed by both.
 */
class AuditTest {

    @TempDir Path dir;
    Database db;
    Campaign campaign;
    Name name;
    Pid pid;

    @BeforeEach
    void start() {
        db = TestDatabase.open(dir);
        campaign = TestDatabase.campaign(db, Money.of(1_000_000, "IDR"));
        name = Name.local("audit:" + campaign.id());
        pid = CampaignServer.start(db, campaign.id(), name).pid();
        for (int i = 1; i <= 5; i++) {
            CampaignServer.addDonation(name, Donation.of(campaign.id(), "donor-" + i, Money.of(i * 100, "IDR")));
        }
    }

    @AfterEach
    void stop() {
        if (pid.isAlive()) {
            GenServer.stop(pid);
        }
        db.close();
    }

    @Test
    void anAuditAgreesWhenNothingWasTouched() {
        CampaignServer.Audit a = CampaignServer.audit(name);
        assertTrue(a.consistent(), a.toString());
        assertEquals(new DonationRepository.Totals(5, Money.of(1_500, "IDR")), a.donations());
        assertEquals(Money.of(1_500, "IDR"), a.recount().raised());
    }

    @Test
    void aDonationChangedInTheDatabaseIsCaughtByTheRecount() {
        tamper("UPDATE donations SET amount = amount + 1 WHERE campaign_id = ?");
        CampaignServer.Audit a = CampaignServer.audit(name);
        assertEquals(a.inMemory().current(), a.stored().current(), "memory and row still agree");
        assertFalse(a.recount().consistent(), a.toString());
        assertFalse(a.consistent(), a.toString());
    }

    @Test
    void aRowChangedInTheDatabaseIsCaughtAgainstMemoryAndDonations() {
        tamper("UPDATE campaigns SET raised_amount = raised_amount + 1 WHERE id = ?");
        CampaignServer.Audit a = CampaignServer.audit(name);
        assertNotEquals(a.inMemory().current(), a.stored().current(), a.toString());
        assertFalse(a.recount().consistent(), a.toString());
        assertFalse(a.consistent(), a.toString());
        // The server still answers: the recount ran off it.
        assertEquals(Money.of(1_500, "IDR"), CampaignServer.getCampaign(name).current());
    }

    private void tamper(String sql) {
        db.transaction(null, "tamper with " + campaign.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, campaign.id());
                assertTrue(ps.executeUpdate() > 0, sql);
            }
            return null;
        });
    }
}
