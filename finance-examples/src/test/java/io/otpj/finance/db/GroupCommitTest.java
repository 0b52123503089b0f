package io.otpj.finance.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.db.DonationRepository.Stored;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import io.otpj.test.TestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit of pending donations: donations that arrive together share a transaction and
 * each future completes after its commit; settles share it too and see its rows; a bad donation
 * or settle fails only itself; a submitter dead before its batch began stores nothing; a flush
 * waits for the batches before it.
 */
class GroupCommitTest {

    static final Duration WAIT = Duration.ofSeconds(30);

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
    void recordedDonationsAreCountedInTheirCommitAndEachResultIsItsCampaignJustAfterIt() throws Exception {
        Campaign a = TestDatabase.campaign(db, Money.of(1_000_000, "USD"));
        int threads = 16, each = 40;
        List<Future<List<CampaignRepository.Recorded>>> sent = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int n = t;
                sent.add(pool.submit(() -> {
                    List<CampaignRepository.Recorded> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        Donation d = Donation.of(a.id(), "donor-" + n, Money.of(1 + (i % 3), "USD"));
                        CampaignRepository.Recorded r = db.campaigns().recordDonationAsync(d).get(30, TimeUnit.SECONDS);
                        assertEquals(DonationStatus.PROCESSED, r.status());
                        // Durable and counted when the future completes.
                        assertEquals(DonationStatus.PROCESSED, db.donations().find(d.id()).orElseThrow().status());
                        assertTrue(db.campaigns().find(a.id()).orElseThrow().donationCount() >= r.campaign().donationCount());
                        // A resend counts nothing and says so.
                        if (i % 10 == 0) {
                            CampaignRepository.Recorded again = db.campaigns().recordDonationAsync(d).get(30, TimeUnit.SECONDS);
                            assertTrue(again.duplicate());
                        }
                        mine.add(r);
                    }
                    return mine;
                }));
            }
        }
        List<CampaignRepository.Recorded> all = new ArrayList<>();
        for (Future<List<CampaignRepository.Recorded>> f : sent) {
            all.addAll(f.get());
        }
        // As if committed one by one: every fresh result has its own count, 1..n, and its amount
        // is the sum of the donations up to it.
        List<Long> counts = all.stream().map(r -> r.campaign().donationCount()).sorted().toList();
        List<Long> expected = new ArrayList<>();
        for (long k = 1; k <= threads * each; k++) {
            expected.add(k);
        }
        assertEquals(expected, counts, "each recorded donation's result is the campaign just after it");
        Campaign stored = db.campaigns().find(a.id()).orElseThrow();
        assertEquals(threads * each, stored.donationCount());
        assertEquals(new DonationRepository.Totals(stored.donationCount(), stored.current()),
                db.donations().processedTotals(a.id()), "the running total is the sum of the donations");
        assertTrue(db.groupCommit().stats().batches() < threads * each + threads * each / 10,
                "donations that arrive together share commits: " + db.groupCommit().stats());
        // Bad input fails only its own future; a closed campaign takes nothing.
        CompletableFuture<CampaignRepository.Recorded> wrong = db.campaigns().recordDonationAsync(
                Donation.of(a.id(), "donor-x", Money.of(5, "EUR")));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, wrong::get);
        assertEquals(Rejection.Reason.CURRENCY_MISMATCH, assertInstanceOf(DonationRejectedException.class, e.getCause())
                .rejection().reason());
        db.campaigns().updateStatus(a.id(), CampaignStatus.COMPLETED);
        e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> db.campaigns().recordDonationAsync(Donation.of(a.id(), "donor-y", Money.of(5, "USD"))).get());
        assertEquals(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, assertInstanceOf(DonationRejectedException.class, e.getCause())
                .rejection().reason());
    }

    @Test
    void concurrentDonationsShareCommitsAndEachIsStoredOnce() throws Exception {
        Campaign a = TestDatabase.campaign(db, Money.of(1_000_000, "USD"));
        Campaign b = TestDatabase.campaign(db, Money.of(1_000_000, "USD"));
        int threads = 32, each = 50;
        List<Future<List<Donation>>> sent = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int n = t;
                sent.add(pool.submit(() -> {
                    List<Donation> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        Donation d = Donation.of((n + i) % 2 == 0 ? a.id() : b.id(), "donor-" + n, Money.of(1, "USD"));
                        Stored s = db.donations().insertPendingAsync(d).get(30, TimeUnit.SECONDS);
                        assertTrue(s.created());
                        // Durable when the future completes: it is there for any reader at once.
                        assertEquals(DonationStatus.PENDING, db.donations().find(d.id()).orElseThrow().status());
                        mine.add(d);
                    }
                    return mine;
                }));
            }
        }
        int total = 0;
        for (Future<List<Donation>> f : sent) {
            total += f.get().size();
        }
        assertEquals(threads * each, total);
        assertEquals(threads * each, db.donations().findPending(a.id()).size() + db.donations().findPending(b.id()).size());
        GroupCommit.Stats st = db.groupCommit().stats();
        assertEquals(threads * each, st.donations());
        assertTrue(st.largestBatch() > 1, "donations arriving together shared a commit: " + st);
        assertTrue(st.batches() < threads * each, st.toString());
    }

    @Test
    void aBadDonationFailsOnlyItselfAndRetriesAreIdempotent() throws Exception {
        Campaign usd = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Campaign closed = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        db.campaigns().updateStatus(closed.id(), CampaignStatus.CANCELLED);
        Donation good = Donation.of(usd.id(), "donor", Money.of(5, "USD"));
        Donation taken = Donation.of(usd.id(), "donor", Money.of(6, "USD"));
        Donation sameIdOther = new Donation(taken.id(), usd.id(), "someone-else", Money.of(7, "USD"), taken.createdAt());
        Donation wrongCurrency = Donation.of(usd.id(), "donor", Money.of(5, "EUR"));
        Donation unknown = Donation.of(TestDatabase.uniqueId("nope"), "donor", Money.of(5, "USD"));
        Donation toClosed = Donation.of(closed.id(), "donor", Money.of(5, "USD"));

        // Submitted back to back, so most (or all) land in one batch.
        CompletableFuture<Stored> fGood = db.donations().insertPendingAsync(good);
        CompletableFuture<Stored> fTaken = db.donations().insertPendingAsync(taken);
        CompletableFuture<Stored> fTakenAgain = db.donations().insertPendingAsync(taken);
        CompletableFuture<Stored> fOther = db.donations().insertPendingAsync(sameIdOther);
        CompletableFuture<Stored> fCurrency = db.donations().insertPendingAsync(wrongCurrency);
        CompletableFuture<Stored> fUnknown = db.donations().insertPendingAsync(unknown);
        CompletableFuture<Stored> fClosed = db.donations().insertPendingAsync(toClosed);

        assertTrue(fGood.get(30, TimeUnit.SECONDS).created());
        assertTrue(fTaken.get(30, TimeUnit.SECONDS).created());
        Stored again = fTakenAgain.get(30, TimeUnit.SECONDS);
        assertEquals(false, again.created(), "the same donation twice is stored once");
        assertEquals(Rejection.Reason.DUPLICATE_ID, rejection(fOther));
        assertEquals(Rejection.Reason.CURRENCY_MISMATCH, rejection(fCurrency));
        assertEquals(Rejection.Reason.UNKNOWN_CAMPAIGN, rejection(fUnknown));
        assertEquals(Rejection.Reason.CAMPAIGN_NOT_ACTIVE, rejection(fClosed));
        assertEquals(List.of(good.id(), taken.id()).stream().sorted().toList(),
                db.donations().findPending(usd.id()).stream().map(Donation::id).sorted().toList());
        assertEquals(taken.donorId(), db.donations().find(taken.id()).orElseThrow().donation().donorId());
        assertTrue(db.donations().find(wrongCurrency.id()).isEmpty());
        assertTrue(db.donations().find(toClosed.id()).isEmpty());
    }

    @Test
    void aSubmitterDeadBeforeItsBatchBeganStoresNothingAndFlushWaitsForTheBatchInFlight() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Campaign other = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        RowHold hold = RowHold.of(db, c);
        Donation first = Donation.of(c.id(), "donor", Money.of(1, "USD"));
        CompletableFuture<Stored> fFirst = db.donations().insertPendingAsync(first);
        // The writer has taken it (its batch began, and waits for the row).
        TestKit.eventually(() -> db.groupCommit().queued() == 0, WAIT, "the writer took the first donation");

        // A process queues a donation behind that batch and is killed before the next begins.
        CompletableFuture<CompletableFuture<Stored>> queuedByProcess = new CompletableFuture<>();
        Donation orphan = Donation.of(other.id(), "donor", Money.of(2, "USD"));
        Pid p = Proc.spawn(() -> {
            queuedByProcess.complete(db.donations().insertPendingAsync(orphan));
            Proc.receive(); // until killed
        });
        CompletableFuture<Stored> fOrphan = queuedByProcess.get(30, TimeUnit.SECONDS);
        Proc.exit(p, ExitReason.kill());
        TestKit.eventually(() -> !p.isAlive(), WAIT, "the process died");
        CompletableFuture<Void> flushed = CompletableFuture.runAsync(() -> db.groupCommit().flush());
        hold.release();
        flushed.get(30, TimeUnit.SECONDS);

        assertTrue(fFirst.isDone(), "a flush returns after the batches before it");
        assertTrue(fFirst.get().created());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, fOrphan::get);
        assertInstanceOf(DatabaseException.class, e.getCause());
        assertTrue(db.donations().find(orphan.id()).isEmpty(), "a dead submitter's queued donation is not stored");
    }

    @Test
    void settlesShareTheBatchsTransactionAndSeeItsRows() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Campaign other = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Donation earlier = Donation.of(c.id(), "donor", Money.of(3, "USD"));
        Donation otherEarlier = Donation.of(other.id(), "donor", Money.of(4, "USD"));
        Donation orphanTarget = Donation.of(other.id(), "donor", Money.of(9, "USD"));
        for (Donation d : List.of(earlier, otherEarlier, orphanTarget)) {
            assertTrue(db.donations().insertPendingAsync(d).get(30, TimeUnit.SECONDS).created());
        }
        Pid p = null;
        CompletableFuture<CampaignRepository.BatchOutcome> fSettle, fOther, fUnknown, fOrphan;
        CompletableFuture<CampaignRepository.Recorded> fCounted;
        CompletableFuture<Stored> fPending;
        Donation pendingNow = Donation.of(c.id(), "donor", Money.of(7, "USD"));
        GroupCommit.Stats before;
        try (WriterHold _ = WriterHold.of(db, c)) {
            before = db.groupCommit().stats();
            // Queued while the writer is held, so all taken by its next batch: a counted
            // donation, a pending one, settles of two campaigns, one of a campaign that does not
            // exist, one of a process that dies before the batch begins.
            fCounted = db.campaigns().recordDonationAsync(Donation.of(c.id(), "donor", Money.of(5, "USD")));
            fPending = db.donations().insertPendingAsync(pendingNow);
            fSettle = db.groupCommit().settle(c.id(), List.of(earlier.id(), "missing-id"), null);
            fOther = db.groupCommit().settle(other.id(), List.of(otherEarlier.id()), null);
            fUnknown = db.groupCommit().settle(TestDatabase.uniqueId("nope"), List.of(earlier.id()), null);
            CompletableFuture<CompletableFuture<CampaignRepository.BatchOutcome>> queuedByProcess = new CompletableFuture<>();
            p = Proc.spawn(() -> {
                queuedByProcess.complete(db.groupCommit().settle(other.id(), List.of(orphanTarget.id()), Proc.self()));
                Proc.receive(); // until killed
            });
            fOrphan = queuedByProcess.get(30, TimeUnit.SECONDS);
            Proc.exit(p, ExitReason.kill());
            Pid dying = p;
            TestKit.eventually(() -> !dying.isAlive(), WAIT, "the process died");
        } finally {
            if (p != null) {
                Proc.exit(p, ExitReason.kill());
            }
        }

        CampaignRepository.BatchOutcome settled = fSettle.get(30, TimeUnit.SECONDS);
        CampaignRepository.Recorded recorded = fCounted.get(30, TimeUnit.SECONDS);
        assertTrue(fPending.get(30, TimeUnit.SECONDS).created());
        GroupCommit.Stats after = db.groupCommit().stats();
        assertEquals(before.batches() + 1, after.batches(), "one transaction for everything queued: " + after);
        assertEquals(before.settles() + 3, after.settles(), "the three live settles ran in it: " + after);
        // The settle ran after the batch's counted donation: its campaign has both.
        assertEquals(List.of(earlier.id()), settled.settled().stream().map(r -> r.donation().id()).toList());
        assertEquals(DonationStatus.PROCESSED, settled.settled().getFirst().status());
        assertEquals(List.of("missing-id"), settled.missing());
        assertEquals(2, settled.campaign().donationCount());
        assertEquals(Money.of(8, "USD"), settled.campaign().current());
        assertEquals(1, recorded.campaign().donationCount(), "a counted donation's result is its campaign just after it");
        assertEquals(settled.campaign(), db.campaigns().find(c.id()).orElseThrow(), "the settle's campaign is the stored one");
        assertTrue(db.donations().findPending(c.id()).stream().anyMatch(d -> d.id().equals(pendingNow.id())));
        assertEquals(Money.of(4, "USD"), fOther.get(30, TimeUnit.SECONDS).campaign().current());
        // Failures fail only their own futures.
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> fUnknown.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> fOrphan.get(30, TimeUnit.SECONDS));
        assertInstanceOf(DatabaseException.class, e.getCause());
        assertEquals(DonationStatus.PENDING, db.donations().find(orphanTarget.id()).orElseThrow().status(),
                "a dead submitter's queued settle writes nothing");
        assertEquals(1, db.campaigns().find(other.id()).orElseThrow().donationCount());
    }

    @Test
    void whenTheBatchFailsAsAWholeEachSettleRunsOnItsOwn() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Donation earlier = Donation.of(c.id(), "donor", Money.of(3, "USD"));
        assertTrue(db.donations().insertPendingAsync(earlier).get(30, TimeUnit.SECONDS).created());
        // Passes the donation's checks, but its amount does not fit NUMERIC(19, 4): binding it
        // (Sql.setMoney) fails the batch's insert, and the batch is rolled back.
        Donation tooLarge = Donation.of(c.id(), "donor", Money.of("10000000000000000", "USD"));
        CompletableFuture<Stored> fTooLarge;
        CompletableFuture<CampaignRepository.BatchOutcome> fSettle;
        GroupCommit.Stats before;
        try (WriterHold _ = WriterHold.of(db, c)) {
            before = db.groupCommit().stats();
            fTooLarge = db.donations().insertPendingAsync(tooLarge);
            fSettle = db.groupCommit().settle(c.id(), List.of(earlier.id()), null);
        }
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> fTooLarge.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        CampaignRepository.BatchOutcome settled = fSettle.get(30, TimeUnit.SECONDS);
        assertEquals(DonationStatus.PROCESSED, settled.settled().getFirst().status());
        assertEquals(Money.of(3, "USD"), db.campaigns().find(c.id()).orElseThrow().current());
        assertTrue(db.donations().find(tooLarge.id()).isEmpty());
        assertEquals(before, db.groupCommit().stats(), "the batch failed, so the settle ran in a transaction of its own");
    }

    @Test
    void afterCloseASubmissionFailsAtOnce() {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        db.close();
        CompletableFuture<Stored> f = db.donations().insertPendingAsync(Donation.of(c.id(), "donor", Money.of(1, "USD")));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(DatabaseException.class, e.getCause());
        db.donations(); // still usable as an object; close again is a no-op
    }

    /**
     * A submission or flush whose enqueue falls after {@code close()} (its check of the closed flag
     * passed before the close, its enqueue came after the writer's last drain) is still answered:
     * refused as closed, nothing written, and the flush returns. The window is held open by a
     * queue whose add from one thread waits until the close has returned.
     */
    @Test
    void aSubmissionWhoseEnqueueFallsAfterTheWritersLastDrainIsRefusedNotLost() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        Donation pending = Donation.of(c.id(), "donor-p", Money.of(1, "USD"));
        Donation counted = Donation.of(c.id(), "donor-c", Money.of(1, "USD"));
        List<java.util.function.Function<GroupCommit, CompletableFuture<?>>> ops = List.of(
                gc -> gc.submit(pending, null),
                gc -> gc.record(counted, null),
                gc -> gc.settle(c.id(), List.of(pending.id()), null),
                gc -> {
                    gc.flush();
                    return CompletableFuture.completedFuture(null);
                });
        for (int op = 0; op < ops.size(); op++) {
            HeldQueue queue = new HeldQueue();
            GroupCommit gc = new GroupCommit(db.pool(), db.donations(), db.campaigns(), "held-" + op, queue);
            CompletableFuture<CompletableFuture<?>> asked = new CompletableFuture<>();
            var work = ops.get(op);
            Thread submitter = Thread.ofPlatform().name("held-submitter-" + op).unstarted(() -> {
                try {
                    asked.complete(work.apply(gc));
                } catch (Throwable t) {
                    asked.completeExceptionally(t);
                }
            });
            queue.held = submitter;
            submitter.start();
            try {
                assertTrue(queue.reached.await(WAIT.toSeconds(), TimeUnit.SECONDS), "op " + op + " reached its enqueue");
                gc.close(); // the writer stops and drains while the submitter is between its check and its add
            } finally {
                queue.release.countDown();
                gc.close(); // idempotent
            }
            submitter.join(WAIT);
            if (submitter.isAlive()) {
                throw new AssertionError("op " + op + ": the submitter is stuck:" + stackOf(submitter));
            }
            CompletableFuture<?> f = asked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try {
                Object result = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(3, op, "only the flush completes normally, got " + result);
            } catch (ExecutionException e) {
                assertInstanceOf(DatabaseException.class, e.getCause(), "refused as closed");
                assertTrue(e.getCause().getMessage().startsWith("the database is closed"), e.getCause().getMessage());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("op " + op + ": the submission was never answered", e);
            }
        }
        assertTrue(db.donations().find(pending.id()).isEmpty(), "nothing was written");
        assertTrue(db.donations().find(counted.id()).isEmpty(), "nothing was written");
    }

    /**
     * A flush after close still waits for what came before it: while the writer is inside a batch
     * and a close waits for it, a flush returns only once that batch's donation is answered.
     */
    @Test
    void aFlushAfterCloseReturnsOnlyOnceTheWriterHasAnsweredWhatCameBefore() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        CountDownLatch inBatch = new CountDownLatch(1), release = new CountDownLatch(1);
        GroupCommit gc = new GroupCommit(pool(db.pool(), () -> {
            inBatch.countDown();
            await(release);
        }), db.donations(), db.campaigns(), "flush-after-close");
        Thread closer = null, flusher = null;
        try {
            Donation d = Donation.of(c.id(), "donor", Money.of(1, "USD"));
            CompletableFuture<Stored> f = gc.submit(d, null);
            assertTrue(inBatch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the writer began the batch");
            closer = Thread.ofPlatform().name("closer").start(gc::close);
            // The writer is held, so only the close's stop can be queued, and closed is set before it.
            TestKit.eventually(() -> gc.queued() == 1, WAIT, "the close queued its stop");
            CompletableFuture<Boolean> answeredWhenFlushReturned = new CompletableFuture<>();
            flusher = Thread.ofPlatform().name("flusher").start(() -> {
                gc.flush();
                answeredWhenFlushReturned.complete(f.isDone());
            });
            Thread f1 = flusher;
            TestKit.eventually(() -> waiting(f1) || answeredWhenFlushReturned.isDone(), WAIT, "the flush waits or returned");
            release.countDown();
            assertTrue(answeredWhenFlushReturned.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                    "the flush returned before the batch in flight was answered");
            assertTrue(f.get(WAIT.toSeconds(), TimeUnit.SECONDS).created());
            assertTrue(db.donations().find(d.id()).isPresent());
        } finally {
            release.countDown();
            gc.close();
            if (closer != null) {
                closer.join(WAIT);
            }
            if (flusher != null) {
                flusher.join(WAIT);
            }
        }
    }

    /**
     * A writer killed by an Error answers everything: the work it held fails with an outcome
     * unknown, what was queued behind it is refused saying why and a flush waiting behind it
     * returns, later submissions are refused too, and a later flush returns.
     */
    @Test
    void aWriterKilledByAnErrorLeavesNoSubmissionUnanswered() throws Exception {
        Campaign c = TestDatabase.campaign(db, Money.of(1_000, "USD"));
        CountDownLatch inBatch = new CountDownLatch(1), release = new CountDownLatch(1);
        GroupCommit gc = new GroupCommit(pool(db.pool(), () -> {
            inBatch.countDown();
            await(release);
            throw new AssertionError("injected: the writer's error");
        }), db.donations(), db.campaigns(), "killed-writer");
        try {
            CompletableFuture<Stored> held = gc.submit(Donation.of(c.id(), "donor", Money.of(1, "USD")), null);
            assertTrue(inBatch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the writer began the batch");
            CompletableFuture<Stored> queued = gc.submit(Donation.of(c.id(), "donor", Money.of(3, "USD")), null);
            CompletableFuture<Void> waitingFlush = CompletableFuture.runAsync(gc::flush);
            TestKit.eventually(() -> gc.queued() == 2, WAIT, "a donation and the flush's barrier queued behind the batch");
            release.countDown();

            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> held.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(DatabaseException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("may or may not have been stored"), e.getCause().getMessage());
            ExecutionException behind = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> queued.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(behind.getCause().getMessage().startsWith("the database's group commit stopped (its writer died of"),
                    behind.getCause().getMessage());
            waitingFlush.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            CompletableFuture<Stored> later = gc.submit(Donation.of(c.id(), "donor", Money.of(2, "USD")), null);
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> later.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().startsWith("the database's group commit stopped (its writer died of"),
                    refused.getCause().getMessage());
            CompletableFuture<Void> flushed = CompletableFuture.runAsync(gc::flush);
            flushed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            release.countDown();
            gc.close();
        }
    }

    /** {@code pool} whose first connection runs {@code first} before it is handed out (which may block or throw). */
    private static javax.sql.DataSource pool(javax.sql.DataSource pool, Runnable first) {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(GroupCommitTest.class.getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && ran.compareAndSet(false, true)) {
                        first.run();
                    }
                    try {
                        return method.invoke(pool, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean waiting(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A queue whose next add from {@link #held} waits for {@link #release}, after counting {@link #reached} down. */
    @SuppressWarnings("serial") // never serialised
    private static final class HeldQueue extends java.util.concurrent.LinkedBlockingQueue<Object> {
        transient volatile Thread held;
        final transient CountDownLatch reached = new CountDownLatch(1);
        final transient CountDownLatch release = new CountDownLatch(1);

        @Override
        public boolean add(Object o) {
            if (Thread.currentThread() == held) {
                held = null;
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return super.add(o);
        }
    }

    private static String stackOf(Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append(System.lineSeparator()).append("\tat ").append(e);
        }
        return b.toString();
    }

    /** A campaign row locked by another transaction, so the writer's next batch waits inside its own. */
    private record RowHold(CountDownLatch latch, CompletableFuture<Void> holder) implements AutoCloseable {
        static RowHold of(Database db, Campaign c) throws Exception {
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> db.transaction(null, "hold the campaign row",
                    conn -> {
                        CampaignRepository.select(conn, c.id(), true);
                        locked.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return null;
                    }));
            assertTrue(locked.await(30, TimeUnit.SECONDS), "the row was locked");
            return new RowHold(release, holder);
        }

        void release() throws ExecutionException, java.util.concurrent.TimeoutException {
            latch.countDown();
            try {
                holder.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the row hold ended", e);
            }
        }

        @Override
        public void close() throws ExecutionException, java.util.concurrent.TimeoutException {
            if (latch.getCount() > 0) {
                release();
            }
        }
    }

    /**
     * The writer held between two batches: inside a callback of a donation's future, which the
     * writer runs after that donation's batch has committed. Everything queued until {@link
     * #close} is taken by its next batch. The row lock only keeps the first batch from committing
     * until the callback is attached (milliseconds, well inside H2's lock timeout).
     */
    private record WriterHold(CountDownLatch latch) implements AutoCloseable {
        static WriterHold of(Database db, Campaign c) throws Exception {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Stored> first;
            try (RowHold _ = RowHold.of(db, c)) {
                first = db.donations().insertPendingAsync(Donation.of(c.id(), "donor", Money.of(1, "USD")));
                first.whenComplete((stored, error) -> {
                    held.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(held.await(30, TimeUnit.SECONDS), "the writer ran the callback");
            assertInstanceOf(Stored.class, first.getNow(null));
            return new WriterHold(release);
        }

        @Override
        public void close() {
            latch.countDown();
        }
    }

    private static Rejection.Reason rejection(CompletableFuture<Stored> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(DonationRejectedException.class, e.getCause()).rejection().reason();
    }
}
