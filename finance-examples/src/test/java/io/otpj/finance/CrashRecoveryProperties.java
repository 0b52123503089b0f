package io.otpj.finance;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * For random donation streams with random crashes of campaign servers and donation processors,
 * the in-memory totals (campaign servers) and the persisted totals (campaign rows and the sum
 * of the processed donations) all equal the sum of the accepted donations; rejected donations
 * change nothing; retried donations count once.
 */
class CrashRecoveryProperties {

    static Path dir;
    static Database db;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("otpj-finance-props");
        db = TestDatabase.open(dir);
    }

    @AfterContainer
    static void close() {
        db.close();
        TestDatabase.deleteTree(dir);
    }

    static final List<String> CURRENCIES = List.of("IDR", "USD", "JPY");

    sealed interface Op {}
    /** A donation of {@code minor} minor units to campaign {@code campaign}, directly or through its processor. */
    record Donate(int campaign, long minor, boolean viaProcessor, boolean sendTwice) implements Op {}
    /** A donation that must be refused: negative, or in the wrong currency. */
    record BadDonation(int campaign, boolean negative) implements Op {}
    record CrashCampaignServer(int campaign, boolean kill) implements Op {}
    record CrashProcessor(int campaign) implements Op {}
    record Batch(int campaign) implements Op {}

    @Provide
    Arbitrary<List<Op>> streams() {
        Arbitrary<Integer> campaign = Arbitraries.integers().between(0, CURRENCIES.size() - 1);
        Arbitrary<Op> donate = Combinators.combine(campaign, Arbitraries.longs().between(1, 5_000_000),
                Arbitraries.of(true, false), Arbitraries.frequency(Tuple.of(1, true), Tuple.of(5, false)))
                .as(Donate::new);
        Arbitrary<Op> bad = Combinators.combine(campaign, Arbitraries.of(true, false)).as(BadDonation::new);
        Arbitrary<Op> crashCampaign = Combinators.combine(campaign, Arbitraries.of(true, false)).as(CrashCampaignServer::new);
        Arbitrary<Op> crashProcessor = campaign.map(CrashProcessor::new);
        Arbitrary<Op> batch = campaign.map(Batch::new);
        return Arbitraries.frequencyOf(
                Tuple.of(10, donate),
                Tuple.of(1, bad),
                Tuple.of(2, crashCampaign),
                Tuple.of(2, crashProcessor),
                Tuple.of(1, batch)).list().ofMaxSize(60);
    }

    @Property(tries = 40)
    void totalsEqualTheSumOfAcceptedDonations(@ForAll("streams") List<Op> ops) {
        int n = CURRENCIES.size();
        List<Campaign> campaigns = new ArrayList<>();
        List<Name> campaignNames = new ArrayList<>();
        List<Name> processorNames = new ArrayList<>();
        List<Money> accepted = new ArrayList<>();
        List<Pid> campaignPids = new ArrayList<>();
        List<Pid> processorPids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Campaign c = TestDatabase.campaign(db, Money.of(1_000_000_000, CURRENCIES.get(i)));
            campaigns.add(c);
            campaignNames.add(Name.local("campaign:" + c.id()));
            processorNames.add(Name.local("processor:" + c.id()));
            accepted.add(Money.zero(c.currency()));
            campaignPids.add(CampaignServer.start(db, c.id(), campaignNames.get(i)).pid());
            processorPids.add(startProcessor(c, campaignNames.get(i), processorNames.get(i)));
        }
        try {
            for (Op op : ops) {
                switch (op) {
                    case Donate(int i, long minor, boolean viaProcessor, boolean twice) -> {
                        Campaign c = campaigns.get(i);
                        Donation d = Donation.of(c.id(), "donor", Money.ofMinor(minor, c.currency()));
                        for (int k = 0; k < (twice ? 2 : 1); k++) {
                            if (viaProcessor) {
                                DonationProcessorServer.addDonation(processorNames.get(i), d);
                            } else {
                                CampaignServer.addDonation(campaignNames.get(i), d);
                            }
                        }
                        accepted.set(i, accepted.get(i).plus(d.amount()));
                    }
                    case BadDonation(int i, boolean negative) -> {
                        Campaign c = campaigns.get(i);
                        Money amount = negative ? Money.of(-1, c.currency())
                                : Money.of(1, CURRENCIES.get((i + 1) % n));
                        Donation d = Donation.of(c.id(), "donor", amount);
                        assertThrows(DonationRejectedException.class, () -> CampaignServer.addDonation(campaignNames.get(i), d));
                        assertThrows(DonationRejectedException.class,
                                () -> DonationProcessorServer.addDonation(processorNames.get(i), d));
                    }
                    case CrashCampaignServer(int i, boolean kill) -> {
                        // Killed, or crashed by an exit signal; restarted as its supervisor would.
                        Proc.exit(campaignPids.get(i), kill ? ExitReason.kill() : ExitReason.of("injected crash"));
                        campaignPids.set(i, CampaignServer.start(db, campaigns.get(i).id(), campaignNames.get(i)).pid());
                    }
                    case CrashProcessor(int i) -> {
                        Proc.exit(processorPids.get(i), ExitReason.kill());
                        processorPids.set(i, startProcessor(campaigns.get(i), campaignNames.get(i), processorNames.get(i)));
                    }
                    case Batch(int i) -> DonationProcessorServer.processBatch(processorNames.get(i));
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(0, DonationProcessorServer.processBatch(processorNames.get(i)).stillPending());
                String id = campaigns.get(i).id();
                Money inMemory = CampaignServer.getCampaign(campaignNames.get(i)).current();
                DonationRepository.Totals persisted = db.donations().processedTotals(id);
                Money runningTotal = db.campaigns().find(id).orElseThrow().current();
                assertEquals(accepted.get(i), inMemory, "in-memory total of " + id);
                assertEquals(accepted.get(i), persisted.sum(), "sum of persisted donations of " + id);
                assertEquals(accepted.get(i), runningTotal, "persisted campaign total of " + id);
            }
        } finally {
            for (Pid p : processorPids) {
                stopQuietly(p);
            }
            for (Pid p : campaignPids) {
                stopQuietly(p);
            }
        }
    }

    static Pid startProcessor(Campaign c, Name campaignName, Name processorName) {
        return DonationProcessorServer.start(DonationProcessorServer.Options.of(db, c.id(), campaignName)
                .withBatchSize(3).withBatchInterval(Duration.ofHours(1)).withIdleFlush(Duration.ofHours(1)), processorName).pid();
    }

    static void stopQuietly(Pid p) {
        if (p.isAlive()) {
            GenServer.stop(p);
        }
    }
}
