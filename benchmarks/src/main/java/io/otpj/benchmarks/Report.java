package io.otpj.benchmarks;

import io.otpj.benchmarks.Suite.Measured;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a suite run's measurements into the comparison table and the Markdown report. */
final class Report {

    /** Whether a bigger value is better (throughput) or a smaller one (time, memory). */
    enum Better { HIGHER, LOWER }

    /** What a figure must reach; {@link #check} answers null when there is nothing to check. */
    sealed interface Target {
        String text();

        Boolean check(Double otpj, Double ratio);

        record None() implements Target {
            public String text() { return "–"; }
            public Boolean check(Double otpj, Double ratio) { return null; }
        }

        record RatioAtLeast(double x) implements Target {
            public String text() { return "ratio ≥ " + num(x); }
            public Boolean check(Double otpj, Double ratio) { return ratio == null ? null : ratio >= x; }
        }

        record RatioAtMost(double x, String label) implements Target {
            public String text() { return "ratio ≤ " + label; }
            public Boolean check(Double otpj, Double ratio) { return ratio == null ? null : ratio <= x; }
        }

        record AtLeast(double x, String label) implements Target {
            public String text() { return "otpj ≥ " + label; }
            public Boolean check(Double otpj, Double ratio) { return otpj == null ? null : otpj >= x; }
        }

        record AtMost(double x, String label) implements Target {
            public String text() { return "otpj ≤ " + label; }
            public Boolean check(Double otpj, Double ratio) { return otpj == null ? null : otpj <= x; }
        }

        private static String num(double x) {
            return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
        }
    }

    /** A row of the table: an otpj measurement against a peer measurement. */
    record Figure(String title, String otpjKey, String peer, String peerKey, Better better, Target target) {}

    /** The call throughput with {@code callers} against {@link RawCall}'s bare exchange with one wait policy. */
    private static Figure rawCall(int callers, long spinNanos, String how) {
        return new Figure("Call throughput, " + callers + " callers → 1 server", "OtpjCall.concurrentCallers[" + callers + "]",
                "bare virtual threads, " + callers + " blocking callers " + how,
                "RawCall.concurrentCallers[" + callers + ",spin " + spinNanos + "]", Better.HIGHER, NONE);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final Target NONE = new Target.None();

    private final Suite.RunData run;
    private final List<Figure> figures;

    Report(Suite.RunData run) {
        this.run = run;
        int small = run.mode().probeSmall, large = run.mode().probeLarge;
        String idle = count(run.mode().idle);
        List<Figure> f = new ArrayList<>(List.of(
                new Figure("Cast throughput, 1 producer → 1 server", "OtpjCast.oneProducer",
                        "Pekko tell, 1 thread → 1 actor", "PekkoCast.oneProducer", Better.HIGHER, new Target.RatioAtLeast(4)),
                new Figure("Cast throughput, 1 producer → 1 server", "OtpjCast.oneProducer",
                        "raw JCTools MPSC, thread → thread", "QueueCast.jctools", Better.HIGHER, new Target.RatioAtLeast(0.5)),
                new Figure("Cast throughput, 1 producer → 1 server", "OtpjCast.oneProducer",
                        "raw JCTools MPSC unpadded, chunk 32 (otpj's mailbox queue)", "QueueCast.jctoolsUnpadded",
                        Better.HIGHER, NONE),
                new Figure("Cast throughput, 1 producer → 1 server", "OtpjCast.oneProducer",
                        "LinkedBlockingQueue, thread → thread", "QueueCast.linkedBlockingQueue", Better.HIGHER, NONE),
                new Figure("Cast throughput, 4 producers → 1 server", "OtpjCast.fourProducers",
                        "Pekko tell, 4 threads → 1 actor", "PekkoCast.fourProducers", Better.HIGHER, NONE),
                new Figure("Cast throughput, 64 producer → server pairs", "OtpjCast.pairs",
                        "Pekko, 64 actor → actor pairs", "PekkoCast.pairs", Better.HIGHER, NONE),
                new Figure("Call round trip, plain thread → process", "OtpjCall.plainThread",
                        "Pekko ask from a plain thread", "PekkoCall.askFromPlainThread", Better.LOWER,
                        new Target.RatioAtMost(1.0 / 20, "1/20")),
                new Figure("Call round trip, process → process", "OtpjCall.processToProcess",
                        "Pekko actor → actor request/reply", "PekkoCall.actorToActor", Better.LOWER,
                        new Target.RatioAtMost(0.5, "0.5")),
                new Figure("Call round trip, process → process", "OtpjCall.processToProcess",
                        "raw round trip, 2 spinning platform threads (floor)", "HandOff.spinningThreads", Better.LOWER,
                        NONE),
                new Figure("Call round trip, process → process", "OtpjCall.processToProcess",
                        "raw round trip, 2 spinning virtual threads", "HandOff.spinningVirtualThreads",
                        Better.LOWER, NONE),
                new Figure("Call round trip, process → process", "OtpjCall.processToProcess",
                        "raw round trip, 2 virtual threads parking each hop", "HandOff.parkingVirtualThreads",
                        Better.LOWER, NONE),
                new Figure("Call throughput, 1 caller → 1 server", "OtpjCall.concurrentCallers[1]",
                        "Pekko, 1 requesting actor", "PekkoCall.concurrentCallers[1]", Better.HIGHER, NONE),
                new Figure("Call throughput, 4 callers → 1 server", "OtpjCall.concurrentCallers[4]",
                        "Pekko, 4 requesting actors", "PekkoCall.concurrentCallers[4]", Better.HIGHER, NONE),
                rawCall(4, 0, "parking at once"),
                rawCall(4, 2_000, "spinning 2 µs, then parking"),
                rawCall(4, 20_000, "spinning 20 µs, then parking"),
                new Figure("Call throughput, 16 callers → 1 server", "OtpjCall.concurrentCallers[16]",
                        "Pekko, 16 requesting actors", "PekkoCall.concurrentCallers[16]", Better.HIGHER, NONE),
                rawCall(16, 0, "parking at once"),
                rawCall(16, 2_000, "spinning 2 µs, then parking"),
                rawCall(16, 20_000, "spinning 20 µs, then parking"),
                new Figure("Pipelined calls, plain thread, " + Batches.WINDOW + " at once (RequestSet), per call",
                        "OtpjCall.pipelinedFromPlainThread", "Pekko ask-many, joined", "PekkoCall.askManyFromPlainThread",
                        Better.LOWER, NONE),
                new Figure("Pipelined calls, process → process, " + Batches.WINDOW + " in flight, per call",
                        "OtpjCall.pipelinedProcessToProcess", "Pekko actor → actor, same window",
                        "PekkoCall.pipelinedActorToActor", Better.LOWER, NONE),
                new Figure("Spawn rate, 1 thread starting " + count(Batches.SPAWNS) + " in sequence", "OtpjSpawn.start#rate",
                        "Pekko spawnAnonymous, 1 parent", "PekkoSpawn.spawn#rate", Better.HIGHER,
                        new Target.AtLeast(500_000, "500 k/s")),
                new Figure("Spawn rate, " + OtpjSpawn.STARTERS + " starter processes, " + count(Batches.SPAWNS) + " in all",
                        "OtpjSpawn.startConcurrently#rate", "Pekko spawnAnonymous, 1 parent", "PekkoSpawn.spawn#rate",
                        Better.HIGHER, new Target.AtLeast(500_000, "500 k/s")),
                new Figure("Spawn rate, " + count(large) + " from " + OtpjSpawn.STARTERS + " starters (heap probe)",
                        "HeapProbe.otpj[" + large + "].rate", "Pekko spawnAnonymous, 1 parent",
                        "HeapProbe.pekko[" + large + "].rate", Better.HIGHER, new Target.AtLeast(500_000, "500 k/s")),
                new Figure("Heap per idle GenServer, " + count(small) + " alive", "HeapProbe.otpj[" + small + "]",
                        "Pekko, per idle actor", "HeapProbe.pekko[" + small + "]", Better.LOWER, NONE),
                new Figure("Heap per idle GenServer, " + count(large) + " alive", "HeapProbe.otpj[" + large + "]",
                        "Pekko, per idle actor", "HeapProbe.pekko[" + large + "]", Better.LOWER, NONE),
                new Figure("Heap for " + count(large) + " idle GenServers", "HeapProbe.otpj[" + large + "].total",
                        "Pekko, " + count(large) + " idle actors", "HeapProbe.pekko[" + large + "].total", Better.LOWER,
                        new Target.AtMost(2 * GIB * large / 1_000_000, large == 1_000_000 ? "2 GiB" : "2 GiB per million")),
                new Figure("Heap per hibernated GenServer, " + count(small) + " alive", "HeapProbe.otpj-hibernated[" + small + "]",
                        "Pekko, per idle actor", "HeapProbe.pekko[" + small + "]", Better.LOWER,
                        new Target.AtMost(500, "500 B")),
                new Figure("Heap for " + count(large) + " hibernated GenServers", "HeapProbe.otpj-hibernated[" + large + "].total",
                        "Pekko, " + count(large) + " idle actors", "HeapProbe.pekko[" + large + "].total", Better.LOWER,
                        new Target.AtMost(GIB / 2 * large / 1_000_000, large == 1_000_000 ? "0.5 GiB" : "0.5 GiB per million")),
                new Figure("Spawn rate, " + count(large) + " hibernated from " + OtpjSpawn.STARTERS + " starters (heap probe)",
                        "HeapProbe.otpj-hibernated[" + large + "].rate", "Pekko spawnAnonymous, 1 parent",
                        "HeapProbe.pekko[" + large + "].rate", Better.HIGHER, new Target.AtLeast(1_000_000, "1 M/s")),
                new Figure("Spawn rate, " + count(large) + " hibernated from " + OtpjSpawn.STARTERS + " starters (heap probe), -Xmn2g",
                        "HeapProbe.otpj-hibernated-young2g[" + large + "].rate", "Pekko spawnAnonymous, 1 parent, -Xmn2g",
                        "HeapProbe.pekko-young2g[" + large + "].rate", Better.HIGHER, NONE),
                new Figure("Spawn rate, " + count(large) + " hibernated from " + OtpjSpawn.STARTERS + " starters (heap probe), -Xmn2g",
                        "HeapProbe.otpj-hibernated-young2g[" + large + "].rate", "otpj, G1's own young generation sizing",
                        "HeapProbe.otpj-hibernated[" + large + "].rate", Better.HIGHER, NONE),
                new Figure("Spawn rate, " + count(large) + " (heap probe), -Djdk.trackAllThreads=false",
                        "HeapProbe.otpj-untracked[" + large + "].rate", "otpj, JDK defaults",
                        "HeapProbe.otpj[" + large + "].rate", Better.HIGHER, NONE),
                new Figure("Heap per idle GenServer, " + count(large) + " alive, -Djdk.trackAllThreads=false",
                        "HeapProbe.otpj-untracked[" + large + "]", "otpj, JDK defaults", "HeapProbe.otpj[" + large + "]",
                        Better.LOWER, NONE),
                new Figure("CPU time to start one idle process and let it settle, " + count(large) + " started",
                        "HeapProbe.otpj[" + large + "].cpu", "Pekko, per actor", "HeapProbe.pekko[" + large + "].cpu",
                        Better.LOWER, NONE),
                new Figure("Call round trip, plain thread → process, " + idle + " idle alive", "OtpjIdle.plainThreadCall",
                        "otpj, no idle processes", "OtpjCall.plainThread", Better.LOWER, NONE),
                new Figure("Cast throughput, 1 producer → 1 server, " + idle + " idle alive", "OtpjIdle.oneProducerCast",
                        "otpj, no idle processes", "OtpjCast.oneProducer", Better.HIGHER, NONE)));
        f.addAll(Extra.figures());
        f.addAll(List.of(
                new Figure("Remote call round trip, plain thread → server in another JVM (loopback TCP)", "OtpjRemote.call",
                        "Pekko ask, Artery TCP, two ActorSystems", "PekkoRemote.ask", Better.LOWER, NONE),
                new Figure("Remote cast throughput, plain thread → server in another JVM (loopback TCP)", "OtpjRemote.cast",
                        "Pekko tell, Artery TCP, two ActorSystems", "PekkoRemote.tell", Better.HIGHER, NONE)));
        f.addAll(List.of(
                new Figure("Cast throughput, 1 producer → 1 server with a hot mailbox (StartOptions.withHotMailbox)",
                        "OtpjCast.oneProducerHot", "Pekko tell, 1 thread → 1 actor", "PekkoCast.oneProducer", Better.HIGHER,
                        new Target.RatioAtLeast(5)),
                new Figure("Cast throughput, 1 producer → 1 server with a hot mailbox (StartOptions.withHotMailbox)",
                        "OtpjCast.oneProducerHot", "otpj, default mailbox", "OtpjCast.oneProducer", Better.HIGHER, NONE),
                new Figure("Cast throughput, 1 producer → 1 server with a bounded mailbox (never full)",
                        "OtpjCast.oneProducerBounded", "otpj, unbounded (the default)", "OtpjCast.oneProducer", Better.HIGHER,
                        NONE),
                new Figure("Cast throughput, 1 producer → 1 server, padded mailboxes", "padded:OtpjCast.oneProducer",
                        "otpj, default (unpadded) mailboxes", "OtpjCast.oneProducer", Better.HIGHER, NONE),
                new Figure("Cast throughput, 1 producer → 1 server, padded mailboxes", "padded:OtpjCast.oneProducer",
                        "Pekko tell, 1 thread → 1 actor", "PekkoCast.oneProducer", Better.HIGHER, NONE),
                new Figure("Cast throughput, 4 producers → 1 server, padded mailboxes", "padded:OtpjCast.fourProducers",
                        "otpj, default (unpadded) mailboxes", "OtpjCast.fourProducers", Better.HIGHER, NONE),
                new Figure("Cast throughput, 64 producer → server pairs, padded mailboxes", "padded:OtpjCast.pairs",
                        "otpj, default (unpadded) mailboxes", "OtpjCast.pairs", Better.HIGHER, NONE)));
        f.addAll(List.of(
                new Figure("Cast throughput, 1 producer → 1 server, wait policy off", "nospin:OtpjCast.oneProducer",
                        "otpj, default wait policy", "OtpjCast.oneProducer", Better.HIGHER, NONE),
                new Figure("Call round trip, plain thread → process, wait policy off", "nospin:OtpjCall.plainThread",
                        "otpj, default wait policy", "OtpjCall.plainThread", Better.LOWER, NONE),
                new Figure("Call round trip, process → process, wait policy off", "nospin:OtpjCall.processToProcess",
                        "otpj, default wait policy", "OtpjCall.processToProcess", Better.LOWER, NONE),
                new Figure("Call throughput, 1 caller → 1 server, wait policy off", "nospin:OtpjCall.concurrentCallers[1]",
                        "otpj, default wait policy", "OtpjCall.concurrentCallers[1]", Better.HIGHER, NONE),
                new Figure("Call throughput, 16 callers → 1 server, wait policy off", "nospin:OtpjCall.concurrentCallers[16]",
                        "otpj, default wait policy", "OtpjCall.concurrentCallers[16]", Better.HIGHER, NONE),
                new Figure("Spawn rate, " + OtpjSpawn.STARTERS + " starter processes, wait policy off",
                        "nospin:OtpjSpawn.startConcurrently#rate", "otpj, default wait policy",
                        "OtpjSpawn.startConcurrently#rate", Better.HIGHER, NONE)));
        this.figures = List.copyOf(f);
    }

    private Measured get(String key) {
        if (key.endsWith("#rate")) {
            Measured m = run.results().get(key.substring(0, key.length() - "#rate".length()));
            if (m == null) {
                return null;
            }
            // Single-shot time per start (ns) to starts per second; the error scales to first order.
            double rate = 1e9 / m.score();
            return new Measured(rate, rate * m.error() / m.score(), "ops/s", m.allocPerOp());
        }
        return run.results().get(key);
    }

    /** The comparison table, in Markdown (readable as plain text too). */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Figure | otpj | Peer | Peer value | Ratio (otpj ÷ peer) | Target | Met? |\n");
        sb.append("|---|---:|---|---:|---:|---|---|\n");
        for (Figure f : figures) {
            Measured o = get(f.otpjKey()), p = get(f.peerKey());
            Double ratio = o != null && p != null && p.score() != 0 ? o.score() / p.score() : null;
            Boolean met = f.target().check(o == null ? null : o.score(), ratio);
            sb.append("| ").append(f.title())
                    .append(" | ").append(format(o))
                    .append(" | ").append(f.peer())
                    .append(" | ").append(format(p))
                    .append(" | ").append(ratio == null ? "n/a" : String.format(Locale.ROOT, "%.3g×", ratio))
                    .append(" | ").append(f.target().text())
                    .append(" | ").append(met == null ? (f.target() instanceof Target.None ? "" : "n/a") : met ? "yes" : "**no**")
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** Allocation per operation, when the run used JMH's GC profiler. */
    String allocTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Benchmark | Allocated per operation |\n|---|---:|\n");
        for (Map.Entry<String, Measured> e : run.results().entrySet()) {
            if (e.getValue().allocPerOp() != null) {
                sb.append("| ").append(e.getKey()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f B", e.getValue().allocPerOp())).append(" |\n");
            }
        }
        return sb.toString();
    }

    static String format(Measured m) {
        if (m == null) {
            return "n/a";
        }
        String err = Double.isNaN(m.error()) ? "" : " ± " + scaled(m.error(), m.unit());
        return scaled(m.score(), m.unit()) + err;
    }

    static String scaled(double v, String unit) {
        return switch (unit) {
            case "ops/s" -> v >= 1e6 ? String.format(Locale.ROOT, "%.2f M/s", v / 1e6)
                    : String.format(Locale.ROOT, "%.1f k/s", v / 1e3);
            case "ns/op" -> v >= 10_000 ? String.format(Locale.ROOT, "%.1f µs", v / 1e3)
                    : String.format(Locale.ROOT, "%.0f ns", v);
            case "B/process" -> String.format(Locale.ROOT, "%.0f B", v);
            case "B" -> String.format(Locale.ROOT, "%.2f GiB", v / GIB);
            default -> String.format(Locale.ROOT, "%.4g %s", v, unit);
        };
    }

    /** An ISO date-time to whole seconds (older result files kept the nanoseconds). */
    private static String seconds(String isoDateTime) {
        try {
            return java.time.OffsetDateTime.parse(isoDateTime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return isoDateTime;
        }
    }

    /** The three load averages of a {@code /proc/loadavg} line (older result files kept all five fields). */
    private static String threeFields(String load) {
        String[] f = load.trim().split("\\s+");
        return f.length > 3 ? f[0] + " " + f[1] + " " + f[2] : load;
    }

    private static String count(int n) {
        return n % 1_000_000 == 0 ? n / 1_000_000 + "M" : n % 1_000 == 0 ? n / 1_000 + "k" : Integer.toString(n);
    }

    /** The whole report. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# otpj benchmarks\n\n");
        sb.append("Generated by the benchmark suite (`benchmarks/run.sh`, class `io.otpj.benchmarks.Suite`) on ")
                .append(seconds(run.startedAt())).append(", ").append(run.mode().name().toLowerCase(Locale.ROOT))
                .append(" mode. Do not edit the tables by hand: rerun the suite.\n\n");
        sb.append("## Results\n\n");
        sb.append("Ratio = otpj ÷ peer: above 1 means otpj is faster for throughputs (M/s, k/s), slower for times (ns, µs) ")
                .append("and bigger for memory. ± is JMH's 99.9% confidence half-interval (absent for the heap probes, one ")
                .append("measurement each; in quick mode it is wide: three iterations from one fork).\n\n");
        sb.append(table()).append('\n');
        if (run.profGc()) {
            sb.append("### Allocation per operation (JMH `-prof gc`)\n\n").append(allocTable()).append('\n');
        }
        sb.append(HOW_TO_RUN).append('\n');
        sb.append("## Machine and JVM\n\n");
        sb.append("- CPU: ").append(Suite.cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores available to the JVM\n");
        sb.append("- Memory: ").append(Suite.memTotal()).append('\n');
        sb.append("- OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" (").append(System.getProperty("os.arch")).append(")\n");
        sb.append("- JDK: ").append(run.jvm()).append('\n');
        sb.append("- Load average (1, 5, 15 min) at start: ").append(threeFields(run.loadAtStart())).append("; at end: ")
                .append(threeFields(run.loadAtEnd())).append(" (the machine may have been shared with other work)\n");
        sb.append("- Mode: ").append(run.mode().describe()).append(run.profGc() ? "; JMH's GC profiler on" : "")
                .append("; whole run ").append(run.seconds() / 60).append(" min ")
                .append(run.seconds() % 60).append(" s\n");
        sb.append("- JVM flags of the forked benchmark JVMs:\n");
        for (Suite.Step s : Suite.STEPS) {
            sb.append("  - ").append(s.title()).append(": `").append(String.join(" ", s.flags())).append("`\n");
        }
        sb.append("  - heap probes: `").append(String.join(" ", Suite.PROBE_FLAGS)).append("` (Pekko probes add `")
                .append(String.join(" ", Suite.UNSAFE_ALLOWED)).append("`)\n");
        sb.append("  - the suite's own JVM: `").append(run.suiteJvmFlags()).append("`\n");
        sb.append("  - otpj runs with its defaults: virtual-thread scheduler parallelism = cores, mailbox chunk 32, ")
                .append("wait policy: a waiting virtual thread (a process) spins 16 times then parks (none in a process's ")
                .append("first receive or while it waits for the init of a process it started), except that it spins up to ")
                .append("20 µs for a partner process that is running on another carrier, or, in a call, for a server it ")
                .append("woke to be taken by another carrier (backing off when none comes); a waiting ")
                .append("platform thread (a plain caller) spins 256 times, yields 8 times, then parks. ")
                .append("Pekko runs with its default dispatcher ")
                .append("(fork-join, parallelism-min 8, throughput 5).\n\n");
        sb.append(METHOD).append('\n');
        String analysis = Suite.resource("analysis.md");
        if (analysis != null) {
            sb.append(analysis.strip()).append('\n');
        }
        return sb.toString();
    }

    static final String HOW_TO_RUN = """
            ## How to run

            From the repository root:

            ```
            benchmarks/run.sh            # quick mode (default): a few minutes, writes docs/benchmarks.md
            benchmarks/run.sh --full     # proper forks and iterations (about half an hour and more)
            benchmarks/run.sh --smoke    # seconds per benchmark: checks the suite runs end to end, writes nothing
            benchmarks/run.sh --prof-gc  # adds JMH's GC profiler: allocation per operation in the report
            ```

            `run.sh` finds a JDK 25 (like `.ci/run`), builds the benchmarks and the modules they use (core,
            registry, supervisor) with the Maven wrapper (`./mvnw -B -q -pl benchmarks -am -DskipTests
            package`) and runs the shaded jar `benchmarks/target/otpj-benchmarks.jar`; `--out FILE` and
            `--no-docs` choose where the report goes. A quick or full run also saves its measurements in
            `benchmarks/target/benchmark-results.properties`; `java -jar benchmarks/target/otpj-benchmarks.jar
            --render benchmarks/target/benchmark-results.properties` writes the report again from them
            without measuring. Any single benchmark can also be run with JMH's own command line, e.g.
            `java -cp benchmarks/target/otpj-benchmarks.jar org.openjdk.jmh.Main OtpjCast -prof gc`.
            Run on an otherwise idle machine: every figure here is sensitive to other load, the call
            round trips most (a waiting side spins before it parks, and spinning needs a free core).
            """;

    static final String METHOD = """
            ## Method

            - **Harness.** JMH 1.37, driven from `Suite` with `OptionsBuilder`. Each benchmark runs in its own
              forked JVM. State is built in `@Setup` (servers, actors, consumer threads), outside the measured
              time; results that could be dead code are returned to JMH (which sinks them in a blackhole).
            - **No `sun.misc.Unsafe` warnings.** JMH 1.37's harness (`org.openjdk.jmh.util.Utils`, in every
              JMH JVM) and Pekko 1.7 (`org.apache.pekko.util.Unsafe`) call `sun.misc.Unsafe`'s memory-access
              methods, which JDK 25 reports with a warning on first use; those JVMs therefore run with
              `--sun-misc-unsafe-memory-access=allow`, which only silences the warning (the default mode,
              `warn`, permits the calls too). otpj itself needs no such flag: it uses JCTools' `atomic`
              queues (field updaters) and VarHandles. The otpj heap probes run without the flag, and the
              suite fails if one of them prints the warning.
            - **Cast throughput is counted only once processed.** Each invocation sends a batch (10,000 casts
              per producer thread; 1,000 per pair in the 64-pair case) and then a `Flush` message carrying a
              latch; the server counts the latch down when it reaches it, and the invocation waits for that.
              Messages from one sender arrive in order, so the time covers the handling of every message in
              the batch (`@OperationsPerInvocation` = batch size). Pekko `tell`, the raw JCTools queue and
              the `LinkedBlockingQueue` are measured with the same batch-and-latch method. All sides send one
              shared message instance; the otpj server wraps it in its cast envelope and allocates its
              `noreply` result, as otpj does for every cast.
            - **Servers and actors.** The otpj counting server keeps a small mutable state object and returns
              it from `noreply`; the Pekko actors are mutable `AbstractBehavior`s returning `this`, so neither
              side allocates per message beyond what its framework does. Pekko uses its default configuration
              (logging turned down to warnings) and a `SpawnProtocol` guardian.
            - **Raw queues (the limits).** JCTools `MpscUnboundedAtomicArrayQueue` (the `atomic` variant: field
              updaters, no `sun.misc.Unsafe`; chunk 1,024) from the JMH thread to a platform consumer thread
              that never parks (it spins and yields while the queue is empty: no wake-up is ever paid, one
              core is kept busy). The same with `MpscUnboundedAtomicUnpaddedArrayQueue`, chunk 32: the queue
              otpj's mailbox is built on, to separate the cost of the queue layout from otpj's own. The JDK
              `LinkedBlockingQueue` with `put` / `take` (locks, condition wake-ups).
            - **Raw round trips (the limits of a call).** `HandOff`: a caller thread sends a request to an echo
              thread through a one-slot cell and waits for the answer in another, 1,000 times per invocation,
              measured like the process-to-process call. Two platform threads that spin for each other (the
              floor of any thread-to-thread round trip on the machine), two virtual threads that spin, and two
              virtual threads that park on every hop (the cost of a thread-per-process design that never spins).
            - **Bare blocking calls (N callers → one server without a framework).** `RawCall`: 4 or 16 caller
              virtual threads share 4,800 blocking calls to one server virtual thread, measured like the call
              throughput with callers, with nothing of otpj around them: a padded JCTools queue to the server,
              which polls 16 more times when it is empty and then parks, and a volatile reply cell per call,
              which the caller spins on unconditionally for 0, 2 or 20 µs before it parks (no pid, death watch,
              timeout, fairness or back-off). Three fixed wait policies: a baseline, not an upper bound.
            - **Call round trips** are average times. Plain thread: `GenServer.call` from the JMH thread to an
              echo server, against `AskPattern.ask(...).toCompletableFuture().join()` to an echo actor (5 s
              timeout on both). Process to process: a calling GenServer makes 1,000 sequential calls to the
              echo server inside one `handleCall` (reported per call); the Pekko peer is a requesting actor
              that sends the next `Ping(replyTo = self)` when the previous `Pong` arrives (the request is built
              once, Pekko's best case, where each otpj call allocates its `From`). The call throughput with
              1, 4 and 16 callers splits 4,800 sequential calls evenly among that many calling processes
              (requesting actors) sharing one server.
            - **Spawn rate.** otpj: one plain thread calls `GenServer.start` 100,000 times in a row (each start
              returns after the server's `init`, so this is bounded by the start's round trip), and 16 starter
              processes start 100,000 together (6,250 each, in sequence); single-shot per batch, the servers
              are stopped outside the measured time. Pekko: a parent actor `spawnAnonymous`es 100,000
              children in one message, timed until every child has run its setup (Pekko starts them
              asynchronously and in parallel). The heap probes also time their one-go start of 1M (otpj: 16
              starters).
            - **Heap per idle process** is not a JMH figure: `HeapProbe` runs once per fresh JVM (G1, 8 GiB
              heap). It warms up (three rounds of starting and stopping 100,000, so the start path is compiled and
              the idle stacks are compiled frames, as in a long-running JVM), allocates the pid array, runs `System.gc()` twice
              and reads the used heap from `MemoryMXBean`; starts N idle servers (whose state is one shared
              object, so only the runtime's own cost is counted); waits until the JVM goes quiet (under a
              tenth of a core over 250 ms: the new processes have settled into their wait), noting the
              process CPU time the start and the settling took; runs `System.gc()` twice and reads the used
              heap again. Per process = difference ÷ N. This counts
              every heap object a process keeps alive (control block, mailbox, GenServer loop, the virtual
              thread and its stack chunk) but no native memory. The Pekko probe does the same with idle
              children of one parent actor.
            - **Registry** (module `registry`): a process registers a unique key and unregisters it, 1,000
              different keys per invocation (it holds one more key all along, so the link a registry makes
              to a registered process is made once); the peer is the same churn of core's local names.
              Lookups of a held key from a plain thread, against `Proc.whereis`. A plain-thread call through
              `registry.via(key)` against the same call by pid, in the same JVM. No Pekko peer: its
              `Receptionist` is an asynchronous, cluster-oriented service, not a comparable registry.
            - **Supervisor** (module `supervisor`): a one-for-one supervisor with one named echo child; an
              operation kills the child (`kill`: no crash report to format), yields until the name is
              registered again and calls it. The supervisor's per-restart WARN report is switched off in
              that JVM (`-Dorg.slf4j.simpleLogger.log.io.otpj.supervisor.Supervisor=error`). Peer: a Pekko
              actor under `Behaviors.supervise(...).onFailure(restart().withLoggingEnabled(false))`, told to
              fail (a preallocated exception without stack trace) and then sent a probe, which the restarted
              actor answers (Pekko restarts in place and keeps the mailbox; otpj starts a new process with
              a new pid, re-registers the name and runs `init`).
            - **Remote** (module `otpj-cluster`): the benchmark's JVM and a second one it starts on this
              machine (`RemotePeer`), over TCP on 127.0.0.1. otpj: two nodes joined over JGroups (TCP,
              TCPPING, UNICAST3), a plain thread calls a GenServer in the other JVM (`"ping"` → `"pong"`), or
              casts 10,000 `Long`s and then calls `"flush"`, which answers once all are handled. Peer: two
              Pekko ActorSystems with Artery TCP remoting, `Patterns.ask` from a plain thread, and 10,000
              tells then an ask. Both JVMs share this machine's two cores.
            - **Wait policy off (sensitivity study, informational rows).** Every otpj wait (a receive on an
              empty mailbox, a caller waiting for its reply, a starter waiting for `init`) goes through
              core's `Backoff`: a virtual thread (every process) spins 16 times (`Thread.onSpinWait`) then
              parks, and spins up to 20 µs for a partner process running on another carrier (a call's server,
              a receive's caller just answered) or, in a call, for a server it woke to be taken by another
              carrier, backing off when such spins do not pay; a platform thread (a plain caller) spins 256
              times, yields 8 times, then parks. Some figures are measured again in the same run with every
              spin off (`otpj.wait.vspins`, `vyields`, `spins`, `yields` and `partnerSpinNanos` set to 0: park
              at once). The targeted rows use the defaults.
            - **Options (informational rows).** The cast figures again with `-Dotpj.mailbox.padded=true`
              (JCTools' padded queue for every mailbox), and the million-process heap probe again with the
              JDK's `-Djdk.trackAllThreads=false`.
            - **With a million idle processes**: the plain-thread call and the one-producer cast measured as
              above while 1M idle GenServers are alive in the same JVM (8 GiB heap), against the same
              figures from a JVM without them.
            """;
}
