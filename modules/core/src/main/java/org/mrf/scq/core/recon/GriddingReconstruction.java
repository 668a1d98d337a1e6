package org.mrf.scq.core.recon;

import org.mrf.scq.core.nufft.DensityCompensation;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.svd.HermitianEigen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Frame-by-frame gridding reconstruction of one slice's multi-coil k-space series: per frame t and
 * coil c the NUFFT adjoint with density compensation, x_{t,c} = A_t^H D_t y_{t,c} (Jackson et al.,
 * IEEE TMI 1991; Pipe and Menon, MRM 1999), then the adaptive coil combination of Walsh et al.
 * (MRM 2000, {@link CoilCombination}) with weights from the time-averaged coil images. This is the
 * reconstruction MRF applies to every time frame (Ma et al., Nature 2013) and the one the simulated
 * cohort's series follows (modules/sim/COHORT-FORMAT.md: series[t] = A_t^H D_t y_t).
 *
 * <p>Optional coil compression (Buehrer et al., MRM 2007; Huang et al., MRI 2008): the data are
 * projected on the K dominant eigenvectors of the coil covariance of all samples before gridding,
 * so K instead of all coils' adjoints are computed per frame, which is where the time goes.
 *
 * <p>The time average needs no extra adjoints per frame: frames that share a trajectory r share
 * A_r and D_r, so sum_t A_t^H D_t y_t = sum_r A_r^H D_r (sum_{t: r} y_t), one adjoint per
 * trajectory and coil.
 *
 * <p>Plain Java: the Spark job runs one slice per task; frames run on {@code threads} threads.
 */
public final class GriddingReconstruction {
    private static final int PIPE_MENON_ITERATIONS = 20;

    /**
     * The gridding kernel of the reconstruction: a 1.25x grid with a width-9 Kaiser-Bessel kernel
     * (Beatty, Nishimura and Pauly, IEEE TMI 2005: a smaller grid needs a wider kernel for the same
     * error). Its adjoint is as accurate as the NUFFT's default width 6 on a 2x grid (about 5e-6
     * against the exact sum, GriddingReconstructionTest), and the FFT per frame and coil, where the
     * time goes, is on a 320^2 instead of a 512^2 grid at N = 256.
     */
    public static final int KERNEL_WIDTH = 9;
    public static final double GRID_OVERSAMPLING = 1.25;

    private GriddingReconstruction() {
    }

    /**
     * @param coilsCompress K virtual coils (0 or at least the coil count: no compression)
     * @param threads       frames reconstructed in parallel
     * @param halfWindow    coil-combination window half width (5 x 5 for 2)
     * @param kernelWidth   NUFFT Kaiser-Bessel kernel width
     * @param oversampling  NUFFT grid oversampling
     */
    public record Options(int coilsCompress, int threads, int halfWindow, int kernelWidth, double oversampling) {
        public Options {
            if (coilsCompress < 0) throw new IllegalArgumentException("coil compression must be >= 0, got " + coilsCompress);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }

        public static Options defaults() {
            return new Options(0, Runtime.getRuntime().availableProcessors(), CoilCombination.DEFAULT_HALF_WINDOW,
                    KERNEL_WIDTH, GRID_OVERSAMPLING);
        }

        public Options withCoilsCompress(int k) { return new Options(k, threads, halfWindow, kernelWidth, oversampling); }
        public Options withThreads(int n) { return new Options(coilsCompress, n, halfWindow, kernelWidth, oversampling); }

        public KaiserBesselKernel kernel() { return new KaiserBesselKernel(kernelWidth, oversampling); }
    }

    /** Receives frame t as interleaved complex N x N (row-major); called from the worker threads. */
    @FunctionalInterface
    public interface FrameSink {
        void accept(int frame, float[] image) throws IOException;
    }

    /**
     * Frame t's samples, per coil interleaved complex (2 x the length of its trajectory). Called
     * from the worker threads, and twice per frame (time average, then the frame itself), so a
     * source that computes frames on the fly must return the same values each time.
     */
    @FunctionalInterface
    public interface FrameSource {
        float[][] frame(int t);
    }

    /** All frames in memory: [t][2 N N]. */
    public static float[][] reconstruct(RawSeries s, Options o) {
        float[][] out = new float[s.frames()][];
        try {
            reconstruct(s, o, (t, img) -> out[t] = img);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static void reconstruct(RawSeries s, Options o, FrameSink sink) throws IOException {
        float[][][] data = s.data();
        reconstruct(s.matrix(), s.ky(), s.kx(), s.weights(), s.frameTrajectory(), s.coils(), t -> data[t], o, sink);
    }

    /**
     * The same reconstruction with the samples streamed from {@code source} (nothing held whole),
     * for a series described as in {@link RawSeries}; the simulator grids its k-space this way.
     * One coil is returned as gridded (no combination). Deterministic: sums run in an order that
     * does not depend on the thread count.
     */
    public static void reconstruct(int n, double[][] ky, double[][] kx, double[][] weights, int[] frameTrajectory, int coils,
                                   FrameSource source, Options o, FrameSink sink) throws IOException {
        KaiserBesselKernel kernel = o.kernel();
        NufftOperator[] ops = new NufftOperator[ky.length];
        for (int r = 0; r < ops.length; r++) ops[r] = new NufftOperator(n, n, ky[r], kx[r], kernel);
        // Pipe-Menon's fixed point is computed on the NUFFT's default 2x grid: the iteration evaluates the kernel's
        // self-convolution through the grid, which a 1.25x grid approximates too coarsely for the weights.
        double[][] w = weights != null ? weights : densityWeights(n, ky, kx,
                new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, NufftOperator.DEFAULT_OVERSAMPLING));
        int frames = frameTrajectory.length;
        int maxSamples = java.util.Arrays.stream(ky).mapToInt(k -> k.length).max().orElse(0);
        int threads = Math.min(o.threads(), frames);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gridding-recon");
            t.setDaemon(true);
            return t;
        });
        try {
            HermitianEigen basis = o.coilsCompress() > 0 && o.coilsCompress() < coils
                    ? coilBasis(source, frames, coils, pool, threads) : null;
            int vc = basis == null ? coils : o.coilsCompress();
            FrameSource src = basis == null ? source : t -> compress(source.frame(t), basis, vc);
            CoilCombination cc = vc == 1 ? null
                    : CoilCombination.fromReference(timeAverage(ops, w, frameTrajectory, src, vc, n, pool, threads), n, n, o.halfWindow());
            parallel(pool, threads, frames, () -> {
                double[][] coilImg = new double[vc][2 * n * n];
                double[] combined = cc == null ? coilImg[0] : new double[2 * n * n];
                double[] yw = new double[2 * maxSamples];
                return t -> {
                    int r = frameTrajectory[t];
                    float[][] y = src.frame(t);
                    for (int c = 0; c < vc; c++) {
                        weigh(y[c], w[r], yw);
                        ops[r].adjoint(yw, coilImg[c]);
                    }
                    if (cc != null) cc.combine(coilImg, combined);
                    float[] img = new float[combined.length];
                    for (int i = 0; i < img.length; i++) img[i] = (float) combined[i];
                    sink.accept(t, img);
                };
            });
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Task {
        void run(int i) throws IOException;
    }

    /** Runs items 0 .. count-1 on at most {@code threads} workers, each with its own task state. */
    private static void parallel(ExecutorService pool, int threads, int count, java.util.function.Supplier<Task> perWorker)
            throws IOException {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> jobs = new ArrayList<>();
        for (int k = 0; k < Math.min(threads, count); k++) {
            jobs.add(pool.submit(() -> {
                Task task = perWorker.get();
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) task.run(i);
                return null;
            }));
        }
        try {
            for (Future<?> f : jobs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reconstruction interrupted", e);
        } catch (ExecutionException e) {
            for (Future<?> f : jobs) f.cancel(true);
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
    }

    private static void weigh(float[] y, double[] w, double[] out) {
        for (int j = 0; j < w.length; j++) {
            out[2 * j] = w[j] * y[2 * j];
            out[2 * j + 1] = w[j] * y[2 * j + 1];
        }
    }

    /** Per coil (1/T) sum_t A_t^H D_t y_{t,c}, by one adjoint per trajectory and coil. */
    static double[][] timeAverage(NufftOperator[] ops, double[][] w, int[] frameTrajectory, float[][][] data, int n) {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return timeAverage(ops, w, frameTrajectory, t -> data[t], data[0].length, n, pool, 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Trajectories whose frame sums are held at once while the time average is formed. */
    private static final int TRAJECTORY_BLOCK = 16;

    private static double[][] timeAverage(NufftOperator[] ops, double[][] w, int[] frameTrajectory, FrameSource source, int coils,
                                          int n, ExecutorService pool, int threads) throws IOException {
        int frames = frameTrajectory.length;
        int[] count = new int[ops.length];
        for (int r : frameTrajectory) count[r]++;
        int[][] framesOf = new int[ops.length][];
        for (int r = 0; r < ops.length; r++) framesOf[r] = new int[count[r]];
        int[] fill = new int[ops.length];
        for (int t = 0; t < frames; t++) framesOf[frameTrajectory[t]][fill[frameTrajectory[t]]++] = t;
        double[][] ref = new double[coils][2 * n * n];
        for (int b0 = 0; b0 < ops.length; b0 += TRAJECTORY_BLOCK) {
            int from = b0, nb = Math.min(TRAJECTORY_BLOCK, ops.length - b0);
            double[][][] sums = new double[nb][][];
            // Per trajectory of the block, the weighted sum of its frames (frames in order: deterministic).
            parallel(pool, threads, nb, () -> i -> {
                int r = from + i;
                if (framesOf[r].length == 0) return;
                double[][] sum = new double[coils][2 * ops[r].samples()];
                for (int t : framesOf[r]) {
                    float[][] y = source.frame(t);
                    for (int c = 0; c < coils; c++) for (int j = 0; j < sum[c].length; j++) sum[c][j] += y[c][j];
                }
                for (double[] s : sum) {
                    for (int j = 0; j < w[r].length; j++) {
                        s[2 * j] *= w[r][j] / frames;
                        s[2 * j + 1] *= w[r][j] / frames;
                    }
                }
                sums[i] = sum;
            });
            // Per coil, the adjoints added in trajectory order.
            parallel(pool, threads, coils, () -> {
                double[] img = new double[2 * n * n];
                return c -> {
                    for (int i = 0; i < nb; i++) {
                        if (sums[i] == null) continue;
                        ops[from + i].adjoint(sums[i][c], img);
                        for (int p = 0; p < img.length; p++) ref[c][p] += img[p];
                    }
                };
            });
        }
        return ref;
    }

    /**
     * Pipe-Menon weights for the union of all trajectories, in absolute units: the weight of a
     * sample is its k-space area element (cycles/FOV squared) over N^2, so that a fully sampled
     * Cartesian grid gets 1 / N^2 and A^H D A is the identity there (the scale of
     * {@link DensityCompensation}). Why this scale: at the Pipe-Menon fixed point sum_i w_i C(k_j - k_i)
     * is the same constant c at every sample, where C is the kernel's self-convolution as the
     * NUFFT's spread and interpolate evaluate it. Area elements a_i give that sum the value u it
     * has for a full Cartesian grid with a_i = 1 (computed here on a small grid), so a_i = w_i u / c,
     * with no assumption on the shape of the covered region.
     */
    public static double[][] densityWeights(int n, double[][] ky, double[][] kx, KaiserBesselKernel kernel) {
        int total = 0;
        for (double[] k : ky) total += k.length;
        double[] uy = new double[total], ux = new double[total];
        int o = 0;
        for (int r = 0; r < ky.length; r++) {
            System.arraycopy(ky[r], 0, uy, o, ky[r].length);
            System.arraycopy(kx[r], 0, ux, o, kx[r].length);
            o += ky[r].length;
        }
        NufftOperator union = new NufftOperator(n, n, uy, ux, kernel);
        double[] w = DensityCompensation.pipeMenon(union, PIPE_MENON_ITERATIONS, (double) n * n);
        double[] wc = new double[2 * total], conv = new double[2 * total];
        for (int j = 0; j < total; j++) wc[2 * j] = w[j];
        double[] grid = new double[2 * union.gridRows() * union.gridCols()];
        union.spread(wc, grid);
        union.interpolate(grid, conv);
        double[] c = new double[total];
        for (int j = 0; j < total; j++) c[j] = conv[2 * j];
        java.util.Arrays.sort(c);
        double level = c[total / 2];
        double scale = cartesianLevel(kernel) / level / ((double) n * n);
        double[][] out = new double[ky.length][];
        o = 0;
        for (int r = 0; r < ky.length; r++) {
            out[r] = new double[ky[r].length];
            for (int j = 0; j < out[r].length; j++) out[r][j] = w[o + j] * scale;
            o += ky[r].length;
        }
        return out;
    }

    /** sum_i C(k_j - k_i) over a full unit-spaced Cartesian grid: the same at every sample by periodicity. */
    private static double cartesianLevel(KaiserBesselKernel kernel) {
        int m = 16;
        double[][] k = NufftOperator.cartesianGrid(m);
        NufftOperator op = new NufftOperator(m, m, k[0], k[1], kernel);
        double[] ones = new double[2 * m * m], conv = new double[2 * m * m];
        for (int j = 0; j < m * m; j++) ones[2 * j] = 1;
        double[] grid = new double[2 * op.gridRows() * op.gridCols()];
        op.spread(ones, grid);
        op.interpolate(grid, conv);
        return conv[0];
    }

    /** Frames whose coil covariances are summed as one partial sum (a fixed order, whatever the threads). */
    private static final int FRAME_BLOCK = 64;

    /**
     * The eigenvectors of the coil covariance sum over all frames and samples of y y^H, dominant
     * first: the basis of coil compression (Buehrer et al., MRM 2007).
     */
    private static HermitianEigen coilBasis(FrameSource source, int frames, int nc, ExecutorService pool, int threads)
            throws IOException {
        int blocks = (frames + FRAME_BLOCK - 1) / FRAME_BLOCK;
        double[][] partRe = new double[blocks][], partIm = new double[blocks][];
        parallel(pool, threads, blocks, () -> blk -> {
            double[] hr = new double[nc * nc], hi = new double[nc * nc];
            for (int t = blk * FRAME_BLOCK; t < Math.min(frames, (blk + 1) * FRAME_BLOCK); t++) {
                float[][] frame = source.frame(t);
                int m = frame[0].length / 2;
                for (int a = 0; a < nc; a++) {
                    float[] ya = frame[a];
                    for (int b = a; b < nc; b++) {
                        float[] yb = frame[b];
                        double re = 0, im = 0;
                        for (int j = 0; j < m; j++) {
                            double ar = ya[2 * j], ai = ya[2 * j + 1], br = yb[2 * j], bi = yb[2 * j + 1];
                            re += ar * br + ai * bi;
                            im += ai * br - ar * bi;
                        }
                        hr[a * nc + b] += re;
                        hi[a * nc + b] += im;
                    }
                }
            }
            partRe[blk] = hr;
            partIm[blk] = hi;
        });
        double[] hr = new double[nc * nc], hi = new double[nc * nc];
        for (int blk = 0; blk < blocks; blk++) {
            for (int i = 0; i < hr.length; i++) {
                hr[i] += partRe[blk][i];
                hi[i] += partIm[blk][i];
            }
        }
        for (int a = 0; a < nc; a++) {
            for (int b = a + 1; b < nc; b++) {
                hr[b * nc + a] = hr[a * nc + b];
                hi[b * nc + a] = -hi[a * nc + b];
            }
        }
        return HermitianEigen.of(hr, hi, nc);
    }

    /** One frame projected on the first k basis vectors: y_v = sum_a conj(U_av) y_a, [k][2 m]. */
    private static float[][] compress(float[][] frame, HermitianEigen e, int k) {
        int nc = frame.length, m = frame[0].length / 2;
        float[][] out = new float[k][];
        double[] acc = new double[2 * m];
        for (int v = 0; v < k; v++) {
            java.util.Arrays.fill(acc, 0);
            for (int a = 0; a < nc; a++) {
                double ur = e.vecRe[a * nc + v], ui = e.vecIm[a * nc + v];
                float[] ya = frame[a];
                for (int j = 0; j < m; j++) {
                    double sr = ya[2 * j], si = ya[2 * j + 1];
                    acc[2 * j] += ur * sr + ui * si;
                    acc[2 * j + 1] += ur * si - ui * sr;
                }
            }
            float[] y = new float[2 * m];
            for (int j = 0; j < y.length; j++) y[j] = (float) acc[j];
            out[v] = y;
        }
        return out;
    }

    /**
     * Projects every sample's coil vector on the K dominant eigenvectors of the coil covariance
     * sum over all frames and samples of y y^H: returns [t][k][2 m] for the K virtual coils.
     */
    public static float[][][] compressCoils(float[][][] data, int k) {
        int nc = data[0].length;
        if (k < 1 || k > nc) throw new IllegalArgumentException("compress to " + k + " of " + nc + " coils");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        HermitianEigen e;
        try {
            e = coilBasis(t -> data[t], data.length, nc, pool, 1);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } finally {
            pool.shutdownNow();
        }
        float[][][] out = new float[data.length][][];
        for (int t = 0; t < data.length; t++) out[t] = compress(data[t], e, k);
        return out;
    }
}
