package io.otpj.finance.app;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CallException;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.Sys;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.campaign.MilestoneAlert;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import io.otpj.finance.testing.TestDatabase;
import io.otpj.finance.zakat.ZakatCalculatorServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole tree: manager, campaigns under their supervisors, registry names, pub/sub, scheduler. */
class FinanceApplicationTest {

    @TempDir Path dir;
    Database db;
    FinanceApplication app;
    final LinkedBlockingQueue<MilestoneAlert> alerts = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        db = TestDatabase.open(dir);
        app = FinanceApplication.start(config());
    }

    FinanceApplication.Config config() {
        return FinanceApplication.Config.of(db).withName(TestDatabase.uniqueId("fin").replace('-', '.'))
                .withCampaigns(CampaignSettings.defaults().withBatching(5, Duration.ofHours(1)).withAlerts(alerts::add));
    }

    @AfterEach
    void stop() {
        app.close();
        db.close();
    }

    String create(String currency, long goal) {
        String id = TestDatabase.uniqueId("camp");
        Campaign c = CampaignManager.createCampaign(app.manager(), new CampaignManager.NewCampaign(id, "Campaign " + id,
                Money.of(goal, currency)));
        assertEquals(CampaignStatus.ACTIVE, c.status());
        return id;
    }

    /** Sends a donation until it is acknowledged, as a donor retrying after a crash does. */
    static void give(Runnable send) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                send.run();
                return;
            } catch (CallException | IllegalStateException retry) {
                if (System.nanoTime() > deadline) {
                    throw retry;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    @Test
    void campaignsRunUnderTheTreeAndSurviveCrashes() throws Exception {
        String a = create("IDR", 1_000_000);
        String b = create("USD", 1_000);
        // (A shared PostgreSQL database may hold other active campaigns, which the manager runs too.)
        assertTrue(CampaignManager.runningCampaigns(app.manager()).containsAll(List.of(a, b)));
        // Each campaign's subtree runs under its partition of the campaigns' PartitionSupervisor.
        assertEquals(FinanceApplication.CAMPAIGN_PARTITIONS, io.otpj.supervisor.Supervisor.whichChildren(app.campaigns()).size());
        for (String id : List.of(a, b)) {
            Pid campaignSup = app.registry().whereisName(new CampaignManager.SupervisorKey(id));
            assertTrue(io.otpj.supervisor.DynamicSupervisor.whichChildren(app.campaignSupervisor(id)).stream()
                    .anyMatch(c -> c.pid().equals(java.util.Optional.of(campaignSup))), id + " under its partition");
        }

        Money sumA = Money.zero("IDR");
        Money sumB = Money.zero("USD");
        for (int i = 1; i <= 20; i++) {
            Donation da = Donation.of(a, "donor" + i, Money.of(10_000, "IDR"));
            Donation db2 = Donation.of(b, "donor" + i, Money.of(i, "USD"));
            give(() -> CampaignServer.addDonation(app.campaign(a), da));
            give(() -> DonationProcessorServer.addDonation(app.processor(b), db2));
            sumA = sumA.plus(da.amount());
            sumB = sumB.plus(db2.amount());
            if (i % 7 == 0) {
                Pid campaignPid = GenServer.whereis(app.campaign(a)).orElseThrow();
                Pid processorPid = GenServer.whereis(app.processor(b)).orElseThrow();
                Proc.exit(campaignPid, ExitReason.kill());
                Proc.exit(processorPid, ExitReason.of("injected crash"));
            }
        }
        give(() -> DonationProcessorServer.processBatch(app.processor(b)));

        assertEquals(sumA, CampaignServer.getCampaign(app.campaign(a)).current());
        assertEquals(sumB, CampaignServer.getCampaign(app.campaign(b)).current());
        var report = CampaignScheduler.checkNow(app.scheduler());
        assertTrue(report.consistent().containsAll(List.of(a, b)), report.toString());
        assertTrue(report.inconsistent().isEmpty());

        // 200 IDR... 20 x 10,000 = 200,000 = 20 % of the goal: no alert; USD 210 of 1000 = 21 %: none either.
        assertTrue(alerts.isEmpty());
        give(() -> CampaignServer.addDonation(app.campaign(b), Donation.of(b, "big", Money.of(600, "USD"))));
        assertEquals(List.of(25, 50, 75), List.of(alerts.poll(30, TimeUnit.SECONDS).percent(),
                alerts.poll(30, TimeUnit.SECONDS).percent(), alerts.poll(30, TimeUnit.SECONDS).percent()));
    }

    @Test
    void managerStatsViewsRemindersAndBadInput() {
        String a = create("EUR", 500);
        CampaignManager.trackView(app.manager(), a);
        CampaignManager.trackView(app.manager(), a);
        CampaignManager.scheduleReminder(app.manager(), a);
        var stats = CampaignManager.getCampaignStats(app.manager(), a);
        assertEquals(2, stats.views());
        assertTrue(stats.reminderScheduled());
        assertEquals(0, stats.processing().orElseThrow().pendingCount());
        assertThrows(IllegalArgumentException.class, () -> CampaignManager.getCampaignStats(app.manager(), "no-such"));
        assertThrows(IllegalArgumentException.class, () -> CampaignManager.createCampaign(app.manager(),
                new CampaignManager.NewCampaign(a, "again", Money.of(1, "EUR"))));
        assertThrows(IllegalArgumentException.class, () -> new CampaignManager.NewCampaign("x", "bad goal", Money.of(-1, "EUR")));
        assertTrue(GenServer.whereis(app.manager()).isPresent());
    }

    @Test
    void viewsAndRemindersOfUnknownCampaignsAreIgnored() {
        String a = create("EUR", 500);
        CampaignManager.trackView(app.manager(), a);
        for (int i = 0; i < 100; i++) {
            CampaignManager.trackView(app.manager(), "made-up-" + i);
            CampaignManager.scheduleReminder(app.manager(), "made-up-" + i);
        }
        // A call after the casts, from the same sender: they have all been handled.
        assertEquals(1, CampaignManager.getCampaignStats(app.manager(), a).views());
        CampaignManager.State state = Sys.getState(app.manager());
        assertEquals(Set.of(a), Set.copyOf(state.views.keySet()));
        assertTrue(state.reminders.isEmpty(), state.reminders.toString());
        assertTrue(GenServer.whereis(app.manager()).isPresent());
    }

    @Test
    void aRestartedApplicationReloadsItsCampaignsFromTheDatabase() {
        String a = create("IDR", 1_000_000);
        give(() -> CampaignServer.addDonation(app.campaign(a), Donation.of(a, "d", Money.of(5_000, "IDR"))));
        Donation pending = Donation.of(a, "p", Money.of(7_000, "IDR"));
        give(() -> DonationProcessorServer.addDonation(app.processor(a), pending));
        app.close();
        app = FinanceApplication.start(config());
        // The manager starts the database's campaigns in handleContinue, just after start.
        TestKit.eventually(() -> GenServer.whereis(app.processor(a)).isPresent(), Duration.ofSeconds(30), "campaign " + a + " to be running");
        assertEquals(1, DonationProcessorServer.getStatus(app.processor(a)).pendingCount());
        DonationProcessorServer.processBatch(app.processor(a));
        assertEquals(Money.of(12_000, "IDR"), CampaignServer.getCampaign(app.campaign(a)).current());
    }

    @Test
    void lifecycleEventsAndRemindersArePublishedOnTheCampaignsTopic() throws Exception {
        app.close();
        app = FinanceApplication.start(config().withCampaigns(CampaignSettings.defaults().withReminderDelay(Duration.ofMillis(20))));
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        Pid listener = Proc.spawn(() -> {
            app.pubsub().subscribe(io.otpj.finance.campaign.CampaignEvent.CAMPAIGNS);
            subscribed.countDown();
            while (true) {
                events.add(Proc.receive());
            }
        });
        assertTrue(subscribed.await(30, TimeUnit.SECONDS));
        String a = create("USD", 100);
        assertEquals(a, ((io.otpj.finance.campaign.CampaignEvent.CampaignCreated) events.poll(30, TimeUnit.SECONDS)).campaign().id());
        CampaignManager.scheduleReminder(app.manager(), a);
        assertEquals(new io.otpj.finance.campaign.CampaignEvent.Reminder(a), events.poll(30, TimeUnit.SECONDS));
        CampaignServer.updateStatus(app.campaign(a), CampaignStatus.PAUSED);
        assertEquals(new io.otpj.finance.campaign.CampaignEvent.StatusChanged(a, CampaignStatus.PAUSED), events.poll(30, TimeUnit.SECONDS));
        Proc.exit(listener, ExitReason.kill());
    }

    @Test
    void theOtherServersRunInTheTree() {
        assertEquals(Money.of(2_500_000, "IDR"), ZakatCalculatorServer.calculate(app.zakat(), Money.of(100_000_000, "IDR"),
                Money.of(85_000_000, "IDR")));
        assertEquals(io.otpj.finance.payment.PaymentResult.Approved.class,
                io.otpj.finance.payment.PaymentGatewayServer.processPayment(app.paymentGateway(), Money.of(5, "USD")).getClass());
        assertEquals(0, io.otpj.finance.payment.PaymentProcessor.pendingCount(app.paymentProcessor()));
    }

    /** A filtered application starts and audits only the stored campaigns its filter accepts. */
    @Test
    void aCampaignFilterLeavesOtherStoredCampaignsAlone() {
        String mine = create("USD", 1_000);
        String other = create("USD", 1_000);
        app.close();
        FinanceApplication.Config filtered = config().withCampaignFilter(mine::equals);
        app = FinanceApplication.start(filtered);
        io.otpj.test.TestKit.eventually(() -> GenServerWhereis.alive(app.campaign(mine)), Duration.ofSeconds(30),
                "the accepted campaign's server started");
        CampaignScheduler.CheckReport report = CampaignScheduler.checkNow(app.scheduler());
        assertTrue(report.consistent().contains(mine), report.toString());
        assertFalse(report.consistent().contains(other) || report.inconsistent().contains(other)
                || report.unavailable().contains(other), "the other campaign is not audited: " + report);
        assertFalse(GenServerWhereis.alive(app.campaign(other)), "the other campaign's server is not started");
        assertEquals(CampaignStatus.ACTIVE, db.campaigns().find(other).orElseThrow().status(), "and left as it was");
    }

    private static final class GenServerWhereis {
        static boolean alive(io.otpj.core.Name name) {
            return io.otpj.core.GenServer.whereis(name).map(io.otpj.core.Pid::isAlive).orElse(false);
        }
    }
}
