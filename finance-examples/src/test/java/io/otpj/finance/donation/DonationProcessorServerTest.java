package io.otpj.finance.donation;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Sys;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import io.otpj.finance.testing.StderrCapture;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's DonationProcessorServer, on the embedded database, with its campaign server. */
class DonationProcessorServerTest {

    @TempDir static Path dir;
    static Database db;

    Campaign campaign;
    Name campaignName;
    Name processorName;
    Pid campaignPid;
    Pid processorPid;

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
        campaign = TestDatabase.campaign(db, Money.of(1_000_000, "IDR"));
        campaignName = Name.local("campaign:" + campaign.id());
        processorName = Name.local("processor:" + campaign.id());
        campaignPid = CampaignServer.start(db, campaign.id(), campaignName).pid();
    }

    @AfterEach
    void stop() {
        for (Pid p : new Pid[] {processorPid, campaignPid}) {
            if (p != null && p.isAlive()) {
                GenServer.stop(p);
            }
        }
    }

    Pid startProcessor(DonationProcessorServer.Options options) {
        processorPid = DonationProcessorServer.start(options, processorName).pid();
        return processorPid;
    }

    DonationProcessorServer.Options options() {
        // No idle flush in these tests: a batch runs when a test asks for it (or by size or timer).
        return DonationProcessorServer.Options.of(db, campaign.id(), campaignName).withIdleFlush(Duration.ofHours(1));
    }

    /** format_status: traces (and so crash reports) show counts and redacted donations, never a donor. */
    @Test
    void tracesShowNoDonor() {
        startProcessor(options());
        String traced = StderrCapture.during(() -> {
            Sys.trace(processorName, true);
            DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "donor-secret-42", Money.of(10_000, "IDR")));
            DonationProcessorServer.getStatus(processorName); // handled after the add, so its trace line is out
            Sys.trace(processorName, false);
        });
        assertTrue(traced.contains("sys_trace") && traced.contains("donorId=<redacted>"), traced);
        assertTrue(traced.contains("DonationProcessorServer[currency=IDR, pending=1"), traced);
        assertFalse(traced.contains("donor-secret-42"), traced);
    }

    /** The seed's best practice 3: a processor left idle with donations pending counts them without waiting for its timer. */
    @Test
    void anIdleProcessorCountsItsPendingDonationsWithoutWaitingForTheTimer() {
        startProcessor(options().withBatchInterval(Duration.ofHours(1)).withIdleFlush(Duration.ofMillis(50)));
        for (int i = 0; i < 3; i++) {
            DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "donor-" + i, Money.of(10_000, "IDR")));
        }
        io.otpj.test.TestKit.eventually(() -> db.donations().countByStatus(campaign.id())
                .equals(Map.of(DonationStatus.PROCESSED, 3L)), Duration.ofSeconds(30), "the idle processor counted them");
        assertEquals(0, DonationProcessorServer.getStatus(processorName).pendingCount());
        assertEquals(3, DonationProcessorServer.getStatus(processorName).processedCount());
    }

    @Test
    void processesABatchAndReportsItsStatus() {
        startProcessor(options());
        List<Donation> donations = List.of(
                Donation.of(campaign.id(), "A", Money.of(10_000, "IDR")),
                Donation.of(campaign.id(), "B", Money.of(20_000, "IDR")),
                Donation.of(campaign.id(), "C", Money.of(30_000, "IDR")));
        donations.forEach(d -> DonationProcessorServer.addDonation(processorName, d));

        // Durable before any batch: stored as pending.
        assertEquals(Map.of(DonationStatus.PENDING, 3L), db.donations().countByStatus(campaign.id()));
        assertEquals(3, DonationProcessorServer.getStatus(processorName).pendingCount());

        assertEquals(new DonationProcessorServer.BatchReport(3, 0, 0), DonationProcessorServer.processBatch(processorName));
        var status = DonationProcessorServer.getStatus(processorName);
        assertEquals(campaign.id(), status.campaignId());
        assertEquals(0, status.pendingCount());
        assertEquals(3, status.processedCount());
        assertEquals(0, status.failedCount());
        assertEquals(Money.of(60_000, "IDR"), status.totalAmount());
        assertTrue(status.lastProcessed().isPresent());

        // Memory (campaign server) and database agree after the batch.
        assertEquals(Money.of(60_000, "IDR"), CampaignServer.getCampaign(campaignName).current());
        assertEquals(new DonationRepository.Totals(3, Money.of(60_000, "IDR")), db.donations().processedTotals(campaign.id()));
        assertEquals(3, DonationProcessorServer.recent(processorName).processed().size());
    }

    @Test
    void batchesBySize() {
        startProcessor(options().withBatchSize(5));
        for (int i = 0; i < 12; i++) {
            DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "d" + i, Money.of(100, "IDR")));
        }
        // Two full batches ran right after the 5th and the 10th donation were acknowledged.
        var status = DonationProcessorServer.getStatus(processorName);
        assertEquals(10, status.processedCount());
        assertEquals(2, status.pendingCount());
        assertEquals(Money.of(1_000, "IDR"), CampaignServer.getCampaign(campaignName).current());
    }

    @Test
    void batchesByTimer() {
        startProcessor(options().withBatchInterval(Duration.ofMillis(50)));
        for (int i = 0; i < 7; i++) {
            DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "d" + i, Money.of(100, "IDR")));
        }
        TestKit.eventually(() -> DonationProcessorServer.getStatus(processorName).processedCount() == 7, Duration.ofSeconds(30), "the timer's batch");
        assertEquals(Money.of(700, "IDR"), CampaignServer.getCampaign(campaignName).current());
    }

    @Test
    void aRestartedProcessorReloadsItsPendingDonations() {
        startProcessor(options());
        for (int i = 0; i < 4; i++) {
            DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "d" + i, Money.of(250, "IDR")));
        }
        Proc.exit(processorPid, ExitReason.kill());
        startProcessor(options());
        assertEquals(4, DonationProcessorServer.getStatus(processorName).pendingCount());
        DonationProcessorServer.processBatch(processorName);
        assertEquals(Money.of(1_000, "IDR"), CampaignServer.getCampaign(campaignName).current());
    }

    @Test
    void pendingDonationsWaitForADownCampaignServerAndAreNotCountedTwice() {
        startProcessor(options());
        List<Donation> ds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Donation d = Donation.of(campaign.id(), "d" + i, Money.of(100, "IDR"));
            ds.add(d);
            DonationProcessorServer.addDonation(processorName, d);
        }
        GenServer.stop(campaignPid);
        var report = DonationProcessorServer.processBatch(processorName);
        assertEquals(new DonationProcessorServer.BatchReport(0, 0, 3), report);
        assertEquals(1, DonationProcessorServer.getStatus(processorName).errorCount());

        // The campaign server comes back; one donation was settled meanwhile by another path.
        db.campaigns().processPending(campaign.id(), List.of(ds.getFirst().id()));
        campaignPid = CampaignServer.start(db, campaign.id(), campaignName).pid();
        assertEquals(new DonationProcessorServer.BatchReport(3, 0, 0), DonationProcessorServer.processBatch(processorName));
        assertEquals(Money.of(300, "IDR"), CampaignServer.getCampaign(campaignName).current());
        assertEquals(new DonationRepository.Totals(3, Money.of(300, "IDR")), db.donations().processedTotals(campaign.id()));
    }

    /**
     * An acknowledgement means one thing: the processor's ok (stored as pending) is counted even
     * when the campaign closes before a batch; the batch then finds it settled.
     */
    @Test
    void aDonationAcknowledgedBeforeItsCampaignClosedIsCounted() {
        startProcessor(options());
        Donation d = Donation.of(campaign.id(), "late", Money.of(100, "IDR"));
        DonationProcessorServer.addDonation(processorName, d);
        CampaignServer.updateStatus(campaignName, CampaignStatus.CANCELLED);
        assertEquals(Money.of(100, "IDR"), CampaignServer.getCampaign(campaignName).current(), "the close counted it");
        DonationProcessorServer.processBatch(processorName);
        var status = DonationProcessorServer.getStatus(processorName);
        assertEquals(0, status.pendingCount());
        assertEquals(0, status.failedCount());
        assertEquals(DonationStatus.PROCESSED, db.donations().find(d.id()).orElseThrow().status());
        assertEquals(Money.of(100, "IDR"), CampaignServer.getCampaign(campaignName).current(), "counted once");
    }

    @Test
    void aResendAfterTheCloseIsAcknowledgedAndNewDonationsAreRefused() {
        startProcessor(options());
        Donation d = Donation.of(campaign.id(), "late", Money.of(100, "IDR"));
        DonationProcessorServer.addDonation(processorName, d);
        CampaignServer.updateStatus(campaignName, CampaignStatus.CANCELLED);
        DonationProcessorServer.processBatch(processorName);

        DonationProcessorServer.addDonation(processorName, d); // the same donation: already counted, ok again
        var e = assertThrows(DonationRejectedException.class,
                () -> DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "new", Money.of(5, "IDR"))));
        assertEquals(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, e.reason());
        assertEquals(0, DonationProcessorServer.getStatus(processorName).pendingCount());
        assertEquals(Map.of(DonationStatus.PROCESSED, 1L), db.donations().countByStatus(campaign.id()));
    }

    @Test
    void pendingDonationsWaitWhileTheCampaignIsPaused() {
        startProcessor(options());
        DonationProcessorServer.addDonation(processorName, Donation.of(campaign.id(), "d", Money.of(100, "IDR")));
        CampaignServer.updateStatus(campaignName, CampaignStatus.PAUSED);
        assertEquals(new DonationProcessorServer.BatchReport(0, 0, 1), DonationProcessorServer.processBatch(processorName));
        CampaignServer.updateStatus(campaignName, CampaignStatus.ACTIVE);
        assertEquals(new DonationProcessorServer.BatchReport(1, 0, 0), DonationProcessorServer.processBatch(processorName));
        assertEquals(Money.of(100, "IDR"), CampaignServer.getCampaign(campaignName).current());
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        startProcessor(options());
        assertRejected(Rejection.Reason.NON_POSITIVE_AMOUNT, Donation.of(campaign.id(), "d", Money.of(-1, "IDR")));
        assertRejected(Rejection.Reason.CURRENCY_MISMATCH, Donation.of(campaign.id(), "d", Money.of(1, "EUR")));
        assertRejected(Rejection.Reason.WRONG_CAMPAIGN, Donation.of("elsewhere", "d", Money.of(1, "IDR")));
        Donation ok = Donation.of(campaign.id(), "d", Money.of(1, "IDR"));
        DonationProcessorServer.addDonation(processorName, ok);
        DonationProcessorServer.addDonation(processorName, ok);
        assertRejected(Rejection.Reason.DUPLICATE_ID, new Donation(ok.id(), campaign.id(), "d", Money.of(2, "IDR"), ok.createdAt()));
        CampaignServer.updateStatus(campaignName, CampaignStatus.PAUSED);
        CampaignServer.getCampaign(campaignName);
        assertRejected(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, Donation.of(campaign.id(), "d", Money.of(1, "IDR")));

        assertEquals(1, DonationProcessorServer.getStatus(processorName).pendingCount());
        assertEquals(Map.of(DonationStatus.PENDING, 1L), db.donations().countByStatus(campaign.id()));
        assertTrue(processorPid.isAlive());
    }

    @Test
    void unknownCampaignFailsToStart() {
        StartResult r = DonationProcessorServer.start(DonationProcessorServer.Options.of(db, "nope", campaignName),
                Name.local("processor:nope"));
        assertEquals(new StartResult.Failed(ExitReason.of(new CampaignServer.NotFound("nope"))), r);
    }

    private void assertRejected(Rejection.Reason reason, Donation d) {
        var e = assertThrows(DonationRejectedException.class, () -> DonationProcessorServer.addDonation(processorName, d));
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
