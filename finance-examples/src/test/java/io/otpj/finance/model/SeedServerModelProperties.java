package io.otpj.finance.model;

import io.otpj.core.Name;
import io.otpj.core.ServerRef;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.money.Money;
import io.otpj.finance.testing.TestDatabase;
import io.otpj.finance.zakat.Zakat;
import io.otpj.finance.zakat.ZakatCalculatorServer;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import io.otpj.test.model.ServerModel;
import io.otpj.test.model.ServerProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.state.ActionChain;

/**
 * The seed's servers against sequential models, with the otpj-test kit: generated sequences of
 * client calls and crashes (under a real supervisor), each reply checked against the model.
 * A campaign's totals live in the database, so they survive a crash; the zakat calculator's
 * statistics live in memory, so a restart resets them.
 */
class SeedServerModelProperties {

    private static Path dir;
    private static Database db;

    private static synchronized Database db() {
        if (db == null) {
            try {
                dir = Files.createTempDirectory("otpj-model");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            db = TestDatabase.open(dir);
        }
        return db;
    }

    @AfterContainer
    static synchronized void closeDatabase() {
        if (db != null) {
            db.close();
            db = null;
            TestDatabase.deleteTree(dir);
        }
    }

    /** A one_for_one supervisor of one child, started from the kit's start function. */
    private static ServerRef supervised(Name name, ChildSpec child) {
        Supervisor.start(SupervisorFlags.oneForOne().withIntensity(1000, java.time.Duration.ofSeconds(1)), List.of(child));
        return name;
    }

    // ------------------------------------------------------------------ CampaignServer

    /** Client commands on a campaign, as its users make them. */
    record Donate(String donor, long amount) {}
    record Get() {}

    /** What the model compares: the campaign's total and donation count. */
    record Totals(Money current, long count) {}

    record CampaignModel(Money current, long count) implements ServerModel<CampaignModel> {
        static CampaignModel start() {
            return new CampaignModel(Money.zero("IDR"), 0);
        }

        @Override
        public CampaignModel initial() {
            return start();
        }

        @Override
        public Arbitrary<?> requests(CampaignModel m) {
            return Arbitraries.oneOf(
                    Arbitraries.longs().between(-5, 100_000).map(a -> new Donate("donor", a)),
                    Arbitraries.just(new Get()));
        }

        @Override
        public Expected<CampaignModel> expect(CampaignModel m, Object request) {
            return switch (request) {
                case Donate(String donor, long amount) when amount <= 0 -> Expected.of(DonationRejectedException.class, m);
                case Donate(String donor, long amount) -> {
                    CampaignModel next = new CampaignModel(m.current.plus(Money.of(amount, "IDR")), m.count + 1);
                    yield Expected.of(new Totals(next.current, next.count), next);
                }
                case Get g -> Expected.of(new Totals(m.current, m.count), m);
                default -> throw new IllegalArgumentException("not a campaign command: " + request);
            };
        }

        @Override
        public CampaignModel afterRestart(CampaignModel m) {
            return m; // acknowledged donations are in the database
        }
    }

    final ServerProperties<CampaignModel> campaign = ServerProperties.of(CampaignModel.start(), node -> {
        Campaign c = db().campaigns().create(Campaign.create(TestDatabase.uniqueId("model"), "Model", Money.of(1_000_000, "IDR")));
        Name name = Name.local("campaign:" + c.id());
        return supervised(name, ChildSpec.worker("campaign",
                () -> CampaignServer.startLink(CampaignServer.Options.of(db(), c.id()), name)));
    }).withCrashes(2).withMaxCommands(12).withClient((server, request) -> switch (request) {
        case Donate(String donor, long amount) -> {
            Campaign c = CampaignServer.getCampaign(server);
            Campaign after = CampaignServer.addDonation(server, Donation.of(c.id(), donor, Money.of(amount, "IDR")));
            yield new Totals(after.current(), after.donationCount());
        }
        case Get g -> {
            Campaign c = CampaignServer.getCampaign(server);
            yield new Totals(c.current(), c.donationCount());
        }
        default -> throw new IllegalArgumentException("not a campaign command: " + request);
    }, r -> switch (r) {
        case Donate(String donor, long amount) -> "CampaignServer.addDonation(server, Donation.of(id, \"" + donor + "\", Money.of("
                + amount + "L, \"IDR\")))";
        default -> "CampaignServer.getCampaign(server)";
    });

    @Property(tries = 25)
    void aCampaignServerBehavesLikeItsModelAcrossCrashes(@ForAll("campaignSequences") ActionChain<ServerProperties.Run<CampaignModel>> chain) {
        campaign.check(chain);
    }

    @Provide
    Arbitrary<ActionChain<ServerProperties.Run<CampaignModel>>> campaignSequences() {
        return campaign.sequential();
    }

    @Property(tries = 15)
    void concurrentDonationsAreLinearizable(@ForAll("campaignParallel") ServerProperties.Parallel p) {
        campaign.checkParallel(p);
    }

    @Provide
    Arbitrary<ServerProperties.Parallel> campaignParallel() {
        return campaign.parallel(2, 3);
    }

    // ------------------------------------------------------------------ DonationProcessorServer

    record Add(long amount) {}
    record Batch() {}
    record Pending() {}

    /** The processor's model: how many donations are stored and not yet counted. */
    record ProcessorModel(int pending) implements ServerModel<ProcessorModel> {
        @Override
        public ProcessorModel initial() {
            return new ProcessorModel(0);
        }

        @Override
        public Arbitrary<?> requests(ProcessorModel m) {
            return Arbitraries.oneOf(
                    Arbitraries.longs().between(-2, 50_000).map(Add::new),
                    Arbitraries.just(new Batch()),
                    Arbitraries.just(new Pending()));
        }

        @Override
        public Expected<ProcessorModel> expect(ProcessorModel m, Object request) {
            return switch (request) {
                case Add(long a) when a <= 0 -> Expected.of(DonationRejectedException.class, m);
                case Add a -> Expected.of("ok", new ProcessorModel(m.pending + 1));
                case Batch b -> Expected.of(new DonationProcessorServer.BatchReport(m.pending, 0, 0), new ProcessorModel(0));
                case Pending q -> Expected.of(m.pending, m);
                default -> throw new IllegalArgumentException("not a processor command: " + request);
            };
        }

        @Override
        public ProcessorModel afterRestart(ProcessorModel m) {
            return m; // pending donations are stored before ok, and reloaded by the restarted processor
        }
    }

    final ServerProperties<ProcessorModel> processor = ServerProperties.of(new ProcessorModel(0), node -> {
        Campaign c = db().campaigns().create(Campaign.create(TestDatabase.uniqueId("model"), "Model", Money.of(1_000_000, "IDR")));
        Name campaignName = Name.local("campaign:" + c.id());
        Name processorName = Name.local("processor:" + c.id());
        Supervisor.start(SupervisorFlags.oneForOne().withIntensity(1000, java.time.Duration.ofSeconds(1)), List.of(
                ChildSpec.worker("campaign", () -> CampaignServer.startLink(CampaignServer.Options.of(db(), c.id()), campaignName)),
                ChildSpec.worker("processor", () -> DonationProcessorServer.startLink(
                        DonationProcessorServer.Options.of(db(), c.id(), campaignName).withBatchSize(10_000)
                                .withBatchInterval(java.time.Duration.ofHours(1)).withIdleFlush(java.time.Duration.ofHours(1)),
                        processorName))));
        return processorName;
    }).withCrashes(2).withMaxCommands(12).withClient((server, request) -> switch (request) {
        case Add(long a) -> {
            String id = ((Name.Local) server).key().toString().substring("processor:".length());
            DonationProcessorServer.addDonation(server, Donation.of(id, "donor", Money.of(a, "IDR")));
            yield "ok";
        }
        case Batch b -> DonationProcessorServer.processBatch(server);
        case Pending q -> DonationProcessorServer.getStatus(server).pendingCount();
        default -> throw new IllegalArgumentException("not a processor command: " + request);
    }, r -> switch (r) {
        case Add(long a) -> "DonationProcessorServer.addDonation(server, Donation.of(id, \"donor\", Money.of(" + a + "L, \"IDR\")))";
        case Batch b -> "DonationProcessorServer.processBatch(server)";
        default -> "DonationProcessorServer.getStatus(server).pendingCount()";
    });

    @Property(tries = 25)
    void theDonationProcessorBehavesLikeItsModelAcrossCrashes(
            @ForAll("processorSequences") ActionChain<ServerProperties.Run<ProcessorModel>> chain) {
        processor.check(chain);
    }

    @Provide
    Arbitrary<ActionChain<ServerProperties.Run<ProcessorModel>>> processorSequences() {
        return processor.sequential();
    }

    // ------------------------------------------------------------------ ZakatCalculatorServer

    record Calculate(long wealth, long nisab) {}
    record Count() {}

    record ZakatModel(long calculations) implements ServerModel<ZakatModel> {
        @Override
        public ZakatModel initial() {
            return new ZakatModel(0);
        }

        @Override
        public Arbitrary<?> requests(ZakatModel m) {
            return Arbitraries.oneOf(
                    net.jqwik.api.Combinators.combine(Arbitraries.longs().between(0, 10_000_000), Arbitraries.longs().between(0, 5_000_000))
                            .as(Calculate::new),
                    Arbitraries.just(new Count()));
        }

        @Override
        public Expected<ZakatModel> expect(ZakatModel m, Object request) {
            return switch (request) {
                case Calculate(long w, long n) -> Expected.of(Zakat.calculate(Money.of(w, "IDR"), Money.of(n, "IDR")),
                        new ZakatModel(m.calculations + 1));
                case Count c -> Expected.of(m.calculations, m);
                default -> throw new IllegalArgumentException("not a zakat command: " + request);
            };
        }
        // afterRestart: the default, the initial state: statistics are in memory only
    }

    final ServerProperties<ZakatModel> zakat = ServerProperties.of(new ZakatModel(0), node -> {
        Name name = Name.local("zakat-" + node.name());
        return supervised(name, ChildSpec.worker("zakat",
                () -> ZakatCalculatorServer.startLink(ZakatCalculatorServer.Options.defaults(), name)));
    }).withCrashes(2).withClient((server, request) -> switch (request) {
        case Calculate(long w, long n) -> ZakatCalculatorServer.calculate(server, Money.of(w, "IDR"), Money.of(n, "IDR"));
        case Count c -> ZakatCalculatorServer.getStatistics(server).totalCalculations();
        default -> throw new IllegalArgumentException("not a zakat command: " + request);
    }, r -> switch (r) {
        case Calculate(long w, long n) -> "ZakatCalculatorServer.calculate(server, Money.of(" + w + "L, \"IDR\"), Money.of(" + n + "L, \"IDR\"))";
        default -> "ZakatCalculatorServer.getStatistics(server).totalCalculations()";
    });

    @Property(tries = 40)
    void theZakatCalculatorBehavesLikeItsModelAcrossCrashes(@ForAll("zakatSequences") ActionChain<ServerProperties.Run<ZakatModel>> chain) {
        zakat.check(chain);
    }

    @Provide
    Arbitrary<ActionChain<ServerProperties.Run<ZakatModel>>> zakatSequences() {
        return zakat.sequential();
    }
}
