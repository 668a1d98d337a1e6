package org.mrf.scq.core.match.bench;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.match.BruteForceMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.Matcher;
import org.mrf.scq.core.match.SubspaceMatcher;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * DM / SDM timing for one 256 x 256 slice against the paper dictionary (13,123 entries), and the
 * SVD ranks of the default schedule's dictionary at T = 576 and 2304.
 *
 * <p>Usage: {@code java -cp ... org.mrf.scq.core.match.bench.MatchBench [--t 576] [--noise 0.01,0.03,0.1]
 * [--sdm-reps 3] [--energy 0.9999] [--no-svd-2304] [--time-major]}. Fingerprints: random grid
 * entries times a random PD in [0.2, 3] and a random phase, plus complex Gaussian noise whose
 * per-component standard deviation is {@code noise} times the pixel's RMS. Output lines are
 * {@code key value} pairs, e.g. {@code dm seconds_per_slice=...}.
 */
public final class MatchBench {
    private MatchBench() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int t = 576, sdmReps = 3, side = 256;
        double energy = 0.9999;
        double[] noises = {0.01, 0.03, 0.1};
        boolean svd2304 = true, timeMajor = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--t": t = Integer.parseInt(args[++i]); break;
                case "--side": side = Integer.parseInt(args[++i]); break;
                case "--sdm-reps": sdmReps = Integer.parseInt(args[++i]); break;
                case "--energy": energy = Double.parseDouble(args[++i]); break;
                case "--noise": noises = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray(); break;
                case "--no-svd-2304": svd2304 = false; break;
                case "--time-major": timeMajor = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        environment();

        long t0 = System.nanoTime();
        var seq = Schedules.paperDefault(2.0, 18.0);
        Dictionary full = Dictionary.simulate(svd2304 ? seq : seq.truncate(t), DictionaryGrid.paper(), 1e-5);
        System.out.printf("dictionary entries=%d T=%d simulate_seconds=%.1f%n", full.size(), full.timepoints(), secs(t0));
        Dictionary d = full.truncate(t);

        SvdBasis basis = svd(d, "T=" + t);
        if (svd2304) svd(full, "T=" + full.timepoints());

        int pixels = side * side;
        Random rnd = new Random(2024);
        BruteForceMatcher dm = new BruteForceMatcher(d);
        SubspaceMatcher sdm = SubspaceMatcher.forEnergy(d, basis, energy);
        System.out.printf("sdm rank=%d energy=%s lifted=%s dm_neighbour_refinement=%s%n", sdm.rank(), energy, sdm.lifted(),
                dm.neighbourRefinement());
        List<Double> dmTimes = new ArrayList<>(), sdmTimes = new ArrayList<>();
        for (double noise : noises) {
            int[] truth = new int[pixels];
            float[][] x = fingerprints(d, pixels, noise, rnd, truth);
            if (timeMajor) {
                x = new float[][]{toTimeMajor(x[0], pixels, t), toTimeMajor(x[1], pixels, t)};
            }
            long cpu0 = cpuNanos();
            long s0 = System.nanoTime();
            MatchResult a = run(dm, x, pixels, t, side, timeMajor);
            double dmS = secs(s0);
            double cores = (cpuNanos() - cpu0) / 1e9 / dmS;
            dmTimes.add(dmS);
            MatchResult b = null;
            double[] st = new double[sdmReps];
            long sdmCpu0 = cpuNanos();
            for (int r = 0; r < sdmReps; r++) {
                long q0 = System.nanoTime();
                b = run(sdm, x, pixels, t, side, timeMajor);
                st[r] = secs(q0);
                sdmTimes.add(st[r]);
            }
            double sdmCores = (cpuNanos() - sdmCpu0) / 1e9 / Arrays.stream(st).sum();
            Arrays.sort(st);
            double truthDm = agreement(a.index, truth), truthSdm = agreement(b.index, truth);
            System.out.printf("dm seconds_per_slice=%.2f noise=%s cpu_cores_busy=%.2f exact_vs_truth=%.4f t1_mrae=%.4f t2_mrae=%.4f%n",
                    dmS, noise, cores, truthDm, mrae(a.t1, truth, d, true), mrae(a.t2, truth, d, false));
            System.out.printf("sdm seconds_per_slice=%.3f agreement=%.4f noise=%s rank=%d cpu_cores_busy=%.2f exact_vs_truth=%.4f t1_mrae=%.4f t2_mrae=%.4f%n",
                    st[st.length / 2], b.agreement(a), noise, sdm.rank(), sdmCores, truthSdm, mrae(b.t1, truth, d, true), mrae(b.t2, truth, d, false));
            sdm.setNeighbourRefinement(true);
            double[] rt = new double[sdmReps];
            MatchResult br = null;
            for (int r = 0; r < sdmReps; r++) {
                long q0 = System.nanoTime();
                br = run(sdm, x, pixels, t, side, timeMajor);
                rt[r] = secs(q0);
            }
            sdm.setNeighbourRefinement(false);
            Arrays.sort(rt);
            System.out.printf("sdm_refined seconds_per_slice=%.3f agreement=%.4f noise=%s rank=%d exact_vs_truth=%.4f%n",
                    rt[rt.length / 2], br.agreement(a), noise, sdm.rank(), agreement(br.index, truth));
            for (double f : new double[]{0.99999, 0.999999}) {
                SubspaceMatcher other = SubspaceMatcher.forEnergy(d, basis, f);
                long q0 = System.nanoTime();
                MatchResult o = run(other, x, pixels, t, side, timeMajor);
                System.out.printf("sdm_energy energy=%s rank=%d seconds_per_slice=%.3f agreement=%.4f noise=%s exact_vs_truth=%.4f%n",
                        f, other.rank(), secs(q0), o.agreement(a), noise, agreement(o.index, truth));
                other.release();
            }
        }
        System.out.printf("dm median_seconds_per_slice=%.2f runs=%d%n", median(dmTimes), dmTimes.size());
        System.out.printf("sdm median_seconds_per_slice=%.3f runs=%d%n", median(sdmTimes), sdmTimes.size());
    }

    private static MatchResult run(Matcher m, float[][] x, int pixels, int t, int side, boolean timeMajor) {
        return timeMajor ? m.matchTimeMajor(x[0], x[1], t, side, side, t) : m.match(x[0], x[1], pixels, t);
    }

    private static SvdBasis svd(Dictionary d, String label) {
        long s0 = System.nanoTime();
        SvdBasis b = RandomizedSvd.ofDictionary(d);
        StringBuilder sb = new StringBuilder(String.format("svd %s seconds=%.1f rank_held=%d ranks", label, secs(s0), b.rank()));
        for (double f : SvdBasis.STANDARD_ENERGIES) {
            String r;
            try {
                r = Integer.toString(b.rankForEnergy(f));
            } catch (RuntimeException e) {
                r = ">" + b.rank();
            }
            sb.append(' ').append(f).append('=').append(r);
        }
        // The same thresholds on the cumulative sum of singular values (not squared), over the held ones.
        double sum = 0, acc = 0;
        for (int k = 0; k < b.rank(); k++) sum += b.singularValue(k);
        sb.append(" ranks_by_sigma_sum");
        for (double f : SvdBasis.STANDARD_ENERGIES) {
            acc = 0;
            int k = 0;
            while (k < b.rank() && acc < f * sum) acc += b.singularValue(k++);
            sb.append(' ').append(f).append('=').append(k);
        }
        sb.append(String.format(" sigma1=%.4f sigma%d/sigma1=%.3e", b.singularValue(0), b.rank(),
                b.singularValue(b.rank() - 1) / b.singularValue(0)));
        System.out.println(sb);
        return b;
    }

    /** Pixel-major fingerprints of random entries: PD in [0.2, 3], random phase, complex Gaussian noise. */
    static float[][] fingerprints(Dictionary d, int pixels, double noise, Random rnd, int[] truth) {
        int t = d.timepoints();
        float[] re = new float[pixels * t], im = new float[pixels * t];
        for (int p = 0; p < pixels; p++) {
            int e = rnd.nextInt(d.size());
            truth[p] = e;
            double pd = 0.2 + 2.8 * rnd.nextDouble(), ph = 2 * Math.PI * rnd.nextDouble();
            double c = Math.cos(ph) * pd, s = Math.sin(ph) * pd, en = 0;
            for (int k = 0; k < t; k++) {
                double r = d.re()[e * t + k], i = d.im()[e * t + k];
                en += r * r + i * i;
            }
            double sigma = noise * pd * Math.sqrt(en / t);
            for (int k = 0; k < t; k++) {
                double r = d.re()[e * t + k], i = d.im()[e * t + k];
                re[p * t + k] = (float) (c * r - s * i + sigma * rnd.nextGaussian());
                im[p * t + k] = (float) (s * r + c * i + sigma * rnd.nextGaussian());
            }
        }
        return new float[][]{re, im};
    }

    static float[] toTimeMajor(float[] x, int pixels, int t) {
        float[] out = new float[x.length];
        for (int p = 0; p < pixels; p++) {
            for (int s = 0; s < t; s++) out[s * pixels + p] = x[p * t + s];
        }
        return out;
    }

    private static double agreement(int[] a, int[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }

    private static double mrae(float[] est, int[] truth, Dictionary d, boolean t1) {
        double s = 0;
        for (int p = 0; p < est.length; p++) {
            double v = t1 ? d.t1(truth[p]) : d.t2(truth[p]);
            s += Math.abs(est[p] - v) / v;
        }
        return s / est.length;
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Which ND4J native library loaded (from this process's memory maps), BLAS vendor, threads, sgemm speed. */
    private static void environment() throws Exception {
        Nd4j.create(DataType.FLOAT, 2, 2).mmul(Nd4j.create(DataType.FLOAT, 2, 2));
        java.util.Set<String> libs = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("libnd4jcpu") || line.contains("libopenblas") || line.contains("dnnl") || line.contains("mkl")) {
                libs.add(line.substring(line.indexOf('/')));
            }
        }
        for (String l : libs) System.out.println("native_library " + l);
        java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        System.out.println("nd4j backend=" + Nd4j.getBackend().getClass().getSimpleName() + " blas_vendor="
                + env.getProperty("blas.vendor") + " omp_threads=" + env.getProperty("omp.threads") + " cores="
                + env.getProperty("cores") + " max_threads=" + Nd4j.getEnvironment().maxThreads()
                + " available_processors=" + Runtime.getRuntime().availableProcessors());
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n);
        a.mmul(b);
        long c0 = cpuNanos(), s0 = System.nanoTime();
        for (int i = 0; i < 5; i++) a.mmul(b);
        double s = secs(s0);
        System.out.printf("sgemm gflops=%.1f cpu_cores_busy=%.2f%n", 5 * 2.0 * n * n * n / s / 1e9, (cpuNanos() - c0) / 1e9 / s);
    }
}
