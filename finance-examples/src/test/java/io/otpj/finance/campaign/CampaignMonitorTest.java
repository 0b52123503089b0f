package io.otpj.finance.campaign;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignMonitorTest {

    @TempDir static Path dir;
    static Database db;

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.open(dir);
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    @Test
    void eachMilestoneIsAlertedOnceEvenAcrossRestarts() {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        LinkedBlockingQueue<MilestoneAlert> alerts = new LinkedBlockingQueue<>();
        Pid monitor = CampaignMonitor.start(CampaignMonitor.Options.of(db, c.id(), alerts::add)).pid();

        assertEquals(List.of(), CampaignMonitor.checkNow(monitor));
        db.campaigns().recordDonation(Donation.of(c.id(), "a", Money.of(260, "USD")));
        assertEquals(List.of(25), percents(CampaignMonitor.checkNow(monitor)));
        assertEquals(List.of(), CampaignMonitor.checkNow(monitor), "25 % is not announced twice");

        // A jump over two milestones announces both.
        db.campaigns().recordDonation(Donation.of(c.id(), "b", Money.of(500, "USD")));
        assertEquals(List.of(50, 75), percents(CampaignMonitor.checkNow(monitor)));

        // A new monitor (after a crash) does not repeat them.
        Proc.exit(monitor, ExitReason.kill());
        monitor = CampaignMonitor.start(CampaignMonitor.Options.of(db, c.id(), alerts::add)).pid();
        assertEquals(List.of(), CampaignMonitor.checkNow(monitor));
        db.campaigns().recordDonation(Donation.of(c.id(), "c", Money.of(300, "USD")));
        List<MilestoneAlert> last = CampaignMonitor.checkNow(monitor);
        assertEquals(List.of(100), percents(last));
        assertEquals(Money.of(1_060, "USD"), last.getFirst().raised());

        assertEquals(List.of(25, 50, 75, 100), percents(List.copyOf(alerts)));
        assertEquals(List.of(25, 50, 75, 100), List.copyOf(db.milestones().reached(c.id())));
        GenServer.stop(monitor);
    }

    @Test
    void aDonationEventTriggersACheckAndTheTimerChecksPeriodically() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(100, "EUR"));
        LinkedBlockingQueue<MilestoneAlert> alerts = new LinkedBlockingQueue<>();
        Pid monitor = CampaignMonitor.start(CampaignMonitor.Options.of(db, c.id(), alerts::add)).pid();
        Donation d = Donation.of(c.id(), "a", Money.of(30, "EUR"));
        db.campaigns().recordDonation(d);
        CampaignMonitor.donationReceived(monitor, d, Money.of(30, "EUR"));
        assertEquals(25, alerts.poll(30, TimeUnit.SECONDS).percent());
        GenServer.stop(monitor);

        // With a short interval, the timer finds the next milestone without being told.
        Pid periodic = CampaignMonitor.start(CampaignMonitor.Options.of(db, c.id(), alerts::add)
                .withCheckInterval(Duration.ofMillis(20))).pid();
        db.campaigns().recordDonation(Donation.of(c.id(), "b", Money.of(30, "EUR")));
        assertEquals(50, alerts.poll(30, TimeUnit.SECONDS).percent());
        GenServer.stop(periodic);
    }

    @Test
    void aFailingSinkDoesNotCrashTheMonitor() {
        Campaign c = TestDatabase.campaign(db, Money.of(100, "EUR"));
        Pid monitor = CampaignMonitor.start(CampaignMonitor.Options.of(db, c.id(), a -> {
            throw new IllegalStateException("sink down");
        })).pid();
        db.campaigns().recordDonation(Donation.of(c.id(), "a", Money.of(100, "EUR")));
        assertEquals(List.of(25, 50, 75, 100), percents(CampaignMonitor.checkNow(monitor)));
        assertTrue(monitor.isAlive());
        assertEquals(4, CampaignMonitor.alertsSent(monitor).size());
        GenServer.stop(monitor);
    }

    private static List<Integer> percents(List<MilestoneAlert> alerts) {
        return alerts.stream().map(MilestoneAlert::percent).toList();
    }
}
