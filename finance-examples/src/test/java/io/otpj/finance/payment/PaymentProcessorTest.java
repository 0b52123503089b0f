package io.otpj.finance.payment;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.PaymentTransaction;
import io.otpj.finance.money.Money;
import io.otpj.test.TestKit;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaymentProcessorTest {

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

    /** Options that flush only when told (or on terminate). */
    static PaymentProcessor.Options manual() {
        return PaymentProcessor.Options.of(db).withFlushSize(1000).withFlushInterval(Duration.ofHours(1));
    }

    static List<PaymentTransaction> submit(Pid pid, int n) {
        List<PaymentTransaction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PaymentTransaction t = PaymentTransaction.approved(TestDatabase.uniqueId("don"), Money.of(10 + i, "IDR"),
                    TestDatabase.uniqueId("gw"));
            out.add(t);
            PaymentProcessor.submit(pid, t);
        }
        // A call after the casts from the same sender: they have all been handled.
        PaymentProcessor.pendingCount(pid);
        return out;
    }

    static void assertStored(List<PaymentTransaction> txs) {
        for (PaymentTransaction t : txs) {
            assertEquals(t, db.transactions().find(t.id()).orElseThrow(() -> new AssertionError("not stored: " + t)));
        }
    }

    static void assertNotStored(List<PaymentTransaction> txs) {
        for (PaymentTransaction t : txs) {
            assertTrue(db.transactions().find(t.id()).isEmpty(), () -> "stored: " + t);
        }
    }

    @Test
    void flushesBySizeAndOnRequest() {
        Pid pid = PaymentProcessor.start(PaymentProcessor.Options.of(db).withFlushSize(3).withFlushInterval(Duration.ofHours(1))).pid();
        var first = submit(pid, 3);
        assertEquals(0, PaymentProcessor.pendingCount(pid));
        assertStored(first);
        var second = submit(pid, 2);
        assertNotStored(second);
        assertEquals(2, PaymentProcessor.flush(pid));
        assertStored(second);
        GenServer.stop(pid);
    }

    @Test
    void flushesPeriodically() {
        Pid pid = PaymentProcessor.start(PaymentProcessor.Options.of(db).withFlushInterval(Duration.ofMillis(50))).pid();
        var txs = submit(pid, 4);
        TestKit.eventually(() -> PaymentProcessor.pendingCount(pid) == 0, Duration.ofSeconds(30), "the timer's flush");
        assertStored(txs);
        GenServer.stop(pid);
    }

    @Test
    void terminateFlushesPendingTransactionsOnStop() {
        Pid pid = PaymentProcessor.start(manual()).pid();
        var txs = submit(pid, 5);
        assertNotStored(txs);
        GenServer.stop(pid);
        assertStored(txs);
    }

    @Test
    void terminateFlushesPendingTransactionsOnACrash() {
        Pid pid = PaymentProcessor.start(manual()).pid();
        var txs = submit(pid, 3);
        // An unknown request crashes the server; terminate runs before the caller hears of it.
        assertThrows(ServerExitedException.class, () -> GenServer.call(pid, "no such request"));
        assertStored(txs);
    }

    @Test
    void terminateFlushesWhenTheSupervisorShutsItDown() throws Exception {
        CompletableFuture<List<PaymentTransaction>> submitted = new CompletableFuture<>();
        CompletableFuture<ExitReason> down = new CompletableFuture<>();
        Name name = Name.local(TestDatabase.uniqueId("payments"));
        // A stand-in for a supervisor: it starts the processor linked, then exits with shutdown.
        Proc.spawn(() -> {
            Pid child = PaymentProcessor.startLink(manual(), name).pid();
            Pid parent = Proc.self();
            Proc.spawn(() -> {
                Proc.monitor(child);
                Proc.send(parent, "watching");
                down.complete(Proc.receive(Down.class, Duration.ofSeconds(30)).orElseThrow().reason());
            });
            submitted.complete(submit(child, 4));
            Proc.receive("watching"::equals, Duration.ofSeconds(30)).orElseThrow();
            throw Proc.exit(ExitReason.shutdown());
        });
        var txs = submitted.get(30, TimeUnit.SECONDS);
        assertEquals(ExitReason.shutdown(), down.get(30, TimeUnit.SECONDS));
        assertStored(txs);
    }

    @Test
    void aKillSkipsTerminateAsInOtp() {
        Pid pid = PaymentProcessor.start(manual()).pid();
        var txs = submit(pid, 2);
        Proc.exit(pid, ExitReason.kill());
        assertFalse(pid.isAlive());
        assertNotStored(txs);
    }
}
