package io.otpj.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The statistics of the ratio mode ({@link RatioMode}), kept apart from the driver so they can be
 * tested: the median of per-pair ratios with a distribution-free interval, the machine state a
 * canary measurement puts a pair in, and the modes of a bimodal benchmark.
 */
final class PairStats {

    private PairStats() {}

    /**
     * A median of ratios and its distribution-free 95% interval: the order statistics
     * [r(k), r(n-k+1)] of the sorted ratios, {@code k} from {@link Ratios#rank}; no interval
     * (NaN bounds) below 6 pairs, where none exists at 95%.
     */
    record Summary(double median, double low, double high, int n) {
        /** Whether the interval exists and lies within {@code ±precision} of the median. */
        boolean resolved(double precision) {
            return !Double.isNaN(low) && low >= median * (1 - precision) && high <= median * (1 + precision);
        }

        String interval() {
            return Double.isNaN(low) ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f]", low, high);
        }
    }

    static Summary summarize(double[] ratios) {
        if (ratios.length == 0) {
            throw new IllegalArgumentException("no ratios to summarize");
        }
        double[] r = ratios.clone();
        Arrays.sort(r);
        int n = r.length;
        int k = Ratios.rank(n);
        double median = Ratios.median(r);
        return k == 0 ? new Summary(median, Double.NaN, Double.NaN, n) : new Summary(median, r[k - 1], r[n - k], n);
    }

    /**
     * The split between two machine states seen by the canary, or NaN if its values form one
     * group: the geometric midpoint of the widest gap between consecutive sorted values, when
     * that gap is a factor of at least {@code minFactor}.
     */
    static double stateThreshold(double[] canary, double minFactor) {
        double[] g = widestGap(canary);
        return g == null || g[1] / g[0] < minFactor ? Double.NaN : Math.sqrt(g[0] * g[1]);
    }

    /** The two values around the widest gap (as a factor) of the sorted values, or null below two values. */
    private static double[] widestGap(double[] values) {
        if (values.length < 2) {
            return null;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int at = 0;
        double widest = 0;
        for (int i = 1; i < v.length; i++) {
            double factor = v[i] / v[i - 1];
            if (factor > widest) {
                widest = factor;
                at = i;
            }
        }
        return new double[] {v[at - 1], v[at]};
    }

    /** Two modes of a side's fork scores: where each lies (its median) and its share of the forks. */
    record Modes(double lowMedian, double lowShare, double highMedian, double highShare) {
        String describe(String unit) {
            return String.format(Locale.ROOT, "%.0f%% of forks ≈ %s, %.0f%% ≈ %s", lowShare * 100,
                    Report.scaled(lowMedian, unit), highShare * 100, Report.scaled(highMedian, unit));
        }
    }

    /**
     * The two modes of {@code scores}, if they are bimodal: at least 6 forks, a gap of at least
     * {@code minFactor} between consecutive sorted scores, and at least a fifth of the forks (and
     * two) on each side of it; otherwise null.
     */
    static Modes modes(double[] scores, double minFactor) {
        if (scores.length < 6) {
            return null;
        }
        double[] v = scores.clone();
        Arrays.sort(v);
        double[] g = widestGap(v);
        if (g[1] / g[0] < minFactor) {
            return null;
        }
        List<Double> low = new ArrayList<>(), high = new ArrayList<>();
        for (double x : v) {
            (x <= g[0] ? low : high).add(x);
        }
        int n = v.length;
        int least = Math.max(2, (int) Math.ceil(n / 5.0));
        if (low.size() < least || high.size() < least) {
            return null;
        }
        return new Modes(Ratios.median(low.stream().mapToDouble(Double::doubleValue).toArray()), low.size() / (double) n,
                Ratios.median(high.stream().mapToDouble(Double::doubleValue).toArray()), high.size() / (double) n);
    }

    /** Whether a goal on the ratio is met, missed, or not decided by the interval. */
    enum Verdict {
        MET("yes"), MISSED("**no**"), UNDECIDED("undecided"), NONE("");

        final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    /**
     * Judges {@code s} against a goal on the ratio: {@code atLeast} for "ratio ≥ goal" (a
     * throughput), else "ratio ≤ goal" (a time). Met only if the whole interval is on the goal's
     * side, missed only if the whole interval is on the other side.
     */
    static Verdict judge(Summary s, Double goal, boolean atLeast) {
        if (goal == null) {
            return Verdict.NONE;
        }
        if (Double.isNaN(s.low())) {
            return Verdict.UNDECIDED;
        }
        if (atLeast) {
            return s.low() >= goal ? Verdict.MET : s.high() < goal ? Verdict.MISSED : Verdict.UNDECIDED;
        }
        return s.high() <= goal ? Verdict.MET : s.low() > goal ? Verdict.MISSED : Verdict.UNDECIDED;
    }
}
