package io.otpj.finance.db;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.PaymentTransaction;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir Path dir;
    Database db;

    @BeforeEach
    void open() {
        db = TestDatabase.open(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void migratesAndRoundTripsCampaigns() {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000_000, "IDR"));
        assertEquals(Money.zero("IDR"), c.current());
        assertEquals(CampaignStatus.ACTIVE, c.status());
        assertEquals(c, db.campaigns().find(c.id()).orElseThrow());
        assertTrue(db.campaigns().findAll().contains(c));
        assertTrue(db.campaigns().findByStatus(CampaignStatus.ACTIVE).contains(c));
        assertEquals(CampaignStatus.PAUSED, db.campaigns().updateStatus(c.id(), CampaignStatus.PAUSED).status());
        assertThrows(IllegalArgumentException.class, () -> db.campaigns().create(c));
        assertThrows(IllegalArgumentException.class, () -> db.campaigns().updateStatus("nope", CampaignStatus.ACTIVE));
        assertTrue(db.campaigns().find("nope").isEmpty());
    }

    @Test
    void currenciesWithOtherMinorUnitsRoundTripExactly() {
        for (Money goal : List.of(Money.of("1000", "JPY"), Money.of("12.345", "KWD"), Money.of("1.2345", "CLF"),
                Money.of("999999999999999.99", "USD"))) {
            Campaign c = TestDatabase.campaign(db, goal);
            assertEquals(goal, db.campaigns().find(c.id()).orElseThrow().goal());
        }
        assertThrows(IllegalArgumentException.class, () -> TestDatabase.campaign(db, Money.of("1000000000000000", "USD")));
    }

    @Test
    void recordDonationIsAtomicIdempotentAndValidated() {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000_000, "IDR"));
        Donation d = Donation.of(c.id(), "donor_123", Money.of(50_000, "IDR"));
        var r = db.campaigns().recordDonation(d);
        assertFalse(r.duplicate());
        assertEquals(Money.of(50_000, "IDR"), r.campaign().current());
        assertEquals(1, r.campaign().donationCount());

        var again = db.campaigns().recordDonation(d);
        assertTrue(again.duplicate());
        assertEquals(r.campaign(), again.campaign());

        Donation sameIdOtherAmount = new Donation(d.id(), c.id(), "donor_123", Money.of(1, "IDR"), d.createdAt());
        assertReject(Rejection.Reason.DUPLICATE_ID, () -> db.campaigns().recordDonation(sameIdOtherAmount));
        assertReject(Rejection.Reason.NON_POSITIVE_AMOUNT,
                () -> db.campaigns().recordDonation(Donation.of(c.id(), "x", Money.of(-5, "IDR"))));
        assertReject(Rejection.Reason.CURRENCY_MISMATCH,
                () -> db.campaigns().recordDonation(Donation.of(c.id(), "x", Money.of(5, "USD"))));
        assertReject(Rejection.Reason.UNKNOWN_CAMPAIGN,
                () -> db.campaigns().recordDonation(Donation.of("no-such", "x", Money.of(5, "IDR"))));
        db.campaigns().updateStatus(c.id(), CampaignStatus.COMPLETED);
        assertReject(Rejection.Reason.CAMPAIGN_NOT_ACTIVE,
                () -> db.campaigns().recordDonation(Donation.of(c.id(), "x", Money.of(5, "IDR"))));

        // Nothing the rejections touched changed.
        var totals = db.donations().processedTotals(c.id());
        assertEquals(1, totals.count());
        assertEquals(Money.of(50_000, "IDR"), totals.sum());
        assertEquals(Map.of(DonationStatus.PROCESSED, 1L), db.donations().countByStatus(c.id()));
    }

    @Test
    void pendingDonationsAreSettledOnceInBatches() {
        Campaign c = TestDatabase.campaign(db, Money.of(100, "USD"));
        List<Donation> ds = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Donation d = Donation.of(c.id(), "donor" + i, Money.of(i, "USD"));
            ds.add(d);
            assertTrue(db.donations().insertPending(d).created());
        }
        assertFalse(db.donations().insertPending(ds.getFirst()).created());
        // Another campaign's pending donation is not this one's (the query reads every pending row).
        Campaign elsewhere = TestDatabase.campaign(db, Money.of(100, "USD"));
        Donation others = Donation.of(elsewhere.id(), "donor9", Money.of(9, "USD"));
        assertTrue(db.donations().insertPending(others).created());
        assertEquals(ds, db.donations().findPending(c.id()));
        assertEquals(List.of(others), db.donations().findPending(elsewhere.id()));
        assertReject(Rejection.Reason.UNKNOWN_CAMPAIGN,
                () -> db.donations().insertPending(Donation.of("no-such", "x", Money.of(5, "USD"))));

        // One select and one statement batch for the lot; an id named twice is counted once.
        List<String> batch = new ArrayList<>(ds.subList(0, 3).stream().map(Donation::id).toList());
        batch.add(ds.get(1).id());
        var first = db.campaigns().processPending(c.id(), batch);
        assertEquals(Money.of(6, "USD"), first.campaign().current());
        assertEquals(3, first.campaign().donationCount());
        assertEquals(3, first.settled().size());
        assertTrue(first.settled().stream().allMatch(r -> r.status() == DonationStatus.PROCESSED));

        // Closing the campaign counts what is still pending: those donations were acknowledged.
        Campaign closed = db.campaigns().updateStatus(c.id(), CampaignStatus.CANCELLED);
        assertEquals(Money.of(15, "USD"), closed.current(), "6 settled in the batch + 4 + 5 counted by the close");
        assertEquals(5, closed.donationCount());
        var second = db.campaigns().processPending(c.id(), List.of(ds.get(2).id(), ds.get(3).id(), "missing-id"));
        assertEquals(Money.of(15, "USD"), second.campaign().current(), "settled again: not counted twice");
        assertEquals(List.of("missing-id"), second.missing());
        assertTrue(second.settled().stream().allMatch(r -> r.status() == DonationStatus.PROCESSED), second.toString());

        assertEquals(List.of(), db.donations().findPending(c.id()));
        assertEquals(new DonationRepository.Totals(5, Money.of(15, "USD")), db.donations().processedTotals(c.id()));
        // Closing again (a final status stays final) counts nothing more.
        assertEquals(Money.of(15, "USD"), db.campaigns().updateStatus(c.id(), CampaignStatus.CANCELLED).current());
        // Running totals and donation sums agree across all campaigns (a shared PostgreSQL has others).
        Money runningTotals = Money.zero("USD");
        for (Campaign other : db.campaigns().findAll()) {
            if (other.currency().getCurrencyCode().equals("USD")) {
                runningTotals = runningTotals.plus(other.current());
            }
        }
        assertEquals(runningTotals, db.donations().processedSumByCurrency().get(Money.currency("USD")));
    }

    /**
     * One index led by {@code campaign_id}, shared by the foreign key (H2 makes a foreign key an
     * index of its own unless one on exactly its columns exists: two such indexes are each written
     * at one place per campaign in every commit), and one on {@code status}.
     */
    @Test
    void donationsHaveOneCampaignIndexSharedByTheForeignKeyAndAStatusIndex() {
        boolean postgres = TestDatabase.postgresUrl() != null;
        Map<String, List<String>> indexes = db.transaction(null, "read the donations' indexes", c -> {
            Map<String, List<String>> out = new java.util.TreeMap<>();
            String sql = postgres
                    ? "SELECT i.relname AS index_name, a.attname AS column_name FROM pg_index x"
                            + " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                            + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey)"
                            + " WHERE t.relname = 'donations' AND t.relnamespace = to_regnamespace(current_schema())"
                            + " ORDER BY i.relname, array_position(x.indkey, a.attnum)"
                    : "SELECT index_name, column_name FROM information_schema.index_columns"
                            + " WHERE table_name = 'donations' ORDER BY index_name, ordinal_position";
            try (var ps = c.prepareStatement(sql); var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString("index_name"), k -> new ArrayList<>()).add(rs.getString("column_name"));
                }
            }
            return out;
        });
        List<String> byCampaign = indexes.entrySet().stream()
                .filter(e -> e.getValue().getFirst().equals("campaign_id")).map(Map.Entry::getKey).toList();
        assertEquals(List.of("donations_campaign"), byCampaign, "indexes led by campaign_id: " + indexes);
        assertEquals(List.of("campaign_id"), indexes.get("donations_campaign"));
        assertEquals(List.of("status"), indexes.get("donations_status"), indexes.toString());
        if (!postgres) {
            String fkIndex = db.transaction(null, "read the foreign key's index", c -> {
                try (var ps = c.prepareStatement("SELECT index_name FROM information_schema.table_constraints"
                        + " WHERE table_name = 'donations' AND constraint_name = 'donations_campaign_fk'");
                        var rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertEquals("donations_campaign", fkIndex);
        }
    }

    @Test
    void transactionsAreStoredOnce() {
        String ref = TestDatabase.uniqueId("don");
        var t1 = PaymentTransaction.approved(TestDatabase.uniqueId("don"), Money.of("10.50", "USD"), "gw-1");
        var t2 = PaymentTransaction.declined(ref, Money.of("3", "EUR"));
        long before = db.transactions().count();
        assertEquals(2, db.transactions().insertAll(List.of(t1, t2)));
        assertEquals(0, db.transactions().insertAll(List.of(t1, t2)));
        assertEquals(before + 2, db.transactions().count());
        assertEquals(t1, db.transactions().find(t1.id()).orElseThrow());
        assertEquals(List.of(t2), db.transactions().findByReference(ref));
    }

    @Test
    void milestonesAreMarkedOnce() {
        Campaign c = TestDatabase.campaign(db, Money.of(100, "USD"));
        assertTrue(db.milestones().markReached(c.id(), 25, Money.of(30, "USD")));
        assertFalse(db.milestones().markReached(c.id(), 25, Money.of(40, "USD")));
        assertTrue(db.milestones().markReached(c.id(), 50, Money.of(50, "USD")));
        assertEquals(List.of(25, 50), List.copyOf(db.milestones().reached(c.id())));
        assertThrows(IllegalArgumentException.class, () -> db.milestones().markReached(c.id(), 30, Money.of(30, "USD")));
        assertThrows(IllegalArgumentException.class, () -> db.milestones().markReached("nope", 25, Money.of(30, "USD")));
    }

    @Test
    void committedDataSurvivesReopening() {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "EUR"));
        db.campaigns().recordDonation(Donation.of(c.id(), "d", Money.of("12.34", "EUR")));
        db.close();
        db = TestDatabase.open(dir);
        assertEquals(Money.of("12.34", "EUR"), db.campaigns().find(c.id()).orElseThrow().current());
    }

    @Test
    void laneWorkRunsInOrderAndSurvivesAnInterruptedCaller() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Object lane = Database.campaignLane(c.id());
        // A caller that is interrupted while its write waits behind a blocked one.
        CompletableFuture<Void> blocker = CompletableFuture.runAsync(() -> db.transaction(lane, "block", conn -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertTrue(started.await(30, TimeUnit.SECONDS));
        Donation d = Donation.of(c.id(), "d", Money.of(7, "USD"));
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                db.campaigns().recordDonation(d);
            } catch (DatabaseException expected) {
                // interrupted while waiting
            }
        });
        // The write is queued in the lane before the caller is interrupted.
        while (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        caller.interrupt();
        caller.join(Duration.ofSeconds(30));
        assertFalse(caller.isAlive());
        release.countDown();
        blocker.get(30, TimeUnit.SECONDS);
        // The abandoned write still ran, before this read in the same lane.
        assertEquals(Money.of(7, "USD"), db.campaigns().find(c.id()).orElseThrow().current());
    }

    @Test
    void queuedWorkOfAProcessKilledBeforeItsTurnIsSkippedAndTheLaneGoesOn() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Object lane = Database.campaignLane(c.id());
        CompletableFuture<Void> blocker = CompletableFuture.runAsync(() -> db.transaction(lane, "block", conn -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertTrue(started.await(30, TimeUnit.SECONDS));
        // The worker can start before the lane map holds its item (and an earlier, finished item
        // may still be there): wait for the blocker's own, unfinished item to be the lane's tail.
        TestKit.eventually(() -> {
            CompletableFuture<?> tail = db.laneTail(lane);
            return tail != null && !tail.isDone();
        }, Duration.ofSeconds(30), "the blocker queued");
        CompletableFuture<?> blockerTail = db.laneTail(lane);

        // A server process whose write waits behind the blocked one, then is killed.
        Pid server = Proc.spawn(() -> db.campaigns().updateStatus(c.id(), CampaignStatus.CANCELLED));
        // Waits (by polling, no timing guess) for the server's write to take its place in the lane.
        TestKit.eventually(() -> db.laneTail(lane) != blockerTail, Duration.ofSeconds(30), "the server's write queued");
        Proc.exit(server, ExitReason.kill());
        assertFalse(server.isAlive());
        release.countDown();
        blocker.get(30, TimeUnit.SECONDS);

        // The dead process's write never ran; work queued after it runs as usual, in order.
        assertEquals(CampaignStatus.ACTIVE, db.campaigns().find(c.id()).orElseThrow().status());
        assertEquals(CampaignStatus.PAUSED, db.campaigns().updateStatus(c.id(), CampaignStatus.PAUSED).status());
    }

    /**
     * Each commit is a new chunk at the end of H2's file; closing compacts it back to the data's
     * size. H2's own compaction at close (200 ms by default) left 12.7 MB of the 63 MB here.
     */
    @Test
    void theFileIsCompactedWhenTheDatabaseCloses() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabase.postgresUrl() == null, "an H2 file only");
        Campaign c = TestDatabase.campaign(db, Money.of(1_000_000, "USD"));
        Path file = dir.resolve("otpj-finance.mv.db");
        for (int i = 0; i < 3_000; i++) {
            db.donations().insertPending(Donation.of(c.id(), "donor", Money.of(1, "USD"))); // one commit each
        }
        long open = java.nio.file.Files.size(file);
        db.close();
        long closed = java.nio.file.Files.size(file);
        System.out.printf("h2 file: %,d bytes open after 3,000 commits, %,d closed%n", open, closed);
        assertTrue(closed < 1L << 20 && closed * 20 < open, "compacted on close: " + open + " -> " + closed + " bytes");
        try (Database again = Database.openEmbedded(dir)) {
            assertEquals(3_000, again.donations().findPending(c.id()).size(), "nothing lost by the compaction");
        }
    }

    /** {@code SHUTDOWN COMPACT} closes the database for every user: only for a file this JVM opened itself. */
    @Test
    void onlyAnH2FileOfItsOwnIsCompactedOnClose() {
        assertTrue(Database.compactsOnClose(Database.embeddedUrl(dir)));
        assertTrue(Database.compactsOnClose("jdbc:h2:./data/x;WRITE_DELAY=0"));
        assertFalse(Database.compactsOnClose("jdbc:h2:mem:x"));
        assertFalse(Database.compactsOnClose("jdbc:h2:tcp://127.0.0.1:9092/finance"));
        assertFalse(Database.compactsOnClose("jdbc:h2:ssl://db.example/finance"));
        assertFalse(Database.compactsOnClose("jdbc:h2:file:/tmp/x;AUTO_SERVER=TRUE"));
        assertFalse(Database.compactsOnClose("jdbc:h2:file:/tmp/x;auto_server=yes"));
        assertFalse(Database.compactsOnClose("jdbc:h2:file:/tmp/x;AUTO_SERVER=1"));
        assertTrue(Database.compactsOnClose("jdbc:h2:file:/tmp/x;AUTO_SERVER=FALSE"));
        assertFalse(Database.compactsOnClose("jdbc:h2:."));
        assertFalse(Database.compactsOnClose("jdbc:h2:memFS:x"));
        assertFalse(Database.compactsOnClose("jdbc:h2:zip:/tmp/db.zip!/x"));
        assertTrue(Database.compactsOnClose("jdbc:h2:~/x"));
        assertTrue(Database.compactsOnClose("jdbc:h2:nio:/tmp/x"));
        assertFalse(Database.compactsOnClose("jdbc:postgresql://localhost/otpj"));
    }

    /** The compaction closes H2 for every session: a second Database on the same file keeps working. */
    @Test
    void aFileStillOpenElsewhereInThisJvmIsNotCompactedUnderIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabase.postgresUrl() == null, "an H2 file only");
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        try (Database second = Database.openEmbedded(dir)) {
            db.close();
            second.donations().insertPending(Donation.of(c.id(), "donor", Money.of(1, "USD")));
            assertEquals(1, second.donations().findPending(c.id()).size());
        }
    }

    @Test
    void rejectsUnsupportedUrls() {
        assertThrows(IllegalArgumentException.class, () -> Database.open("jdbc:mysql://x/y"));
        assertThrows(IllegalArgumentException.class, () -> Database.Options.of("jdbc:h2:mem:x").withPoolSize(0));
        assertFalse(Database.Options.of("jdbc:h2:mem:x").withCredentials("u", "secret").toString().contains("secret"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Database.Options.of("jdbc:mysql://u:secret@h/db?password=secret"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    private static void assertReject(Rejection.Reason reason, Runnable r) {
        DonationRejectedException e = assertThrows(DonationRejectedException.class, r::run);
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
