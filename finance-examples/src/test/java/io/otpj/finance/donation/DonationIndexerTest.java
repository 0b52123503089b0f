package io.otpj.finance.donation;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DonationIndexerTest {

    @TempDir Path dir;

    @Test
    void buildsItsIndexInHandleContinueBeforeAnyQuery() {
        try (Database db = TestDatabase.open(dir)) {
            Campaign c = TestDatabase.campaign(db, Money.of(1_000_000, "IDR"));
            for (int i = 1; i <= 50; i++) {
                db.campaigns().recordDonation(Donation.of(c.id(), "donor" + (i % 5), Money.of(i * 1_000L, "IDR")));
            }
            Donation pending = Donation.of(c.id(), "donor0", Money.of(7, "IDR"));
            db.donations().insertPending(pending);

            Pid pid = DonationIndexer.start(new DonationIndexer.Options(db, c.id())).pid();
            // init returned before the index was built; the continuation runs before this call.
            assertEquals(DonationIndexer.Status.READY, DonationIndexer.status(pid));
            assertEquals(51, DonationIndexer.size(pid));
            assertEquals(11, DonationIndexer.byDonor(pid, "donor0").size());
            assertEquals(DonationStatus.PENDING, DonationIndexer.find(pid, pending.id()).orElseThrow().status());
            assertEquals(List.of(Money.of(50_000, "IDR"), Money.of(49_000, "IDR")),
                    DonationIndexer.largest(pid, 2).stream().map(r -> r.donation().amount()).toList());
            assertEquals(Optional.empty(), DonationIndexer.find(pid, "unknown"));

            Donation later = Donation.of(c.id(), "new-donor", Money.of(60_000, "IDR"));
            DonationIndexer.index(pid, new DonationRecord(later, DonationStatus.PROCESSED, Optional.empty()));
            assertEquals(later, DonationIndexer.largest(pid, 1).getFirst().donation());
            assertEquals(52, DonationIndexer.size(pid));
            GenServer.stop(pid);
        }
    }
}
