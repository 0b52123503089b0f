package io.otpj.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the otpj benchmark suite and reports it.
 *
 * <p>Usage: {@code java -jar otpj-benchmarks.jar [--quick | --full | --smoke] [--out FILE]
 * [--no-docs] [--prof-gc]}. Quick (the default) takes a few minutes; full runs proper forks and
 * iterations; smoke only checks that everything runs end to end (its numbers mean nothing and it
 * writes no report unless {@code --out} is given). The report goes to {@code docs/benchmarks.md}
 * under the working directory; quick and full runs also save their measurements to
 * {@link #SAVED}, from which {@code --render FILE} writes the report again without measuring.
 *
 * <p>One JMH run per {@link Step} (otpj and raw queues; Pekko; otpj with a million idle servers;
 * registry and supervisor; otpj with its wait policy off), each with its own JVM flags, then the
 * heap probes, each in a fresh JVM ({@link HeapProbe}).
 */
public final class Suite {

    private Suite() {}

    /** How long to measure. */
    enum Mode {
        SMOKE(1, 0, 0.0, 1, 0.2, 10_000, 10_000, 20_000),
        QUICK(1, 2, 1.0, 3, 1.0, 1_000_000, 100_000, 1_000_000),
        FULL(3, 5, 2.0, 5, 2.0, 1_000_000, 100_000, 1_000_000);

        final int forks, warmups, iterations, idle, probeSmall, probeLarge;
        final double warmupSeconds, iterationSeconds;

        Mode(int forks, int warmups, double warmupSeconds, int iterations, double iterationSeconds, int idle,
                int probeSmall, int probeLarge) {
            this.forks = forks;
            this.warmups = warmups;
            this.warmupSeconds = warmupSeconds;
            this.iterations = iterations;
            this.iterationSeconds = iterationSeconds;
            this.idle = idle;
            this.probeSmall = probeSmall;
            this.probeLarge = probeLarge;
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: %d fork(s) per benchmark, %d warm-up iteration(s) of %.1f s, %d measured iteration(s) of %.1f s"
                    + " (single-shot benchmarks: one batch per iteration)", name().toLowerCase(Locale.ROOT), forks, warmups,
                    warmupSeconds, iterations, iterationSeconds);
        }
    }

    /**
     * JMH 1.37's harness ({@code org.openjdk.jmh.util.Utils}) and Pekko 1.x ({@code
     * org.apache.pekko.util.Unsafe}) call {@code sun.misc.Unsafe}'s memory-access methods, which
     * JDK 24+ reports with a warning on first use. This flag silences that warning and changes
     * nothing else (JDK 25's default mode, {@code warn}, allows the calls too). otpj itself needs
     * no such flag: its heap probes run without it, and the suite fails if one prints the warning.
     */
    static final List<String> UNSAFE_ALLOWED = List.of("--sun-misc-unsafe-memory-access=allow");
    /** Flags of the forked benchmark JVMs: a fixed heap so runs compare, the collector named. */
    static final List<String> BASE_FLAGS = concat(List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC"), UNSAFE_ALLOWED);
    /** A million idle servers need a bigger heap. */
    static final List<String> BIG_FLAGS = concat(List.of("-Xms8g", "-Xmx8g", "-XX:+UseG1GC"), UNSAFE_ALLOWED);
    /** Heap probes: no JMH in them, so otpj's run without the Unsafe flag. */
    static final List<String> PROBE_FLAGS = List.of("-Xms8g", "-Xmx8g", "-XX:+UseG1GC");

    /**
     * The JDK keeps every virtual thread in a concurrent set for thread dumps unless told not to:
     * a map node per process and contention on the set at every start and exit. Probed once with
     * it off, as a tuning option for million-process deployments (informational row).
     */
    static final List<String> UNTRACKED = List.of("-Djdk.trackAllThreads=false");

    /**
     * A young generation of 2 GiB, which holds a million-process spawn burst (about 950 MB
     * allocated, 464 MB of it live) without a collection: with G1's own sizing (about 400 MB of
     * young generation at an 8 GiB heap) two young collections copy the new processes, a third of
     * the spawn's time. Probed for otpj's hibernated spawn and for Pekko, same flag (informational).
     */
    static final List<String> YOUNG_2G = List.of("-Xmn2g");

    /**
     * otpj's wait policy turned off (park at once, no spinning or yielding): a sensitivity study
     * of the one tuning knob that decides most figures here. Informational rows only.
     */
    static final List<String> NO_SPIN = List.of("-Dotpj.wait.spins=0", "-Dotpj.wait.yields=0",
            "-Dotpj.wait.vspins=0", "-Dotpj.wait.vyields=0", "-Dotpj.wait.partnerSpinNanos=0");

    /**
     * One JMH run: the benchmarks (regular expressions on {@code Class.method}), the forks' JVM
     * flags, and the prefix its results are stored under.
     */
    record Step(String title, List<String> includes, List<String> flags, String keyPrefix) {}

    static final List<Step> STEPS = List.of(
            new Step("otpj and raw queues", classes(OtpjCast.class, QueueCast.class, HandOff.class, RawCall.class, OtpjCall.class,
                    OtpjSpawn.class),
                    BASE_FLAGS, ""),
            new Step("Apache Pekko typed", classes(PekkoCast.class, PekkoCall.class, PekkoSpawn.class), BASE_FLAGS, ""),
            new Step("otpj with a million idle GenServers", classes(OtpjIdle.class), BIG_FLAGS, ""),
            new Step("otpj registry and supervisor, Pekko supervision",
                    classes(OtpjRegistry.class, OtpjSupervisor.class, PekkoSupervision.class),
                    concat(BASE_FLAGS, List.of("-Dorg.slf4j.simpleLogger.log.io.otpj.supervisor.Supervisor=error")), ""),
            new Step("two JVMs on loopback: otpj-cluster (JGroups TCP) and Pekko Artery TCP",
                    classes(OtpjRemote.class, PekkoRemote.class), BASE_FLAGS, ""),
            new Step("otpj with padded mailboxes (-Dotpj.mailbox.padded=true)", classes(OtpjCast.class),
                    concat(BASE_FLAGS, List.of("-Dotpj.mailbox.padded=true")), "padded:"),
            new Step("otpj with its wait policy off (sensitivity study)",
                    List.of(method(OtpjCast.class, "oneProducer"), method(OtpjCall.class, "plainThread"),
                            method(OtpjCall.class, "processToProcess"), method(OtpjCall.class, "concurrentCallers"),
                            method(OtpjSpawn.class, "startConcurrently")),
                    concat(BASE_FLAGS, NO_SPIN), "nospin:"));

    private static List<String> classes(Class<?>... cs) {
        List<String> l = new ArrayList<>();
        for (Class<?> c : cs) {
            l.add("^" + Pattern.quote(c.getName()) + "\\.");
        }
        return List.copyOf(l);
    }

    private static String method(Class<?> c, String m) {
        return "^" + Pattern.quote(c.getName() + "." + m) + "$";
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.QUICK;
        Optional<Path> out = Optional.of(Path.of("docs", "benchmarks.md"));
        Optional<Path> render = Optional.empty();
        boolean outGiven = false, profGc = false;
        if (args.length > 0 && args[0].equals("--ratios")) {
            RatioMode.Settings settings;
            try {
                settings = RatioMode.parse(List.of(args).subList(1, args.length));
                new RatioMode(settings).execute();
            } catch (IllegalArgumentException e) {
                usage(e.getMessage());
            }
            return;
        }
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = Mode.QUICK;
                case "--full" -> mode = Mode.FULL;
                case "--smoke" -> mode = Mode.SMOKE;
                case "--no-docs" -> {
                    out = Optional.empty();
                    outGiven = true;
                }
                case "--prof-gc" -> profGc = true;
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        usage("--out needs a file name");
                    }
                    out = Optional.of(Path.of(args[++i]));
                    outGiven = true;
                }
                case "--render" -> {
                    if (i + 1 >= args.length) {
                        usage("--render needs a results file");
                    }
                    render = Optional.of(Path.of(args[++i]));
                }
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (mode == Mode.SMOKE && !outGiven) {
            out = Optional.empty();
        }
        if (out.isPresent()) {
            Path parent = out.get().toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                usage("the report's folder does not exist: " + parent + " (run from the repository root, or pass --out FILE / --no-docs)");
            }
        }
        if (render.isPresent()) {
            RunData data = RunData.load(render.get());
            Report report = new Report(data);
            System.out.println(report.table());
            if (out.isPresent()) {
                Files.writeString(out.get(), keepRatios(out.get(), report.markdown()), StandardCharsets.UTF_8);
                System.out.println("report written to " + out.get());
            }
            return;
        }
        new Run(mode, profGc).execute(out);
    }

    /** {@code generated} with the ratio-mode section that {@code file} has now, if any (a suite run does not measure it). */
    static String keepRatios(Path file, String generated) throws IOException {
        String section = Files.exists(file) ? RatioMode.sectionOf(Files.readString(file, StandardCharsets.UTF_8)) : "";
        return section.isEmpty() ? generated : RatioMode.merge(generated, section);
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println("suite: " + problem);
        }
        System.err.println("usage: java -jar otpj-benchmarks.jar [--quick | --full | --smoke] [--out FILE | --no-docs] [--prof-gc]");
        System.err.println("       java -jar otpj-benchmarks.jar --render RESULTS [--out FILE]   (report again from a saved run)");
        System.err.println("       java -jar otpj-benchmarks.jar --ratios [--budget SECONDS] [--min-pairs N] [--max-pairs N]"
                + " [--only TEXT]... [--out FILE | --no-docs]   (paired forks: otpj ÷ peer with intervals)");
        System.exit(problem == null ? 0 : 2);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return List.copyOf(l);
    }

    /** Where a run's measurements are kept, when the working directory is the repository root. */
    static final Path SAVED = Path.of("benchmarks", "target", "benchmark-results.properties");

    /** A finished run's measurements and circumstances: what a report is made from. */
    record RunData(Mode mode, boolean profGc, String startedAt, String loadAtStart, String loadAtEnd, long seconds,
            String jvm, String suiteJvmFlags, Map<String, Measured> results) {

        void save(Path file) throws IOException {
            Properties p = new Properties();
            p.setProperty("meta.mode", mode.name());
            p.setProperty("meta.profGc", Boolean.toString(profGc));
            p.setProperty("meta.startedAt", startedAt);
            p.setProperty("meta.loadAtStart", loadAtStart);
            p.setProperty("meta.loadAtEnd", loadAtEnd);
            p.setProperty("meta.seconds", Long.toString(seconds));
            p.setProperty("meta.jvm", jvm);
            p.setProperty("meta.suiteJvmFlags", suiteJvmFlags);
            for (Map.Entry<String, Measured> e : results.entrySet()) {
                Measured m = e.getValue();
                p.setProperty("result." + e.getKey(), m.score() + ";" + m.error() + ";" + m.unit() + ";"
                        + (m.allocPerOp() == null ? "" : m.allocPerOp()));
            }
            try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, "otpj benchmark results");
            }
        }

        static RunData load(Path file) throws IOException {
            Properties p = new Properties();
            try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            Map<String, Measured> results = new java.util.TreeMap<>();
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("result.")) {
                    String[] v = p.getProperty(k).split(";", -1);
                    results.put(k.substring("result.".length()), new Measured(Double.parseDouble(v[0]),
                            Double.parseDouble(v[1]), v[2], v[3].isEmpty() ? null : Double.valueOf(v[3])));
                }
            }
            return new RunData(Mode.valueOf(p.getProperty("meta.mode")), Boolean.parseBoolean(p.getProperty("meta.profGc")),
                    p.getProperty("meta.startedAt"), p.getProperty("meta.loadAtStart"), p.getProperty("meta.loadAtEnd"),
                    Long.parseLong(p.getProperty("meta.seconds")), p.getProperty("meta.jvm"),
                    p.getProperty("meta.suiteJvmFlags", "(not recorded)"), results);
        }
    }

    /** One run of the suite: measurements, then the report. */
    static final class Run {
        final Mode mode;
        final boolean profGc;
        final Map<String, Measured> results = new LinkedHashMap<>();
        final String startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        final String loadAtStart = loadAverage();
        final List<String> problems = new ArrayList<>();

        Run(Mode mode, boolean profGc) {
            this.mode = mode;
            this.profGc = profGc;
        }

        void execute(Optional<Path> out) throws Exception {
            long t0 = System.nanoTime();
            for (Step s : STEPS) {
                jmh(s);
            }
            probe("otpj", mode.probeSmall);
            probe("otpj", mode.probeLarge);
            probe("pekko", mode.probeSmall);
            probe("pekko", mode.probeLarge);
            probe("otpj", mode.probeLarge, "otpj-untracked", UNTRACKED);
            probe("otpj-hibernated", mode.probeSmall);
            probe("otpj-hibernated", mode.probeLarge);
            probe("otpj-hibernated", mode.probeLarge, "otpj-hibernated-young2g", YOUNG_2G);
            probe("pekko", mode.probeLarge, "pekko-young2g", YOUNG_2G);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            RunData data = new RunData(mode, profGc, startedAt, loadAtStart, loadAverage(), seconds, jvmDescription(),
                    suiteJvmFlags(), results);
            if (mode != Mode.SMOKE && Files.isDirectory(SAVED.getParent())) {
                data.save(SAVED);
                System.out.println("results saved to " + SAVED + " (re-render with --render " + SAVED + ")");
            }
            Report report = new Report(data);
            String table = report.table();
            System.out.println();
            System.out.println(table);
            if (!problems.isEmpty()) {
                System.out.println("Problems:");
                problems.forEach(p -> System.out.println("  " + p));
            }
            if (out.isPresent()) {
                Files.writeString(out.get(), keepRatios(out.get(), report.markdown()), StandardCharsets.UTF_8);
                System.out.println("report written to " + out.get());
            }
            if (!problems.isEmpty()) {
                System.exit(1);
            }
        }

        private void jmh(Step step) throws RunnerException {
            ChainedOptionsBuilder b = new OptionsBuilder()
                    .forks(mode.forks)
                    .warmupIterations(mode.warmups)
                    .measurementIterations(mode.iterations)
                    .jvmArgs(step.flags().toArray(String[]::new))
                    // A benchmark that fails (a batch that never completes) leaves its figures "n/a" in
                    // the report; it must not throw away everything else the run measured.
                    .shouldFailOnError(false);
            if (step.includes().stream().anyMatch(i -> i.contains(OtpjIdle.class.getName()))) {
                b.param("idle", Integer.toString(mode.idle));
            }
            if (!step.keyPrefix().isEmpty()) {
                // The sensitivity study keeps to the ends of the callers range, to save time.
                b.param("callers", "1", "16");
            }
            if (mode.warmups > 0) {
                b.warmupTime(TimeValue.milliseconds((long) (mode.warmupSeconds * 1000)));
            }
            b.measurementTime(TimeValue.milliseconds((long) (mode.iterationSeconds * 1000)));
            for (String i : step.includes()) {
                b.include(i);
            }
            if (profGc) {
                b.addProfiler(GCProfiler.class);
            }
            System.out.println("== " + step.title() + " (JVM flags: " + String.join(" ", step.flags()) + ")");
            Collection<RunResult> rs = new Runner(b.build()).run();
            for (RunResult r : rs) {
                String bench = r.getParams().getBenchmark();
                String key = step.keyPrefix() + bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
                String callers = r.getParams().getParam("callers");
                String spin = r.getParams().getParam("spinNanos");
                if (callers != null) {
                    key += spin == null ? "[" + callers + "]" : "[" + callers + ",spin " + spin + "]";
                }
                Result<?> p = r.getPrimaryResult();
                Double alloc = null;
                for (String name : r.getSecondaryResults().keySet()) {
                    if (name.endsWith("gc.alloc.rate.norm")) {
                        Result<?> a = r.getSecondaryResults().get(name);
                        alloc = a.getScore();
                    }
                }
                results.put(key, new Measured(p.getScore(), p.getScoreError(), p.getScoreUnit(), alloc));
            }
        }

        private void probe(String kind, int n) throws IOException, InterruptedException {
            probe(kind, n, kind, List.of());
        }

        /** A heap probe of {@code kind}, stored as {@code HeapProbe.keyKind[n]}, with {@code extra} JVM flags. */
        private void probe(String kind, int n, String keyKind, List<String> extra) throws IOException, InterruptedException {
            String key = "HeapProbe." + keyKind + "[" + n + "]";
            if (results.containsKey(key)) {
                return;
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(PROBE_FLAGS);
            cmd.addAll(extra);
            if (kind.equals("pekko")) {
                cmd.addAll(UNSAFE_ALLOWED);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapProbe.class.getName(), kind,
                    Integer.toString(n)));
            System.out.println("== heap probe: " + kind + ", " + n + " idle (JVM flags: "
                    + String.join(" ", concat(PROBE_FLAGS, extra)) + (kind.equals("pekko") ? " " + String.join(" ", UNSAFE_ALLOWED) : "") + ")");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String line = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    System.out.println(l);
                    if (l.startsWith("probe ")) {
                        line = l;
                    }
                    if (kind.startsWith("otpj") && l.contains("sun.misc.Unsafe")) {
                        problems.add("the otpj heap probe printed a sun.misc.Unsafe warning: " + l);
                    }
                }
            }
            int rc = p.waitFor();
            if (rc != 0 || line == null) {
                problems.add("heap probe " + kind + " " + n + " failed (exit " + rc + ")");
                return;
            }
            double perProcess = Double.parseDouble(field(line, "bytesPerProcess"));
            double rate = Double.parseDouble(field(line, "rate"));
            long total = Long.parseLong(field(line, "heapAfter")) - Long.parseLong(field(line, "heapBefore"));
            results.put(key, new Measured(perProcess, Double.NaN, "B/process", null));
            results.put(key + ".total", new Measured(total, Double.NaN, "B", null));
            results.put(key + ".rate", new Measured(rate, Double.NaN, "ops/s", null));
            results.put(key + ".cpu", new Measured(Double.parseDouble(field(line, "cpuNanosPerProcess")), Double.NaN,
                    "ns/op", null));
        }

        private static String field(String line, String name) {
            Matcher m = Pattern.compile("\\b" + name + "=(\\S+)").matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("probe output lacks " + name + ": " + line);
            }
            return m.group(1);
        }
    }

    /** One measured figure: the score, its 99.9% error (NaN when there are too few samples), unit, allocation per op. */
    record Measured(double score, double error, String unit, Double allocPerOp) {}

    /** @return the 1, 5 and 15 minute load averages, or "unknown" */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(l.replaceAll("\\D+", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / (1024.0 * 1024));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    static String resource(String name) {
        try (InputStream in = Suite.class.getResourceAsStream("/" + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    static String jvmDescription() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ")";
    }

    static String suiteJvmFlags() {
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return in.isEmpty() ? "(none)" : String.join(" ", in);
    }
}
