package io.otpj.finance.app;

import io.otpj.core.ExitReason;
import io.otpj.core.Name;
import io.otpj.core.ServerRef;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.finance.campaign.CampaignMonitor;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.payment.PaymentGateway;
import io.otpj.finance.payment.PaymentGatewayServer;
import io.otpj.finance.payment.PaymentProcessor;
import io.otpj.finance.payment.SimulatedPaymentGateway;
import io.otpj.finance.zakat.ZakatCalculatorServer;
import io.otpj.registry.PubSub;
import io.otpj.registry.Registry;
import io.otpj.registry.RegistryOptions;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.DynamicSupervisor;
import io.otpj.supervisor.PartitionSupervisor;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The finance application's supervision tree, started and stopped as one unit: the Java form of
 * an Elixir application's {@code start/2} with its children.
 *
 * <pre>
 * finance (Supervisor, rest_for_one)
 * ├── registry            Registry, unique keys: the campaign servers' via-names
 * ├── pubsub              PubSub: the "campaigns" topic and each campaign's donations
 * ├── payment_gateway     PaymentGatewayServer over a PaymentGateway
 * ├── payment_processor   PaymentProcessor (flushes transactions in terminate)
 * ├── zakat               ZakatCalculatorServer
 * ├── campaigns           PartitionSupervisor of DynamicSupervisors, one per core; a campaign id picks its partition
 * │     └── campaigns[i]  DynamicSupervisor, one child per campaign of the partition:
 * │           └── campaign:ID   Supervisor, one_for_one: CampaignServer, DonationProcessorServer, CampaignMonitor
 * ├── campaign_manager    CampaignManager (starts the campaigns' supervisors)
 * └── campaign_scheduler  CampaignScheduler (subscribes to "campaigns", audits periodically)
 * </pre>
 *
 * <p>rest_for_one: a child depends on the ones before it (everything registers in the registry,
 * subscribes to the pub/sub, the manager starts children under {@code campaigns}), so when one
 * crashes it is restarted together with the ones after it. Each campaign's own supervisor
 * restarts a crashed campaign server, processor or monitor alone; the restarted server reloads
 * its state from the database.
 *
 * <p>Every process is named after the application's {@code name}, so two applications can run
 * in one JVM (as the tests do). Thread-safe; {@link #close} stops the tree (children in reverse
 * order) but not the database, which the caller opened.
 */
public final class FinanceApplication implements AutoCloseable {

    /**
     * How many partitions the campaigns' {@link PartitionSupervisor} has: one per core, as
     * Elixir's default ({@code System.schedulers_online()}).
     */
    public static final int CAMPAIGN_PARTITIONS = Math.max(1, Runtime.getRuntime().availableProcessors());

    /**
     * How to run the application.
     *
     * @param name the prefix of its process names (letters, digits, dots, dashes)
     * @param db the database (opened and closed by the caller)
     * @param gateway the payment provider
     * @param campaigns how each campaign's servers run
     * @param schedulerInterval the period of the scheduler's audit
     * @param maxRestarts restarts the top supervisor and the campaigns supervisor tolerate within {@code maxPeriod}
     * @param maxPeriod the window of {@code maxRestarts}
     * @param runsCampaign which stored active or paused campaigns it runs and audits at start (see
     *     {@link #withCampaignFilter})
     */
    public record Config(String name, Database db, PaymentGateway gateway, CampaignSettings campaigns,
            Duration schedulerInterval, int maxRestarts, Duration maxPeriod, Predicate<String> runsCampaign) {
        /** @throws IllegalArgumentException for a bad name or out-of-range values */
        public Config {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9.-]{1,40}")) {
                throw new IllegalArgumentException("application name must be 1 to 40 letters, digits, dots or dashes, got '"
                        + name + "'");
            }
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(campaigns, "campaigns");
            Objects.requireNonNull(schedulerInterval, "schedulerInterval");
            Objects.requireNonNull(maxPeriod, "maxPeriod");
            Objects.requireNonNull(runsCampaign, "runsCampaign");
        }

        /** @return the application "finance" on {@code db}: simulated gateway, the seed's intervals, 10 restarts in 5 s */
        public static Config of(Database db) {
            return new Config("finance", db, SimulatedPaymentGateway.approvingAll(), CampaignSettings.defaults(),
                    Duration.ofMinutes(1), 10, Duration.ofSeconds(5), id -> true);
        }

        /** @return this configuration under another name */
        public Config withName(String n) {
            return new Config(n, db, gateway, campaigns, schedulerInterval, maxRestarts, maxPeriod, runsCampaign);
        }

        /** @return this configuration with another payment provider */
        public Config withGateway(PaymentGateway g) {
            return new Config(name, db, g, campaigns, schedulerInterval, maxRestarts, maxPeriod, runsCampaign);
        }

        /** @return this configuration with other campaign settings */
        public Config withCampaigns(CampaignSettings c) {
            return new Config(name, db, gateway, c, schedulerInterval, maxRestarts, maxPeriod, runsCampaign);
        }

        /** @return this configuration with another audit period */
        public Config withSchedulerInterval(Duration interval) {
            return new Config(name, db, gateway, campaigns, interval, maxRestarts, maxPeriod, runsCampaign);
        }

        /**
         * @return this configuration running, of the campaigns stored as active or paused, only
         *     those whose id {@code filter} accepts: at start the manager starts their servers and
         *     the scheduler audits only them (a demo run leaves older runs' campaigns alone; their
         *     recovery closes them). Campaigns created through this application always run.
         */
        public Config withCampaignFilter(Predicate<String> filter) {
            return new Config(name, db, gateway, campaigns, schedulerInterval, maxRestarts, maxPeriod, filter);
        }

        /** @return this configuration with another restart intensity for the top and campaigns supervisors */
        public Config withIntensity(int restarts, Duration period) {
            return new Config(name, db, gateway, campaigns, schedulerInterval, restarts, period, runsCampaign);
        }
    }

    private final Config config;
    private final Pid supervisor;
    private final Registry<Object, Object> registry;
    private final PubSub pubsub;
    /** The node it runs in as an application, or null when started with {@link #start}. */
    private final Node node;

    private FinanceApplication(Config config, Pid supervisor, Registry<Object, Object> registry, PubSub pubsub, Node node) {
        this.config = config;
        this.supervisor = supervisor;
        this.registry = registry;
        this.pubsub = pubsub;
        this.node = node;
    }

    /**
     * Starts the application's supervision tree, from any thread, and waits until every child
     * has started (the campaigns of the database are started by the manager right after).
     *
     * @throws io.otpj.core.StartException if a child could not start
     */
    public static FinanceApplication start(Config config) {
        Objects.requireNonNull(config, "config");
        String n = config.name();
        Pid sup = Supervisor.start(flags(config), children(config), Name.local(n)).pid();
        return new FinanceApplication(config, sup, registry(n + ".registry"), pubsub(n + ".pubsub"), null);
    }

    /**
     * Starts the tree as an application of {@code node} ({@link Node#startApplication}), named
     * after {@link Config#name()}: its top supervisor is linked to the application's master, so
     * {@link #close} and {@link Node#stop} shut it down as OTP stops an application, children in
     * reverse start order, each running its {@code terminate}. Names are registered in
     * {@code node}; call the servers from a thread bound to it ({@link Node#run}) or from its
     * processes.
     *
     * @param node the node to run in
     * @param config how to run
     * @return the running application
     * @throws io.otpj.core.StartException if a child could not start
     * @throws IllegalArgumentException if an application of that name runs on the node
     */
    public static FinanceApplication startIn(Node node, Config config) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(config, "config");
        String n = config.name();
        Pid sup = node.startApplication(n, () -> Supervisor.startLink(flags(config), children(config), Name.local(n)));
        return node.call(() -> new FinanceApplication(config, sup, registry(n + ".registry"), pubsub(n + ".pubsub"), node));
    }

    private static SupervisorFlags flags(Config config) {
        return SupervisorFlags.restForOne().withIntensity(config.maxRestarts(), config.maxPeriod());
    }

    private static List<ChildSpec> children(Config config) {
        String n = config.name();
        Database db = config.db();
        String registryName = n + ".registry";
        String pubsubName = n + ".pubsub";
        String campaigns = n + ".campaigns";
        Name manager = Name.local(n + ".campaign_manager");
        List<ChildSpec> children = List.of(
                ChildSpec.worker("registry", Registry.starter(RegistryOptions.unique(registryName))),
                ChildSpec.worker("pubsub", PubSub.starter(pubsubName)),
                ChildSpec.worker("payment_gateway", () -> PaymentGatewayServer.startLink(
                        PaymentGatewayServer.Options.of(config.gateway()).withDatabase(db), Name.local(n + ".payment_gateway"))),
                ChildSpec.worker("payment_processor", () -> PaymentProcessor.startLink(
                        PaymentProcessor.Options.of(db), Name.local(n + ".payment_processor"))),
                ChildSpec.worker("zakat", () -> ZakatCalculatorServer.startLink(
                        ZakatCalculatorServer.Options.defaults(), Name.local(n + ".zakat"))),
                // One dynamic supervisor for every campaign was the process that starts and restarts
                // them all, one at a time: partitioned by campaign id (Elixir's PartitionSupervisor
                // over DynamicSupervisors), restarts in different partitions run in parallel.
                PartitionSupervisor.childSpec(campaigns, CAMPAIGN_PARTITIONS, i -> DynamicSupervisor.childSpec(i,
                        DynamicSupervisor.Options.defaults().withIntensity(config.maxRestarts(), config.maxPeriod()))),
                // The handles are looked up when the child starts: the registry and pub/sub run by then.
                ChildSpec.worker("campaign_manager", () -> CampaignManager.startLink(new CampaignManager.Options(db,
                        registry(registryName), pubsub(pubsubName), id -> PartitionSupervisor.via(campaigns, id),
                        config.campaigns(), config.runsCampaign()), manager)),
                ChildSpec.worker("campaign_scheduler", () -> CampaignScheduler.startLink(new CampaignScheduler.Options(db,
                        registry(registryName), pubsub(pubsubName), manager, config.schedulerInterval(), config.runsCampaign()),
                        Name.local(n + ".campaign_scheduler"))));
        return children;
    }

    private static Registry<Object, Object> registry(String name) {
        return Registry.<Object, Object>named(name).orElseThrow(() -> new IllegalStateException("registry " + name + " is not running"));
    }

    private static PubSub pubsub(String name) {
        return PubSub.named(name).orElseThrow(() -> new IllegalStateException("pubsub " + name + " is not running"));
    }

    /** @return the configuration */
    public Config config() {
        return config;
    }

    /** @return the top supervisor */
    public Pid supervisor() {
        return supervisor;
    }

    /** @return the registry of the campaign servers (the same handle across its restarts) */
    public Registry<Object, Object> registry() {
        return registry;
    }

    /** @return the application's pub/sub */
    public PubSub pubsub() {
        return pubsub;
    }

    /** @return the via-name of {@code campaignId}'s {@link CampaignServer} */
    public Name campaign(String campaignId) {
        return CampaignServer.via(registry, campaignId);
    }

    /** @return the via-name of {@code campaignId}'s {@link DonationProcessorServer} */
    public Name processor(String campaignId) {
        return DonationProcessorServer.via(registry, campaignId);
    }

    /** @return the via-name of {@code campaignId}'s {@link CampaignMonitor} */
    public Name monitor(String campaignId) {
        return CampaignMonitor.via(registry, campaignId);
    }

    /** @return the {@link CampaignManager} */
    public Name manager() {
        return Name.local(config.name() + ".campaign_manager");
    }

    /** @return the {@link CampaignScheduler} */
    public Name scheduler() {
        return Name.local(config.name() + ".campaign_scheduler");
    }

    /**
     * The campaigns' {@link PartitionSupervisor}: {@link #CAMPAIGN_PARTITIONS} dynamic supervisors,
     * one per core, each running the campaigns whose id routes to it.
     *
     * @return its local name
     */
    public Name campaigns() {
        return Name.local(config.name() + ".campaigns");
    }

    /**
     * The dynamic supervisor that runs {@code campaignId}'s servers: its partition of
     * {@link #campaigns()}.
     *
     * @param campaignId the campaign
     * @return a via-name routed by the id
     */
    public ServerRef campaignSupervisor(String campaignId) {
        return PartitionSupervisor.via(config.name() + ".campaigns", campaignId);
    }

    /** @return the {@link PaymentGatewayServer} */
    public Name paymentGateway() {
        return Name.local(config.name() + ".payment_gateway");
    }

    /** @return the {@link PaymentProcessor} */
    public Name paymentProcessor() {
        return Name.local(config.name() + ".payment_processor");
    }

    /** @return the {@link ZakatCalculatorServer} */
    public Name zakat() {
        return Name.local(config.name() + ".zakat");
    }

    /**
     * Stops the supervision tree (children in reverse order, each campaign's processes
     * concurrently); started with {@link #startIn}, stops the application. Idempotent.
     */
    @Override
    public void close() {
        if (node != null) {
            node.stopApplication(config.name(), Duration.ofSeconds(60));
        } else if (supervisor.isAlive()) {
            Supervisor.stop(supervisor, ExitReason.shutdown(), Duration.ofSeconds(60));
        }
    }
}
