package io.otpj.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary of paired A/B forks ({@code benchmarks/ab.sh}): for each benchmark, the median of
 * the per-pair ratios B/A, with a distribution-free confidence interval for that median from
 * order statistics (no assumption about the distribution of a fork's score: the interval is
 * [r(k), r(n-k+1)] of the sorted ratios, k the largest rank with P(Binomial(n, 1/2) &lt; k) at most
 * 2.5%, so it covers the median with at least 95% confidence). A pair is one fork of A and one of
 * B taken back to back, in alternating order, so the machine's slow drifts cancel in each ratio.
 *
 * <p>Usage: {@code java -cp otpj-benchmarks.jar io.otpj.benchmarks.Ratios DIR LABEL_A LABEL_B},
 * where {@code DIR} holds JMH's CSV results {@code A-<pair>.csv} and {@code B-<pair>.csv}.
 * Prints a Markdown table.
 */
public final class Ratios {

    private Ratios() {}

    /** One benchmark's score in one fork. */
    record Score(String key, double value, String unit, String mode) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: Ratios DIR LABEL_A LABEL_B");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Map<Integer, Map<String, Score>> a = load(dir, "A"), b = load(dir, "B");
        Map<String, List<double[]>> pairs = new TreeMap<>();
        Map<String, Score> any = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<String, Score>> e : a.entrySet()) {
            Map<String, Score> bs = b.get(e.getKey());
            if (bs == null) {
                continue;
            }
            for (Score sa : e.getValue().values()) {
                Score sb = bs.get(sa.key());
                if (sb != null && sa.value() > 0) {
                    pairs.computeIfAbsent(sa.key(), k -> new ArrayList<>()).add(new double[] {sa.value(), sb.value()});
                    any.put(sa.key(), sa);
                }
            }
        }
        System.out.println("| benchmark | unit | " + args[1] + " (median) | " + args[2] + " (median) | " + args[2] + "/"
                + args[1] + " median [95% CI] | pairs |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> e : pairs.entrySet()) {
            List<double[]> ps = e.getValue();
            double[] ratios = ps.stream().mapToDouble(p -> p[1] / p[0]).sorted().toArray();
            double[] as = ps.stream().mapToDouble(p -> p[0]).sorted().toArray();
            double[] bs = ps.stream().mapToDouble(p -> p[1]).sorted().toArray();
            int n = ratios.length;
            int k = rank(n);
            String ci = k == 0 ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f]", ratios[k - 1], ratios[n - k]);
            Score s = any.get(e.getKey());
            System.out.printf(Locale.ROOT, "| %s | %s | %.4g | %.4g | %.3f %s | %d |%n", e.getKey(), s.unit(), median(as),
                    median(bs), median(ratios), ci, n);
        }
        System.out.println();
        System.out.println("Ratios above 1 mean B scored higher: faster for throughput (ops/s), slower for "
                + "average time (ns/op).");
    }

    /** The largest k with P(Binomial(n, 1/2) &lt; k) at most 2.5%, or 0 if there is none. */
    static int rank(int n) {
        int k = 0;
        double cumulative = 0;
        for (int j = 0; j < n; j++) {
            cumulative += binomial(n, j) / Math.pow(2, n);
            if (cumulative > 0.025) {
                break;
            }
            k = j + 1;
        }
        return k;
    }

    private static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static final Pattern FILE = Pattern.compile("([AB])-(\\d+)\\.csv");

    private static Map<Integer, Map<String, Score>> load(Path dir, String side) throws IOException {
        Map<Integer, Map<String, Score>> out = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (!m.matches() || !m.group(1).equals(side)) {
                    continue;
                }
                out.put(Integer.parseInt(m.group(2)), parse(f));
            }
        }
        return out;
    }

    /** JMH's CSV: Benchmark, Mode, Threads, Samples, Score, Score Error, Unit, then one column per param. */
    private static Map<String, Score> parse(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        Map<String, Score> out = new LinkedHashMap<>();
        if (lines.isEmpty()) {
            return out;
        }
        List<String> header = split(lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            List<String> c = split(line);
            if (c.size() < 7) {
                continue;
            }
            StringBuilder key = new StringBuilder(c.get(0).replace("io.otpj.benchmarks.", ""));
            for (int i = 7; i < c.size() && i < header.size(); i++) {
                if (!c.get(i).isEmpty()) {
                    key.append(' ').append(header.get(i).replace("Param: ", "")).append('=').append(c.get(i));
                }
            }
            out.put(key.toString(), new Score(key.toString(), Double.parseDouble(c.get(4)), c.get(6), c.get(1)));
        }
        return out;
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (String cell : line.split(",", -1)) {
            out.add(cell.startsWith("\"") && cell.endsWith("\"") && cell.length() >= 2 ? cell.substring(1, cell.length() - 1) : cell);
        }
        return out;
    }
}
