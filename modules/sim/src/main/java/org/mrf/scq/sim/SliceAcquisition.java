package org.mrf.scq.sim;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.nufft.DensityCompensation;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.LinearOperator;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Simulated spiral MRF acquisition of one slice: the complex image series (T x H x W) a scanner
 * would reconstruct by gridding (DESIGN 4).
 *
 * <h2>The model</h2>
 * For time point t with interleaf p = t mod P (P = 48; interleaf p is the base arm rotated by
 * 2 pi p / P, so consecutive time points rotate by one interleaf and the pattern repeats with
 * period P):
 * <pre>
 *   x_t(r) = PD(r) f_t(T1(r), T2(r))             image: fingerprint x proton density
 *   y_t    = A_p x_t + n_t                        NUFFT onto interleaf p, complex Gaussian noise
 *   b_t    = A_p^H D_p y_t                        density-compensated adjoint (gridding)
 * </pre>
 * D_p = P w_p, with w the Pipe-Menon weights of the full P-interleaf trajectory restricted to
 * interleaf p; the factor P makes the single-interleaf image unbiased (sum_p A_p^H w_p A_p
 * approximates the identity over the sampled disk, so each term approximates it over P).
 *
 * <h2>Shortcuts, and why they give the same images</h2>
 * <ol>
 * <li>Low rank in time ({@link FingerprintSubspace}): x_t = sum_k U(t, k) c_k with
 *     c_k(r) = PD(r) c_k(T1(r), T2(r)), exact up to the subspace's stated tolerance. By linearity
 *     A_p x_t = sum_k U(t, k) (A_p c_k).</li>
 * <li>Period P: A_p c_k is needed for only P x K (pattern, coefficient) pairs, not T; and all P
 *     interleaves are one NUFFT of c_k over the full trajectory (the samples of interleaf p are a
 *     contiguous block of it, with the very same kernel weights as A_p). So the forward model costs
 *     K NUFFTs instead of T, and y_t = sum_k U(t, k) S_{p,k} + n_t is a small K-term sum per sample:
 *     the same y_t as the direct model, hence with noise added in k-space exactly as a scanner
 *     would have it (not approximated in image space).</li>
 * <li>The gridding adjoint A_p^H D_p y_t is then done once per time point (the noise differs per
 *     time point, so there is nothing to share); it uses the pruned inverse FFT of the NUFFT.</li>
 * </ol>
 * {@link #acquireDirect} runs the model literally, {@code b_t = gridding(p).forward(sampling(p).forward(x_t)
 * + n_t)} with the composed operators {@link #sampling} (A_p) and {@link #gridding} (A_p^H D_p), per-pixel
 * EPG, one forward and one adjoint NUFFT per time point; the tests compare the two (2e-3 relative).
 *
 * <h2>Noise level</h2>
 * {@code snr} is that of a fully sampled (all P interleaves) gridding image: the mean over the
 * brain mask (or all signal pixels when the mask is empty) of the RMS over time of |x_t(r)|,
 * divided by the noise standard deviation of a fully sampled gridding image, which is
 * sigma sqrt(sum_j w_j^2) for k-space noise of standard deviation sigma per complex sample. A
 * single-interleaf image then has about sqrt(P) times more noise, as on a scanner. Infinity: no
 * noise. Noise for time point t comes from a generator seeded by (seed, t), so results do not
 * depend on the thread count.
 */
public final class SliceAcquisition {

    /**
     * Acquisition settings; {@link #defaults()} is the paper's setting. {@code gridOversampling} is
     * the NUFFT grid factor (kernel width 6): 2.0 (default) is accurate to ~1e-5 against the
     * direct sum; 1.25 makes the per-time-point gridding about 1.75x faster at ~3e-4 error
     * (measured), still far below the noise, if a profile needs the time.
     */
    public record Options(double snr, int interleaves, double centreDensity, double sampleSpacing,
                          double epgTolerance, double basisTolerance, double logStep, double gridOversampling, int threads) {
        public static Options defaults() {
            return new Options(50, 48, 2.0, 0.5, EpgSimulator.DEFAULT_TOLERANCE, 1e-3, 0.05,
                    NufftOperator.DEFAULT_OVERSAMPLING, Runtime.getRuntime().availableProcessors());
        }

        public Options withSnr(double s) {
            return new Options(s, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads);
        }

        public Options withThreads(int n) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, n);
        }

        public Options withGridOversampling(double o) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, o, threads);
        }
    }

    private final FispSequence sequence;
    private final int matrix;
    private final Options options;
    private final SpiralTrajectory trajectory;
    private final NufftOperator full;
    private final NufftOperator[] interleaf;
    private final LinearOperator[] reconstruction;   // A_p^H D_p
    private final double[] dcf;            // full-trajectory weights w (sum = pi k_max^2 / N^2)
    private final int perInterleaf;
    private volatile Report lastReport;

    /** What the last {@link #acquire} did and how long each phase took (seconds). */
    public record Report(int rank, int nodes, double noiseSigma, double modelSeconds, double forwardSeconds, double gridSeconds) {}

    public SliceAcquisition(FispSequence sequence, int matrix, Options options) {
        if (!(options.snr() > 0)) throw new MrfInputException("acquisition snr " + options.snr() + ": must be > 0 (Infinity for no noise)");
        if (options.threads() < 1) throw new MrfInputException("acquisition threads " + options.threads() + ": must be >= 1");
        this.sequence = sequence;
        this.matrix = matrix;
        this.options = options;
        this.trajectory = SpiralTrajectory.variableDensity(matrix, options.interleaves(), options.centreDensity(), options.sampleSpacing());
        this.full = new NufftOperator(matrix, matrix, trajectory.allKy(), trajectory.allKx(),
                new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, options.gridOversampling()));
        this.dcf = DensityCompensation.spiral(trajectory, full);
        this.perInterleaf = trajectory.samplesPerInterleaf();
        this.interleaf = new NufftOperator[options.interleaves()];
        this.reconstruction = new LinearOperator[options.interleaves()];
        for (int p = 0; p < interleaf.length; p++) {
            interleaf[p] = full.subset(p * perInterleaf, (p + 1) * perInterleaf);
            double[] dp = new double[perInterleaf];
            for (int q = 0; q < perInterleaf; q++) dp[q] = interleaf.length * dcf[p * perInterleaf + q];
            reconstruction[p] = interleaf[p].adjointOperator().compose(LinearOperator.diagonal(dp, perInterleaf));
        }
    }

    public SpiralTrajectory trajectory() { return trajectory; }
    public FispSequence sequence() { return sequence; }
    public Options options() { return options; }

    /** Standard deviation of the complex k-space noise per sample for these maps (0 for infinite SNR). */
    public double noiseSigma(SubjectMaps maps, FingerprintSubspace model) {
        if (Double.isInfinite(options.snr())) return 0;
        double[] c = new double[2 * model.rank()];
        double sum = 0;
        int count = 0;
        boolean useMask = maps.maskCount() > 0;
        for (int i = 0; i < maps.pixels(); i++) {
            if (!maps.hasSignal(i) || (useMask && maps.mask()[i] == 0)) continue;
            model.coefficients(maps.t1Ms()[i], maps.t2Ms()[i], c);
            double e = 0;
            for (double v : c) e += v * v;
            // U has orthonormal columns, so ||x(r)||^2 over time = PD^2 ||c||^2.
            sum += maps.pd()[i] * Math.sqrt(e / model.timepoints());
            count++;
        }
        if (count == 0) return 0;
        double w2 = 0;
        for (double w : dcf) w2 += w * w;
        return sum / count / (options.snr() * Math.sqrt(w2));
    }

    /** The fast model (see the class comment). */
    public ComplexSeries acquire(SubjectMaps maps, long noiseSeed) {
        checkMaps(maps);
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            long t0 = System.nanoTime();
            FingerprintSubspace model = FingerprintSubspace.build(sequence, maps, options.logStep(),
                    options.basisTolerance(), options.epgTolerance(), pool);
            modelSeconds = (System.nanoTime() - t0) / 1e9;
            return acquire(maps, model, noiseSeed, pool);
        } finally {
            pool.shutdown();
        }
    }

    private double modelSeconds;

    /** Statistics of the last fast acquisition (null before the first). */
    public Report lastReport() {
        return lastReport;
    }

    ComplexSeries acquire(SubjectMaps maps, FingerprintSubspace model, long noiseSeed, ForkJoinPool pool) {
        long t0 = System.nanoTime();
        int n2 = matrix * matrix, k = model.rank(), t = sequence.length(), per = perInterleaf, pCount = interleaf.length;
        double sigma = noiseSigma(maps, model);
        // Coefficient images c_k(r) = PD(r) c_k(T1(r), T2(r)).
        double[][] coefImages = new double[k][2 * n2];
        FingerprintSubspace.run(pool, () -> IntStream.range(0, n2).parallel().forEach(i -> {
            if (!maps.hasSignal(i)) return;
            double[] c = new double[2 * k];
            model.coefficients(maps.t1Ms()[i], maps.t2Ms()[i], c);
            double pd = maps.pd()[i];
            for (int j = 0; j < k; j++) {
                coefImages[j][2 * i] = pd * c[2 * j];
                coefImages[j][2 * i + 1] = pd * c[2 * j + 1];
            }
        }));
        // S[k] = A c_k over the full trajectory: all P interleaves' A_p c_k at once.
        double[][] s = new double[k][];
        FingerprintSubspace.run(pool, () -> IntStream.range(0, k).parallel().forEach(j -> s[j] = full.forward(coefImages[j])));
        double[] basis = model.basis();
        long t1 = System.nanoTime();
        ComplexSeries out = ComplexSeries.zeros(t, matrix, matrix);
        ThreadLocal<double[]> image = ThreadLocal.withInitial(() -> new double[2 * n2]);
        FingerprintSubspace.run(pool, () -> IntStream.range(0, t).parallel().forEach(ti -> {
            int p = ti % pCount;
            int off = 2 * p * per;
            double[] y = new double[2 * per];
            for (int j = 0; j < k; j++) {
                double ur = basis[2 * (ti * k + j)], ui = basis[2 * (ti * k + j) + 1];
                double[] sj = s[j];
                for (int q = 0; q < per; q++) {
                    double a = sj[off + 2 * q], b = sj[off + 2 * q + 1];
                    y[2 * q] += ur * a - ui * b;
                    y[2 * q + 1] += ur * b + ui * a;
                }
            }
            reconstruct(ti, p, y, sigma, noiseSeed, image.get(), out);
        }));
        lastReport = new Report(k, model.nodes(), sigma, modelSeconds, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        return out;
    }

    /** The sampling operator A_p of interleaf p (image -> its k-space samples). */
    public LinearOperator sampling(int p) {
        return interleaf[Math.floorMod(p, interleaf.length)];
    }

    /** The gridding reconstruction A_p^H D_p of interleaf p (its samples -> image), composed from operators. */
    public LinearOperator gridding(int p) {
        return reconstruction[Math.floorMod(p, interleaf.length)];
    }

    /** Noise, then the gridding reconstruction of one time point's samples into {@code out}. */
    private void reconstruct(int ti, int p, double[] y, double sigma, long noiseSeed, double[] img, ComplexSeries out) {
        int per = perInterleaf, n2 = matrix * matrix;
        if (sigma > 0) {
            SplittableRandom rnd = new SplittableRandom(noiseSeed * 0x9E3779B97F4A7C15L + ti);
            double sd = sigma / Math.sqrt(2);   // per real and imaginary part
            for (int q = 0; q < 2 * per; q++) y[q] += sd * rnd.nextGaussian();
        }
        reconstruction[p].forward(y, img);
        int base = ti * n2;
        for (int i = 0; i < n2; i++) {
            out.re()[base + i] = (float) img[2 * i];
            out.im()[base + i] = (float) img[2 * i + 1];
        }
    }

    /**
     * The model done literally, for tests: exact per-pixel EPG fingerprints, one forward and one
     * adjoint NUFFT per time point, the same noise. Slow (T forward NUFFTs).
     */
    public ComplexSeries acquireDirect(SubjectMaps maps, long noiseSeed) {
        checkMaps(maps);
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            // The noise level must be the same as the fast path's, so it is derived from the same model.
            FingerprintSubspace model = FingerprintSubspace.build(sequence, maps, options.logStep(),
                    options.basisTolerance(), options.epgTolerance(), pool);
            double sigma = noiseSigma(maps, model);
            ComplexSeries truth = trueImages(maps);
            int n2 = matrix * matrix, t = sequence.length();
            ComplexSeries out = ComplexSeries.zeros(t, matrix, matrix);
            FingerprintSubspace.run(pool, () -> IntStream.range(0, t).parallel().forEach(ti -> {
                int p = ti % interleaf.length;
                double[] x = new double[2 * n2];
                for (int i = 0; i < n2; i++) {
                    x[2 * i] = truth.re()[ti * n2 + i];
                    x[2 * i + 1] = truth.im()[ti * n2 + i];
                }
                reconstruct(ti, p, sampling(p).forward(x), sigma, noiseSeed, new double[2 * n2], out);
            }));
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** x_t(r) = PD(r) f_t(T1(r), T2(r)) with one exact EPG run per distinct (T1, T2): the images before sampling. */
    public ComplexSeries trueImages(SubjectMaps maps) {
        int n2 = maps.pixels(), t = sequence.length();
        ComplexSeries out = ComplexSeries.zeros(t, maps.height(), maps.width());
        EpgSimulator sim = new EpgSimulator(sequence, options.epgTolerance());
        java.util.HashMap<Long, double[][]> cache = new java.util.HashMap<>();
        for (int i = 0; i < n2; i++) {
            if (!maps.hasSignal(i)) continue;
            float t1 = maps.t1Ms()[i], t2 = maps.t2Ms()[i];
            long key = ((long) Float.floatToIntBits(t1) << 32) | (Float.floatToIntBits(t2) & 0xffffffffL);
            double[][] f = cache.computeIfAbsent(key, kk -> sim.simulate(t1, t2));
            double pd = maps.pd()[i];
            for (int ti = 0; ti < t; ti++) {
                out.re()[ti * n2 + i] = (float) (pd * f[0][ti]);
                out.im()[ti * n2 + i] = (float) (pd * f[1][ti]);
            }
        }
        return out;
    }

    private void checkMaps(SubjectMaps maps) {
        if (maps.height() != matrix || maps.width() != matrix) {
            throw new MrfInputException("subject maps are " + maps.height() + " x " + maps.width()
                    + " but the acquisition was set up for " + matrix + " x " + matrix + "; generate the subject at this matrix");
        }
    }
}
