package io.otpj.finance.demo;

import io.otpj.cluster.Cluster;
import io.otpj.cluster.ClusterOptions;
import io.otpj.core.CallException;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.campaign.CampaignServer;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.money.Money;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The finance demo across several JVMs ({@code --nodes N}): N otpj nodes on this machine joined
 * over TCP on 127.0.0.1 ({@code otpj-cluster}), sharing one H2 database served over TCP by this
 * (the parent) JVM. Campaign servers are sharded over the nodes by the cluster registry (campaign k
 * lives on node k mod N, named {@code campaign:ID} cluster-wide); each node's donors give to every
 * campaign through that name, wherever it lives, and write each acknowledged donation to their
 * node's append-only file. In the middle of the run the parent kills one node with SIGKILL; the
 * survivors see it go and restart its campaigns among themselves (campaign k on the k-th survivor,
 * by sorted name), each from what the database holds; donors whose call was cut retry the same
 * donation (same id: stored at most once). At the end the parent closes the campaigns (pending
 * donations counted first) and reconciles every node's acknowledgements, the killed node's
 * included, against the database: every acknowledged donation stored and counted, per currency.
 *
 * <p>Exit codes: 0 everything reconciles, 1 a mismatch, 2 bad options, 3 a node did not start or
 * a survivor failed, 4 the database could not be opened.
 */
final class ClusterDemo {

    static final String USAGE = """
            Usage: java -jar otpj-finance-demo.jar --nodes N [options]

            Runs the finance demo across N JVMs on this machine (otpj-cluster on TCP over
            127.0.0.1, one H2 database served over TCP by this JVM): campaigns sharded by the
            cluster registry, donors on every node, one node killed with SIGKILL in the middle
            of the run, its campaigns restarted on the survivors, then a reconciliation of every
            node's acknowledged donations against the database.

            Exit codes: 0 everything reconciles, 1 a mismatch, 2 bad options, 3 a node did not
            start or a survivor failed, 4 the database could not be opened.

            Options:
              --nodes N          JVMs (2 to 5)
              --duration S       seconds of donations (default 20)
              --donors N         donor processes per node (default 20)
              --campaigns N      campaigns (default 12)
              --data-dir DIR     where the database and the acknowledgements go (default data)
              --no-kill          kill no node (a clean run across nodes)
              --help             this text
            """;

    record Settings(int nodes, Duration duration, int donors, int campaigns, Path dataDir, boolean kill) {}

    private static final String BASE_PORT_HINT = "otpj-finance-cluster";

    private ClusterDemo() {}

    /** Parses the options; null for --help. */
    static Settings parse(List<String> args) {
        int nodes = 0, donors = 20, campaigns = 12;
        Duration duration = Duration.ofSeconds(20);
        Path dataDir = Path.of("data");
        boolean kill = true;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--no-kill" -> kill = false;
                case "--nodes", "--duration", "--donors", "--campaigns", "--data-dir" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args.get(++i);
                    switch (a) {
                        case "--nodes" -> nodes = number(a, v, 2, 5);
                        case "--duration" -> duration = Duration.ofSeconds(number(a, v, 2, 3600));
                        case "--donors" -> donors = number(a, v, 1, 1000);
                        case "--campaigns" -> campaigns = number(a, v, 1, 1000);
                        default -> dataDir = Path.of(v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (with --nodes)");
            }
        }
        if (nodes == 0) {
            throw new IllegalArgumentException("--nodes is required");
        }
        return new Settings(nodes, duration, donors, campaigns, dataDir, kill);
    }

    private static int number(String option, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ": " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number: " + v);
        }
    }

    /** The command line's entry: {@code --nodes} given. */
    static int main(String[] args, PrintStream out) {
        Settings s;
        try {
            s = parse(List.of(args));
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        if (s == null) {
            out.print(USAGE);
            return 0;
        }
        // The parent's own logs (pool, migrations, database server) to a file, as a single-JVM
        // run's: the terminal is for the run's lines. Each node's output is its node-I.log.
        Path log = s.dataDir().toAbsolutePath().normalize().resolve("demo.log");
        try {
            FinanceDemo.configureLogging(log);
        } catch (java.io.UncheckedIOException e) {
            out.println("error: cannot create the data directory " + log.getParent() + ": " + e.getCause());
            return 4;
        }
        out.println("log:      " + log);
        return run(s, out);
    }

    private static String nodeName(int i) {
        return "finance-" + (char) ('a' + i) + "@127.0.0.1";
    }

    static ClusterOptions clusterOptions(String cluster, int port) {
        return ClusterOptions.named(cluster)
                .withStack(ClusterOptions.Stack.tcp("127.0.0.1", port, 10, List.of("127.0.0.1[" + port + "]")))
                .allowPackage("io.otpj.finance.campaign").allowPackage("io.otpj.finance.domain")
                .allowPackage("io.otpj.finance.money").allowPackage("io.otpj.finance.db")
                .withJoinTimeout(Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ the parent

    static int run(Settings s, PrintStream out) {
        String runId = FinanceDemo.newRunId(LocalDateTime.now());
        Path dbDir = s.dataDir().resolve("cluster").resolve(runId).toAbsolutePath();
        org.h2.tools.Server h2 = null;
        List<Process> nodes = new ArrayList<>();
        try {
            Files.createDirectories(dbDir);
            int dbPort = 0;
            for (int attempt = 0; h2 == null; attempt++) {
                dbPort = 40_000 + ThreadLocalRandom.current().nextInt(9000);
                try {
                    h2 = org.h2.tools.Server.createTcpServer("-tcpPort", Integer.toString(dbPort), "-baseDir",
                            dbDir.toString(), "-ifNotExists").start();
                } catch (java.sql.SQLException busy) {
                    if (attempt > 10) {
                        out.println("error: no free port for the database server: " + busy.getMessage());
                        return 4;
                    }
                }
            }
            String url = "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/finance";
            Database db;
            try {
                db = Database.open(url);
            } catch (RuntimeException e) {
                out.println("error: the database could not be opened: " + e.getMessage());
                return 4;
            }
            try {
                return run(s, out, runId, url, db, nodes);
            } finally {
                db.close();
            }
        } catch (IOException e) {
            out.println("error: " + e.getMessage());
            return 4;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("error: interrupted");
            return 3;
        } finally {
            for (Process p : nodes) {
                p.destroyForcibly();
            }
            if (h2 != null) {
                h2.stop();
            }
        }
    }

    private static int run(Settings s, PrintStream out, String runId, String url, Database db, List<Process> nodes)
            throws IOException, InterruptedException {
        List<Campaign> campaigns = new ArrayList<>();
        for (int i = 0; i < s.campaigns(); i++) {
            String currency = FinanceDemo.CURRENCIES.get(i % FinanceDemo.CURRENCIES.size());
            Money goal = FinanceDemo.typicalAmount(currency).multiply(1_000_000);
            campaigns.add(db.campaigns().create(Campaign.create(runId + "-c" + (i + 1),
                    "Campaign " + (i + 1) + " (" + currency + ")", goal)));
        }
        String cluster = BASE_PORT_HINT + "-" + runId;
        int port = 32_000 + ThreadLocalRandom.current().nextInt(700) * 10;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Path> logs = new ArrayList<>();
        out.printf("run %s: %d nodes on 127.0.0.1 (cluster ports %d-%d), database %s%n", runId, s.nodes(), port,
                port + 9, url);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < s.nodes(); i++) {
            Path log = s.dataDir().resolve("cluster").resolve(runId).resolve("node-" + i + ".log");
            logs.add(log);
            if (i > 0) {
                // One at a time: each joins the cluster the first one formed (JVMs that all start
                // at once would each form a cluster of one and wait for a merge).
                Path previous = logs.get(i - 1);
                Process p = nodes.get(i - 1);
                if (!awaitLine(previous, p, "JOINED ", deadline)) {
                    out.println("error: node " + nodeName(i - 1) + " did not join; its log: " + previous);
                    return 3;
                }
            }
            nodes.add(new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "-Djava.net.preferIPv4Stack=true", "-Xmx1g", ClusterDemo.class.getName(), "--child",
                    Integer.toString(i), Integer.toString(s.nodes()), url, cluster, Integer.toString(port),
                    Long.toString(s.duration().toMillis()), Integer.toString(s.donors()), runId,
                    s.dataDir().toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        for (int i = 0; i < s.nodes(); i++) {
            if (!awaitLine(logs.get(i), nodes.get(i), "DONATING ", deadline)) {
                out.println("error: node " + nodeName(i) + " did not start; its log: " + logs.get(i));
                return 3;
            }
        }
        long start = System.nanoTime();
        out.printf("all %d nodes donating for %d s%n", s.nodes(), s.duration().toSeconds());
        int victim = s.nodes() - 1;
        if (s.kill()) {
            long killAt = start + s.duration().toNanos() * 2 / 5;
            LockSupport.parkNanos(Math.max(0, killAt - System.nanoTime()));
            nodes.get(victim).destroyForcibly(); // SIGKILL
            out.printf(Locale.ROOT, "killed %s with SIGKILL at %.1f s; the survivors restart its campaigns%n",
                    nodeName(victim), (System.nanoTime() - start) / 1e9);
        }
        // The nodes leave the cluster together: one whose donors finished first and that left at
        // once would be a node lost to the others, which would restart its campaigns while their
        // own donors still gave (seen as "restarted from a live node" before this barrier).
        long finishBy = start + s.duration().toNanos() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < s.nodes(); i++) {
            if (s.kill() && i == victim) {
                continue;
            }
            // A node that died instead is reported by the wait for its exit below.
            if (!awaitLine(logs.get(i), nodes.get(i), "DONE ", finishBy) && nodes.get(i).isAlive()) {
                out.println("error: node " + nodeName(i) + " did not finish; its log: " + logs.get(i));
                return 3;
            }
        }
        for (Process p : nodes) {
            if (p.isAlive()) {
                try (var stop = p.getOutputStream()) {
                    stop.write("STOP\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException exitedMeanwhile) {
                    // it is gone already: waitFor below reports how it ended
                }
            }
        }
        boolean survivorsOk = true;
        for (int i = 0; i < s.nodes(); i++) {
            Process p = nodes.get(i);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                out.println("error: node " + nodeName(i) + " did not finish; its log: " + logs.get(i));
                return 3;
            }
            String summary = read(logs.get(i)).lines().filter(l -> l.startsWith("DONE ")).findFirst().orElse(null);
            if (s.kill() && i == victim) {
                out.printf("%s: killed (its acknowledgements until then are in its file)%n", nodeName(i));
            } else if (p.exitValue() != 0 || summary == null) {
                out.println("error: node " + nodeName(i) + " failed (exit " + p.exitValue() + "); its log: " + logs.get(i));
                survivorsOk = false;
            } else {
                out.println(nodeName(i) + ": " + summary.substring(5));
            }
        }
        java.util.Set<String> adopted = new java.util.TreeSet<>(), fromSurvivors = new java.util.TreeSet<>();
        long starts = 0;
        for (int i = 0; i < s.nodes(); i++) {
            if (!(s.kill() && i == victim)) {
                List<String> lines = read(logs.get(i)).lines().filter(l -> l.startsWith("ADOPTED ")).toList();
                starts += lines.size();
                for (String l : lines) {
                    String[] w = l.split(" "); // ADOPTED <campaign> from <home node>
                    (w[3].equals(nodeName(victim)) ? adopted : fromSurvivors).add(w[1]);
                }
            }
        }
        if (s.kill()) {
            // A campaign whose first restart crashed (its database rows still locked by the killed
            // node's open transaction, say) is started again: counted once here, in starts below.
            out.printf("campaigns restarted on the survivors: %d (of the %d that lived on %s; %d starts)%n",
                    adopted.size(), (s.campaigns() + s.nodes() - 1 - victim) / s.nodes(), nodeName(victim), starts);
            if (!fromSurvivors.isEmpty()) {
                // A live survivor was lost to another during the run (JGroups' failure detection
                // excluded it); each side then ran the other's campaigns until the views merged and
                // the cluster registry resolved the duplicate names (docs/cluster.md).
                out.printf("also restarted from live nodes (a live node was lost to another during the run): %d campaign(s)%n",
                        fromSurvivors.size());
            }
        }
        // Every node's acknowledgements, the killed one's included, as one run's file.
        Path all = AckLog.file(s.dataDir(), runId);
        Files.createDirectories(all.getParent());
        Files.deleteIfExists(all);
        for (int i = 0; i < s.nodes(); i++) {
            Path f = AckLog.file(s.dataDir(), runId + "-node" + i);
            if (Files.exists(f)) {
                Files.write(all, completeLines(Files.readAllBytes(f)), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        boolean ok = RunRecovery.recoverRun(db, runId, campaigns, all, out);
        out.println();
        out.println(ok && survivorsOk ? "OK: every acknowledged donation of every node is stored and counted, across "
                + s.nodes() + " nodes" + (s.kill() ? " and a SIGKILL" : "") + "."
                : "MISMATCH: see above.");
        return !survivorsOk ? 3 : ok ? 0 : 1;
    }

    /** The file's complete lines: a last line the SIGKILL cut is not an acknowledgement yet. */
    private static byte[] completeLines(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] != '\n') {
            end--;
        }
        return java.util.Arrays.copyOf(b, end);
    }

    /**
     * Waits until a child's log has a line starting with {@code prefix}.
     *
     * @return false if the child ended or the deadline ({@code System.nanoTime()}) passed first
     */
    private static boolean awaitLine(Path log, Process child, String prefix, long deadline) throws InterruptedException {
        while (read(log).lines().noneMatch(l -> l.startsWith(prefix))) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20); // a child's log file: nothing to wait on
        }
        return true;
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ a node

    /** A node's JVM: {@code --child INDEX N DB_URL CLUSTER PORT DURATION_MS DONORS RUN_ID DATA_DIR}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 10 || !args[0].equals("--child")) {
            System.out.println("error: this entry point is started by --nodes");
            System.exit(2);
        }
        int index = Integer.parseInt(args[1]), count = Integer.parseInt(args[2]);
        String url = args[3], clusterName = args[4], runId = args[8];
        int port = Integer.parseInt(args[5]), donors = Integer.parseInt(args[7]);
        long durationMs = Long.parseLong(args[6]);
        Path dataDir = Path.of(args[9]);
        String self = nodeName(index);
        Node node = Node.start(NodeOptions.named(self).withShutdownHook(false));
        Cluster cluster = Cluster.join(node, clusterOptions(clusterName, port));
        System.out.println("JOINED " + self);
        System.out.flush();
        Database db = Database.open(url);
        List<Campaign> campaigns = db.campaigns().findAll().stream().filter(c -> c.id().startsWith(runId + "-c"))
                .sorted(Comparator.comparingInt(c -> Integer.parseInt(c.id().substring(runId.length() + 2)))).toList();
        List<String> ids = campaigns.stream().map(Campaign::id).toList();
        List<String> home = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            home.add(nodeName(k));
        }
        // The placement process: each campaign runs on its home node while that node is up (or has
        // not joined yet), and on the k-th survivor by sorted name once its home was seen and lost;
        // whoever owns a free name starts its server there.
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        node.spawn(() -> {
            for (;;) {
                List<String> alive = new ArrayList<>(cluster.nodes());
                alive.add(self);
                alive.sort(null);
                seen.addAll(alive);
                for (int k = 0; k < ids.size(); k++) {
                    String h = home.get(k % count);
                    if (over.get() && !h.equals(self)) {
                        // This node's donors are done: it still restarts its own campaigns (other
                        // nodes' donors may still give), but a node that leaves is not replaced.
                        continue;
                    }
                    String owner = alive.contains(h) || !seen.contains(h) ? h : alive.get(k % alive.size());
                    String id = ids.get(k);
                    if (owner.equals(self) && cluster.registry().whereisName(key(id)) == null
                            && CampaignServer.start(db, id, name(cluster, id)) instanceof io.otpj.core.StartResult.Ok // from the database
                            && !h.equals(self)) {
                        System.out.println("ADOPTED " + id + " from " + h);
                        System.out.flush();
                    }
                }
                Proc.receive(Duration.ofMillis(100));
            }
        });
        // Donations start once every node is up and every campaign is reachable by its name.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (cluster.nodes().size() < count - 1 || ids.stream().anyMatch(id -> cluster.registry().whereisName(key(id)) == null)) {
            if (System.nanoTime() > deadline) {
                System.out.println("error: the cluster did not form: " + cluster + ", names " + cluster.registry().keys());
                System.exit(3);
            }
            Thread.sleep(20); // membership and names arrive on the cluster's threads
        }
        System.out.println("DONATING " + self);
        System.out.flush();
        AckLog acks = AckLog.open(AckLog.file(dataDir, runId + "-node" + index));
        LongAdder acked = new LongAdder(), retries = new LongAdder(), inDoubt = new LongAdder(), failed = new LongAdder();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        CountDownLatch done = new CountDownLatch(donors);
        for (int d = 0; d < donors; d++) {
            String donor = "node" + index + "-donor-" + d;
            long seed = ThreadLocalRandom.current().nextLong();
            node.spawn(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    while (System.nanoTime() - end < 0) {
                        Campaign c = campaigns.get(rnd.nextInt(campaigns.size()));
                        Donation donation = Donation.of(c.id(), donor,
                                FinanceDemo.randomAmount(c.currency().getCurrencyCode(), rnd));
                        if (deliver(cluster, donation, end + TimeUnit.SECONDS.toNanos(30), retries)) {
                            acks.record(donation); // the donor has been told: provable from here on
                            acked.increment();
                        } else {
                            inDoubt.increment();
                        }
                    }
                } catch (RuntimeException e) {
                    failed.increment();
                    System.out.println("error: donor " + donor + " failed: " + e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        acks.close();
        over.set(true);
        if (failed.sum() > 0) {
            System.out.println("FAILED " + failed.sum() + " donors");
            System.exit(3);
        }
        System.out.printf(Locale.ROOT, "DONE %,d donations acknowledged, %,d retries, %,d in doubt%n", acked.sum(),
                retries.sum(), inDoubt.sum());
        System.out.flush();
        // Up until every node is done (the parent's STOP, or its end: end of input), so that no
        // node sees another leave while its donors still give.
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
        System.exit(0);
    }

    private static Object key(String campaignId) {
        return "campaign:" + campaignId;
    }

    private static Name name(Cluster cluster, String campaignId) {
        return Name.via(cluster.registry(), key(campaignId));
    }

    /** Sends the donation until it is acknowledged; false if it never was (in doubt). */
    private static boolean deliver(Cluster cluster, Donation d, long giveUpAt, LongAdder retries) {
        for (;;) {
            try {
                CampaignServer.addDonation(name(cluster, d.campaignId()), d, Duration.ofSeconds(5));
                return true;
            } catch (CallException | IllegalStateException | IllegalArgumentException movingOrLost) {
                // Its node lost or its server restarting elsewhere: the same donation (same id)
                // again, stored at most once whatever happened to the first try.
                retries.increment();
                if (System.nanoTime() - giveUpAt > 0) {
                    return false;
                }
                LockSupport.parkNanos(5_000_000);
            }
        }
    }

    /** For tests: the pid a campaign's name resolves to on {@code cluster}. */
    static Pid whereis(Cluster cluster, String campaignId) {
        return cluster.registry().whereisName(key(campaignId));
    }
}
