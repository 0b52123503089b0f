package io.otpj.finance.payment;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Sys;
import io.otpj.finance.domain.PaymentTransaction;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    void aGatewayThatDoesNotAnswerInTimeIsATimeoutAndItsLateAnswerIsDiscarded() throws Exception {
        Money amount = Money.of(99, "EUR");
        CountDownLatch release = new CountDownLatch(1);
        mock.expect(amount, a -> {
            release.await();
            return PaymentResult.approved("too-late");
        });
        start(PaymentGatewayServer.Options.of(mock).withGatewayTimeout(Duration.ofMillis(100)));

        var r = assertInstanceOf(PaymentResult.Failed.class, PaymentGatewayServer.processPayment(server, amount));
        assertEquals(PaymentResult.Reason.TIMEOUT, r.reason());
        assertTrue(r.message().contains("no answer within PT0.1S"), r.message());

        release.countDown();
        // Two info messages reach the server: the timeout, then the late answer.
        Eventually.await("the late answer to arrive", Duration.ofSeconds(30), () -> Sys.statistics(server).infos() >= 2);
        var stats = PaymentGatewayServer.stats(server);
        assertEquals(0, stats.approved(), "the late approval changed nothing");
        assertTrue(stats.lastTransaction().isEmpty());
        assertEquals(0, stats.inFlight());
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
        Eventually.await("the slow payment in flight", Duration.ofSeconds(30),
                () -> PaymentGatewayServer.stats(server).inFlight() == 1);
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
