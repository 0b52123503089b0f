package io.otpj.finance.payment;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.domain.PaymentTransaction;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's Mox test of PaymentGateway, and the server over a substitute gateway. */
class PaymentGatewayTest {

    final MockPaymentGateway mock = new MockPaymentGateway();
    Pid server;

    @AfterEach
    void verifyOnExit() {
        if (server != null && server.isAlive()) {
            GenServer.stop(server);
        }
        mock.verify();
    }

    Pid start(PaymentGatewayServer.Options options) {
        server = PaymentGatewayServer.start(options).pid();
        return server;
    }

    @Test
    void processesPaymentSuccessfully() throws Exception {
        Money amount = Money.of(50_000, "IDR");
        mock.expect(amount, a -> PaymentResult.approved("tx_123"));
        assertEquals(PaymentResult.approved("tx_123"), mock.processPayment(amount));
    }

    @Test
    void theServerChargesThroughTheSubstitute() {
        Money amount = Money.of(50_000, "IDR");
        mock.expect(amount, a -> PaymentResult.approved("tx_123"));
        start(PaymentGatewayServer.Options.of(mock));

        assertEquals(PaymentResult.approved("tx_123"), PaymentGatewayServer.processPayment(server, amount));
        var stats = PaymentGatewayServer.stats(server);
        assertEquals(1, stats.approved());
        assertEquals("tx_123", stats.lastTransaction().orElseThrow());
        assertEquals(Map.of(Money.currency("IDR"), amount), stats.totals());
    }

    @Test
    void aDeclineOrAGatewayErrorIsAClearErrorAndChangesNothing() {
        Money amount = Money.of(10, "USD");
        mock.expect(amount, a -> PaymentResult.declined("card expired"));
        mock.expect(amount, a -> {
            throw new java.io.IOException("connection reset");
        });
        mock.expect(amount, a -> null);
        start(PaymentGatewayServer.Options.of(mock));

        assertEquals(new PaymentResult.Failed(PaymentResult.Reason.DECLINED, "card expired"),
                PaymentGatewayServer.processPayment(server, amount));
        var error = assertInstanceOf(PaymentResult.Failed.class, PaymentGatewayServer.processPayment(server, amount));
        assertEquals(PaymentResult.Reason.GATEWAY_ERROR, error.reason());
        assertTrue(error.message().contains("connection reset"), error.message());
        assertEquals(PaymentResult.Reason.GATEWAY_ERROR,
                ((PaymentResult.Failed) PaymentGatewayServer.processPayment(server, amount)).reason());

        var stats = PaymentGatewayServer.stats(server);
        assertEquals(0, stats.approved());
        assertEquals(3, stats.failed());
        assertTrue(stats.lastTransaction().isEmpty());
        assertTrue(stats.totals().isEmpty());
        assertTrue(server.isAlive());
    }

    @Test
    void aNonPositiveAmountNeverReachesTheGateway() {
        start(PaymentGatewayServer.Options.of(mock));
        var r = assertInstanceOf(PaymentResult.Failed.class,
                PaymentGatewayServer.processPayment(server, Money.of(-5, "USD")));
        assertEquals(PaymentResult.Reason.INVALID_AMOUNT, r.reason());
        assertEquals(PaymentResult.Reason.INVALID_AMOUNT,
                ((PaymentResult.Failed) PaymentGatewayServer.processPayment(server, Money.zero("USD"))).reason());
        // verifyOnExit: the mock saw no call.
    }

    @Test
    void aGatewayThatDoesNotAnswerInTimeIsATimeoutWithUnknownOutcomeAndItsWorkerIsKilled() throws Exception {
        Money amount = Money.of(99, "EUR");
        AtomicReference<Pid> worker = new AtomicReference<>();
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        start(PaymentGatewayServer.Options.of(a -> {
            worker.set(Proc.self());
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return PaymentResult.approved("too-late");
        }).withGatewayTimeout(Duration.ofMillis(500)));

        var r = assertInstanceOf(PaymentResult.Failed.class, PaymentGatewayServer.processPayment(server, amount));
        assertEquals(PaymentResult.Reason.TIMEOUT, r.reason());
        assertTrue(r.message().contains("no answer within PT0.5S"), r.message());
        assertTrue(r.message().contains("outcome unknown"), r.message());
        // The worker stuck in the provider was killed before the reply (its thread interrupted),
        // not abandoned. (On a very loaded machine the deadline can pass before the worker even
        // reached the provider; then it was killed before it could run, and there is no pid to see.)
        Pid w = worker.get();
        if (w != null) {
            assertFalse(w.isAlive(), "the worker still runs after the timeout");
            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the worker's provider call was not interrupted");
        }
        var stats = PaymentGatewayServer.stats(server);
        assertEquals(0, stats.approved());
        assertEquals(1, stats.failed());
        assertEquals(0, stats.inFlight());
        assertTrue(server.isAlive());
    }

    @Test
    void aLateApprovalIsCountedAndAuditedNotDropped() {
        start(PaymentGatewayServer.Options.of(mock));
        Money amount = Money.of(99, "EUR");
        // A worker's answer for a payment no longer in flight (its caller was told TIMEOUT).
        Proc.send(server, new PaymentGatewayServer.Charged(41, "key-41", amount, PaymentResult.approved("gw-late")));
        Proc.send(server, new PaymentGatewayServer.Charged(42, "key-42", amount, PaymentResult.declined("no")));

        List<PaymentTransaction> log = PaymentGatewayServer.auditLog(server);
        assertEquals(1, log.size(), log.toString());
        PaymentTransaction late = log.getFirst();
        assertEquals("key-41", late.reference(), "reconciled by the payment's idempotency key");
        assertEquals(amount, late.amount());
        assertEquals(PaymentTransaction.Status.APPROVED, late.status());
        assertEquals("gw-late", late.gatewayTransactionId().orElseThrow());
        var stats = PaymentGatewayServer.stats(server);
        assertEquals(1, stats.approved());
        assertEquals("gw-late", stats.lastTransaction().orElseThrow());
        assertEquals(Map.of(Money.currency("EUR"), amount), stats.totals());
        assertEquals(0, stats.inFlight());
    }

    /** A provider with idempotency keys that charges, then loses its answer (hangs). */
    static final class ChargesThenHangs implements PaymentGateway {
        final java.util.concurrent.ConcurrentHashMap<String, PaymentResult> recorded = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger charges = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public PaymentResult processPayment(Money amount) {
            throw new UnsupportedOperationException("this provider charges only with a key");
        }

        @Override
        public PaymentResult processPayment(String key, Money amount) throws InterruptedException {
            charges.incrementAndGet();
            recorded.put(key, PaymentResult.approved("gw-" + key));
            new CountDownLatch(1).await(); // charged, but the answer never comes
            return recorded.get(key);
        }

        @Override
        public java.util.Optional<PaymentResult> outcomeOf(String key) {
            return java.util.Optional.ofNullable(recorded.get(key));
        }
    }

    /** "A TIMEOUT can be reconciled before a retry instead of charging twice": the same key is asked first. */
    @Test
    void aRetryAfterATimeoutWithTheSameKeyGetsTheChargedOutcomeWithoutASecondCharge() {
        ChargesThenHangs provider = new ChargesThenHangs();
        start(PaymentGatewayServer.Options.of(provider).withGatewayTimeout(Duration.ofMillis(300)));
        Money amount = Money.of(40, "EUR");
        var first = assertInstanceOf(PaymentResult.Failed.class, PaymentGatewayServer.processPayment(server, "donation-17", amount));
        assertEquals(PaymentResult.Reason.TIMEOUT, first.reason());
        assertEquals(PaymentResult.approved("gw-donation-17"), PaymentGatewayServer.processPayment(server, "donation-17", amount));
        assertEquals(1, provider.charges.get(), "charged once, whatever the retries");
        assertThrows(IllegalArgumentException.class, () -> PaymentGatewayServer.processPayment(server, " ", amount));
    }

    @Test
    void theSimulatedProviderHonoursIdempotencyKeys() throws Exception {
        SimulatedPaymentGateway g = SimulatedPaymentGateway.approvingAll();
        assertTrue(g.outcomeOf("k").isEmpty());
        PaymentResult once = g.processPayment("k", Money.of(5, "USD"));
        assertEquals(once, g.processPayment("k", Money.of(5, "USD")), "a repeat of the key is the same charge");
        assertEquals(java.util.Optional.of(once), g.outcomeOf("k"));
        assertNotEquals(once, g.processPayment("other", Money.of(5, "USD")));
    }

    /** "Late approvals are persisted, not kept in a 1,000-entry in-memory log." */
    @Test
    void aLateApprovalIsStoredInTheDatabase(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (var db = io.otpj.finance.testing.TestDatabase.open(dir)) {
            start(PaymentGatewayServer.Options.of(mock).withDatabase(db));
            String key = io.otpj.finance.testing.TestDatabase.uniqueId("late");
            Proc.send(server, new PaymentGatewayServer.Charged(77, key, Money.of(12, "EUR"), PaymentResult.approved("gw-77")));
            PaymentGatewayServer.stats(server); // handled after the late answer
            List<PaymentTransaction> stored = db.transactions().findByReference(key);
            assertEquals(1, stored.size(), stored.toString());
            assertEquals("gw-77", stored.getFirst().gatewayTransactionId().orElseThrow());
            assertEquals(PaymentTransaction.Status.APPROVED, stored.getFirst().status());
            GenServer.stop(server);
        }
    }

    @Test
    void aSlowPaymentDoesNotBlockOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(PaymentGatewayServer.Options.of(amount -> {
            if (amount.equals(Money.of(1, "USD"))) {
                release.await();
            }
            return PaymentResult.approved("tx-" + amount.toMinorUnits());
        }));
        CompletableFuture<PaymentResult> slow = CompletableFuture.supplyAsync(
                () -> PaymentGatewayServer.processPayment(server, Money.of(1, "USD")));
        TestKit.eventually(() -> PaymentGatewayServer.stats(server).inFlight() == 1, Duration.ofSeconds(30), "the slow payment in flight");
        assertEquals(PaymentResult.approved("tx-200"), PaymentGatewayServer.processPayment(server, Money.of(2, "USD")));
        assertFalse(slow.isDone());
        release.countDown();
        assertEquals(PaymentResult.approved("tx-100"), slow.get(30, TimeUnit.SECONDS));
    }

    @Test
    void theAuditLogIsACastAndIsBounded() {
        start(PaymentGatewayServer.Options.of(mock).withAuditLogLimit(3));
        for (int i = 1; i <= 5; i++) {
            PaymentGatewayServer.logTransaction(server, PaymentTransaction.approved("ref-" + i, Money.of(i, "USD"), "gw-" + i));
        }
        List<PaymentTransaction> log = PaymentGatewayServer.auditLog(server);
        assertEquals(List.of("ref-5", "ref-4", "ref-3"), log.stream().map(PaymentTransaction::reference).toList());
    }

    @Test
    void optionsRejectTimeoutsOutsideTheCall() {
        assertThrows(IllegalArgumentException.class,
                () -> PaymentGatewayServer.Options.of(mock).withGatewayTimeout(Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class,
                () -> PaymentGatewayServer.Options.of(mock).withGatewayTimeout(Duration.ZERO));
    }
}
