package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PairedStatisticsTest {
    /** Two-sided signed-rank p by enumerating all 2^n sign assignments, ranks counted pairwise (no sorting). */
    private static double bruteForceP(double[] d) {
        int n = d.length;
        double[] rank = new double[n];
        for (int i = 0; i < n; i++) {
            int below = 0, equal = 0;
            for (int j = 0; j < n; j++) {
                if (Math.abs(d[j]) < Math.abs(d[i])) below++;
                else if (Math.abs(d[j]) == Math.abs(d[i])) equal++;
            }
            rank[i] = below + (equal + 1) / 2.0;
        }
        double observed = 0;
        for (int i = 0; i < n; i++) if (d[i] > 0) observed += rank[i];
        long lower = 0, upper = 0;
        for (int mask = 0; mask < (1 << n); mask++) {
            double w = 0;
            for (int i = 0; i < n; i++) if ((mask >> i & 1) != 0) w += rank[i];
            if (w <= observed + 1e-9) lower++;
            if (w >= observed - 1e-9) upper++;
        }
        return Math.min(1.0, 2.0 * Math.min(lower, upper) / (1 << n));
    }

    @Test
    void exactPMatchesEnumerationWithAndWithoutTies() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(12);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                // every third trial draws from few values, so |d| ties are common
                d[i] = trial % 3 == 0 ? (r.nextInt(7) - 3) * 0.5 : r.nextGaussian() + 0.3;
            }
            double[] nonZero = java.util.Arrays.stream(d).filter(x -> x != 0).toArray();
            PairedStatistics.Wilcoxon w = PairedStatistics.wilcoxon(d);
            assertTrue(w.exact());
            assertEquals(nonZero.length, w.nonZero(), "zero differences are dropped");
            double expected = nonZero.length == 0 ? 1.0 : bruteForceP(nonZero);
            assertEquals(expected, w.p(), 1e-12, "trial " + trial);
        }
    }

    @Test
    void sixSubjectsAllOneSignGiveTheSmallestPossibleP() {
        double[] scq = {4.1, 4.3, 3.9, 5.0, 4.4, 4.6};
        double[] dm = {5.1, 5.0, 4.8, 6.2, 4.5, 5.9};
        PairedStatistics.Result res = PairedStatistics.compare(scq, dm, 1);
        assertEquals(2.0 / 64, res.p(), 1e-15);
        // one dissenting subject, the one of smallest |d|: W+ = 1, two-sided p = 2 * 2/64
        double[] d = {-1, -2, -3, -4, -5, 0.5};
        assertEquals(4.0 / 64, PairedStatistics.wilcoxon(d).p(), 1e-15);
    }

    @Test
    void darwinsMaizeDataGiveThePublishedExactP() {
        // Darwin's cross- minus self-fertilised plant heights (eighths of an inch), as in Fisher's Design of
        // Experiments; exact two-sided p 0.041259765625 = 1352/32768 (scipy.stats.wilcoxon documentation).
        double[] d = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
        PairedStatistics.Wilcoxon w = PairedStatistics.wilcoxon(d);
        assertEquals(120 - 24, w.wPlus(), 0, "W- = 10 + 14 = 24 of the total 15 * 16 / 2 = 120");
        assertEquals(0.041259765625, w.p(), 1e-15);
    }

    @Test
    void edgeCasesAndSymmetry() {
        assertEquals(1.0, PairedStatistics.wilcoxon(new double[]{3}).p(), 0, "n = 1: both signs equally likely");
        assertEquals(1.0, PairedStatistics.wilcoxon(new double[]{0, 0, 0}).p(), 0, "all-zero differences");
        assertEquals(0, PairedStatistics.wilcoxon(new double[]{0, 0}).nonZero());
        PairedStatistics.Result same = PairedStatistics.compare(new double[]{1, 2, 3}, new double[]{1, 2, 3}, 3);
        assertEquals(0, same.meanDiff());
        assertEquals(0, same.ciLow());
        assertEquals(0, same.ciHigh());

        double[] a = {3.2, 1.1, 4.7, 2.2, 5.9, 2.8, 3.3};
        double[] b = {2.9, 1.6, 4.1, 2.0, 5.0, 2.9, 3.0};
        PairedStatistics.Result ab = PairedStatistics.compare(a, b, 11), ba = PairedStatistics.compare(b, a, 11);
        assertEquals(ab.p(), ba.p(), 0);
        assertEquals(ab.meanDiff(), -ba.meanDiff(), 1e-15);
        // the same seed draws the same resample indices, so the intervals mirror each other exactly
        assertEquals(ab.ciLow(), -ba.ciHigh(), 1e-12);
        assertEquals(ab.ciHigh(), -ba.ciLow(), 1e-12);
        assertEquals(ab, PairedStatistics.compare(a, b, 11), "seeded: reproducible");

        assertThrows(IllegalArgumentException.class, () -> PairedStatistics.compare(new double[]{1}, new double[]{1, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> PairedStatistics.compare(new double[]{Double.NaN}, new double[]{1}, 0));
    }

    @Test
    void tieCorrectedVarianceIsTheSignFlipVariance() {
        // Under the null each rank r_i enters W+ with probability 1/2: Var W+ = sum r_i^2 / 4, which the
        // textbook formula n(n+1)(2n+1)/24 - sum(t^3 - t)/48 equals when ties get midranks.
        double[] abs = {1, 2, 2, 3, 3, 3, 5, 7, 7, 9};
        int[] twice = PairedStatistics.twiceMidranks(abs);
        double[] pmf = PairedStatistics.signFlipDistribution(twice);
        double m = 0, m2 = 0;
        for (int s = 0; s < pmf.length; s++) {
            m += pmf[s] * s / 2.0;
            m2 += pmf[s] * (s / 2.0) * (s / 2.0);
        }
        int n = abs.length;
        assertEquals(n * (n + 1) / 4.0, m, 1e-9);
        double formula = n * (n + 1.0) * (2 * n + 1) / 24 - PairedStatistics.tieCorrection(abs) / 48;
        assertEquals(formula, m2 - m * m, 1e-9);
    }

    @Test
    void normalApproximationAgreesWithTheExactDistributionAboveTheCutoff() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 40;
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = r.nextGaussian() + 0.4;
            PairedStatistics.Wilcoxon w = PairedStatistics.wilcoxon(d);
            assertFalse(w.exact());
            double[] pmf = PairedStatistics.signFlipDistribution(PairedStatistics.twiceMidranks(
                    java.util.Arrays.stream(d).map(Math::abs).toArray()));
            double lower = 0, upper = 0;
            for (int s = 0; s < pmf.length; s++) {
                if (s <= 2 * w.wPlus()) lower += pmf[s];
                if (s >= 2 * w.wPlus()) upper += pmf[s];
            }
            double exact = Math.min(1, 2 * Math.min(lower, upper));
            assertEquals(exact, w.p(), 0.002 + 0.02 * exact, "trial " + trial);
        }
        assertEquals(0.05, PairedStatistics.twoSidedNormalP(1.959963985), 1e-6);
        assertEquals(1.0, PairedStatistics.twoSidedNormalP(0), 1e-7);
    }

    @Test
    void bootstrapIntervalOfAGaussianMeanIsNearTheTInterval() {
        Random r = new Random(5);
        int n = 400;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 2 + 3 * r.nextGaussian();
        double m = PairedStatistics.mean(d);
        double s = MapErrors.meanStd(d)[1];
        double half = 1.96 * s / Math.sqrt(n);
        double[] ci = PairedStatistics.bootstrapMeanCi(d, PairedStatistics.BOOTSTRAP_RESAMPLES, 0.95, 9);
        assertEquals(m - half, ci[0], 0.05 * half);
        assertEquals(m + half, ci[1], 0.05 * half);
        double[] constant = PairedStatistics.bootstrapMeanCi(new double[]{-1.5, -1.5, -1.5}, 999, 0.95, 1);
        assertArrayEquals(new double[]{-1.5, -1.5}, constant, 0);
    }
}
