package io.otpj.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.benchmarks.PairStats.Summary;
import io.otpj.benchmarks.PairStats.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ratio mode's statistics, on hand-made data whose answers are known. */
class PairStatsTest {

    @Test
    void theIntervalIsTheOrderStatisticsAroundTheMedian() {
        // n = 6: P(Bin(6, 1/2) < 1) = 1/64 <= 2.5%, P(< 2) = 7/64 > 2.5%: k = 1, the extremes.
        Summary s = PairStats.summarize(new double[] {1.05, 0.95, 1.0, 1.02, 0.98, 1.01});
        assertEquals(1.005, s.median(), 1e-9);
        assertEquals(0.95, s.low());
        assertEquals(1.05, s.high());
        assertTrue(s.resolved(0.10));
        assertFalse(s.resolved(0.04));
        // Below 6 pairs there is no 95% interval at all.
        Summary few = PairStats.summarize(new double[] {1, 1, 1, 1, 1});
        assertTrue(Double.isNaN(few.low()));
        assertFalse(few.resolved(0.5));
        assertEquals("n/a", few.interval());
        assertThrows(IllegalArgumentException.class, () -> PairStats.summarize(new double[0]));
    }

    @Test
    void moreAgreeingPairsNarrowTheInterval() {
        double[] wide = new double[9];
        double[] many = new double[30];
        for (int i = 0; i < many.length; i++) {
            double r = 1.0 + 0.3 * Math.sin(i * 2.4); // spread ±30%, no order
            many[i] = r;
            if (i < wide.length) {
                wide[i] = r;
            }
        }
        Summary a = PairStats.summarize(wide), b = PairStats.summarize(many);
        assertTrue(b.high() - b.low() < a.high() - a.low(), a + " vs " + b);
    }

    @Test
    void aCanaryWithTwoSpeedsSplitsTheStatesAndOneSpeedDoesNot() {
        double t = PairStats.stateThreshold(new double[] {300, 320, 1250, 310, 1300, 290, 1200}, 1.8);
        assertEquals(Math.sqrt(320 * 1200), t, 1e-6);
        assertTrue(Double.isNaN(PairStats.stateThreshold(new double[] {300, 320, 350, 310, 420}, 1.8)));
        assertTrue(Double.isNaN(PairStats.stateThreshold(new double[] {300}, 1.8)));
    }

    @Test
    void bimodalScoresAreReportedAsSharesNotAMean() {
        PairStats.Modes m = PairStats.modes(new double[] {10, 11, 10.5, 30, 31, 29, 10.2, 10.8}, 1.5);
        assertNotNull(m);
        assertEquals(5 / 8.0, m.lowShare(), 1e-9);
        assertEquals(3 / 8.0, m.highShare(), 1e-9);
        assertEquals(10.5, m.lowMedian(), 1e-9);
        assertEquals(30, m.highMedian(), 1e-9);
        assertTrue(m.describe("ops/s").startsWith("63% of forks"), m.describe("ops/s"));
        // One outlier is not a mode; one cluster is not bimodal; too few forks say nothing.
        assertNull(PairStats.modes(new double[] {10, 11, 10.5, 30, 10.2, 10.8, 10.1, 10.4}, 1.5));
        assertNull(PairStats.modes(new double[] {10, 11, 10.5, 12, 10.2, 10.8}, 1.5));
        assertNull(PairStats.modes(new double[] {10, 30, 10, 30}, 1.5));
    }

    @Test
    void aGoalIsMetOrMissedOnlyByTheWholeInterval() {
        Summary above = new Summary(1.2, 1.05, 1.3, 20);
        Summary across = new Summary(1.0, 0.9, 1.1, 20);
        Summary below = new Summary(0.7, 0.6, 0.8, 20);
        assertEquals(Verdict.MET, PairStats.judge(above, 1.0, true));
        assertEquals(Verdict.UNDECIDED, PairStats.judge(across, 1.0, true));
        assertEquals(Verdict.MISSED, PairStats.judge(below, 1.0, true));
        assertEquals(Verdict.MET, PairStats.judge(below, 1.0, false));
        assertEquals(Verdict.MISSED, PairStats.judge(above, 1.0, false));
        assertEquals(Verdict.UNDECIDED, PairStats.judge(new Summary(2, Double.NaN, Double.NaN, 3), 1.0, true));
        assertEquals(Verdict.NONE, PairStats.judge(above, null, true));
    }

    @Test
    void theRatioSectionReplacesItselfAndSurvivesTheSuitesReport() {
        String section = RatioMode.BEGIN + "\nnew table\n" + RatioMode.END + "\n";
        String doc = "# otpj benchmarks\n\n## Results\n\ntable\n\n## How to run\n\nrun it\n";
        String once = RatioMode.merge(doc, section);
        assertTrue(once.indexOf("new table") < once.indexOf("## How to run"), once);
        String again = RatioMode.merge(once, RatioMode.BEGIN + "\nnewer\n" + RatioMode.END + "\n");
        assertFalse(again.contains("new table"), again);
        assertEquals(1, again.split(java.util.regex.Pattern.quote(RatioMode.BEGIN), -1).length - 1);
        // A suite run regenerates the rest and keeps the section.
        assertEquals(again, RatioMode.merge(doc, RatioMode.sectionOf(again)));
        assertEquals("", RatioMode.sectionOf(doc));
    }

    @Test
    void badArgumentsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RatioMode.parse(List.of("--budget", "soon")));
        assertTrue(e.getMessage().contains("--budget"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RatioMode.parse(List.of("--pairs")));
        assertThrows(IllegalArgumentException.class, () -> RatioMode.parse(List.of("--min-pairs", "9", "--max-pairs", "8")));
        assertThrows(IllegalArgumentException.class,
                () -> new RatioMode(RatioMode.parse(List.of("--only", "no such figure"))));
        assertEquals(600, RatioMode.parse(List.of()).budget().toSeconds());
    }
}
