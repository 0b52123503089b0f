package io.otpj.finance.campaign;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import io.otpj.core.StartResult;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import io.otpj.test.OtpjTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's CampaignServerTest, on the embedded database, plus durability, restart and bad input. */
@OtpjTest
class CampaignServerTest {

    @TempDir static Path dir;
    static Database db;

    Campaign campaign;
    Name name;
    Pid pid;

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.open(dir);
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    @BeforeEach
    void setup() {
        // The seed's %Campaign{id: "test_campaign", goal: Money.new(1_000_000, :IDR), status: :active}
        campaign = db.campaigns().create(Campaign.create(TestDatabase.uniqueId("test_campaign"), "Test Campaign",
                Money.of(1_000_000, "IDR")));
        name = Name.local("campaign:" + campaign.id());
        pid = CampaignServer.start(db, campaign.id(), name).pid();
    }

    @AfterEach
    void stop() {
        if (pid.isAlive()) {
            GenServer.stop(pid);
        }
    }

    @Test
    void getsCampaign() {
        Campaign c = CampaignServer.getCampaign(name);
        assertEquals(campaign.id(), c.id());
        assertEquals(CampaignStatus.ACTIVE, c.status());
        assertEquals(Money.zero("IDR"), c.current());
    }

    @Test
    void addsDonation() {
        Donation donation = Donation.of(campaign.id(), "donor_123", Money.of(50_000, "IDR"));
        Campaign updated = CampaignServer.addDonation(name, donation);
        assertEquals(Money.of(50_000, "IDR"), updated.current());
        assertEquals(1, updated.donationCount());
    }

    @Test
    void updatesStatusAsynchronously() {
        CampaignServer.updateStatus(name, CampaignStatus.COMPLETED);
        // No sleep, unlike the seed: a cast and a later call from the same sender arrive in order.
        assertEquals(CampaignStatus.COMPLETED, CampaignServer.getCampaign(name).status());
        assertEquals(CampaignStatus.COMPLETED, db.campaigns().find(campaign.id()).orElseThrow().status());
    }

    @Test
    void aDonationIsDurableWhenAddDonationReturns() {
        Donation donation = Donation.of(campaign.id(), "donor_123", Money.of(50_000, "IDR"));
        CampaignServer.addDonation(name, donation);
        // Read through another connection: committed.
        assertEquals(new DonationRepository.Totals(1, Money.of(50_000, "IDR")), db.donations().processedTotals(campaign.id()));
        assertEquals(Money.of(50_000, "IDR"), db.campaigns().find(campaign.id()).orElseThrow().current());
    }

    @Test
    void aRestartedServerReloadsTheTotalsFromTheDatabase() {
        for (int i = 1; i <= 10; i++) {
            CampaignServer.addDonation(name, Donation.of(campaign.id(), "donor" + i, Money.of(i * 1_000, "IDR")));
        }
        Proc.exit(pid, ExitReason.kill());
        assertFalse(pid.isAlive());
        pid = CampaignServer.start(db, campaign.id(), name).pid();
        Campaign reloaded = CampaignServer.getCampaign(name);
        assertEquals(Money.of(55_000, "IDR"), reloaded.current());
        assertEquals(10, reloaded.donationCount());
    }

    @Test
    void aRetriedDonationIsCountedOnce() {
        Donation donation = Donation.of(campaign.id(), "donor_123", Money.of(50_000, "IDR"));
        CampaignServer.addDonation(name, donation);
        // The reply was lost (say): the donor sends the same donation again, to a restarted server.
        Proc.exit(pid, ExitReason.kill());
        pid = CampaignServer.start(db, campaign.id(), name).pid();
        assertEquals(Money.of(50_000, "IDR"), CampaignServer.addDonation(name, donation).current());
        assertEquals(1, db.donations().processedTotals(campaign.id()).count());
    }

    @Test
    void killsDuringWritesNeverLeaveMemoryAndDatabaseApart(Node node) throws Exception {
        // Donors keep retrying their donation (same id) until it is acknowledged, while the server
        // is killed and restarted repeatedly, some kills landing in the middle of a write.
        int donors = 8;
        int perDonor = 15;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Money>> acked = new ArrayList<>();
            for (int d = 0; d < donors; d++) {
                String donor = "donor" + d;
                // The pool's threads are plain threads: bind them to the test's node, where the name lives.
                acked.add(pool.submit(() -> node.call(() -> {
                    Money sum = Money.zero("IDR");
                    for (int i = 1; i <= perDonor; i++) {
                        Donation donation = Donation.of(campaign.id(), donor, Money.of(i, "IDR"));
                        while (true) {
                            try {
                                CampaignServer.addDonation(name, donation);
                                break;
                            } catch (io.otpj.core.CallException retry) {
                                // Back off: parking frees the carrier thread for the restart.
                                LockSupport.parkNanos(1_000_000);
                            }
                        }
                        sum = sum.plus(donation.amount());
                    }
                    return sum;
                })));
            }
            for (int k = 0; k < 20; k++) {
                Proc.exit(pid, ExitReason.kill());
                pid = CampaignServer.start(db, campaign.id(), name).pid();
                CampaignServer.getCampaign(name);
            }
            Money expected = Money.zero("IDR");
            for (Future<Money> f : acked) {
                expected = expected.plus(f.get());
            }
            Campaign inMemory = CampaignServer.getCampaign(name);
            assertEquals(expected, inMemory.current());
            assertEquals(donors * perDonor, inMemory.donationCount());
            assertEquals(new DonationRepository.Totals(donors * perDonor, expected), db.donations().processedTotals(campaign.id()));
        }
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        CampaignServer.addDonation(name, Donation.of(campaign.id(), "donor_1", Money.of(10_000, "IDR")));
        Campaign before = CampaignServer.getCampaign(name);

        assertRejected(Rejection.Reason.NON_POSITIVE_AMOUNT, Donation.of(campaign.id(), "d", Money.of(-5_000, "IDR")));
        assertRejected(Rejection.Reason.NON_POSITIVE_AMOUNT, Donation.of(campaign.id(), "d", Money.zero("IDR")));
        assertRejected(Rejection.Reason.CURRENCY_MISMATCH, Donation.of(campaign.id(), "d", Money.of(5, "USD")));
        assertRejected(Rejection.Reason.WRONG_CAMPAIGN, Donation.of("other-campaign", "d", Money.of(5, "IDR")));
        Donation first = Donation.of(campaign.id(), "d", Money.of(5, "IDR"));
        CampaignServer.addDonation(name, first);
        assertRejected(Rejection.Reason.DUPLICATE_ID,
                new Donation(first.id(), campaign.id(), "d", Money.of(6, "IDR"), first.createdAt()));
        CampaignServer.updateStatus(name, CampaignStatus.PAUSED);
        assertRejected(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, Donation.of(campaign.id(), "d", Money.of(5, "IDR")));

        Campaign after = CampaignServer.getCampaign(name);
        assertEquals(before.current().plus(Money.of(5, "IDR")), after.current());
        assertEquals(before.donationCount() + 1, after.donationCount());
        assertEquals(after.current(), db.donations().processedTotals(campaign.id()).sum());
        assertTrue(pid.isAlive(), "bad input never crashes the server");
    }

    @Test
    void unknownCampaignFailsToStart() {
        StartResult r = CampaignServer.start(db, "no-such-campaign", Name.local("campaign:no-such-campaign"));
        assertEquals(new StartResult.Failed(ExitReason.of(new CampaignServer.NotFound("no-such-campaign"))), r);
    }

    @Test
    void aCrashedServerRestartsWithTheCommittedTotals() {
        db.campaigns().recordDonation(Donation.of(campaign.id(), "other-path", Money.of(1, "IDR")));
        // The server's memory is stale now only because we bypassed it; a write still commits
        // the right total, read back in its transaction.
        Campaign c = CampaignServer.addDonation(name, Donation.of(campaign.id(), "d", Money.of(2, "IDR")));
        assertEquals(Money.of(3, "IDR"), c.current());
        // An unknown request crashes the server (the default handleCall); its restart reloads the total.
        assertThrows(ServerExitedException.class, () -> GenServer.call(name, "not a request"));
        assertFalse(pid.isAlive());
        pid = CampaignServer.start(db, campaign.id(), name).pid();
        assertEquals(Money.of(3, "IDR"), CampaignServer.getCampaign(name).current());
    }

    /** An acknowledgement means one thing: a donation stored as pending is counted, even if its campaign closes first. */
    @Test
    void aDonationAcknowledgedBeforeItsCampaignClosedIsCountedAndItsResendIsAcknowledged() {
        Donation d = Donation.of(campaign.id(), "late", Money.of(100, "IDR"));
        db.donations().insertPending(d);
        CampaignServer.updateStatus(name, CampaignStatus.CANCELLED);
        Campaign c = CampaignServer.getCampaign(name);
        assertEquals(Money.of(100, "IDR"), c.current(), "the close counted it");
        assertEquals(1, c.donationCount());
        var outcome = CampaignServer.processPending(name, List.of(d.id()), java.time.Duration.ofSeconds(30));
        assertEquals(DonationStatus.PROCESSED, outcome.settled().getFirst().status());
        // A resend is the same donation, already counted: acknowledged again, counted once.
        assertEquals(Money.of(100, "IDR"), CampaignServer.addDonation(name, d).current());
        // A new donation to the closed campaign is refused.
        assertRejected(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, Donation.of(campaign.id(), "new", Money.of(5, "IDR")));
        assertTrue(pid.isAlive());
    }

    @Test
    void illegalStatusTransitionsAreIgnored() {
        CampaignServer.updateStatus(name, CampaignStatus.PAUSED);
        CampaignServer.updateStatus(name, CampaignStatus.ACTIVE);
        assertEquals(CampaignStatus.ACTIVE, CampaignServer.getCampaign(name).status());
        CampaignServer.updateStatus(name, CampaignStatus.COMPLETED);
        // Terminal stays terminal: these casts are ignored (logged), the server keeps running.
        CampaignServer.updateStatus(name, CampaignStatus.ACTIVE);
        CampaignServer.updateStatus(name, CampaignStatus.PAUSED);
        CampaignServer.updateStatus(name, CampaignStatus.CANCELLED);
        assertEquals(CampaignStatus.COMPLETED, CampaignServer.getCampaign(name).status());
        assertEquals(CampaignStatus.COMPLETED, db.campaigns().find(campaign.id()).orElseThrow().status());
        assertTrue(pid.isAlive());
    }

    private void assertRejected(Rejection.Reason reason, Donation d) {
        DonationRejectedException e = assertThrows(DonationRejectedException.class, () -> CampaignServer.addDonation(name, d));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(d.id()) || e.getMessage().contains(campaign.id()), e.getMessage());
    }
}
