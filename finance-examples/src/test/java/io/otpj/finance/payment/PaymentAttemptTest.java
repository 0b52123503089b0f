package io.otpj.finance.payment;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenStatem;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.Sys;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The payment workflow as a state machine: pending → authorized → captured | failed | timed out.
 * The test process plays the gateway server: it receives what the machine reports.
 */
class PaymentAttemptTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Money AMOUNT = Money.of(25, "EUR");

    static Pid startAttempt(long payment, PaymentGateway gateway, Duration timeout) {
        return GenStatem.start(new PaymentAttempt(), new PaymentAttempt.Args(payment, "key-" + payment, AMOUNT, gateway, timeout,
                Proc.self())).pid();
    }

    static Object receive() {
        return Proc.receive(m -> true, WAIT).orElseThrow(() -> new AssertionError("nothing reported within " + WAIT));
    }

    @Test
    void anApprovalIsAuthorizedThenCapturedAndTheServerToldOnce() {
        TestKit.inProcess(() -> {
            Pid attempt = startAttempt(7, amount -> PaymentResult.approved("gw-7"), Duration.ofSeconds(20));
            assertEquals(new PaymentAttempt.Settled(7, PaymentResult.approved("gw-7")), receive());
            TestKit.eventually(() -> !attempt.isAlive(), WAIT, "it ends once captured");
            assertTrue(Proc.receive(m -> true, Duration.ZERO).isEmpty(), "told once");
        }, WAIT);
    }

    @Test
    void aDeclineOrAGatewayErrorFails() {
        TestKit.inProcess(() -> {
            startAttempt(1, amount -> PaymentResult.declined("card declined"), Duration.ofSeconds(20));
            assertEquals(new PaymentAttempt.Settled(1, PaymentResult.declined("card declined")), receive());
            startAttempt(2, amount -> {
                throw new IllegalStateException("provider down");
            }, Duration.ofSeconds(20));
            var s = (PaymentAttempt.Settled) receive();
            var f = assertInstanceOf(PaymentResult.Failed.class, s.result());
            assertEquals(PaymentResult.Reason.GATEWAY_ERROR, f.reason());
            assertTrue(f.message().contains("provider down"), f.message());
        }, WAIT);
    }

    /**
     * Timed out: the worker is killed and the server told TIMEOUT; an answer the worker had sent
     * before the kill (queued behind the timeout) is passed on as a late answer, then it ends.
     */
    @Test
    void aTimeoutKillsTheWorkerAndALateAnswerIsPassedOn() {
        TestKit.inProcess(() -> {
            LinkedBlockingQueue<Pid> worker = new LinkedBlockingQueue<>();
            CountDownLatch interrupted = new CountDownLatch(1);
            Pid attempt = startAttempt(9, amount -> {
                worker.add(Proc.self());
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
                return PaymentResult.approved("never");
            }, Duration.ofMillis(100));
            Pid w = worker.poll(30, TimeUnit.SECONDS);
            Sys.suspend(attempt);
            // Wait for the state timeout's message to be queued, then queue a late answer behind it.
            TestKit.eventually(() -> Sys.statistics(attempt).mailboxLength() >= 1, WAIT, "the timeout's message");
            Proc.send(attempt, new PaymentGatewayServer.Charged(9, "key-9", AMOUNT, PaymentResult.approved("gw-late")));
            var down = Proc.monitor(attempt);
            Sys.resume(attempt);
            var settled = (PaymentAttempt.Settled) receive();
            var f = assertInstanceOf(PaymentResult.Failed.class, settled.result());
            assertEquals(PaymentResult.Reason.TIMEOUT, f.reason());
            assertFalse(w.isAlive(), "the worker was killed before the caller was told");
            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "its provider call was interrupted");
            assertEquals(new PaymentGatewayServer.Charged(9, "key-9", AMOUNT, PaymentResult.approved("gw-late")), receive(),
                    "the late approval reaches the server");
            assertEquals(ExitReason.normal(), ((io.otpj.core.Down) receive()).reason(), "it ends after its worker");
        }, WAIT);
    }

    @Test
    void aWorkerKilledFromOutsideIsAGatewayErrorAndKillingTheMachineTakesItsWorker() {
        TestKit.inProcess(() -> {
            LinkedBlockingQueue<Pid> worker = new LinkedBlockingQueue<>();
            PaymentGateway hangs = amount -> {
                worker.add(Proc.self());
                new CountDownLatch(1).await();
                return PaymentResult.approved("never");
            };
            startAttempt(3, hangs, Duration.ofSeconds(20));
            Proc.exit(worker.poll(30, TimeUnit.SECONDS), ExitReason.kill());
            var s = (PaymentAttempt.Settled) receive();
            var f = assertInstanceOf(PaymentResult.Failed.class, s.result());
            assertEquals(PaymentResult.Reason.GATEWAY_ERROR, f.reason());
            assertTrue(f.message().contains("without answering"), f.message());

            Pid attempt = startAttempt(4, hangs, Duration.ofSeconds(20));
            Pid w = worker.poll(30, TimeUnit.SECONDS);
            var wd = Proc.monitor(w);
            Proc.exit(attempt, ExitReason.kill());
            assertEquals(ExitReason.killed(), ((io.otpj.core.Down) receive()).reason(), "the linked worker went with it");
            Proc.demonitor(wd, true);
        }, WAIT);
    }
}
