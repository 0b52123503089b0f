package io.otpj.finance.donation;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Sys;
import io.otpj.finance.testing.StderrCapture;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import java.util.List;
import io.otpj.test.OtpjTest;
import org.junit.jupiter.api.Test;

/** The seed's DonationProcessorTest ("processes batch of donations"), and the rest of the processor. */
@OtpjTest
class DonationProcessorTest {

    @Test
    void processesBatchOfDonations() {
        Pid pid = DonationProcessor.start(DonationProcessor.Config.of("campaign_123")).pid();

        List<Donation> donations = List.of(
                Donation.of("campaign_123", "A", Money.of(10_000, "IDR")),
                Donation.of("campaign_123", "B", Money.of(20_000, "IDR")),
                Donation.of("campaign_123", "C", Money.of(30_000, "IDR")));
        donations.forEach(d -> DonationProcessor.addDonation(pid, d));

        assertEquals(new DonationProcessor.BatchResult(3, 0), DonationProcessor.processBatch(pid));

        var stats = DonationProcessor.getStats(pid);
        assertEquals(3, stats.processedCount());
        assertEquals(Money.of(60_000, "IDR"), stats.totalAmount());
        assertEquals(0, stats.pendingCount());
        assertTrue(stats.lastProcessedAt().isPresent());
        GenServer.stop(pid);
    }

    /** format_status: a trace (and so a crash report) shows counts and redacted donations, never a donor. */
    @Test
    void tracesShowNoDonor() {
        Pid pid = DonationProcessor.start(DonationProcessor.Config.of("campaign_123")).pid();
        String traced = StderrCapture.during(() -> {
            Sys.trace(pid, true);
            DonationProcessor.addDonation(pid, Donation.of("campaign_123", "donor-secret-7", Money.of(10_000, "IDR")));
            DonationProcessor.getStats(pid); // handled after the add, so its trace line is out
        });
        assertTrue(traced.contains("sys_trace") && traced.contains("donorId=<redacted>"), traced);
        assertTrue(traced.contains("DonationProcessor[campaign=campaign_123"), traced);
        assertFalse(traced.contains("donor-secret-7"), traced);
        GenServer.stop(pid);
    }

    @Test
    void invalidDonationsFailValidationAndAreCounted() {
        Pid pid = DonationProcessor.start(DonationProcessor.Config.of("campaign_123")).pid();
        DonationProcessor.addDonation(pid, Donation.of("campaign_123", "A", Money.of(10_000, "IDR")));
        DonationProcessor.addDonation(pid, Donation.of("campaign_123", "B", Money.of(-5, "IDR")));
        DonationProcessor.addDonation(pid, Donation.of("campaign_123", "C", Money.of(5, "USD")));
        DonationProcessor.addDonation(pid, Donation.of("other", "D", Money.of(5, "IDR")));

        assertEquals(new DonationProcessor.BatchResult(1, 3), DonationProcessor.processBatch(pid));
        var stats = DonationProcessor.getStats(pid);
        assertEquals(1, stats.processedCount());
        assertEquals(3, stats.failedCount());
        assertEquals(3, stats.errorCount());
        assertEquals(Money.of(10_000, "IDR"), stats.totalAmount());
        assertEquals(List.of(Rejection.Reason.WRONG_CAMPAIGN, Rejection.Reason.CURRENCY_MISMATCH,
                Rejection.Reason.NON_POSITIVE_AMOUNT),
                DonationProcessor.recentFailures(pid).stream().map(f -> f.rejection().reason()).toList());
        GenServer.stop(pid);
    }

    @Test
    void aFullBatchProcessesItselfAndPauseHoldsIt() {
        Pid pid = DonationProcessor.start(DonationProcessor.Config.of("c").withBatchSize(3)).pid();
        DonationProcessor.pause(pid);
        for (int i = 0; i < 3; i++) {
            DonationProcessor.addDonation(pid, Donation.of("c", "d" + i, Money.of(1, "IDR")));
        }
        assertEquals(DonationProcessor.Status.PAUSED, DonationProcessor.getStats(pid).status());
        assertEquals(3, DonationProcessor.getStats(pid).pendingCount());
        assertEquals(new DonationProcessor.BatchResult(0, 0), DonationProcessor.processBatch(pid));

        DonationProcessor.resume(pid);
        DonationProcessor.addDonation(pid, Donation.of("c", "d3", Money.of(1, "IDR")));
        // The batch ran in handleContinue right after that reply, before this call.
        var stats = DonationProcessor.getStats(pid);
        assertEquals(0, stats.pendingCount());
        assertEquals(4, stats.processedCount());
        assertEquals(DonationProcessor.Status.IDLE, stats.status());
        GenServer.stop(pid);
    }

    @Test
    void historyIsBoundedButCountersCountEverything() {
        Pid pid = DonationProcessor.start(new DonationProcessor.Config("c", Money.currency("USD"), 1000, 5)).pid();
        for (int i = 0; i < 20; i++) {
            DonationProcessor.addDonation(pid, Donation.of("c", "d" + i, Money.of(1, "USD")));
        }
        DonationProcessor.processBatch(pid);
        DonationProcessor.State state = io.otpj.core.Sys.getState(pid);
        assertEquals(5, state.processed.size());
        assertEquals(20, DonationProcessor.getStats(pid).processedCount());
        GenServer.stop(pid);
    }
}
