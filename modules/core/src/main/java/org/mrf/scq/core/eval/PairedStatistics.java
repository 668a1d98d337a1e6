package org.mrf.scq.core.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Paired comparison of two methods over subjects: for paired values a_i, b_i (e.g. SCQ's and DM's error on
 * subject i) the mean of d_i = a_i - b_i, a 95 % percentile-bootstrap confidence interval for it, and the
 * two-sided p of the Wilcoxon signed-rank test.
 *
 * <p>References:
 * <ul>
 * <li>F. Wilcoxon, "Individual comparisons by ranking methods", Biometrics Bulletin 1(6), 1945.</li>
 * <li>M. Hollander, D. A. Wolfe, E. Chicken, Nonparametric Statistical Methods, 3rd ed., Wiley 2014, ch. 3
 *     (signed-rank statistic, its exact null distribution, tie-corrected variance, continuity correction).</li>
 * <li>A. C. Davison, D. V. Hinkley, Bootstrap Methods and their Application, Cambridge University Press 1997,
 *     sec. 5.2-5.3 (percentile interval, the (B+1)alpha-th order statistic).</li>
 * </ul>
 *
 * <p>Zero differences are dropped before ranking (Wilcoxon's own convention, scipy's {@code zero_method='wilcox'});
 * Pratt's alternative ranks them and then discards their ranks. Tied |d| get midranks. Up to
 * {@link #EXACT_MAX_N} non-zero differences the p is exact: the null distribution of W+ (the sum of the ranks of
 * the positive differences) over all 2^n sign assignments of the observed (mid)ranks, counted by dynamic
 * programming, so it stays exact with ties. Above, the normal approximation with the tie-corrected variance
 * n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and a continuity correction of 1/2.
 *
 * <p>With n non-zero differences the smallest exact two-sided p is 2 / 2^n: 2/64 = 0.03125 for six subjects,
 * reached only when all six differences have the same sign. A p below 0.05 with six subjects therefore needs
 * every subject to agree (or five agreeing with the dissenting one of smallest |d|: p = 4/64 = 0.0625 already fails).
 */
public final class PairedStatistics {
    /** Largest number of non-zero differences for which the p is exact. */
    public static final int EXACT_MAX_N = 25;
    /**
     * Bootstrap resamples. B + 1 = 10000 makes (B + 1) * 0.025 an integer, so the interval's ends are order
     * statistics, not interpolations; the Monte Carlo error of a 2.5 % quantile at this B is well below the
     * interval's own sampling error for a handful of subjects.
     */
    public static final int BOOTSTRAP_RESAMPLES = 9999;
    public static final double CONFIDENCE = 0.95;

    private PairedStatistics() {
    }

    /**
     * @param n        number of pairs
     * @param meanDiff mean of a_i - b_i
     * @param ciLow    lower end of the 95 % percentile-bootstrap interval of the mean difference
     * @param ciHigh   upper end
     * @param p        two-sided Wilcoxon signed-rank p (1 when every difference is zero)
     * @param exact    whether p came from the exact null distribution
     */
    public record Result(int n, double meanDiff, double ciLow, double ciHigh, double p, boolean exact) {
    }

    /** Mean difference, bootstrap interval (seeded) and Wilcoxon p of a_i - b_i. */
    public static Result compare(double[] a, double[] b, long seed) {
        double[] d = differences(a, b);
        double[] ci = bootstrapMeanCi(d, BOOTSTRAP_RESAMPLES, CONFIDENCE, seed);
        Wilcoxon w = wilcoxon(d);
        return new Result(d.length, mean(d), ci[0], ci[1], w.p, w.exact);
    }

    static double[] differences(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values differ in number: " + a.length + " and " + b.length);
        }
        if (a.length == 0) throw new IllegalArgumentException("no pairs to compare");
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
                throw new IllegalArgumentException("pair " + i + " is not finite (" + a[i] + ", " + b[i] + ")");
            }
            d[i] = a[i] - b[i];
        }
        return d;
    }

    static double mean(double[] d) {
        double s = 0;
        for (double x : d) s += x;
        return s / d.length;
    }

    /**
     * Percentile bootstrap of the mean: resample the n values with replacement {@code resamples} times, and take
     * the ((B+1)(1-c)/2)-th and ((B+1)(1+c)/2)-th smallest resample means. Percentile rather than BCa: BCa's
     * acceleration is a jackknife estimate that is itself unstable with six subjects, while the percentile
     * interval needs no estimate beyond the resamples (it under-covers somewhat at small n; see Davison and
     * Hinkley 1997, sec. 5.4).
     */
    public static double[] bootstrapMeanCi(double[] d, int resamples, double confidence, long seed) {
        if (resamples < 1 || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("bootstrap needs resamples >= 1 and confidence in (0, 1)");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = d.length;
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += d[rnd.nextInt(n)];
            means[r] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - confidence) / 2;
        return new double[]{orderStatistic(means, alpha), orderStatistic(means, 1 - alpha)};
    }

    /** The k-th smallest (1-based) with k = (B+1)q, clamped to [1, B]; rounded when (B+1)q is not an integer. */
    private static double orderStatistic(double[] sorted, double q) {
        int k = (int) Math.round((sorted.length + 1) * q);
        return sorted[Math.max(1, Math.min(sorted.length, k)) - 1];
    }

    /** Wilcoxon signed-rank test of the differences against a zero median. */
    public record Wilcoxon(int nonZero, double wPlus, double p, boolean exact) {
    }

    public static Wilcoxon wilcoxon(double[] d) {
        int n = 0;
        for (double x : d) if (x != 0) n++;
        if (n == 0) return new Wilcoxon(0, 0, 1.0, true);
        double[] abs = new double[n];
        boolean[] positive = new boolean[n];
        int j = 0;
        for (double x : d) {
            if (x != 0) {
                abs[j] = Math.abs(x);
                positive[j++] = x > 0;
            }
        }
        int[] twiceRank = twiceMidranks(abs);
        long twiceWPlus = 0;
        for (int i = 0; i < n; i++) if (positive[i]) twiceWPlus += twiceRank[i];
        double wPlus = twiceWPlus / 2.0;
        if (n <= EXACT_MAX_N) {
            double[] pmf = signFlipDistribution(twiceRank);
            double lower = 0, upper = 0;
            for (int s = 0; s < pmf.length; s++) {
                if (s <= twiceWPlus) lower += pmf[s];
                if (s >= twiceWPlus) upper += pmf[s];
            }
            return new Wilcoxon(n, wPlus, Math.min(1.0, 2 * Math.min(lower, upper)), true);
        }
        double mu = n * (n + 1) / 4.0;
        double var = n * (n + 1.0) * (2 * n + 1) / 24.0 - tieCorrection(abs) / 48.0;
        if (var <= 0) return new Wilcoxon(n, wPlus, 1.0, false);
        double dev = Math.max(0, Math.abs(wPlus - mu) - 0.5);
        return new Wilcoxon(n, wPlus, Math.min(1.0, twoSidedNormalP(dev / Math.sqrt(var))), false);
    }

    /** 2 x the midrank (1-based) of each value among all of them: integers, so exact sums stay integral. */
    static int[] twiceMidranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        int[] r = new int[n];
        for (int i = 0; i < n; ) {
            int k = i;
            while (k + 1 < n && v[order[k + 1]] == v[order[i]]) k++;
            int twice = (i + 1) + (k + 1); // midrank of positions i..k (1-based) times 2
            for (int m = i; m <= k; m++) r[order[m]] = twice;
            i = k + 1;
        }
        return r;
    }

    /** Probability of each value of 2 W+ when every rank's sign is + or - with probability 1/2, independently. */
    static double[] signFlipDistribution(int[] twiceRank) {
        int max = 0;
        for (int r : twiceRank) max += r;
        double[] pmf = new double[max + 1];
        pmf[0] = 1;
        int reach = 0;
        for (int r : twiceRank) {
            for (int s = reach; s >= 0; s--) {
                if (pmf[s] != 0) {
                    pmf[s + r] += pmf[s] * 0.5;
                    pmf[s] *= 0.5;
                }
            }
            reach += r;
        }
        return pmf;
    }

    /** sum over groups of tied |d| of t^3 - t. */
    static double tieCorrection(double[] abs) {
        double[] s = abs.clone();
        Arrays.sort(s);
        double c = 0;
        for (int i = 0; i < s.length; ) {
            int k = i;
            while (k + 1 < s.length && s[k + 1] == s[i]) k++;
            double t = k - i + 1;
            c += t * t * t - t;
            i = k + 1;
        }
        return c;
    }

    /** Two-sided normal tail 2(1 - Phi(z)) for z >= 0. */
    static double twoSidedNormalP(double z) {
        return erfc(Math.abs(z) / Math.sqrt(2));
    }

    /**
     * Complementary error function, fractional error below 1.2e-7 everywhere (Chebyshev fit of W. H. Press et al.,
     * Numerical Recipes, 3rd ed., Cambridge University Press 2007, sec. 6.2).
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }
}
