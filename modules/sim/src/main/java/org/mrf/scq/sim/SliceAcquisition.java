package org.mrf.scq.sim;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.nufft.DensityCompensation;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.LinearOperator;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.core.util.Pools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Simulated spiral MRF acquisition of one slice: the complex image series (T x H x W) a scanner
 * would reconstruct by gridding, frame by frame (Ma et al., Nature 2013; the model and the size of
 * each effect: docs/ACQUISITION.md).
 *
 * <h2>The model</h2>
 * For time point t with interleaf p = t mod P (P = 48; interleaf p is the base arm rotated by
 * 2 pi p / P, so consecutive time points rotate by one interleaf and the pattern repeats with
 * period P), and coil c:
 * <pre>
 *   x_t(r)   = PD(r) e^{i phi(r)} f_t(T1(r), T2(r))     image: fingerprint x proton density x phase
 *   y_{t,c}  = A_p (S_c x_t) + n_{t,c}                    NUFFT onto interleaf p, coil noise
 *   b_{t,c}  = A_p^H D_p y_{t,c}                          density-compensated adjoint (gridding)
 *   b_t      = sum_c conj(v_c) b_{t,c}                    adaptive coil combination (one coil: b_t = b_{t,0})
 * </pre>
 * D_p = P w_p, with w the Pipe-Menon weights of the full P-interleaf trajectory restricted to
 * interleaf p; the factor P makes the single-interleaf image unbiased (sum_p A_p^H w_p A_p
 * approximates the identity over the sampled region, so each term approximates it over P).
 * Coil sensitivities S_c are smooth complex fields of C loops around the head ({@link CoilArray}),
 * the noise n_{t,c} is complex Gaussian with the coil covariance Psi (correlation between
 * neighbouring coils), and v are the weights of Walsh et al. (MRM 2000,
 * {@link org.mrf.scq.core.recon.CoilCombination}) from the time-averaged coil images.
 *
 * <h2>Truth on a finer grid</h2>
 * The maps may be given on an s N x s N grid (s >= 1 an integer; same FOV): A_p is then the NUFFT of
 * that finer image (scaled by 1 / s^2 so a pixel's amplitude is the same), evaluated at the
 * same k-space points. The reconstruction stays N x N, so partial volume and the truncation
 * (Gibbs) ringing of the spiral's k-space disk are those of a continuous object, not of an image
 * that already lives on the reconstruction grid.
 *
 * <h2>Shortcuts, and why they give the same images</h2>
 * <ol>
 * <li>Low rank in time ({@link FingerprintSubspace}): x_t = sum_k U(t, k) c_k with
 *     c_k(r) = PD(r) e^{i phi(r)} c_k(T1(r), T2(r)), exact up to the subspace's stated tolerance.
 *     By linearity A_p S_c x_t = sum_k U(t, k) (A_p S_c c_k).</li>
 * <li>Period P: A_p S_c c_k is needed for only P x K (pattern, coefficient) pairs per coil, not T;
 *     and all P interleaves are one NUFFT of S_c c_k over the full trajectory (the samples of
 *     interleaf p are a contiguous block of it, with the very same kernel weights as A_p). So the
 *     forward model costs C K NUFFTs instead of C T, and y_{t,c} = sum_k U(t, k) S_{c,p,k} + n_{t,c}
 *     is a small K-term sum per sample: the same y as the direct model, hence with noise added in
 *     k-space exactly as a scanner would have it (not approximated in image space).</li>
 * <li>The reconstruction is the project's one, {@link GriddingReconstruction} (what {@code mrf
 *     reconstruct} runs on raw data), fed frame by frame with the samples above rounded to float as
 *     a raw-data file stores them ({@link #kSpace} returns them as a {@link RawSeries}). The
 *     interleaves' k is wrapped into the Nyquist box [-N/2, N/2) there: the N x N NUFFT is periodic
 *     in k with period N, so this changes nothing but lets a k_max beyond N/2 (the ideal preset) be
 *     stored as a scanner would.</li>
 * </ol>
 * {@link #acquireDirect} runs the one-coil model literally, {@code b_t = gridding(p).forward(sampling(p).forward(x_t)
 * + n_t)} with the composed operators {@link #sampling} (A_p) and {@link #gridding} (A_p^H D_p), per-pixel
 * EPG, one forward and one adjoint NUFFT per time point; the tests compare the two (2e-3 relative).
 *
 * <h2>k-space coverage</h2>
 * {@code kRadius} is the spiral's k_max in units of N/2. At 1 (default, as on scanners) the spiral
 * covers the disk inscribed in the N x N Nyquist box: the reconstruction is the object low-passed
 * by that disk, and near edges its ringing mixes the fingerprints of neighbouring tissues. That is
 * what biased DM on noise-free data by several percent in homogeneous tissue (docs/ACQUISITION.md,
 * "The noise-free bias"). At sqrt(2) (the {@code ideal} preset) the spiral also covers the box's
 * corners (k-space of a grid-defined image is periodic), so an image on the grid is reconstructed
 * without truncation.
 *
 * <h2>Noise level</h2>
 * {@code snr} is that of a fully sampled (all P interleaves) gridding image: the mean over the
 * brain mask (or all signal pixels when the mask is empty) of the RMS over time of |x_t(r)|,
 * divided by the noise standard deviation of a fully sampled gridding image, which is
 * sigma sqrt(sum_j w_j^2) for k-space noise of standard deviation sigma per complex sample (per
 * coil; the sensitivities are scaled so that their root-sum-of-squares averages 1 over the
 * brain). A single-interleaf image then has about sqrt(P) times more noise, as on a scanner.
 * Infinity: no noise. Noise for time point t comes from a generator seeded by (seed, t), so
 * results do not depend on the thread count.
 */
public final class SliceAcquisition {

    /**
     * Acquisition settings; {@link #defaults()} is the paper's single-coil setting, {@link #ideal()}
     * and {@link #invivo()} are the presets of docs/ACQUISITION.md. {@code gridOversampling} is
     * the grid factor of the forward model's NUFFT (kernel width 6; 2.0, the default, is accurate
     * to ~1e-5 against the direct sum); the reconstruction is {@link GriddingReconstruction}'s,
     * with its own kernel, as for raw data. {@code kRadius}: the
     * spiral's k_max in units of N/2 (see the class comment). {@code coils}: receive coils (1 = a
     * uniform single coil, no combination); {@code coilCorrelation}: noise correlation of
     * neighbouring coils (Psi_cd = rho^{ring distance of c and d}); {@code phaseRad}: amplitude of
     * the smooth spatial phase (0 = none); {@code b1Lo}, {@code b1Hi}: range of the smooth B1+
     * scale of every flip angle (1, 1 = none); {@code motionFov}, {@code motionDeg}: in-plane rigid
     * motion (see {@link Motion}; 0, 0 = none).
     */
    public record Options(double snr, int interleaves, double centreDensity, double sampleSpacing,
                          double epgTolerance, double basisTolerance, double logStep, double gridOversampling, int threads,
                          double kRadius, int coils, double coilCorrelation, double phaseRad, double b1Lo, double b1Hi,
                          double motionFov, double motionDeg) {
        public static Options defaults() {
            return new Options(50, 48, 2.0, 0.5, EpgSimulator.DEFAULT_TOLERANCE, 1e-3, 0.05,
                    NufftOperator.DEFAULT_OVERSAMPLING, Runtime.getRuntime().availableProcessors(), 1, 1, 0, 0, 1, 1, 0, 0);
        }

        /** One coil, B1 = 1, no noise, no phase, and a spiral that covers the whole Nyquist box. */
        public static Options ideal() {
            return defaults().withSnr(Double.POSITIVE_INFINITY).withKRadius(IDEAL_K_RADIUS);
        }

        /**
         * 8 coils with correlated noise, B1+ 0.75-1.25, a smooth phase of RMS {@link #INVIVO_PHASE_RAD}, SNR 50
         * (docs/ACQUISITION.md).
         */
        public static Options invivo() {
            return defaults().withCoils(8, 0.2).withPhase(INVIVO_PHASE_RAD).withB1(0.75, 1.25);
        }

        public Options withSnr(double s) {
            return new Options(s, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    kRadius, coils, coilCorrelation, phaseRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        public Options withThreads(int n) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, n,
                    kRadius, coils, coilCorrelation, phaseRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        public Options withGridOversampling(double o) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, o, threads,
                    kRadius, coils, coilCorrelation, phaseRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        public Options withKRadius(double r) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    r, coils, coilCorrelation, phaseRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        public Options withCoils(int n, double correlation) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    kRadius, n, correlation, phaseRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        public Options withPhase(double amplitudeRad) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    kRadius, coils, coilCorrelation, amplitudeRad, b1Lo, b1Hi, motionFov, motionDeg);
        }

        /** In-plane rigid motion: up to {@code shiftFov} (fraction of the FOV) and {@code deg} degrees (0, 0 = none). */
        public Options withMotion(double shiftFov, double deg) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    kRadius, coils, coilCorrelation, phaseRad, b1Lo, b1Hi, shiftFov, deg);
        }

        public Options withB1(double lo, double hi) {
            return new Options(snr, interleaves, centreDensity, sampleSpacing, epgTolerance, basisTolerance, logStep, gridOversampling, threads,
                    kRadius, coils, coilCorrelation, phaseRad, lo, hi, motionFov, motionDeg);
        }
    }

    /** k_max of the ideal preset in units of N/2: just beyond sqrt(2), so the spiral reaches the box's corners. */
    public static final double IDEAL_K_RADIUS = 1.42;

    /**
     * RMS of the invivo preset's smooth phase: the phase 2 pi df TE of off-resonance df in a shimmed
     * brain at 3 T (RMS about 25 Hz) at the schedule's TE of 2 ms, 0.3 rad.
     */
    public static final double INVIVO_PHASE_RAD = 0.3;

    /** Most receive coils (a 32-channel head array, as in the paper's in-vivo data). */
    public static final int MAX_COILS = 32;

    private final FispSequence sequence;
    private final int matrix;
    private final Options options;
    private final SpiralTrajectory trajectory;
    private final NufftOperator full;
    private final NufftOperator[] interleaf;
    private final LinearOperator[] reconstruction;   // A_p^H D_p
    private final double[] dcf;            // full-trajectory weights w (sum = covered k-space area / N^2)
    private final int perInterleaf;
    private final double[] noiseFactor;    // lower Cholesky factor of the coil noise covariance, C x C row-major
    private final double[][] kyBox, kxBox, weights;   // per interleaf: k wrapped into [-N/2, N/2), D_p
    private final int[] frameInterleaf;
    private volatile Report lastReport;

    /** What the last {@link #acquire} did and how long each phase took (seconds). */
    public record Report(int rank, int nodes, double noiseSigma, double modelSeconds, double forwardSeconds, double gridSeconds) {}

    public SliceAcquisition(FispSequence sequence, int matrix, Options options) {
        if (!(options.snr() > 0)) throw new MrfInputException("acquisition snr " + options.snr() + ": must be > 0 (Infinity for no noise)");
        if (options.threads() < 1) throw new MrfInputException("acquisition threads " + options.threads() + ": must be >= 1");
        if (options.coils() < 1 || options.coils() > MAX_COILS) {
            throw new MrfInputException("acquisition coils " + options.coils() + ": use 1 to " + MAX_COILS);
        }
        if (!(options.coilCorrelation() >= 0 && options.coilCorrelation() < 0.5)) {
            throw new MrfInputException("acquisition coil noise correlation " + options.coilCorrelation()
                    + ": use a value in [0, 0.5) (head arrays: about 0.1 to 0.3)");
        }
        if (!(options.b1Lo() > 0 && options.b1Lo() <= options.b1Hi() && options.b1Hi() < 3)) {
            throw new MrfInputException("acquisition B1+ range " + options.b1Lo() + ":" + options.b1Hi()
                    + ": use 0 < LO <= HI < 3, e.g. 0.75:1.25");
        }
        if (!(options.motionFov() >= 0 && options.motionFov() < 0.25 && options.motionDeg() >= 0 && options.motionDeg() <= 45)) {
            throw new MrfInputException("acquisition motion " + options.motionFov() + " FOV, " + options.motionDeg()
                    + " deg: use a shift in [0, 0.25) FOV and a rotation in [0, 45] degrees");
        }
        if (!(options.kRadius() > 0 && options.kRadius() <= 2)) {
            throw new MrfInputException("acquisition k-space radius " + options.kRadius() + ": use (0, 2] times N/2");
        }
        this.sequence = sequence;
        this.matrix = matrix;
        this.options = options;
        this.trajectory = SpiralTrajectory.variableDensity(matrix, options.interleaves(), options.centreDensity(), options.sampleSpacing(),
                matrix / 2.0 * options.kRadius() * (1 - 1e-6));
        this.full = new NufftOperator(matrix, matrix, trajectory.allKy(), trajectory.allKx(),
                new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, options.gridOversampling()));
        this.dcf = DensityCompensation.spiral(trajectory, full);
        this.perInterleaf = trajectory.samplesPerInterleaf();
        this.interleaf = new NufftOperator[options.interleaves()];
        this.reconstruction = new LinearOperator[options.interleaves()];
        for (int p = 0; p < interleaf.length; p++) {
            interleaf[p] = full.subset(p * perInterleaf, (p + 1) * perInterleaf);
            reconstruction[p] = interleaf[p].adjointOperator().compose(LinearOperator.diagonal(interleafWeights(p), perInterleaf));
        }
        this.noiseFactor = CoilArray.noiseCholesky(options.coils(), options.coilCorrelation());
        this.kyBox = new double[interleaf.length][];
        this.kxBox = new double[interleaf.length][];
        this.weights = new double[interleaf.length][];
        for (int p = 0; p < interleaf.length; p++) {
            kyBox[p] = wrap(trajectory.ky(p), matrix);
            kxBox[p] = wrap(trajectory.kx(p), matrix);
            weights[p] = interleafWeights(p);
        }
        this.frameInterleaf = new int[sequence.length()];
        for (int t = 0; t < frameInterleaf.length; t++) frameInterleaf[t] = t % interleaf.length;
    }

    /** k - N round(k / N): the same sample of a k-space periodic with period N, in [-N/2, N/2). */
    private static double[] wrap(double[] k, int n) {
        double[] out = new double[k.length];
        for (int j = 0; j < k.length; j++) out[j] = k[j] - n * Math.floor(k[j] / n + 0.5);
        return out;
    }

    /** D_p = P w_p: the weights that make one interleaf's gridding image unbiased. */
    private double[] interleafWeights(int p) {
        double[] dp = new double[perInterleaf];
        for (int q = 0; q < perInterleaf; q++) dp[q] = interleaf.length * dcf[p * perInterleaf + q];
        return dp;
    }

    public SpiralTrajectory trajectory() { return trajectory; }
    public FispSequence sequence() { return sequence; }
    public Options options() { return options; }
    public int matrix() { return matrix; }

    /** Standard deviation of the complex k-space noise per sample for these maps at B1+ = 1 (0 for infinite SNR). */
    public double noiseSigma(SubjectMaps maps, FingerprintSubspace model) {
        return noiseSigma(maps, model, null);
    }

    private double noiseSigma(SubjectMaps maps, FingerprintSubspace model, float[] b1) {
        if (Double.isInfinite(options.snr())) return 0;
        double[] c = new double[2 * model.rank()];
        double sum = 0;
        int count = 0;
        boolean useMask = maps.maskCount() > 0;
        for (int i = 0; i < maps.pixels(); i++) {
            if (!maps.hasSignal(i) || (useMask && maps.mask()[i] == 0)) continue;
            model.coefficients(maps.t1Ms()[i], maps.t2Ms()[i], b1 == null ? 1.0 : b1[i], c);
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

    /**
     * The smooth per-pixel fields of one slice on an m x m grid over the FOV, from one seed: the
     * signal phase (rad; RMS {@code phaseRad}, wavelengths 0.5-2 FOV) and the B1+ scale of every flip
     * angle (in [b1Lo, b1Hi]; a unit-variance field with wavelengths 0.6-2 FOV, +-2 standard
     * deviations mapped onto the range and clipped). Null where the option is off.
     */
    public record Fields(double[] phase, float[] b1) {}

    public Fields fields(int m, long seed) {
        java.util.Random r = new java.util.Random(seed ^ 0x5DEECE66DL);
        SmoothRandomField ph = new SmoothRandomField(r, 12, 0.5, 2.0);
        SmoothRandomField b = new SmoothRandomField(r, 12, 0.6, 2.0);
        double[] phase = options.phaseRad() != 0 ? new double[m * m] : null;
        float[] b1 = options.b1Lo() != 1 || options.b1Hi() != 1 ? new float[m * m] : null;
        double mid = (options.b1Lo() + options.b1Hi()) / 2, half = (options.b1Hi() - options.b1Lo()) / 2;
        for (int iy = 0; iy < m; iy++) {
            for (int ix = 0; ix < m; ix++) {
                double y = (iy - m / 2) / (double) m, x = (ix - m / 2) / (double) m;
                int i = iy * m + ix;
                if (phase != null) phase[i] = options.phaseRad() * ph.at(y, x);
                if (b1 != null) b1[i] = (float) (mid + half * Math.max(-1, Math.min(1, b.at(y, x) / 2)));
            }
        }
        return new Fields(phase, b1);
    }

    /** The fast model (see the class comment). {@code seed} draws the noise and the phase / B1+ fields. */
    public ComplexSeries acquire(SubjectMaps maps, long seed) {
        return acquire(maps, seed, null);
    }

    private ComplexSeries acquire(SubjectMaps maps, long seed, RawSeries[] raw) {
        int s = checkMaps(maps);
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            long t0 = System.nanoTime();
            Fields f = fields(maps.height(), seed);
            Motion motion = motion(seed);
            FingerprintSubspace model = model(maps, f, motion, pool);
            modelSeconds = (System.nanoTime() - t0) / 1e9;
            return acquire(maps, s, f, motion, model, seed, pool, raw);
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
        return acquire(maps, checkMaps(maps), fields(maps.height(), noiseSeed), motion(noiseSeed), model, noiseSeed, pool, null);
    }

    /**
     * In-plane rigid motion as a few sudden moves, the pattern seen in MRF scans (Mehta et al., Front
     * Neurosci 2018; Cruz et al., MRM 2019): the head holds the reference pose (the true maps) until
     * frame start[1], then pose 1, and so on; each later pose is a rotation about the FOV centre by up to
     * +-motionDeg and a shift by up to +-motionFov per axis, drawn uniformly. Coils, B1+ and the phase
     * stay with the scanner.
     */
    public record Motion(int[] start, double[][] pose) {
        public static final int MOVES = 3;

        int poseOf(int frame) {
            int j = 0;
            while (j + 1 < start.length && frame >= start[j + 1]) j++;
            return j;
        }
    }

    /** The motion of a slice drawn from {@code seed} (one pose when motion is off). */
    public Motion motion(long seed) {
        if (options.motionFov() == 0 && options.motionDeg() == 0) return new Motion(new int[]{0}, new double[][]{{0, 0, 0}});
        java.util.Random r = new java.util.Random(seed ^ 0x2545F4914F6CDD1DL);
        int t = sequence.length();
        int[] start = new int[Motion.MOVES + 1];
        for (int j = 1; j <= Motion.MOVES; j++) start[j] = 1 + r.nextInt(Math.max(1, t - 1));
        java.util.Arrays.sort(start);
        double[][] pose = new double[Motion.MOVES + 1][];
        pose[0] = new double[]{0, 0, 0};
        for (int j = 1; j <= Motion.MOVES; j++) {
            pose[j] = new double[]{options.motionDeg() * (2 * r.nextDouble() - 1), options.motionFov() * (2 * r.nextDouble() - 1),
                    options.motionFov() * (2 * r.nextDouble() - 1)};
        }
        return new Motion(start, pose);
    }

    /** The maps moved by a pose {deg, dy, dx (FOV)}: pull-back onto the same grid, nearest neighbour. */
    static SubjectMaps moved(SubjectMaps maps, double[] pose) {
        if (pose[0] == 0 && pose[1] == 0 && pose[2] == 0) return maps;
        int m = maps.height();
        double c = Math.cos(Math.toRadians(pose[0])), sn = Math.sin(Math.toRadians(pose[0]));
        return maps.resampled(m, (iy, ix) -> {
            double y = (iy - m / 2) / (double) m - pose[1], x = (ix - m / 2) / (double) m - pose[2];
            double ys = c * y + sn * x, xs = -sn * y + c * x;   // rotation by -deg
            int sy = (int) Math.round(ys * m + m / 2), sx = (int) Math.round(xs * m + m / 2);
            return sy < 0 || sy >= m || sx < 0 || sx >= m ? -1 : sy * m + sx;
        });
    }

    /** All poses' maps stacked vertically with the B1+ map repeated: what the subspace model must cover. */
    private static SubjectMaps[] stack(SubjectMaps[] poses, float[] b1, float[][] b1Out) {
        if (poses.length == 1) {
            b1Out[0] = b1;
            return poses;
        }
        int m = poses[0].height(), n2 = m * m, n = poses.length;
        float[] t1 = new float[n * n2], t2 = new float[n * n2], pd = new float[n * n2];
        byte[] mask = new byte[n * n2], labels = new byte[n * n2];
        float[] b = b1 == null ? null : new float[n * n2];
        for (int j = 0; j < n; j++) {
            System.arraycopy(poses[j].t1Ms(), 0, t1, j * n2, n2);
            System.arraycopy(poses[j].t2Ms(), 0, t2, j * n2, n2);
            System.arraycopy(poses[j].pd(), 0, pd, j * n2, n2);
            if (b != null) System.arraycopy(b1, 0, b, j * n2, n2);
        }
        b1Out[0] = b;
        return new SubjectMaps[]{new SubjectMaps(n * m, m, t1, t2, pd, mask, labels)};
    }

    /** Builds the subspace model for every pose of the slice. */
    private FingerprintSubspace model(SubjectMaps maps, Fields f, Motion motion, ForkJoinPool pool) {
        SubjectMaps[] poses = new SubjectMaps[motion.pose().length];
        for (int j = 0; j < poses.length; j++) poses[j] = moved(maps, motion.pose()[j]);
        float[][] b1 = new float[1][];
        SubjectMaps all = stack(poses, f.b1(), b1)[0];
        return FingerprintSubspace.build(sequence, all, b1[0], options.logStep(), options.basisTolerance(), options.epgTolerance(), pool);
    }

    /** The noise-free k-space of every pose's and coil's coefficient images over the full trajectory, and the noise level. */
    private record Forward(double[][][][] s, Motion motion, double sigma, int rank, double[] basis) {}

    private Forward forward(SubjectMaps maps, int sup, Fields f, Motion motion, FingerprintSubspace model, ForkJoinPool pool) {
        double sigma = noiseSigma(maps, model, f.b1());
        double[][][][] s = new double[motion.pose().length][][][];
        // The coils stay with the scanner: one set of sensitivities, normalised over the reference pose's brain.
        double[][] sens = options.coils() == 1 ? null : CoilArray.sensitivities(options.coils(), maps.height(), maps.mask());
        for (int j = 0; j < s.length; j++) s[j] = forwardPose(moved(maps, motion.pose()[j]), sup, f, sens, model, pool);
        return new Forward(s, motion, sigma, model.rank(), model.basis());
    }

    private double[][][] forwardPose(SubjectMaps maps, int sup, Fields f, double[][] sens, FingerprintSubspace model, ForkJoinPool pool) {
        int m = maps.height(), n2 = m * m, k = model.rank(), coils = options.coils();
        // Coefficient images c_k(r) = PD(r) e^{i phi(r)} c_k(T1(r), T2(r), B1(r)).
        double[][] coefImages = new double[k][2 * n2];
        Pools.run(pool, () -> IntStream.range(0, n2).parallel().forEach(i -> {
            if (!maps.hasSignal(i)) return;
            double[] c = new double[2 * k];
            model.coefficients(maps.t1Ms()[i], maps.t2Ms()[i], f.b1() == null ? 1.0 : f.b1()[i], c);
            double pd = maps.pd()[i] / ((double) sup * sup);
            double cr = pd, ci = 0;
            if (f.phase() != null) {
                cr = pd * Math.cos(f.phase()[i]);
                ci = pd * Math.sin(f.phase()[i]);
            }
            for (int j = 0; j < k; j++) {
                coefImages[j][2 * i] = cr * c[2 * j] - ci * c[2 * j + 1];
                coefImages[j][2 * i + 1] = cr * c[2 * j + 1] + ci * c[2 * j];
            }
        }));
        NufftOperator op = sup == 1 ? full : new NufftOperator(m, m, trajectory.allKy(), trajectory.allKx(),
                new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, options.gridOversampling()));
        // S[c][k] = A (S_c c_k) over the full trajectory: all P interleaves' A_p S_c c_k at once.
        double[][][] s = new double[coils][k][];
        Pools.run(pool, () -> IntStream.range(0, coils * k).parallel().forEach(ck -> {
            int c = ck / k, j = ck % k;
            double[] img = coefImages[j];
            if (sens != null) {
                double[] sc = sens[c];
                img = new double[2 * n2];
                for (int i = 0; i < n2; i++) {
                    double a = coefImages[j][2 * i], b = coefImages[j][2 * i + 1];
                    img[2 * i] = sc[2 * i] * a - sc[2 * i + 1] * b;
                    img[2 * i + 1] = sc[2 * i] * b + sc[2 * i + 1] * a;
                }
            }
            s[c][j] = op.forward(img);
        }));
        return s;
    }

    /** Every coil's samples of time point ti (noise included) into y[c] (2 x samples per interleaf). */
    private void frameSamples(int ti, Forward fw, long noiseSeed, double[][] y) {
        int p = ti % interleaf.length, per = perInterleaf, off = 2 * p * per, k = fw.rank(), coils = y.length;
        double[] basis = fw.basis();
        double[][][] pose = fw.s()[fw.motion().poseOf(ti)];
        for (int c = 0; c < coils; c++) {
            double[] yc = y[c];
            java.util.Arrays.fill(yc, 0);
            for (int j = 0; j < k; j++) {
                double ur = basis[2 * (ti * k + j)], ui = basis[2 * (ti * k + j) + 1];
                double[] sj = pose[c][j];
                for (int q = 0; q < per; q++) {
                    double a = sj[off + 2 * q], b = sj[off + 2 * q + 1];
                    yc[2 * q] += ur * a - ui * b;
                    yc[2 * q + 1] += ur * b + ui * a;
                }
            }
        }
        addNoise(ti, fw.sigma(), noiseSeed, y);
    }

    /** Time point ti's samples per coil, rounded to float as a raw-data file stores them. */
    private float[][] frameSamples(int ti, Forward fw, long noiseSeed) {
        double[][] y = new double[options.coils()][2 * perInterleaf];
        frameSamples(ti, fw, noiseSeed, y);
        float[][] out = new float[y.length][];
        for (int c = 0; c < y.length; c++) {
            out[c] = new float[y[c].length];
            for (int q = 0; q < y[c].length; q++) out[c][q] = (float) y[c][q];
        }
        return out;
    }

    /** Complex Gaussian coil noise with covariance sigma^2 Psi, from a generator seeded by (seed, t). */
    private void addNoise(int ti, double sigma, long noiseSeed, double[][] y) {
        if (!(sigma > 0)) return;
        SplittableRandom rnd = new SplittableRandom(noiseSeed * 0x9E3779B97F4A7C15L + ti);
        double sd = sigma / Math.sqrt(2);   // per real and imaginary part
        int coils = y.length, len = y[0].length;
        if (coils == 1) {
            for (int q = 0; q < len; q++) y[0][q] += sd * rnd.nextGaussian();
            return;
        }
        double[] z = new double[coils];
        for (int q = 0; q < len; q++) {
            for (int d = 0; d < coils; d++) z[d] = sd * rnd.nextGaussian();
            for (int c = 0; c < coils; c++) {
                double v = 0;
                for (int d = 0; d <= c; d++) v += noiseFactor[c * coils + d] * z[d];
                y[c][q] += v;
            }
        }
    }

    private ComplexSeries acquire(SubjectMaps maps, int sup, Fields f, Motion motion, FingerprintSubspace model, long noiseSeed,
                                  ForkJoinPool pool, RawSeries[] raw) {
        long t0 = System.nanoTime();
        int t = sequence.length(), coils = options.coils();
        Forward fw = forward(maps, sup, f, motion, model, pool);
        long t1 = System.nanoTime();
        ComplexSeries out = ComplexSeries.zeros(t, matrix, matrix);
        GriddingReconstruction.FrameSource source = ti -> frameSamples(ti, fw, noiseSeed);
        if (raw != null) {
            raw[0] = new RawSeries(matrix, kyBox, kxBox, weights, frameInterleaf, samples(fw, noiseSeed, pool));
            float[][][] data = raw[0].data();
            source = ti -> data[ti];
        }
        GriddingReconstruction.Options o = GriddingReconstruction.Options.defaults().withThreads(options.threads());
        try {
            GriddingReconstruction.reconstruct(matrix, kyBox, kxBox, weights, frameInterleaf, coils, source, o,
                    (ti, img) -> store(ti, img, out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastReport = new Report(fw.rank(), model.nodes(), fw.sigma(), modelSeconds, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        return out;
    }

    /** Every frame's samples, as {@link #frameSamples} gives them. */
    private float[][][] samples(Forward fw, long noiseSeed, ForkJoinPool pool) {
        float[][][] data = new float[sequence.length()][][];
        Pools.run(pool, () -> IntStream.range(0, data.length).parallel().forEach(ti -> data[ti] = frameSamples(ti, fw, noiseSeed)));
        return data;
    }

    private void store(int ti, float[] img, ComplexSeries out) {
        int base = ti * matrix * matrix;
        for (int i = 0; i < matrix * matrix; i++) {
            out.re()[base + i] = img[2 * i];
            out.im()[base + i] = img[2 * i + 1];
        }
    }

    private void store(int ti, double[] img, ComplexSeries out) {
        int base = ti * matrix * matrix;
        for (int i = 0; i < matrix * matrix; i++) {
            out.re()[base + i] = (float) img[2 * i];
            out.im()[base + i] = (float) img[2 * i + 1];
        }
    }

    /** A slice's image series and the k-space it was reconstructed from. */
    public record Acquired(ComplexSeries series, RawSeries raw) {}

    /**
     * {@link #acquire} that also returns the slice's multi-coil k-space as a scanner would record
     * it (a {@link RawSeries}: per interleaf its trajectory in cycles per FOV, wrapped into the
     * Nyquist box, and the density weights D_p; per frame its interleaf and per coil its samples,
     * noise included). The series is {@link GriddingReconstruction} of exactly that k-space.
     */
    public Acquired acquireWithRaw(SubjectMaps maps, long seed) {
        RawSeries[] raw = new RawSeries[1];
        ComplexSeries series = acquire(maps, seed, raw);
        return new Acquired(series, raw[0]);
    }

    /** The k-space of {@link #acquire} with the same maps and seed (see {@link #acquireWithRaw}), without the images. */
    public RawSeries kSpace(SubjectMaps maps, long seed) {
        int sup = checkMaps(maps);
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            Fields f = fields(maps.height(), seed);
            Motion motion = motion(seed);
            Forward fw = forward(maps, sup, f, motion, model(maps, f, motion, pool), pool);
            return new RawSeries(matrix, kyBox, kxBox, weights, frameInterleaf, samples(fw, seed, pool));
        } finally {
            pool.shutdown();
        }
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
        addNoise(ti, sigma, noiseSeed, new double[][]{y});
        reconstruction[p].forward(y, img);
        store(ti, img, out);
    }

    /**
     * The one-coil model done literally, for tests: exact per-pixel EPG fingerprints, one forward and
     * one adjoint NUFFT per time point, the same noise. Slow (T forward NUFFTs). Truth on the grid,
     * no phase and no B1+ field.
     */
    public ComplexSeries acquireDirect(SubjectMaps maps, long noiseSeed) {
        if (checkMaps(maps) != 1 || options.coils() != 1 || options.phaseRad() != 0 || options.b1Lo() != 1 || options.b1Hi() != 1) {
            throw new IllegalArgumentException("acquireDirect models one coil, no phase, no B1+ field and maps on the matrix");
        }
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            // The noise level must be the same as the fast path's, so it is derived from the same model.
            FingerprintSubspace model = FingerprintSubspace.build(sequence, maps, options.logStep(),
                    options.basisTolerance(), options.epgTolerance(), pool);
            double sigma = noiseSigma(maps, model);
            ComplexSeries truth = trueImages(maps);
            int n2 = matrix * matrix, t = sequence.length();
            ComplexSeries out = ComplexSeries.zeros(t, matrix, matrix);
            Pools.run(pool, () -> IntStream.range(0, t).parallel().forEach(ti -> {
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

    /** The maps' supersampling factor s (maps s N x s N over the same FOV), or an error naming the fix. */
    private int checkMaps(SubjectMaps maps) {
        int h = maps.height();
        if (h != maps.width() || h < matrix || h % matrix != 0) {
            throw new MrfInputException("subject maps are " + maps.height() + " x " + maps.width()
                    + " but the acquisition was set up for " + matrix + " x " + matrix
                    + "; generate the subject at this matrix or at a whole multiple of it (truth on a finer grid)");
        }
        return h / matrix;
    }
}
