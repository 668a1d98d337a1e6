package org.mrf.scq.core.match.bench;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.match.BruteForceMatcher;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.SubspaceMatcher;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Matching benchmark on one synthetic side x side slice of the paper dictionary (13,123 entries,
 * default schedule, T = 2304): pixels are random entries times a random PD in [0.2, 3] and a random
 * phase, plus complex Gaussian noise of {@code noise} times the pixel's RMS per component; the
 * series is time-major (T, H, W) as `mrf match` and the ground-truth job pass it.
 *
 * <p>Prints {@code match key=value ...}: exact DM over the given ars (sum of the per-ar seconds,
 * median of the repeats; the per-t setup of each matcher, paid once per dictionary, separately),
 * brute-force DM once over the same ars, the share of pixels where both pick the same entry, the
 * pixels where they differ and whose two entries tie within float rounding ({@code ties}) or do
 * not ({@code non_ties}, which must be 0), the SDM core at t = T / 4 and the energy given (median
 * of the repeats), and the sgemm rate of a 2048^3 product measured in the same run. The
 * {@code *_cpu_seconds} figures are process CPU time over the same spans (all cores together): on a
 * shared machine they move less with other load than wall-clock seconds.
 *
 * <p>Usage: {@code java -cp ... org.mrf.scq.core.match.bench.MatchBench [--side 256] [--repeats 3]
 * [--noise 0.03] [--ars 1,2,4,8,16] [--energy 0.9999] [--no-bruteforce]}; {@code mrf bench match}
 * takes the same options.
 */
public final class MatchBench {
    /** Relative score difference below which two entries tie within float rounding. */
    static final double TIE = 1e-6;

    /** What to measure; the defaults are the paper slice. */
    public static final class Options {
        public int side = 256;
        public int repeats = 3;
        public double noise = 0.03;
        public int[] ars = {1, 2, 4, 8, 16};
        public double energy = 0.9999;
        public boolean bruteForce = true;
        public long seed = 2024;
    }

    private MatchBench() {
    }

    public static void main(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--side" -> o.side = Integer.parseInt(args[++i]);
                case "--repeats" -> o.repeats = Integer.parseInt(args[++i]);
                case "--noise" -> o.noise = Double.parseDouble(args[++i]);
                case "--ars" -> o.ars = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--energy" -> o.energy = Double.parseDouble(args[++i]);
                case "--no-bruteforce" -> o.bruteForce = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        run(o, System.out);
    }

    public static void run(Options o, PrintStream out) {
        if (o.side < 1 || o.repeats < 1 || o.ars.length == 0 || !(o.noise >= 0)) {
            throw new IllegalArgumentException("need side >= 1, repeats >= 1, at least one ar and noise >= 0");
        }
        double sgemm = sgemmGflops();
        long t0 = System.nanoTime();
        Dictionary full = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0), DictionaryGrid.paper(), 1e-5);
        int T = full.timepoints(), h = o.side, w = o.side, pixels = h * w;
        for (int ar : o.ars) {
            if (ar < 1 || T / ar < 1) throw new IllegalArgumentException("ar " + ar + " is not usable with T=" + T);
        }
        float[][] x = slice(full, pixels, o.noise, new Random(o.seed));
        out.printf(Locale.ROOT, "match_setup entries=%d timepoints=%d pixels=%d simulate_and_slice_seconds=%.1f%n",
                full.size(), T, pixels, secs(t0));

        // Exact DM: one matcher per ar, as the ground-truth job keeps them.
        DictionaryMatcher[] dm = new DictionaryMatcher[o.ars.length];
        Dictionary[] dt = new Dictionary[o.ars.length];
        double setup = 0;
        for (int a = 0; a < o.ars.length; a++) {
            dt[a] = full.truncate(T / o.ars[a]);
            dm[a] = new DictionaryMatcher(dt[a]);
            long s0 = System.nanoTime();
            dm[a].rank(T / o.ars[a]);
            setup += secs(s0);
        }
        MatchResult[] exact = new MatchResult[o.ars.length];
        double[] dmRuns = new double[o.repeats], dmCpu = new double[o.repeats];
        double exactPerPixel = 0;
        for (int r = 0; r < o.repeats; r++) {
            for (int a = 0; a < o.ars.length; a++) {
                int t = T / o.ars[a];
                long s0 = System.nanoTime(), c0 = cpuNanos();
                exact[a] = dm[a].matchTimeMajor(x[0], x[1], T, h, w, t);
                double s = secs(s0);
                dmRuns[r] += s;
                dmCpu[r] += (cpuNanos() - c0) / 1e9;
                if (r == 0) exactPerPixel += dm[a].exactPerPixel() / o.ars.length;
                out.printf(Locale.ROOT, "match_dm repeat=%d ar=%d timepoints=%d seconds=%.3f exact_per_pixel=%.2f%n", r + 1,
                        o.ars[a], t, s, dm[a].exactPerPixel());
            }
        }
        for (DictionaryMatcher m : dm) m.release();

        double brute = Double.NaN, bruteCpu = Double.NaN, agree = Double.NaN;
        long ties = -1, nonTies = -1;
        if (o.bruteForce) {
            brute = 0;
            bruteCpu = 0;
            long same = 0;
            ties = 0;
            nonTies = 0;
            for (int a = 0; a < o.ars.length; a++) {
                int t = T / o.ars[a];
                BruteForceMatcher bf = new BruteForceMatcher(dt[a]);
                long s0 = System.nanoTime(), c0 = cpuNanos();
                MatchResult b = bf.matchTimeMajor(x[0], x[1], T, h, w, t);
                double s = secs(s0);
                bruteCpu += (cpuNanos() - c0) / 1e9;
                bf.release();
                brute += s;
                long tiesHere = 0, nonTiesHere = 0;
                for (int p = 0; p < pixels; p++) {
                    if (exact[a].index[p] == b.index[p]) {
                        same++;
                        continue;
                    }
                    double sa = score(dt[a], exact[a].index[p], x[0], x[1], p, pixels), sb = score(dt[a], b.index[p], x[0], x[1], p, pixels);
                    if (Math.abs(sa - sb) <= TIE * Math.max(sa, sb)) tiesHere++;
                    else nonTiesHere++;
                }
                ties += tiesHere;
                nonTies += nonTiesHere;
                out.printf(Locale.ROOT, "match_bruteforce ar=%d timepoints=%d seconds=%.3f ties=%d non_ties=%d%n", o.ars[a], t, s,
                        tiesHere, nonTiesHere);
            }
            agree = 100.0 * same / ((double) pixels * o.ars.length);
        }

        // SDM core at t = T / 4 (the paper's ar = 4).
        int ts = T / 4;
        Dictionary d4 = full.truncate(ts);
        SvdBasis basis = RandomizedSvd.ofDictionary(d4);
        SubspaceMatcher sdm = SubspaceMatcher.forEnergy(d4, basis, o.energy);
        sdm.matchTimeMajor(x[0], x[1], T, h, w, ts); // warm-up: buffers, JIT
        double[] sdmRuns = new double[o.repeats], sdmCpu = new double[o.repeats];
        for (int r = 0; r < o.repeats; r++) {
            long s0 = System.nanoTime(), c0 = cpuNanos();
            sdm.matchTimeMajor(x[0], x[1], T, h, w, ts);
            sdmRuns[r] = secs(s0);
            sdmCpu[r] = (cpuNanos() - c0) / 1e9;
        }
        sdm.release();
        double sdmS = median(sdmRuns);
        int k = sdm.rank();
        // Projection (2 real GEMMs of t x K per pixel) plus lifted scores (K(K+1)/2 features per entry).
        double sdmFlops = (double) pixels * (2.0 * 2 * ts * k + 2.0 * k * (k + 1) / 2 * d4.size());

        double dmS = median(dmRuns);
        out.printf(Locale.ROOT, "match dm_seconds=%.3f dm_cpu_seconds=%.3f dm_setup_seconds=%.2f dm_bruteforce_seconds=%.3f "
                        + "dm_bruteforce_cpu_seconds=%.3f speedup=%.1f agree_pct=%.4f ties=%d non_ties=%d exact_per_pixel=%.2f "
                        + "sdm_core_seconds=%.3f sdm_core_cpu_seconds=%.3f sdm_rank=%d sdm_gflops=%.1f sgemm_gflops=%.1f "
                        + "pixels=%d ars=%s noise=%s repeats=%d%n",
                dmS, median(dmCpu), setup, brute, bruteCpu, brute / dmS, agree, ties, nonTies, exactPerPixel, sdmS, median(sdmCpu), k,
                sdmFlops / sdmS / 1e9, sgemm, pixels, join(o.ars), o.noise, o.repeats);
    }

    /** Time-major (T, H, W) series of random entries: PD in [0.2, 3], random phase, complex Gaussian noise. */
    static float[][] slice(Dictionary d, int pixels, double noise, Random rnd) {
        int t = d.timepoints(), n = d.size();
        float[] re = new float[t * pixels], im = new float[t * pixels];
        float[] dr = d.re(), di = d.im();
        for (int p = 0; p < pixels; p++) {
            int e = rnd.nextInt(n);
            double pd = 0.2 + 2.8 * rnd.nextDouble(), ph = 2 * Math.PI * rnd.nextDouble();
            double c = Math.cos(ph) * pd, s = Math.sin(ph) * pd, en = 0;
            for (int q = e * t; q < (e + 1) * t; q++) en += (double) dr[q] * dr[q] + (double) di[q] * di[q];
            double sigma = noise * pd * Math.sqrt(en / t);
            for (int q = 0; q < t; q++) {
                double r = dr[e * t + q], i = di[e * t + q];
                re[q * pixels + p] = (float) (c * r - s * i + sigma * rnd.nextGaussian());
                im[q * pixels + p] = (float) (s * r + c * i + sigma * rnd.nextGaussian());
            }
        }
        return new float[][]{re, im};
    }

    /**
     * |<d_e, x>| / ||d_e|| in double over the dictionary's t samples, sample s of x at
     * {@code re[off + s * stride]}: the brute-force reference for telling near-ties from errors.
     */
    public static double score(Dictionary d, int e, float[] re, float[] im, int off, int stride) {
        int t = d.timepoints();
        double sr = 0, si = 0, dn = 0;
        for (int s = 0; s < t; s++) {
            double ar = d.re()[e * t + s], ai = d.im()[e * t + s], br = re[off + s * stride], bi = im[off + s * stride];
            sr += ar * br + ai * bi;
            si += ar * bi - ai * br;
            dn += ar * ar + ai * ai;
        }
        return Math.hypot(sr, si) / Math.sqrt(dn);
    }

    /** Median rate of a 2048^3 float GEMM through ND4J (3 runs after a warm-up). */
    public static double sgemmGflops() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n);
        a.mmul(b);
        double[] g = new double[3];
        for (int i = 0; i < g.length; i++) {
            long s0 = System.nanoTime();
            a.mmul(b);
            g[i] = 2.0 * n * n * n / secs(s0) / 1e9;
        }
        return median(g);
    }

    private static String join(int[] v) {
        List<String> s = new ArrayList<>();
        for (int x : v) s.add(Integer.toString(x));
        return String.join(",", s);
    }

    private static double median(double[] v) {
        double[] a = v.clone();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
