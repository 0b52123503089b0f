package io.otpj.finance.demo;

import io.otpj.core.CallException;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.app.CampaignManager;
import io.otpj.finance.app.CampaignScheduler;
import io.otpj.finance.app.CampaignSettings;
import io.otpj.dashboard.Dashboard;
import io.otpj.dashboard.DashboardOptions;
import io.otpj.finance.app.FinanceApplication;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.DonationRejectedException;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.donation.DonationProcessorServer;
import io.otpj.finance.money.Money;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The finance demo: the application's supervision tree on a real database, many concurrent
 * donors over many campaigns, random crashes of campaign servers and donation processors, a live
 * status line, and a reconciliation report. Exits 0 when donations accepted = donations persisted
 * = campaign totals for every currency, 1 on any mismatch, 2 on bad options, 3 if a SIGTERM's
 * orderly end did not finish within {@link #SHUTDOWN_DEADLINE}.
 *
 * <p>The application runs in its own {@link Node}, as a node application. SIGTERM (or Ctrl-C) in
 * the middle of a run ends it early but in order: the donors stop taking new donations (those in
 * flight are still acknowledged or retried), the processors flush what is pending, the campaigns
 * are closed, the reconciliation is printed, the application and the node are stopped (every
 * {@code terminate} runs), and the JVM exits with the run's code, as if the run had been shorter.
 *
 * <p>Donors are plain threads, as web requests would be. Each donation has its own id; a donor
 * whose call fails (the server was just crashed) sends the same donation again until it is
 * acknowledged, and a donation is counted as accepted only once acknowledged. Some donations are
 * deliberately bad (negative, wrong currency) and must be refused.
 */
public final class FinanceDemo {

    static final List<String> CURRENCIES = List.of("IDR", "USD", "EUR", "SAR", "MYR", "JPY");
    /** How long a donor keeps retrying one donation after the run's end before calling it in doubt. */
    private static final Duration RETRY_GRACE = Duration.ofSeconds(30);
    /** How long a SIGTERM waits for the run's orderly end before the JVM exits with code 3. */
    static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(120);

    /**
     * The JVM shutdown hook's view of the run. {@code demo}: written by the main thread once the
     * demo exists, read by the hook. {@code code}: written by the main thread before
     * {@code finished} counts down, read by the hook after it. All volatile or latch-ordered.
     */
    static final class Shutdown {
        private volatile FinanceDemo demo;
        private volatile boolean signalled;
        private volatile int code = 3;
        private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

        void running(FinanceDemo d) {
            demo = d;
            if (signalled) {
                d.requestStop();
            }
        }

        void finished(int exitCode) {
            code = exitCode;
            finished.countDown();
        }

        /** The hook: on a signal (not after the run's own end), stop early and wait for the orderly end. */
        void onJvmExit(PrintStream out) {
            if (finished.getCount() == 0) {
                return; // the run is over and main is exiting with its code
            }
            signalled = true;
            FinanceDemo d = demo;
            if (d != null) {
                d.requestStop();
            }
            out.println();
            out.println("signal: ending the run early: donors stop, processors flush, campaigns close");
            try {
                if (!finished.await(SHUTDOWN_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    out.println("error: the orderly end took longer than " + SHUTDOWN_DEADLINE.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * When the donors stop: the run's planned end, or earlier on a signal. Written by the main
     * thread (at the start) and the shutdown hook; read by donors, the crash injector and the
     * status line. Volatile.
     */
    private volatile long endAt;

    private final DemoOptions options;
    private final PrintStream out;
    private final Database db;
    private final FinanceApplication app;
    private final String runId;
    /** The node the application runs in: donor threads bind it to reach the servers' local names. */
    private final Node node;
    private final List<Campaign> campaigns = new ArrayList<>();
    /** Where donors write what they were acknowledged, for a recovery after a crash. */
    private final AckLog acks;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder badAccepted = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder inDoubt = new LongAdder();
    private final LongAdder alerts = new LongAdder();
    private final AtomicLong crashes = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    /** Crashed servers whose restart has not been seen yet: their name and the dead pid. */
    private final Queue<Crashed> awaitingRestart = new ConcurrentLinkedQueue<>();

    private record Crashed(Name name, Pid pid) {}

    /** What one donor accepted, per currency. */
    private static final class Ledger {
        final Map<Currency, Money> sums = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        final Map<Currency, Long> counts = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));

        void add(Money m) {
            sums.merge(m.currency(), m, Money::plus);
            counts.merge(m.currency(), 1L, Long::sum);
        }

        /** Nanoseconds from the first send of each accepted donation to its acknowledgement. */
        long[] latencies = new long[1024];
        int latencyCount;

        void latency(long nanos) {
            if (latencyCount == latencies.length) {
                latencies = java.util.Arrays.copyOf(latencies, latencyCount * 2);
            }
            latencies[latencyCount++] = nanos;
        }

        void addAll(Ledger other) {
            other.sums.values().forEach(m -> sums.merge(m.currency(), m, Money::plus));
            other.counts.forEach((c, n) -> counts.merge(c, n, Long::sum));
            for (int i = 0; i < other.latencyCount; i++) {
                latency(other.latencies[i]);
            }
        }

        /** @return the {@code q} quantile (0..1) of the latencies, in milliseconds; 0 if there are none */
        double latencyMillis(double q) {
            if (latencyCount == 0) {
                return 0;
            }
            long[] sorted = java.util.Arrays.copyOf(latencies, latencyCount);
            java.util.Arrays.sort(sorted);
            return sorted[(int) Math.min(latencyCount - 1, Math.ceil(q * latencyCount) - 1)] / 1e6;
        }
    }

    private FinanceDemo(DemoOptions options, PrintStream out, Database db, FinanceApplication app, String runId, Node node,
            AckLog acks) {
        this.acks = acks;
        this.node = node;
        this.options = options;
        this.out = out;
        this.db = db;
        this.app = app;
        this.runId = runId;
    }

    /** One line naming the problem (passwords masked); the stack only with {@code --verbose}. */
    private static void failure(PrintStream out, RuntimeException e, boolean verbose) {
        String what = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e.getCause() instanceof java.io.IOException io && e instanceof java.io.UncheckedIOException) {
            what = what + ": " + io;
        }
        out.println("error: " + io.otpj.finance.db.Durability.redact(what).lines().findFirst().orElse(""));
        if (verbose) {
            e.printStackTrace(out);
        }
    }

    /** Runs the demo; see the class comment and {@code --help}. */
    public static void main(String[] args) {
        if (List.of(args).contains("--nodes")) {
            // The demo across several JVMs: a run of its own (see ClusterDemo).
            System.exit(ClusterDemo.main(args, System.out));
            return;
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.print(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.print(DemoOptions.USAGE);
            return;
        }
        configureLogging(logFile(options));
        Shutdown shutdown = new Shutdown();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("finance-demo-shutdown")
                .unstarted(() -> shutdown.onJvmExit(System.out)));
        int code = run(options, System.out, shutdown);
        shutdown.finished(code);
        System.exit(code); // on a signal the hook is running: it exits with this code

    }

    /**
     * A run id that names the run's campaigns: the time to the millisecond, for people, and a
     * random suffix, so two runs started in the same millisecond (or on two machines sharing a
     * database) never reuse each other's campaign ids.
     */
    static String newRunId(LocalDateTime now) {
        return "run-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS")) + "-"
                + String.format("%08x", java.util.concurrent.ThreadLocalRandom.current().nextInt());
    }

    private static Path logFile(DemoOptions options) {
        return options.dataDir().toAbsolutePath().normalize().resolve("demo.log");
    }

    /**
     * Runs the demo with logging as the caller set it up ({@link #main} sends it to
     * {@code demo.log} in the data directory).
     *
     * @return the exit code: 0 if everything reconciles, 1 otherwise
     */
    static int run(DemoOptions options, PrintStream out) {
        return run(options, out, new Shutdown());
    }

    private static int run(DemoOptions options, PrintStream out, Shutdown shutdown) {
        Path log = logFile(options);
        String runId = newRunId(LocalDateTime.now());
        if (options.recover() != null) {
            out.println("otpj finance demo: recovering " + (options.recover().isEmpty()
                    ? "every run that left campaigns open" : "run " + options.recover()));
        } else {
            out.printf("otpj finance demo %s: %d campaigns, %d donors, %d s, %.1f crashes/s, seed %d%n", runId,
                    options.campaigns(), options.donors(), options.duration().toSeconds(), options.crashRate(),
                    options.seed());
        }
        Database db;
        try {
            db = options.dbUrl() == null ? Database.openEmbedded(options.dataDir())
                    : Database.open(Database.Options.of(options.dbUrl()).withEphemeral(options.ephemeral()));
        } catch (IllegalArgumentException refused) {
            // A URL whose commits are not durable, without --ephemeral: a bad option.
            failure(out, refused, options.verbose());
            return 2;
        } catch (RuntimeException cannotOpen) {
            // Unreachable, wrong credentials, missing database, unwritable or wrong data directory.
            failure(out, cannotOpen, options.verbose());
            return 4;
        }
        out.println("database: " + db.url() + (db.durable() ? "" : "  (NOT DURABLE: --ephemeral)"));
        out.println("log:      " + log);
        if (options.recover() != null) {
            try (db) {
                return RunRecovery.recover(db, options.dataDir(), options.recover(), out);
            } catch (java.io.IOException e) {
                failure(out, new java.io.UncheckedIOException("cannot read the acknowledgements", e), options.verbose());
                return 4;
            } catch (RuntimeException e) {
                failure(out, e, options.verbose());
                return 4;
            }
        }
        Path ackFile = AckLog.file(options.dataDir(), runId);
        AckLog acks;
        try {
            acks = AckLog.open(ackFile);
        } catch (RuntimeException e) {
            db.close();
            failure(out, e, options.verbose());
            return 4;
        }
        out.println("acks:     " + ackFile);
        FinanceDemo demo = null;
        Dashboard dashboard = null;
        Node node = Node.start(NodeOptions.named("finance-demo-" + runId).withShutdownHook(false));
        try {
            FinanceDemo[] holder = new FinanceDemo[1];
            FinanceApplication app = FinanceApplication.startIn(node, FinanceApplication.Config.of(db)
                    .withCampaigns(CampaignSettings.defaults()
                            .withBatching(50, Duration.ofMillis(500))
                            .withMonitorInterval(Duration.ofSeconds(5))
                            .withAlerts(alert -> {
                                if (holder[0] != null) {
                                    holder[0].alerts.increment();
                                }
                            })
                            .withIntensity(50, Duration.ofSeconds(5)))
                    .withSchedulerInterval(Duration.ofSeconds(5))
                    .withIntensity(50, Duration.ofSeconds(5))
                    // Its own campaigns only: those a killed run left open are for --recover.
                    .withCampaignFilter(id -> id.startsWith(runId + "-")));
            demo = new FinanceDemo(options, out, db, app, runId, node, acks);
            holder[0] = demo;
            if (options.dashboardPort() >= 0) {
                try {
                    dashboard = Dashboard.start(node, DashboardOptions.defaults().withPort(options.dashboardPort()));
                } catch (IllegalStateException e) {
                    out.println("error: " + e.getMessage());
                    return 5;
                }
                out.println("dashboard: " + dashboard.uri());
            }
            shutdown.running(demo);
            FinanceDemo d = demo;
            return node.call(d::run);
        } finally {
            try {
                if (dashboard != null) {
                    dashboard.close();
                }
                if (demo != null) {
                    demo.app.close();
                }
                node.stop(Duration.ofSeconds(30));
            } finally {
                acks.close();
                db.close();
            }
        }
    }

    /** slf4j-simple reads these once, at its first use: the terminal is for the status line. */
    static void configureLogging(Path log) {
        try {
            Files.createDirectories(log.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + log.getParent(), e);
        }
        setIfAbsent("org.slf4j.simpleLogger.logFile", log.toString());
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    // ------------------------------------------------------------------ the run

    private int run() throws RuntimeException {
        try {
            createCampaigns();
            return runDonors();
        } finally {
            // Even when the run is interrupted or fails: no campaign of it is left taking donations.
            boolean interrupted = Thread.interrupted();
            try {
                closeCampaigns();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private int runDonors() {
        long start = System.nanoTime();
        long planned = start + options.duration().toNanos();
        synchronized (this) {
            if (endAt == 0 || endAt - planned > 0) {
                endAt = planned;
            }
        }
        List<Future<Ledger>> donorResults = new ArrayList<>();
        Ledger total = new Ledger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            SplittableRandom seeds = new SplittableRandom(options.seed());
            for (int i = 0; i < options.donors(); i++) {
                SplittableRandom rnd = seeds.split();
                String donor = "donor-" + i;
                donorResults.add(threads.submit(() -> node.call(() -> donate(donor, rnd))));
            }
            SplittableRandom crashRnd = seeds.split();
            threads.submit(() -> node.run(() -> injectCrashes(crashRnd)));
            showProgress(start, donorResults);
            for (Future<Ledger> f : donorResults) {
                total.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a donor failed: " + e.getCause(), e.getCause());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("donors done: %,d donations accepted in %.1f s (%,.0f/s), %,d bad ones refused, %,d retries after crashes%n",
                accepted.sum(), seconds, accepted.sum() / seconds, rejected.sum(), retries.sum());
        out.printf("acknowledgement latency: p50 %.2f ms, p99 %.2f ms, max %.1f ms (%d%% straight to campaign servers)%n",
                total.latencyMillis(0.50), total.latencyMillis(0.99), total.latencyMillis(1.0), options.directPercent());
        drainProcessors();
        noteRestarts();
        out.printf("crashes injected: %,d, servers restarted by their supervisors: %,d, milestone alerts: %,d%n",
                crashes.get(), restarts.get(), alerts.sum());
        Database.CommitStats commits = db.commitStats();
        // A batch holds at most one donation per donor waiting for its acknowledgement.
        out.printf("group commit: %,d batches, %.0f donations each on average, largest %,d, %,d settles%n",
                commits.batches(), commits.averageBatch(), commits.largestBatch(), commits.settles());
        return reconcile(total) ? 0 : 1;
    }

    private void createCampaigns() {
        SplittableRandom rnd = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        for (int i = 0; i < options.campaigns(); i++) {
            String currency = CURRENCIES.get(i % CURRENCIES.size());
            // A goal the run will likely reach, so the monitors have milestones to announce.
            Money goal = typicalAmount(currency).multiply(40L * options.donors() * options.duration().toSeconds()
                    / options.campaigns() + 1 + rnd.nextInt(10));
            String id = runId + "-c" + (i + 1);
            campaigns.add(CampaignManager.createCampaign(app.manager(),
                    new CampaignManager.NewCampaign(id, "Campaign " + (i + 1) + " (" + currency + ")", goal)));
        }
    }

    static Money typicalAmount(String currency) {
        return switch (currency) {
            case "IDR" -> Money.of(100_000, currency);
            case "JPY" -> Money.of(3_000, currency);
            case "SAR", "MYR" -> Money.of(100, currency);
            default -> Money.of(25, currency);
        };
    }

    /** A random amount around the currency's typical donation, with its minor units. */
    static Money randomAmount(String currency, SplittableRandom rnd) {
        Money typical = typicalAmount(currency);
        long minor = typical.toMinorUnits();
        return Money.ofMinor(minor / 10 + rnd.nextLong(minor * 2), typical.currency());
    }

    /** Ends the donors' loop now (a signal): what they have in flight still completes. Any thread. */
    synchronized void requestStop() {
        long now = System.nanoTime();
        if (endAt == 0 || endAt - now > 0) {
            endAt = now;
        }
    }

    private Ledger donate(String donor, SplittableRandom rnd) {
        Ledger ledger = new Ledger();
        while (System.nanoTime() - endAt < 0) {
            long end = endAt;
            Campaign c = campaigns.get(rnd.nextInt(campaigns.size()));
            String code = c.currency().getCurrencyCode();
            boolean viaProcessor = rnd.nextInt(100) >= options.directPercent();
            if (rnd.nextInt(50) == 0) {
                sendBad(c, donor, rnd, viaProcessor, end);
                continue;
            }
            Donation d = Donation.of(c.id(), donor, randomAmount(code, rnd));
            long sent = System.nanoTime();
            if (deliver(d, viaProcessor, end + RETRY_GRACE.toNanos())) {
                acks.record(d); // before anything else: the donor has been told, so it must be provable
                ledger.latency(System.nanoTime() - sent);
                ledger.add(d.amount());
                accepted.increment();
            } else {
                inDoubt.increment();
            }
        }
        return ledger;
    }

    /** Sends the donation until it is acknowledged; @return false if it never was (in doubt). */
    private boolean deliver(Donation d, boolean viaProcessor, long giveUpAt) {
        while (true) {
            try {
                if (viaProcessor) {
                    DonationProcessorServer.addDonation(app.processor(d.campaignId()), d);
                } else {
                    CampaignServer.addDonation(app.campaign(d.campaignId()), d);
                }
                return true;
            } catch (CallException | IllegalStateException crashedOrRestarting) {
                // The same donation (same id) again: stored at most once, whatever happened.
                retries.increment();
                if (System.nanoTime() - giveUpAt > 0) {
                    return false;
                }
                LockSupport.parkNanos(2_000_000);
            }
        }
    }

    private void sendBad(Campaign c, String donor, SplittableRandom rnd, boolean viaProcessor, long end) {
        String code = c.currency().getCurrencyCode();
        Money amount = rnd.nextBoolean() ? randomAmount(code, rnd).negate()
                : randomAmount(CURRENCIES.get((CURRENCIES.indexOf(code) + 1) % CURRENCIES.size()), rnd);
        Donation bad = Donation.of(c.id(), donor, amount);
        try {
            if (deliver(bad, viaProcessor, end + RETRY_GRACE.toNanos())) {
                badAccepted.increment();
            }
        } catch (DonationRejectedException expected) {
            rejected.increment();
        }
    }

    private void injectCrashes(SplittableRandom rnd) {
        if (options.crashRate() <= 0) {
            return;
        }
        while (true) {
            // Exponential gaps: crashes at random moments, crashRate per second on average.
            double gap = -Math.log(1 - rnd.nextDouble()) / options.crashRate();
            long next = System.nanoTime() + (long) (gap * 1e9);
            if (next - endAt > 0) {
                return;
            }
            LockSupport.parkNanos(next - System.nanoTime());
            if (System.nanoTime() - endAt > 0) {
                return;
            }
            Campaign c = campaigns.get(rnd.nextInt(campaigns.size()));
            Name target = rnd.nextBoolean() ? app.campaign(c.id()) : app.processor(c.id());
            GenServer.whereis(target).ifPresent(pid -> {
                // Half are kills (no terminate, mid-write or not), half exit signals.
                Proc.exit(pid, rnd.nextBoolean() ? ExitReason.kill() : ExitReason.of("injected_crash"));
                crashes.incrementAndGet();
                awaitingRestart.add(new Crashed(target, pid));
            });
        }
    }

    /** Counts the crashed servers that run again under a new pid. */
    private void noteRestarts() {
        for (var it = awaitingRestart.iterator(); it.hasNext(); ) {
            Crashed c = it.next();
            var now = GenServer.whereis(c.name());
            if (now.isPresent() && !now.get().equals(c.pid())) {
                restarts.incrementAndGet();
                it.remove();
            }
        }
    }

    // ------------------------------------------------------------------ progress

    private void showProgress(long start, List<Future<Ledger>> donors) throws InterruptedException {
        boolean terminal = System.console() != null && System.console().isTerminal();
        long lastCount = 0;
        long lastTime = start;
        long lastPrinted = 0;
        double rate = 0;
        while (!donors.stream().allMatch(Future::isDone)) {
            Thread.sleep(terminal ? 250 : 500);
            long now = System.nanoTime();
            long count = accepted.sum();
            rate = (count - lastCount) / ((now - lastTime) / 1e9);
            lastCount = count;
            lastTime = now;
            noteRestarts();
            String line = statusLine(start, endAt, now, count, rate);
            if (terminal) {
                out.print("\r\033[2K" + line);
                out.flush();
            } else if (now - lastPrinted > 2_000_000_000L) {
                out.println(line);
                lastPrinted = now;
            }
        }
        if (terminal) {
            out.print("\r\033[2K" + statusLine(start, endAt, System.nanoTime(), accepted.sum(), rate));
        }
        out.println();
    }

    private String statusLine(long start, long end, long now, long count, double rate) {
        double total = (end - start) / 1e9;
        double elapsed = Math.min(total, (now - start) / 1e9);
        int width = 24;
        int filled = (int) Math.round(width * elapsed / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String audit = CampaignSchedulerStatus.describe(app);
        return String.format(Locale.ROOT, "[%s] %4.1f/%.0fs  %,9d donations  %,7.0f/s  pending %,6d  crashes %,4d  restarts %,4d  refused %,5d  %s",
                bar, elapsed, total, count, rate, pending(), crashes.get(), restarts.get(), rejected.sum(), audit);
    }

    /** @return the donations waiting in the processors now (those that answer) */
    private long pending() {
        long n = 0;
        for (Campaign c : campaigns) {
            try {
                n += DonationProcessorServer.getStatus(app.processor(c.id())).pendingCount();
            } catch (CallException | IllegalStateException restarting) {
                // Its pending donations are in the database; it reloads them when it is back.
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ the end

    private void drainProcessors() {
        for (Campaign c : campaigns) {
            retry(() -> {
                var report = DonationProcessorServer.processBatch(app.processor(c.id()));
                if (report.stillPending() > 0) {
                    throw new IllegalStateException(report.stillPending() + " donations still pending in " + c.id());
                }
                return report;
            });
        }
    }

    /** Retries an action that may meet a server being restarted, for up to 30 s. */
    private static <T> T retry(Supplier<T> action) {
        long giveUpAt = System.nanoTime() + RETRY_GRACE.toNanos();
        while (true) {
            try {
                return action.get();
            } catch (CallException | IllegalStateException e) {
                if (System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                LockSupport.parkNanos(10_000_000);
            }
        }
    }

    private boolean reconcile(Ledger acceptedLedger) {
        Ledger persisted = new Ledger();
        Map<Currency, Money> inMemory = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        Map<Currency, Money> stored = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        Map<Currency, Long> memoryCounts = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        List<String> problems = new ArrayList<>();
        for (Campaign c : campaigns) {
            String id = c.id();
            DonationRepository.Totals totals = db.donations().processedTotals(id);
            persisted.sums.merge(totals.sum().currency(), totals.sum(), Money::plus);
            persisted.counts.merge(totals.sum().currency(), totals.count(), Long::sum);
            Campaign memory = retry(() -> CampaignServer.getCampaign(app.campaign(id)));
            inMemory.merge(memory.currency(), memory.current(), Money::plus);
            memoryCounts.merge(memory.currency(), memory.donationCount(), Long::sum);
            Campaign row = db.campaigns().find(id).orElseThrow();
            stored.merge(row.currency(), row.current(), Money::plus);
            Map<DonationStatus, Long> byStatus = db.donations().countByStatus(id);
            if (byStatus.getOrDefault(DonationStatus.PENDING, 0L) > 0 || byStatus.getOrDefault(DonationStatus.FAILED, 0L) > 0) {
                problems.add(id + " has donations left unsettled: " + byStatus);
            }
            CampaignServer.Audit audit = retry(() -> CampaignServer.audit(app.campaign(id)));
            if (!audit.consistent()) {
                problems.add(id + " memory and database disagree: " + audit);
            }
        }
        if (inDoubt.sum() > 0) {
            problems.add(inDoubt.sum() + " donations were never acknowledged (in doubt)");
        }
        if (badAccepted.sum() > 0) {
            problems.add(badAccepted.sum() + " bad donations were accepted");
        }

        out.println();
        out.println("Reconciliation of " + runId + " (per currency)");
        String header = String.format(Locale.ROOT, "%-4s %9s %22s %22s %22s %22s  %s", "", "donations", "accepted",
                "persisted", "campaign totals (mem)", "campaign totals (db)", "");
        out.println(header);
        out.println("-".repeat(header.length()));
        long totalCount = 0;
        for (String code : CURRENCIES) {
            Currency cur = Money.currency(code);
            if (!persisted.sums.containsKey(cur) && !acceptedLedger.sums.containsKey(cur)) {
                continue;
            }
            Money zero = Money.zero(cur);
            Money a = acceptedLedger.sums.getOrDefault(cur, zero);
            Money p = persisted.sums.getOrDefault(cur, zero);
            Money m = inMemory.getOrDefault(cur, zero);
            Money s = stored.getOrDefault(cur, zero);
            long ac = acceptedLedger.counts.getOrDefault(cur, 0L);
            long pc = persisted.counts.getOrDefault(cur, 0L);
            long mc = memoryCounts.getOrDefault(cur, 0L);
            boolean match = a.equals(p) && a.equals(m) && a.equals(s) && ac == pc && ac == mc;
            if (!match) {
                problems.add(code + ": accepted " + ac + " / " + a + ", persisted " + pc + " / " + p + ", in memory " + mc
                        + " / " + m + ", stored " + s);
            }
            totalCount += ac;
            out.printf(Locale.ROOT, "%-4s %,9d %22s %22s %22s %22s  %s%n", code, ac, plain(a), plain(p), plain(m), plain(s),
                    match ? "ok" : "MISMATCH");
        }
        out.println();
        if (problems.isEmpty()) {
            out.printf("OK: %,d donations accepted = persisted = counted in campaign totals, in every currency.%n", totalCount);
            if (!db.durable()) {
                out.println("NOT DURABLE: this run used --ephemeral with " + db.url()
                        + "; acknowledged donations would not survive a crash.");
            }
            return true;
        }
        out.println("MISMATCH:");
        problems.forEach(p -> out.println("  " + p));
        return false;
    }

    private static String plain(Money m) {
        return String.format(Locale.ROOT, "%,." + m.amount().scale() + "f", m.amount());
    }

    /** Completes the run's campaigns (best effort per campaign, so one failure does not leave the others active), so the next run's manager does not start their servers again. */
    private void closeCampaigns() {
        for (Campaign c : campaigns) {
            try {
                retry(() -> {
                    CampaignServer.updateStatus(app.campaign(c.id()), CampaignStatus.COMPLETED);
                    return CampaignServer.getCampaign(app.campaign(c.id()));
                });
            } catch (RuntimeException serverDown) {
                // The server did not answer in the grace period: complete the row directly; the
                // application is about to close, so no server holds a stale copy for long.
                try {
                    db.campaigns().updateStatus(c.id(), CampaignStatus.COMPLETED);
                } catch (RuntimeException e) {
                    e.addSuppressed(serverDown);
                    // Looked up here, not in a static field: slf4j-simple must be configured first (main).
                    org.slf4j.LoggerFactory.getLogger(FinanceDemo.class).warn("demo_campaign_not_closed campaign={} reason={}", c.id(), e.toString(), e);
                }
            }
        }
    }

    /** The scheduler's last audit, for the status line. */
    private static final class CampaignSchedulerStatus {
        static String describe(FinanceApplication app) {
            try {
                return CampaignScheduler.lastCheck(app.scheduler())
                        .map(r -> r.inconsistent().isEmpty()
                                ? "audit ok " + r.consistent().size() + "/" + (r.consistent().size() + r.unavailable().size())
                                : "AUDIT MISMATCH " + r.inconsistent())
                        .orElse("audit pending");
            } catch (CallException e) {
                return "audit n/a";
            }
        }

        private CampaignSchedulerStatus() {}
    }

}
