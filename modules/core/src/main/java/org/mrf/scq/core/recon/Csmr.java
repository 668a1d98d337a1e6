package org.mrf.scq.core.recon;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.nufft.Fft2D;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.core.util.Pools;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * CSMR: compressed-sensing MRF reconstruction by iterative projection onto the dictionary, the iterative baseline of
 * the SCQ paper's Table I (Fang et al., IEEE TMI 2019). The algorithm is BLIP: Davies, Puy, Vandergheynst and
 * Wiaux, "A compressed sensing framework for magnetic resonance fingerprinting", SIAM J Imaging Sci 7(4), 2014:
 * a gradient step on the data consistency ||A x - y||^2 of the whole image series through the multi-coil NUFFT,
 * then each pixel's time course replaced by its best-matching scaled dictionary atom; repeated.
 *
 * <h2>In the dictionary's subspace</h2>
 * The series is written x_t = sum_k V(t, k) c_k with V the rank-K SVD basis of the dictionary (McGivney et al., IEEE
 * TMI 2014); the subspace formulation of such iterations is that of Assländer et al., MRM 2018 and Zhao et al., MRM
 * 2018. Frames that share a readout trajectory r share its operator A_r, so with G_r(k, j) = sum_{t in r}
 * conj(V(t, k)) V(t, j) the gradient needs only K images per trajectory and coil:
 * <pre>
 *   b_k     = sum_c conj(s_c) sum_r A_r^H D_r ( sum_{t in r} conj(V(t, k)) y_{t,c} )      (once)
 *   (M c)_k = sum_c conj(s_c) sum_r A_r^H D_r A_r ( s_c sum_j G_r(k, j) c_j )
 *   g       = M c - b,   mu = ||g||^2 / Re(g^H M g),   c <- P( c - mu g )
 * </pre>
 * where s_c are the coil sensitivities (the unit-norm adaptive-combination weights of the time-averaged coil images,
 * {@link CoilCombination}; the image is then the coil-combined one of {@link GriddingReconstruction}) and D_r the
 * density weights (a preconditioner: M c = b has the same solution for any positive D). P matches each pixel's
 * coefficient vector against the dictionary's atoms projected on the subspace and normalised there, and replaces it
 * by the best atom times its least-squares scale. The step is the exact minimiser of the data term along the gradient
 * (as in normalised iterative hard thresholding, Blumensath and Davies, IEEE J Sel Top Signal Process 2010); a fixed
 * step of 1 / lambda_max(M) stalls near the gridding solution. The first iterate from c = 0 is mu b, a
 * subspace-projected gridding reconstruction.
 *
 * <p>The iteration is not convex: it converges to a fixed point of gradient step and projection, which need not be
 * the global optimum. CsmrTest measures how close it comes on a noise-free phantom.
 *
 * <h2>The normal operator by Toeplitz embedding</h2>
 * A_r^H D_r A_r is a convolution with the point-spread function psf_r(d) = sum_s w_s e^{2 pi i k_s d / N}, d in
 * [-N, N)^2, so on a 2N x 2N grid it is crop(F^-1 (F psf_r . F pad(x))) (Wajer and Pruessmann, ISMRM 2001; Fessler
 * et al., IEEE Trans Signal Process 2005). F being linear, the trajectory sum folds into K x K kernels
 * Q_{kj} = sum_r G_r(k, j) F psf_r, computed once per slice, and
 * <pre>
 *   (M c)_k = sum_c conj(s_c) crop F^-1 ( sum_j Q_{kj} . F pad(s_c c_j) )
 * </pre>
 * takes 2 x coils x K FFTs of 2N x 2N per application instead of 2 x trajectories x coils x K NUFFTs (the subspace
 * form of Tamir et al., MRM 2017, "T2 shuffling"). psf_r comes from the NUFFT adjoint on the 2N grid, so M agrees
 * with the gridded A^H D A to the NUFFT's accuracy (CsmrTest compares the two).
 *
 * <p>Plain Java; one slice per call. Cost per iteration: two normal applications (above), plus pixels x entries x K
 * complex products for the projection; once per slice, K NUFFT adjoints per trajectory and coil for b and one per
 * trajectory for the kernels.
 */
public final class Csmr {
    /**
     * @param rank        K, the dictionary subspace's rank
     * @param iterations  gradient-and-projection iterations
     * @param threads     worker threads
     * @param halfWindow  coil-sensitivity window half width ({@link CoilCombination})
     * @param kernel      NUFFT kernel
     */
    public record Options(int rank, int iterations, int threads, int halfWindow, KaiserBesselKernel kernel) {
        public Options {
            if (rank < 1) throw new MrfInputException("csmr rank " + rank + ": must be >= 1");
            if (iterations < 1) throw new MrfInputException("csmr iterations " + iterations + ": must be >= 1");
            if (threads < 1) throw new MrfInputException("csmr threads " + threads + ": must be >= 1");
        }

        public static Options defaults() {
            return new Options(8, 30, Runtime.getRuntime().availableProcessors(), CoilCombination.DEFAULT_HALF_WINDOW,
                    new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, NufftOperator.DEFAULT_OVERSAMPLING));
        }

        public Options withRank(int k) { return new Options(k, iterations, threads, halfWindow, kernel); }
        public Options withIterations(int n) { return new Options(rank, n, threads, halfWindow, kernel); }
        public Options withThreads(int n) { return new Options(rank, iterations, n, halfWindow, kernel); }
    }

    /**
     * Maps of one slice, row-major N x N: the matched entry (-1 where the image is empty), its T1 and T2 in ms, the
     * proton density in the units of the data relative to an M0 = 1 simulation, and the relative data-consistency
     * residual ||M c - b|| / ||b|| before each projection.
     */
    public record Result(int[] index, float[] t1Ms, float[] t2Ms, float[] pd, double[] residuals) {
    }

    private Csmr() {
    }

    /**
     * Reconstructs the maps of {@code raw} against {@code dict}: the dictionary is truncated to the series' frames,
     * which must not be more than its time points.
     */
    public static Result reconstruct(RawSeries raw, Dictionary dict, Options o) {
        return reconstruct(raw, dict, o, null);
    }

    /**
     * As {@link #reconstruct(RawSeries, Dictionary, Options)}, with known coil sensitivities (per coil interleaved
     * complex N x N, e.g. from a calibration scan) instead of those estimated from the data; null estimates them.
     */
    public static Result reconstruct(RawSeries raw, Dictionary dict, Options o, double[][] sensitivities) {
        int frames = raw.frames();
        if (frames > dict.timepoints()) {
            throw new MrfInputException("csmr: the series has " + frames + " frames but the dictionary only "
                    + dict.timepoints() + " time points; use a dictionary of the same schedule");
        }
        Dictionary d = dict.truncate(frames);
        SvdBasis basis = RandomizedSvd.ofDictionary(d, Math.min(o.rank(), Math.min(frames, d.size())), RandomizedSvd.DEFAULT_OVERSAMPLING,
                RandomizedSvd.DEFAULT_POWER_ITERATIONS, RandomizedSvd.DEFAULT_SEED);
        ForkJoinPool pool = new ForkJoinPool(o.threads());
        try {
            return new Solver(raw, d, basis, o, pool, sensitivities).run();
        } finally {
            pool.shutdown();
        }
    }

    /** The state of one reconstruction: operators, subspace, sensitivities, and the coefficient images. */
    static final class Solver {
        final RawSeries raw;
        final Dictionary dict;
        final Options o;
        final ForkJoinPool pool;
        final int n, n2, k, coils, trajectories;
        final NufftOperator[] ops;
        final double[][] w;
        final double[] vRe, vIm;          // V, frames x K
        final double[][] gRe, gIm;        // G_r, K x K per trajectory
        final int g;                      // 2N: the side of the Toeplitz embedding grid
        final double[][] q;               // Q_{kj} / (2N)^2 at [k K + j], interleaved complex 2N x 2N, wrap-around order
        final int[] imageCols;            // grid columns (and rows) holding image columns (rows), wrap-around
        final double[][] sens;            // per coil, interleaved complex N x N
        final double[][] atoms;           // per entry, interleaved complex K: V^H d / ||V^H d||
        final double[] atomNorm;          // ||V^H d|| of the raw entry (M0 = 1): the proton density's divisor
        final boolean[] object;           // pixels with signal in the time-averaged image

        Solver(RawSeries raw, Dictionary dict, SvdBasis basis, Options o, ForkJoinPool pool, double[][] known) {
            this.raw = raw;
            this.dict = dict;
            this.o = o;
            this.pool = pool;
            this.n = raw.matrix();
            this.n2 = n * n;
            this.k = basis.rank();
            this.coils = raw.coils();
            this.trajectories = raw.trajectories();
            this.ops = new NufftOperator[trajectories];
            for (int r = 0; r < trajectories; r++) ops[r] = new NufftOperator(n, n, raw.ky()[r], raw.kx()[r], o.kernel());
            this.w = raw.weights() != null ? raw.weights() : GriddingReconstruction.densityWeights(n, raw.ky(), raw.kx(), o.kernel());
            int frames = raw.frames();
            float[] fr = basis.vRe(), fi = basis.vIm();
            int kb = basis.rank();
            vRe = new double[frames * k];
            vIm = new double[frames * k];
            for (int t = 0; t < frames; t++) {
                for (int j = 0; j < k; j++) {
                    vRe[t * k + j] = fr[t * kb + j];
                    vIm[t * k + j] = fi[t * kb + j];
                }
            }
            gRe = new double[trajectories][k * k];
            gIm = new double[trajectories][k * k];
            for (int t = 0; t < frames; t++) {
                int r = raw.frameTrajectory()[t];
                for (int a = 0; a < k; a++) {
                    double ar = vRe[t * k + a], ai = -vIm[t * k + a];
                    for (int b = 0; b < k; b++) {
                        double br = vRe[t * k + b], bi = vIm[t * k + b];
                        gRe[r][a * k + b] += ar * br - ai * bi;
                        gIm[r][a * k + b] += ar * bi + ai * br;
                    }
                }
            }
            this.g = 2 * n;
            this.imageCols = new int[n];
            for (int i = 0; i < n; i++) imageCols[i] = Math.floorMod(i - n / 2, g);
            this.q = toeplitzKernels(raw, o);
            double[][] ref = GriddingReconstruction.timeAverage(ops, w, raw.frameTrajectory(), raw.data(), n);
            CoilCombination cc = CoilCombination.fromReference(ref, n, n, o.halfWindow());
            sens = new double[coils][2 * n2];
            if (known != null) {
                if (known.length != coils) {
                    throw new MrfInputException("csmr: " + known.length + " coil sensitivities for " + coils + " coils");
                }
                for (int c = 0; c < coils; c++) System.arraycopy(known[c], 0, sens[c], 0, 2 * n2);
            }
            for (int y = 0; y < n && known == null; y++) {
                for (int x = 0; x < n; x++) {
                    double[] v = cc.weights(y, x);
                    int p = 2 * (y * n + x);
                    for (int c = 0; c < coils; c++) {
                        sens[c][p] = v[2 * c];
                        sens[c][p + 1] = v[2 * c + 1];
                    }
                }
            }
            object = signalMask(cc.combine(ref));
            atoms = new double[dict.size()][];
            atomNorm = new double[dict.size()];
            float[] dr = dict.re(), di = dict.im();
            for (int e = 0; e < dict.size(); e++) {
                double[] a = new double[2 * k];
                for (int t = 0; t < frames; t++) {
                    double xr = dr[e * frames + t], xi = di[e * frames + t];
                    for (int j = 0; j < k; j++) {
                        // conj(V(t, j)) d_t
                        a[2 * j] += vRe[t * k + j] * xr + vIm[t * k + j] * xi;
                        a[2 * j + 1] += vRe[t * k + j] * xi - vIm[t * k + j] * xr;
                    }
                }
                double norm = 0;
                for (double v : a) norm += v * v;
                norm = Math.sqrt(norm);
                atomNorm[e] = norm;
                if (norm > 0) for (int i = 0; i < a.length; i++) a[i] /= norm;
                atoms[e] = a;
            }
        }

        /** Pixels whose time-averaged magnitude is above 5 % of the 99th percentile: the others stay empty. */
        private boolean[] signalMask(double[] image) {
            double[] mag = new double[n2];
            for (int p = 0; p < n2; p++) mag[p] = Math.hypot(image[2 * p], image[2 * p + 1]);
            double[] sorted = mag.clone();
            java.util.Arrays.sort(sorted);
            double level = 0.05 * sorted[(int) Math.min(n2 - 1, Math.floor(0.99 * n2))];
            boolean[] m = new boolean[n2];
            for (int p = 0; p < n2; p++) m[p] = mag[p] > level;
            return m;
        }

        Result run() {
            double[][] b = rightHandSide();
            double bNorm = norm(b);
            double[][] c = new double[k][2 * n2];
            int[] index = new int[n2];
            double[] scaleRe = new double[n2], scaleIm = new double[n2];
            double[] residuals = new double[o.iterations()];
            for (int it = 0; it < o.iterations(); it++) {
                double[][] mc = normal(c);
                double[][] g = new double[k][2 * n2];
                double gg = 0;
                for (int j = 0; j < k; j++) {
                    for (int i = 0; i < 2 * n2; i++) {
                        g[j][i] = mc[j][i] - b[j][i];
                        gg += g[j][i] * g[j][i];
                    }
                }
                residuals[it] = bNorm > 0 ? Math.sqrt(gg) / bNorm : 0;
                if (gg == 0) break;
                // Exact line search along the gradient for the quadratic data term (normalised IHT, Blumensath and
                // Davies, IEEE J Sel Top Signal Process 2010), then the projection.
                double[][] mg = normal(g);
                double gmg = dot(g, mg);
                double mu = gmg > 0 ? gg / gmg : 1;
                for (int j = 0; j < k; j++) for (int i = 0; i < 2 * n2; i++) c[j][i] -= mu * g[j][i];
                project(c, index, scaleRe, scaleIm);
            }
            float[] t1 = new float[n2], t2 = new float[n2], pd = new float[n2];
            for (int p = 0; p < n2; p++) {
                if (index[p] < 0) continue;
                t1[p] = dict.t1(index[p]);
                t2[p] = dict.t2(index[p]);
                pd[p] = (float) (Math.hypot(scaleRe[p], scaleIm[p]) / atomNorm[index[p]]);
            }
            return new Result(index, t1, t2, pd, residuals);
        }

        /** b_k = sum_c conj(s_c) sum_r A_r^H D_r (sum_{t in r} conj(V(t, k)) y_{t,c}). */
        double[][] rightHandSide() {
            int frames = raw.frames();
            return accumulate((r, c, out) -> {
                int m = ops[r].samples();
                double[][] z = new double[k][2 * m];
                boolean any = false;
                for (int t = 0; t < frames; t++) {
                    if (raw.frameTrajectory()[t] != r) continue;
                    any = true;
                    float[] y = raw.data()[t][c];
                    for (int j = 0; j < k; j++) {
                        double ur = vRe[t * k + j], ui = -vIm[t * k + j];
                        double[] zj = z[j];
                        for (int s = 0; s < m; s++) {
                            double yr = y[2 * s], yi = y[2 * s + 1];
                            zj[2 * s] += ur * yr - ui * yi;
                            zj[2 * s + 1] += ur * yi + ui * yr;
                        }
                    }
                }
                if (!any) return;
                double[] img = new double[2 * n2];
                for (int j = 0; j < k; j++) {
                    weigh(z[j], w[r]);
                    ops[r].adjoint(z[j], img);
                    addConjSensTimes(c, img, out[j]);
                }
            });
        }

        /** Trajectories whose point-spread spectra are held at once while the kernels are summed. */
        private static final int TRAJECTORY_BLOCK = 8;

        /** Q_{kj} = sum_r G_r(k, j) F psf_r, scaled by the inverse FFT's 1 / (2N)^2; sums in trajectory order. */
        private double[][] toeplitzKernels(RawSeries raw, Options o) {
            int g2 = g * g;
            double[][] out = new double[k * k][2 * g2];
            for (int r0 = 0; r0 < trajectories; r0 += TRAJECTORY_BLOCK) {
                int from = r0, nb = Math.min(TRAJECTORY_BLOCK, trajectories - r0);
                double[][] spectra = new double[nb][];
                Pools.run(pool, () -> IntStream.range(0, nb).parallel().forEach(i -> {
                    int r = from + i;
                    double[] ky = raw.ky()[r].clone(), kx = raw.kx()[r].clone();
                    // The 2N grid's k unit is cycles per 2N pixels: the same frequencies are twice the numbers.
                    for (int s = 0; s < ky.length; s++) {
                        ky[s] *= 2;
                        kx[s] *= 2;
                    }
                    double[] wc = new double[2 * ky.length];
                    for (int s = 0; s < ky.length; s++) wc[2 * s] = w[r][s];
                    double[] psf = new double[2 * g2];
                    new NufftOperator(g, g, ky, kx, o.kernel()).adjoint(wc, psf);
                    // Pixel (iy, ix) of the adjoint is the offset d = (iy - N, ix - N): to wrap-around order.
                    double[] wrapped = new double[2 * g2];
                    for (int iy = 0; iy < g; iy++) {
                        int row = Math.floorMod(iy - n, g) * g;
                        for (int ix = 0; ix < g; ix++) {
                            int dst = 2 * (row + Math.floorMod(ix - n, g)), src = 2 * (iy * g + ix);
                            wrapped[dst] = psf[src] / g2;
                            wrapped[dst + 1] = psf[src + 1] / g2;
                        }
                    }
                    new Fft2D(g, g).forward(wrapped);
                    spectra[i] = wrapped;
                }));
                Pools.run(pool, () -> IntStream.range(0, k * k).parallel().forEach(kj -> {
                    double[] qq = out[kj];
                    for (int i = 0; i < nb; i++) {
                        double cr = gRe[from + i][kj], ci = gIm[from + i][kj];
                        if (cr == 0 && ci == 0) continue;
                        double[] p = spectra[i];
                        for (int x = 0; x < g2; x++) {
                            qq[2 * x] += cr * p[2 * x] - ci * p[2 * x + 1];
                            qq[2 * x + 1] += cr * p[2 * x + 1] + ci * p[2 * x];
                        }
                    }
                }));
            }
            return out;
        }

        /** (M c)_k = sum_c conj(s_c) sum_r A_r^H D_r A_r (s_c sum_j G_r(k, j) c_j), by the Toeplitz kernels. */
        double[][] normal(double[][] c) {
            int g2 = g * g;
            double[][][] perCoil = new double[coils][][];
            Pools.run(pool, () -> IntStream.range(0, coils).parallel().forEach(coil -> {
                Fft2D fft = new Fft2D(g, g);
                double[] s = sens[coil];
                double[][] z = new double[k][2 * g2];
                for (int j = 0; j < k; j++) {
                    double[] zj = z[j], cj = c[j];
                    for (int y = 0; y < n; y++) {
                        int row = imageCols[y] * g;
                        for (int x = 0; x < n; x++) {
                            int p = 2 * (y * n + x), dst = 2 * (row + imageCols[x]);
                            double sr = s[p], si = s[p + 1], xr = cj[p], xi = cj[p + 1];
                            zj[dst] = sr * xr - si * xi;
                            zj[dst + 1] = sr * xi + si * xr;
                        }
                    }
                    fft.forward(zj, imageCols);
                }
                double[][] out = new double[k][2 * n2];
                double[] acc = new double[2 * g2];
                for (int a = 0; a < k; a++) {
                    java.util.Arrays.fill(acc, 0);
                    for (int j = 0; j < k; j++) {
                        double[] qq = q[a * k + j], zj = z[j];
                        for (int x = 0; x < g2; x++) {
                            double qr = qq[2 * x], qi = qq[2 * x + 1], zr = zj[2 * x], zi = zj[2 * x + 1];
                            acc[2 * x] += qr * zr - qi * zi;
                            acc[2 * x + 1] += qr * zi + qi * zr;
                        }
                    }
                    fft.inverse(acc, imageCols);
                    double[] oa = out[a];
                    for (int y = 0; y < n; y++) {
                        int row = imageCols[y] * g;
                        for (int x = 0; x < n; x++) {
                            int p = 2 * (y * n + x), src = 2 * (row + imageCols[x]);
                            double sr = s[p], si = -s[p + 1], xr = acc[src], xi = acc[src + 1];
                            oa[p] = sr * xr - si * xi;
                            oa[p + 1] = sr * xi + si * xr;
                        }
                    }
                }
                perCoil[coil] = out;
            }));
            double[][] sum = perCoil[0];
            for (int coil = 1; coil < coils; coil++) {
                for (int j = 0; j < k; j++) for (int i = 0; i < 2 * n2; i++) sum[j][i] += perCoil[coil][j][i];
            }
            return sum;
        }

        private interface Term {
            void add(int trajectory, int coil, double[][] out);
        }

        /** Sums a term over (trajectory, coil) pairs on the pool, each task into its own K images, then reduces. */
        private double[][] accumulate(Term term) {
            int tasks = Math.min(o.threads(), trajectories * coils);
            double[][][] partial = new double[tasks][k][2 * n2];
            Pools.run(pool, () -> IntStream.range(0, tasks).parallel().forEach(task -> {
                for (int q = task; q < trajectories * coils; q += tasks) term.add(q / coils, q % coils, partial[task]);
            }));
            double[][] sum = partial[0];
            for (int task = 1; task < tasks; task++) {
                for (int j = 0; j < k; j++) for (int i = 0; i < 2 * n2; i++) sum[j][i] += partial[task][j][i];
            }
            return sum;
        }

        private void addConjSensTimes(int coil, double[] img, double[] out) {
            double[] s = sens[coil];
            for (int p = 0; p < n2; p++) {
                double sr = s[2 * p], si = -s[2 * p + 1];
                double xr = img[2 * p], xi = img[2 * p + 1];
                out[2 * p] += sr * xr - si * xi;
                out[2 * p + 1] += sr * xi + si * xr;
            }
        }

        private static void weigh(double[] z, double[] w) {
            for (int s = 0; s < w.length; s++) {
                z[2 * s] *= w[s];
                z[2 * s + 1] *= w[s];
            }
        }

        private static double dot(double[][] x, double[][] y) {
            double s = 0;
            for (int j = 0; j < x.length; j++) for (int i = 0; i < x[j].length; i++) s += x[j][i] * y[j][i];
            return s;
        }

        private static double norm(double[][] x) {
            double s = 0;
            for (double[] v : x) for (double q : v) s += q * q;
            return Math.sqrt(s);
        }

        /** P: each object pixel's coefficients become the best atom times its least-squares scale; others zero. */
        private void project(double[][] c, int[] index, double[] scaleRe, double[] scaleIm) {
            Pools.run(pool, () -> IntStream.range(0, n2).parallel().forEach(p -> {
                index[p] = -1;
                if (!object[p]) {
                    for (int j = 0; j < k; j++) c[j][2 * p] = c[j][2 * p + 1] = 0;
                    return;
                }
                double best = -1, bestRe = 0, bestIm = 0;
                int arg = -1;
                for (int e = 0; e < atoms.length; e++) {
                    double[] a = atoms[e];
                    double re = 0, im = 0;
                    for (int j = 0; j < k; j++) {
                        double ar = a[2 * j], ai = a[2 * j + 1], xr = c[j][2 * p], xi = c[j][2 * p + 1];
                        re += ar * xr + ai * xi;
                        im += ar * xi - ai * xr;
                    }
                    double mag = re * re + im * im;
                    if (mag > best) {
                        best = mag;
                        arg = e;
                        bestRe = re;
                        bestIm = im;
                    }
                }
                index[p] = arg;
                scaleRe[p] = bestRe;
                scaleIm[p] = bestIm;
                double[] a = atoms[arg];
                for (int j = 0; j < k; j++) {
                    c[j][2 * p] = a[2 * j] * bestRe - a[2 * j + 1] * bestIm;
                    c[j][2 * p + 1] = a[2 * j] * bestIm + a[2 * j + 1] * bestRe;
                }
            }));
        }
    }
}
