package io.otpj.finance.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The demo's command-line options.
 *
 * @param campaigns how many campaigns to create
 * @param donors how many concurrent donors
 * @param duration how long donors give
 * @param crashRate injected crashes per second (0: none)
 * @param dbUrl a JDBC URL, or null for the embedded database under {@code dataDir}
 * @param dataDir where the embedded database and the log file live
 * @param seed the random seed
 * @param directPercent the share of donations given straight to campaign servers (written once,
 *     counted in their commit) instead of through the donation processors (stored pending, then
 *     settled by a batch), 0 to 100; both paths' writes are group commits
 * @param recover null for a normal run; otherwise recover the runs that crashed ({@code ""}: all
 *     of them) or the one with this id
 * @param dashboardPort the port of the live dashboard on 127.0.0.1 ({@code --dashboard [PORT]}),
 *     or -1 for none
 */
record DemoOptions(int campaigns, int donors, Duration duration, double crashRate, String dbUrl, Path dataDir, long seed,
        boolean ephemeral, boolean verbose, int directPercent, String recover, int dashboardPort) {

    static final String USAGE = """
            Usage: java -jar otpj-finance-demo.jar [options]

            Starts the finance application's supervision tree on a database, lets concurrent
            donors give to many campaigns while campaign servers and donation processors are
            crashed at random, shows live progress, then reconciles: donations accepted =
            donations persisted = campaign totals, per currency. SIGTERM or Ctrl-C ends the run
            early in order: donors stop, pending donations are flushed, campaigns are closed, and
            the reconciliation is printed.

            With --recover, it runs no donors: it closes the campaigns that runs killed with
            SIGKILL left open (their pending donations counted first) and reconciles each such
            run against the acknowledgements its donors wrote (data-dir/acks/RUN_ID.log): every
            acknowledged donation must be in the database and counted.

            With --nodes N, the run spans N JVMs on this machine (otpj-cluster): campaigns
            sharded by the cluster registry, one node killed with SIGKILL mid-run, its campaigns
            restarted on the survivors; --nodes N --help lists that mode's options.

            Exit codes: 0 everything reconciles, 1 a mismatch (with --recover: an acknowledged
            donation missing, or totals that disagree), 2 bad options (a non-durable
            --db-url without --ephemeral included), 3 a signal's orderly end took longer than
            120 s, 4 the database could not be opened (unreachable, wrong credentials, missing,
            unwritable data directory), 5 the dashboard could not listen (its port in use).

            Options:
              --campaigns N      campaigns to create (default 12)
              --donors N         concurrent donors (default 400)
              --duration SECS    how long donors give, in seconds (default 20)
              --crash-rate R     injected crashes per second (default 2; 0 for none)
              --direct PCT       share of donations given straight to campaign servers, each written
                                 once and counted in its commit (default 30); the rest go through
                                 donation processors: stored pending, then settled by a batch
              --db-url URL       a JDBC URL, e.g. jdbc:postgresql://localhost:5432/otpj?user=otpj&password=secret
                                 (default: the embedded H2 database file under --data-dir)
              --data-dir DIR     where the embedded database and demo.log live (default ./data)
              --seed N           random seed (default: from the clock)
              --ephemeral        accept a --db-url whose commits are not durable (H2 in memory, H2
                                 with a WRITE_DELAY, PostgreSQL with synchronous_commit off); the
                                 report then says the run was not durable
              --recover [RUN_ID] recover the runs that crashed (or only RUN_ID) instead of a run
              --dashboard [PORT] serve the live dashboard (supervision trees, processes, crashes,
                                 restarts) on http://127.0.0.1:PORT/ during the run (default 4000)
              --verbose          print the stack trace of a failure, not only its one line
              --help             this text
            """;

    DemoOptions {
        if (campaigns < 1 || campaigns > 10_000) {
            throw new IllegalArgumentException("--campaigns must be 1 to 10000, got " + campaigns);
        }
        if (donors < 1 || donors > 100_000) {
            throw new IllegalArgumentException("--donors must be 1 to 100000, got " + donors);
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("--duration must be 1 second to 24 hours, got " + duration.toSeconds() + " s");
        }
        if (!(crashRate >= 0 && crashRate <= 1000)) {
            throw new IllegalArgumentException("--crash-rate must be 0 to 1000 per second, got " + crashRate);
        }
        if (dbUrl != null && !dbUrl.startsWith("jdbc:h2:") && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--db-url must be a jdbc:postgresql: or jdbc:h2: URL, got '" + dbUrl + "'");
        }
        if (directPercent < 0 || directPercent > 100) {
            throw new IllegalArgumentException("--direct must be 0 to 100 (percent), got " + directPercent);
        }
        if (dashboardPort < -1 || dashboardPort > 65_535) {
            throw new IllegalArgumentException("--dashboard needs a port from 0 to 65535, got " + dashboardPort);
        }
        Objects.requireNonNull(dataDir, "dataDir");
    }

    /** @return the options, or null when {@code --help} was asked for */
    static DemoOptions parse(String[] args) {
        int campaigns = 12;
        int donors = 400; // about what it takes to reach 20,000 durable donations/s here (see the docs)
        long seconds = 20;
        double crashRate = 2;
        String dbUrl = null;
        // Not Database.DEFAULT_DATA_DIR: loading Database would start logging before it is configured.
        Path dataDir = Path.of("data");
        long seed = System.nanoTime();
        boolean ephemeral = false;
        boolean verbose = false;
        int direct = 30;
        String recover = null;
        int dashboard = -1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            if (a.equals("--ephemeral")) {
                ephemeral = true;
                continue;
            }
            if (a.equals("--verbose")) {
                verbose = true;
                continue;
            }
            if (a.equals("--recover")) {
                // An optional value: the run id, when the next argument is not an option.
                recover = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "";
                if (!recover.isEmpty()) {
                    io.otpj.finance.domain.Ids.require(recover, "run id");
                }
                continue;
            }
            if (a.equals("--dashboard")) {
                // An optional value: the port, when the next argument is not an option.
                dashboard = i + 1 < args.length && !args[i + 1].startsWith("--") ? integer(a, args[++i]) : 4000;
                continue;
            }
            if (!WITH_VALUE.contains(a)) {
                throw new IllegalArgumentException("unknown option " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--campaigns" -> campaigns = integer(a, v);
                case "--donors" -> donors = integer(a, v);
                case "--duration" -> seconds = integer(a, v);
                case "--crash-rate" -> crashRate = decimal(a, v);
                case "--db-url" -> dbUrl = v;
                case "--data-dir" -> dataDir = Path.of(v);
                case "--seed" -> seed = longInteger(a, v);
                case "--direct" -> direct = integer(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new DemoOptions(campaigns, donors, Duration.ofSeconds(seconds), crashRate, dbUrl, dataDir, seed, ephemeral,
                verbose, direct, recover, dashboard);
    }

    /** @return these options recovering crashed runs ({@code ""}: all) instead of running donors */
    DemoOptions recovering(String runId) {
        return new DemoOptions(campaigns, donors, duration, crashRate, dbUrl, dataDir, seed, ephemeral, verbose,
                directPercent, runId, dashboardPort);
    }

    private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--campaigns", "--donors", "--duration",
            "--crash-rate", "--db-url", "--data-dir", "--seed", "--direct");

    /** The options of a run with these numbers and the defaults for the rest (for tests). */
    static DemoOptions of(int campaigns, int donors, Duration duration, double crashRate, String dbUrl, Path dataDir,
            long seed) {
        return new DemoOptions(campaigns, donors, duration, crashRate, dbUrl, dataDir, seed, false, false, 30, null, -1);
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'");
        }
    }

    private static long longInteger(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'");
        }
    }

    private static double decimal(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'");
        }
    }
}
