package io.otpj.benchmarks;

import io.otpj.benchmarks.PairStats.Modes;
import io.otpj.benchmarks.PairStats.Summary;
import io.otpj.benchmarks.PairStats.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The ratio mode ({@code benchmarks/run.sh --ratios}): for each target figure, pairs of one JMH
 * fork of otpj and one of its peer, back to back in alternating order (otpj then peer, then peer
 * then otpj), each pair preceded by a short canary fork (two spinning platform threads handing a
 * value back and forth: the cost of moving a cache line between the two vCPUs, which on this
 * machine has two speeds). The summary per figure is the median of the per-pair ratios
 * otpj ÷ peer with a distribution-free 95% interval ({@link PairStats#summarize}); pairs whose
 * canaries fall in different machine states are summarized apart. Pairs are added round-robin
 * over the figures until a figure's interval (in its most frequent state) is within ±10% of its
 * median, or its pair budget or the whole run's time budget is spent; then it is reported as
 * unresolved. A side whose fork scores form two modes is reported as the share of forks in each.
 */
final class RatioMode {

    /** One side of a figure: a benchmark method ({@code Class.method}), its JMH params, its forks' JVM flags. */
    record Side(String label, String benchmark, Map<String, String> params, List<String> flags) {
        String key() {
            return benchmark + (params.isEmpty() ? "" : params.toString()) + (flags.equals(Suite.BASE_FLAGS) ? ""
                    : " " + String.join(" ", flags.subList(Suite.BASE_FLAGS.size(), flags.size())));
        }
    }

    /**
     * A row of the ratio table: otpj against its peer; {@code goal} on the ratio otpj ÷ peer
     * (null: none), at least the goal if {@code atLeast} (throughputs), else at most (times).
     */
    record Figure(String title, Side otpj, Side peer, Double goal, boolean atLeast, String goalText, Warmup warmup) {
        Figure {
            java.util.Objects.requireNonNull(warmup, "warmup must not be null");
        }

        Figure(String title, Side otpj, Side peer, Double goal, boolean atLeast, String goalText) {
            this(title, otpj, peer, goal, atLeast, goalText, Warmup.SHORT);
        }
    }

    /**
     * The warm-up of both sides' forks of a figure. Most figures are warm after one short
     * iteration; N callers → one server is not: otpj's first 500 ms there ran at 47–450 k calls/s
     * and its second at 0.45–1.2 M/s while Pekko was at 1.4 M/s by its second (JMH runs of
     * 2026-12-07), so one short warm-up measured otpj partly cold. Both sides always get the same
     * warm-up.
     */
    record Warmup(int iterations, int millis) {
        static final Warmup SHORT = new Warmup(1, 500);
        static final Warmup LONG = new Warmup(2, 1000);

        String describe() {
            return iterations + " × " + millis + " ms";
        }
    }

    /** One pair: the canary's score, otpj's and the peer's, and which ran first. */
    record Pair(double canary, double otpj, double peer, boolean otpjFirst) {
        double ratio() {
            return otpj / peer;
        }
    }

    static final Side CANARY = new Side("canary", "HandOff.spinningThreads", Map.of(), Suite.BASE_FLAGS);

    static final List<Figure> FIGURES = List.of(
            new Figure("Cast throughput, 1 producer → 1 server", side("otpj", "OtpjCast.oneProducer"),
                    side("Pekko tell", "PekkoCast.oneProducer"), 4.0, true, "≥ 4"),
            new Figure("Cast throughput, 1 producer → 1 server with a hot mailbox (StartOptions.withHotMailbox)",
                    side("otpj hot", "OtpjCast.oneProducerHot"), side("Pekko tell", "PekkoCast.oneProducer"), 5.0, true,
                    "≥ 5"),
            new Figure("Cast throughput, 64 producer → server pairs", side("otpj", "OtpjCast.pairs"),
                    side("Pekko", "PekkoCast.pairs"), null, true, "–"),
            new Figure("Call round trip, process → process", side("otpj", "OtpjCall.processToProcess"),
                    side("Pekko", "PekkoCall.actorToActor"), null, false, "–"),
            new Figure("Call throughput, 4 callers → 1 server", callers("otpj", "OtpjCall.concurrentCallers", 4),
                    callers("Pekko", "PekkoCall.concurrentCallers", 4), 1.0, true, "≥ 1", Warmup.LONG),
            new Figure("Call throughput, 16 callers → 1 server", callers("otpj", "OtpjCall.concurrentCallers", 16),
                    callers("Pekko", "PekkoCall.concurrentCallers", 16), 1.0, true, "≥ 1", Warmup.LONG),
            new Figure("Pipelined calls, plain thread, " + Batches.WINDOW + " at once (RequestSet vs ask-many), per call",
                    side("otpj", "OtpjCall.pipelinedFromPlainThread"), side("Pekko", "PekkoCall.askManyFromPlainThread"),
                    null, false, "–"),
            new Figure("Pipelined calls, process → process, " + Batches.WINDOW + " in flight, per call",
                    side("otpj", "OtpjCall.pipelinedProcessToProcess"), side("Pekko", "PekkoCall.pipelinedActorToActor"),
                    null, false, "–"));

    private static Side side(String label, String benchmark) {
        return new Side(label, benchmark, Map.of(), Suite.BASE_FLAGS);
    }

    private static Side callers(String label, String benchmark, int n) {
        return new Side(label, benchmark, Map.of("callers", Integer.toString(n)), Suite.BASE_FLAGS);
    }

    /** The run's settings: see {@link #parse}. */
    record Settings(Duration budget, int minPairs, int maxPairs, double precision, double stateFactor,
            double modeFactor, int iterations, int iterationMillis, Optional<Path> out,
            List<String> only) {}

    static final Path RAW = Path.of("benchmarks", "target", "ratios.csv");
    static final String BEGIN = "<!-- ratio-mode:begin -->";
    static final String END = "<!-- ratio-mode:end -->";

    private final Settings settings;
    private final List<Figure> figures;
    private final Map<Figure, List<Pair>> pairs = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    RatioMode(Settings settings) {
        this.settings = settings;
        List<Figure> f = new ArrayList<>();
        for (Figure x : FIGURES) {
            if (settings.only().isEmpty() || settings.only().stream().anyMatch(o -> x.title().contains(o)
                    || x.otpj().benchmark().contains(o))) {
                f.add(x);
            }
        }
        if (f.isEmpty()) {
            throw new IllegalArgumentException("no figure matches " + settings.only());
        }
        this.figures = List.copyOf(f);
        for (Figure x : figures) {
            pairs.put(x, new ArrayList<>());
        }
    }

    /** Parses the arguments after {@code --ratios}. */
    static Settings parse(List<String> args) {
        Duration budget = Duration.ofMinutes(10);
        int minPairs = 6, maxPairs = 40;
        double precision = 0.10;
        Optional<Path> out = Optional.of(Path.of("docs", "benchmarks.md"));
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--budget" -> budget = Duration.ofSeconds(positive(value(args, ++i, a), a));
                case "--max-pairs" -> maxPairs = (int) positive(value(args, ++i, a), a);
                case "--min-pairs" -> minPairs = (int) positive(value(args, ++i, a), a);
                case "--no-docs" -> out = Optional.empty();
                case "--out" -> out = Optional.of(Path.of(value(args, ++i, a)));
                case "--only" -> only.add(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown argument for --ratios: " + a);
            }
        }
        if (minPairs > maxPairs) {
            throw new IllegalArgumentException("--min-pairs " + minPairs + " is above --max-pairs " + maxPairs);
        }
        return new Settings(budget, minPairs, maxPairs, precision, 1.8, 1.5, 2, 500, out, List.copyOf(only));
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static long positive(String v, String option) {
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, got \"" + v + "\"");
    }

    void execute() throws IOException {
        long t0 = System.nanoTime();
        long end = t0 + settings.budget().toNanos();
        String startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadAtStart = Suite.loadAverage();
        Files.createDirectories(RAW.getParent());
        List<String> raw = new ArrayList<>(List.of("figure,pair,canary_ns,otpj,peer,otpj_first"));
        int round = 0;
        boolean outOfTime = false;
        while (!outOfTime) {
            List<Figure> active = figures.stream().filter(f -> !done(f)).toList();
            if (active.isEmpty()) {
                break;
            }
            round++;
            for (Figure f : active) {
                if (System.nanoTime() - end >= 0) {
                    outOfTime = true;
                    break;
                }
                List<Pair> ps = pairs.get(f);
                boolean otpjFirst = ps.size() % 2 == 0;
                System.out.printf(Locale.ROOT, "ratios: round %d, %s, pair %d (%s first)%n", round, f.title(), ps.size() + 1,
                        otpjFirst ? "otpj" : "peer");
                try {
                    double canary = fork(CANARY, 1, 200, 1, 300);
                    double first = fork(otpjFirst ? f.otpj() : f.peer(), f.warmup());
                    double second = fork(otpjFirst ? f.peer() : f.otpj(), f.warmup());
                    Pair p = new Pair(canary, otpjFirst ? first : second, otpjFirst ? second : first, otpjFirst);
                    ps.add(p);
                    raw.add(String.format(Locale.ROOT, "\"%s\",%d,%.3f,%.6g,%.6g,%b", f.title(), ps.size(), p.canary(), p.otpj(),
                            p.peer(), p.otpjFirst()));
                    Files.write(RAW, raw, StandardCharsets.UTF_8);
                } catch (RunnerException | RuntimeException e) {
                    failures.add(f.title() + ": a fork failed: " + e);
                    System.out.println("ratios: a fork failed: " + e);
                }
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        String section = section(startedAt, loadAtStart, Suite.loadAverage(), seconds);
        System.out.println();
        System.out.println(section);
        System.out.println("raw pairs written to " + RAW);
        if (settings.out().isPresent()) {
            Path out = settings.out().get();
            String existing = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            Files.writeString(out, merge(existing, section), StandardCharsets.UTF_8);
            System.out.println("ratio table written to " + out);
        }
    }

    /** A figure is done when its most frequent state is resolved, or it has had its pairs. */
    private boolean done(Figure f) {
        List<Pair> ps = pairs.get(f);
        if (ps.size() >= settings.maxPairs()) {
            return true;
        }
        if (ps.size() < settings.minPairs()) {
            return false;
        }
        List<List<Pair>> groups = byState(ps, threshold());
        List<Pair> main = groups.stream().max((a, b) -> Integer.compare(a.size(), b.size())).orElseThrow();
        return main.size() >= settings.minPairs() && PairStats.summarize(ratios(main)).resolved(settings.precision());
    }

    /** The canary split over every pair of the run, so all figures use one definition of the states. */
    private double threshold() {
        double[] all = pairs.values().stream().flatMap(List::stream).mapToDouble(Pair::canary).toArray();
        return PairStats.stateThreshold(all, settings.stateFactor());
    }

    /** The pairs in the fast state (canary below the threshold) and the slow one; one group without a threshold. */
    private static List<List<Pair>> byState(List<Pair> ps, double threshold) {
        if (Double.isNaN(threshold)) {
            return List.of(ps);
        }
        List<Pair> fast = ps.stream().filter(p -> p.canary() < threshold).toList();
        List<Pair> slow = ps.stream().filter(p -> p.canary() >= threshold).toList();
        List<List<Pair>> out = new ArrayList<>();
        if (!fast.isEmpty()) {
            out.add(fast);
        }
        if (!slow.isEmpty()) {
            out.add(slow);
        }
        return out;
    }

    private static double[] ratios(List<Pair> ps) {
        return ps.stream().mapToDouble(Pair::ratio).toArray();
    }

    /** One fork of {@code side} with the figure's warm-up and the run's measured iterations. */
    private double fork(Side side, Warmup warmup) throws RunnerException {
        return fork(side, warmup.iterations(), warmup.millis(), settings.iterations(), settings.iterationMillis());
    }

    private static double fork(Side side, int warmups, int warmupMillis, int iterations, int iterationMillis)
            throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote("io.otpj.benchmarks." + side.benchmark()) + "$")
                .forks(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(warmupMillis))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.milliseconds(iterationMillis))
                .jvmArgs(side.flags().toArray(String[]::new))
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        side.params().forEach(b::param);
        Collection<RunResult> rs;
        try {
            rs = new Runner(b.build()).run();
        } catch (RunnerException e) {
            // JMH's message says only that the benchmark threw: name the side and the cause.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            List<String> what = new ArrayList<>();
            what.add(String.valueOf(root));
            for (Throwable s : root.getSuppressed()) {
                what.add(String.valueOf(s));
            }
            throw new IllegalStateException(side.label() + " (" + side.key() + "): " + String.join("; ", what), e);
        }
        if (rs.size() != 1) {
            throw new IllegalStateException(side.key() + " gave " + rs.size() + " results, not one");
        }
        return rs.iterator().next().getPrimaryResult().getScore();
    }

    /** The Markdown section: the ratio table, the states, how it was made. */
    String section(String startedAt, String loadAtStart, String loadAtEnd, long seconds) {
        double threshold = threshold();
        StringBuilder sb = new StringBuilder();
        sb.append(BEGIN).append('\n');
        sb.append("## Ratio mode: otpj ÷ peer from paired forks\n\n");
        sb.append("Generated by `benchmarks/run.sh --ratios` on ").append(startedAt).append(" in ").append(seconds / 60)
                .append(" min ").append(seconds % 60).append(" s (budget ").append(settings.budget().toSeconds())
                .append(" s; load average at start ").append(loadAtStart).append(", at end ").append(loadAtEnd)
                .append("). Do not edit by hand: rerun it.\n\n");
        sb.append("Each pair is one fork of otpj and one of the peer, back to back in alternating order, after a canary fork; ")
                .append("the ratio is otpj ÷ peer (above 1: otpj faster for a throughput, slower for a time). The interval is a ")
                .append("distribution-free 95% interval for the median ratio (order statistics; none below 6 pairs). A figure ")
                .append("is resolved when its interval is within ±").append(Math.round(settings.precision() * 100))
                .append("% of its median; a goal is met only if the whole interval is on its side.\n\n");
        if (Double.isNaN(threshold)) {
            sb.append("Machine state: one (the canary's scores show no gap of ").append(settings.stateFactor())
                    .append("× or more).\n\n");
        } else {
            sb.append(String.format(Locale.ROOT, "Machine state: two, split at a canary round trip of %.0f ns (fast below, "
                    + "slow above); pairs are summarized per state.%n%n", threshold));
        }
        sb.append("| Figure | State | otpj (median) | Peer (median) | Ratio median [95% CI] | Pairs | Resolved | Goal | Met? | Modes |\n");
        sb.append("|---|---|---:|---:|---|---:|---|---|---|---|\n");
        for (Figure f : figures) {
            List<Pair> ps = pairs.get(f);
            if (ps.isEmpty()) {
                sb.append("| ").append(f.title()).append(" | – | n/a | n/a | n/a | 0 | no | ").append(f.goalText())
                        .append(" |  |  |\n");
                continue;
            }
            for (List<Pair> g : byState(ps, threshold)) {
                String state = Double.isNaN(threshold) ? "one" : g.getFirst().canary() < threshold ? "fast" : "slow";
                Summary s = PairStats.summarize(ratios(g));
                String unit = unit(f.otpj());
                double[] o = g.stream().mapToDouble(Pair::otpj).sorted().toArray();
                double[] p = g.stream().mapToDouble(Pair::peer).sorted().toArray();
                List<String> modes = new ArrayList<>();
                Modes mo = PairStats.modes(o, settings.modeFactor());
                Modes mp = PairStats.modes(p, settings.modeFactor());
                if (mo != null) {
                    modes.add("otpj bimodal: " + mo.describe(unit));
                }
                if (mp != null) {
                    modes.add("peer bimodal: " + mp.describe(unit));
                }
                Verdict v = PairStats.judge(s, f.goal(), f.atLeast());
                sb.append("| ").append(f.title()).append(" (").append(f.otpj().label()).append(" vs ").append(f.peer().label())
                        .append(") | ").append(state).append(" | ").append(Report.scaled(Ratios.median(o), unit)).append(" | ")
                        .append(Report.scaled(Ratios.median(p), unit)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f ", s.median())).append(s.interval()).append(" | ")
                        .append(s.n()).append(" | ").append(s.resolved(settings.precision()) ? "yes" : "**unresolved**")
                        .append(" | ").append(f.goalText()).append(" | ").append(v.text).append(" | ")
                        .append(String.join("; ", modes)).append(" |\n");
            }
        }
        if (!failures.isEmpty()) {
            sb.append("\nForks that failed (their pairs are left out):\n\n");
            failures.forEach(x -> sb.append("- ").append(x).append('\n'));
        }
        // Each warm-up used, the figures named for all but the short one.
        Map<Warmup, List<String>> byWarmup = figures.stream().collect(Collectors.groupingBy(Figure::warmup,
                LinkedHashMap::new, Collectors.mapping(Figure::title, Collectors.toList())));
        String warmups = byWarmup.entrySet().stream().map(e -> e.getKey().describe()
                + (e.getKey().equals(Warmup.SHORT) ? "" : " for " + String.join("; ", e.getValue())))
                .collect(Collectors.joining(", "));
        sb.append("\nForks: warm-up (both sides) ").append(warmups).append("; ").append(settings.iterations()).append(" × ").append(settings.iterationMillis())
                .append(" ms measured; canary `HandOff.spinningThreads`, 1 × 200 ms warm-up, 1 × 300 ms; JVM flags as in the ")
                .append("main table. Raw pairs: `").append(RAW).append("`.\n");
        sb.append(END).append('\n');
        return sb.toString();
    }

    private static String unit(Side s) {
        return s.benchmark().matches("OtpjCall\\.(processToProcess|pipelined.*)|PekkoCall\\.(actorToActor|askMany.*|pipelined.*)")
                ? "ns/op" : "ops/s";
    }

    /**
     * {@code existing} with its ratio section replaced by {@code section}, or with the section
     * put before "## How to run" (else at the end) if it has none.
     */
    static String merge(String existing, String section) {
        int b = existing.indexOf(BEGIN);
        int e = existing.indexOf(END);
        if (b >= 0 && e > b) {
            int after = e + END.length();
            if (after < existing.length() && existing.charAt(after) == '\n') {
                after++;
            }
            return existing.substring(0, b) + section + existing.substring(after);
        }
        int how = existing.indexOf("## How to run");
        if (how >= 0) {
            return existing.substring(0, how) + section + "\n" + existing.substring(how);
        }
        return existing + (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n") + section;
    }

    /** The ratio section of {@code existing}, or empty: the suite's report keeps it when it rewrites the file. */
    static String sectionOf(String existing) {
        int b = existing.indexOf(BEGIN);
        int e = existing.indexOf(END);
        if (b < 0 || e < b) {
            return "";
        }
        return existing.substring(b, e + END.length()) + "\n";
    }
}
