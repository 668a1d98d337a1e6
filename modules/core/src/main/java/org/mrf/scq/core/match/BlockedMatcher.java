package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.svd.ComplexMatrix;
import org.mrf.scq.core.util.MrfInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The blocked complex-GEMM argmax shared by DM and SDM. Signals are processed in blocks of
 * {@code pixelBlock} pixels, the (working-space) dictionary in blocks of {@code entryBlock}
 * entries; for each pair the scores S = X conj(E)^T (pixels x entries) come from three real GEMMs
 * (Gauss trick; two when the dictionary is real, as FISP dictionaries with a constant RF phase
 * are), then |S|^2, and ND4J's row-wise argmax / max (contiguous rows: pixels-major scores).
 * The score buffers are allocated once (uninitialised), kept by the matcher between calls (page-
 * faulting 430 MB anew costs about half a second) and reused by every pixel block; {@link #release}
 * frees them. Only the argmax is reduced by ND4J, the winning value is read back per pixel. Calls on
 * one instance are serialised (ND4J already uses all cores for each GEMM).
 * Memory: two float buffers of pixelBlock x entries (2 x 4096 x 13,123 x 4 B = 430 MB for the
 * paper grid), twice that when the last pixel block is partial. Lifted subspace scores (SDM at small
 * rank) skip all of this: {@link LiftedArgmax} scores and reduces them without a score buffer.
 */
abstract class BlockedMatcher implements Matcher {
    static final int DEFAULT_PIXEL_BLOCK = 4096;
    static final int DEFAULT_ENTRY_BLOCK = 16384;

    /** The dictionary in the space where scores are computed, for one T. */
    static final class Prepared {
        final int t;
        /** Row operands of X's projection onto the basis (K x t rows: V^T), or null for DM. */
        final INDArray[] projection;
        /** Per entry block, the row operands of its unit-energy (working-space) rows; none when lifted. */
        final INDArray[][] blocks;
        final int[] blockStart;
        /** PD = sqrt(score) * ||x|| * pdScale[n]. */
        final float[] pdScale;
        /** 0: direct complex scores; 1 / 2: {@link #features} holds the {@link Lift} features of a real / complex dictionary. */
        final int lift;
        /** Row-major (entries x features) {@link Lift} features when lifted, else null. */
        final float[] features;
        /** Working dimension (t for DM, K for SDM). */
        final int k;

        Prepared(int t, INDArray[] projection, INDArray[][] blocks, int[] blockStart, float[] pdScale, int lift, float[] features,
                 int k) {
            this.t = t;
            this.features = features;
            this.projection = projection;
            this.blocks = blocks;
            this.blockStart = blockStart;
            this.pdScale = pdScale;
            this.lift = lift;
            this.k = k;
        }
    }

    protected final float[] t1;
    protected final float[] t2;
    protected final int dictT;
    protected int pixelBlock = DEFAULT_PIXEL_BLOCK;
    protected int entryBlock = DEFAULT_ENTRY_BLOCK;

    private final Dictionary dict;
    private NeighbourRefiner refiner;
    private boolean refinerBuilt;
    private boolean refine;

    BlockedMatcher(Dictionary dict, int dictT, boolean refine) {
        this.dict = dict;
        this.t1 = dict.t1Values();
        this.t2 = dict.t2Values();
        this.dictT = dictT;
        this.refine = refine;
    }

    /**
     * Whether each float GEMM winner is re-scored in double against its (T1, T2) grid neighbours
     * (see {@link NeighbourRefiner}); on by default for DM (it makes DM the exact argmax the float
     * scores approximate), off by default for SDM (then the neighbours are scored over all T time
     * points: "SDM + exact local refinement"). A dictionary without grid structure is never refined.
     */
    public synchronized void setNeighbourRefinement(boolean on) {
        this.refine = on;
    }

    public synchronized boolean neighbourRefinement() {
        return refine && refiner() != null;
    }

    private NeighbourRefiner refiner() {
        if (!refinerBuilt) {
            refiner = NeighbourRefiner.of(dict);
            refinerBuilt = true;
        }
        return refiner;
    }

    /** The working-space dictionary for t time points (t already validated against {@link #timepoints()}). */
    abstract Prepared prepare(int t);

    @Override
    public int entries() {
        return t1.length;
    }

    /**
     * Splits unit-energy working rows (n x k, row-major) into entry blocks of row operands; with
     * {@code allowLift} and few enough features, of {@link Lift} features instead.
     */
    Prepared blocksOf(int t, INDArray[] projection, float[] re, float[] im, int n, int k, float[] pdScale, boolean allowLift) {
        boolean real = true;
        for (float v : im) {
            if (v != 0f) {
                real = false;
                break;
            }
        }
        if (allowLift && Lift.features(k, real) <= Lift.MAX_FEATURES) {
            float[] feat = Lift.entryFeatures(re, im, n, k, real);
            return new Prepared(t, projection, new INDArray[0][], new int[]{0, n}, pdScale, real ? 1 : 2, feat, k);
        }
        int nb = (n + entryBlock - 1) / entryBlock;
        INDArray[][] blocks = new INDArray[nb][];
        int[] start = new int[nb + 1];
        for (int b = 0; b < nb; b++) {
            int e0 = b * entryBlock, e1 = Math.min(n, e0 + entryBlock);
            start[b] = e0;
            float[] r = java.util.Arrays.copyOfRange(re, e0 * k, e1 * k);
            float[] i = java.util.Arrays.copyOfRange(im, e0 * k, e1 * k);
            INDArray er = Nd4j.create(r, new long[]{e1 - e0, k}, 'c');
            blocks[b] = real ? new INDArray[]{er}
                    : ComplexMatrix.rowOperands(new ComplexMatrix(er, Nd4j.create(i, new long[]{e1 - e0, k}, 'c')));
        }
        start[nb] = n;
        return new Prepared(t, projection, blocks, start, pdScale, 0, null, k);
    }

    /** One clear error for a t outside [1, min(maxT, available)]; {@code subspace}: the limit is an SVD basis's T. */
    static void checkT(int t, String input, int available, int maxT, boolean subspace) {
        if (t < 1) {
            throw new MrfInputException(input + ": asked to match t=" + t + " time points; t must be at least 1.");
        }
        if (t > maxT) {
            throw new MrfInputException(input + ": asked to match t=" + t + " time points, but the "
                    + (subspace ? "SVD basis was computed for" : "dictionary has only") + " T="
                    + maxT + "; pass t <= " + maxT + " or build the "
                    + (subspace ? "basis" : "dictionary") + " for the longer schedule.");
        }
        if (available < t) {
            throw new MrfInputException(input + ": the signals hold " + available + " time points but t=" + t
                    + " were asked for; pass t <= " + available + ".");
        }
    }

    static void checkArrays(float[] re, float[] im, String input) {
        if (re == null || im == null) throw new MrfInputException(input + ": real or imaginary part is missing (null).");
        if (re.length != im.length) {
            throw new MrfInputException(input + ": real part has " + re.length + " values but imaginary part "
                    + im.length + "; both must have the same shape.");
        }
    }

    @Override
    public MatchResult match(float[] re, float[] im, int pixels, int t) {
        int tIn = checkPixelMajor(re, im, pixels, t, timepoints(), this instanceof SubspaceMatcher);
        return run(re, im, pixels, t, tIn, false, 0);
    }

    @Override
    public MatchResult matchTimeMajor(float[] re, float[] im, int frames, int height, int width, int t) {
        checkTimeMajor(re, im, frames, height, width, t, timepoints(), this instanceof SubspaceMatcher);
        return run(re, im, height * width, t, frames, true, width);
    }

    /** Validates pixel-major input (see {@link Matcher#match}); returns the time points per pixel. */
    static int checkPixelMajor(float[] re, float[] im, int pixels, int t, int maxT, boolean subspace) {
        String input = "signals (pixel-major)";
        checkArrays(re, im, input);
        if (pixels < 1 || re.length % pixels != 0) {
            throw new MrfInputException(input + ": " + re.length + " values are not a whole number of time points for "
                    + pixels + " pixels; pass the right pixel count.");
        }
        int tIn = re.length / pixels;
        checkT(t, input, tIn, maxT, subspace);
        return tIn;
    }

    /** Validates time-major input (see {@link Matcher#matchTimeMajor}). */
    static void checkTimeMajor(float[] re, float[] im, int frames, int height, int width, int t, int maxT, boolean subspace) {
        String input = "signals (time-major T x H x W)";
        checkArrays(re, im, input);
        if (frames < 1 || height < 1 || width < 1 || (long) frames * height * width != re.length) {
            throw new MrfInputException(input + ": shape (" + frames + ", " + height + ", " + width + ") needs "
                    + ((long) frames * height * width) + " values, got " + re.length + "; pass the array's real shape.");
        }
        checkT(t, input, frames, maxT, subspace);
    }

    /** -Dmrf.match.profile=true prints per-phase seconds of every call to stderr. */
    private static final boolean PROFILE = Boolean.getBoolean("mrf.match.profile");

    private INDArray[][] cachedBuffers;
    private Prepared cachedFor;
    private int cachedRows;

    /** Frees the score buffers kept between calls (they are re-allocated on the next call). */
    @Override
    public synchronized void release() {
        if (cachedBuffers != null) for (INDArray[] pair : cachedBuffers) close(pair);
        cachedBuffers = null;
        cachedFor = null;
    }

    private synchronized MatchResult run(float[] re, float[] im, int pixels, int t, int tIn, boolean timeMajor, int width) {
        Prepared prep = prepare(t);
        boolean realWork = prep.lift == 0 && ComplexMatrix.realOperands(prep.blocks[0]);
        boolean realIn = ComplexMatrix.realOperands(prep.projection != null ? prep.projection : prep.blocks[0]);
        int[] index = new int[pixels];
        float[] r1 = new float[pixels], r2 = new float[pixels], pd = new float[pixels], corr = new float[pixels];
        int pb = Math.min(pixelBlock, pixels);
        float[] a = new float[pb * t], b = new float[pb * t], c = new float[pb * t];
        double[] norm = new double[pb];
        float[] scale = new float[pb];
        float[] best = new float[pb];
        int[] bestIdx = new int[pb];
        if (cachedBuffers == null || cachedFor != prep || cachedRows != pb) {
            release();
            cachedBuffers = scoreBuffers(prep, pb);
            cachedFor = prep;
            cachedRows = pb;
        }
        INDArray[][] full = cachedBuffers, partial = null;
        long tFill = 0, tProj = 0, tScore = 0, tArg = 0, tRefine = 0, tk;
        for (int p0 = 0; p0 < pixels; p0 += pb) {
            int nb = Math.min(pb, pixels - p0);
            tk = System.nanoTime();
            if (timeMajor) {
                final int q0 = p0, n0 = nb;
                parallel(nb, (j0, j1) -> fillTimeMajor(re, im, pixels, t, q0, n0, j0, j1, width, realIn, a, b, c, norm, scale));
            } else {
                final int q0 = p0;
                parallel(nb, (j0, j1) -> fillPixelMajor(re, im, tIn, t, q0, j0, j1, realIn, a, b, c, norm, scale));
            }
            long[] shape = timeMajor ? new long[]{t, nb} : new long[]{nb, t};
            INDArray[] x = new INDArray[realIn ? 2 : 3];
            float[][] parts = {a, b, c};
            for (int q = 0; q < x.length; q++) {
                x[q] = Nd4j.create(nb == pb ? parts[q] : java.util.Arrays.copyOf(parts[q], nb * t), shape, 'c');
            }
            boolean tm = timeMajor;
            float[] g = null;
            tFill += System.nanoTime() - tk;
            tk = System.nanoTime();
            if (prep.projection != null) { // SDM: X -> X conj(V) (nb x K), then the operands of that
                long k = prep.projection[0].rows();
                INDArray pr = Nd4j.create(DataType.FLOAT, nb, k), pi = Nd4j.create(DataType.FLOAT, nb, k);
                ComplexMatrix.conjProduct(x, tm, prep.projection, pr, pi);
                close(x);
                if (prep.lift != 0) {
                    g = Lift.signalFeatures(pr.data().asFloat(), pi.data().asFloat(), nb, (int) k, prep.lift == 1);
                    close(pr, pi);
                    x = new INDArray[0];
                } else {
                    x = realWork ? new INDArray[]{pr, pi} : new INDArray[]{pr, pi.sub(pr), pi.addi(pr)};
                }
                tm = false;
            }
            tProj += System.nanoTime() - tk;
            java.util.Arrays.fill(best, 0, nb, -1f);
            if (g != null) { // |<c, y>|^2 as lifted inner products, scored and reduced in one pass
                tk = System.nanoTime();
                LiftedArgmax.argmax(prep.features, prep.blockStart[1], g.length / nb, g, nb, best, bestIdx);
                tScore += System.nanoTime() - tk;
            }
            if (nb != pb && partial == null) partial = scoreBuffers(prep, nb);
            INDArray[][] buf = nb == pb ? full : partial;
            for (int blk = 0; blk < prep.blocks.length; blk++) {
                INDArray[] e = prep.blocks[blk];
                INDArray sr = buf[blk][0];
                tk = System.nanoTime();
                INDArray si = buf[blk][1];
                ComplexMatrix.conjProduct(x, tm, e, sr, si);
                sr.muli(sr);
                si.muli(si);
                sr.addi(si);
                if (PROFILE) Nd4j.getExecutioner().commit();
                tScore += System.nanoTime() - tk;
                tk = System.nanoTime();
                long[] am = Nd4j.argMax(sr, 1).data().asLong();
                int off = prep.blockStart[blk];
                for (int j = 0; j < nb; j++) {
                    float v = sr.getFloat(j, am[j]);
                    if (v > best[j]) {
                        best[j] = v;
                        bestIdx[j] = off + (int) am[j];
                    }
                }
                tArg += System.nanoTime() - tk;
            }
            close(x);
            for (int j = 0; j < nb; j++) {
                int p = p0 + j;
                if (norm[j] == 0) {
                    index[p] = -1;
                    continue;
                }
                int n = bestIdx[j];
                double s = Math.sqrt(Math.max(0f, best[j]));
                index[p] = n;
                r1[p] = t1[n];
                r2[p] = t2[n];
                corr[p] = (float) Math.min(1.0, s);
                pd[p] = (float) (s * norm[j] * prep.pdScale[n]);
            }
            tk = System.nanoTime();
            NeighbourRefiner ref = refine ? refiner() : null;
            if (ref != null) {
                final int q0 = p0;
                parallel(nb, (j0, j1) -> {
                    double[] xr = new double[t], xi = new double[t], out = new double[3];
                    for (int j = j0; j < j1; j++) {
                        int p = q0 + j;
                        if (norm[j] == 0) continue;
                        for (int s = 0; s < t; s++) {
                            int at = timeMajor ? s * pixels + p : p * tIn + s;
                            xr[s] = re[at];
                            xi[s] = im[at];
                        }
                        ref.refine(xr, xi, t, index[p], out);
                        int n = (int) out[0];
                        double mag = Math.sqrt(out[1]); // |<d, x>| / ||d||
                        index[p] = n;
                        r1[p] = t1[n];
                        r2[p] = t2[n];
                        corr[p] = (float) Math.min(1.0, mag / norm[j]);
                        pd[p] = (float) (mag / Math.sqrt(out[2]));
                    }
                });
            }
            tRefine += System.nanoTime() - tk;
        }
        if (partial != null) for (INDArray[] pair : partial) close(pair);
        if (PROFILE) {
            System.err.printf("match profile %s: fill %.3f s, projection %.3f s, scores %.3f s, argmax %.3f s, refine %.3f s%n",
                    getClass().getSimpleName(), tFill / 1e9, tProj / 1e9, tScore / 1e9, tArg / 1e9, tRefine / 1e9);
        }
        return new MatchResult(index, r1, r2, pd, corr);
    }

    /** Uninitialised (rows x entries-in-block) Re/Im score buffers per entry block. */
    private static INDArray[][] scoreBuffers(Prepared prep, int rows) {
        INDArray[][] b = new INDArray[prep.blocks.length][];
        for (int blk = 0; blk < b.length; blk++) {
            long ne = prep.blocks[blk][0].rows();
            b[blk] = new INDArray[]{Nd4j.createUninitialized(DataType.FLOAT, rows, ne),
                    Nd4j.createUninitialized(DataType.FLOAT, rows, ne)};
        }
        return b;
    }

    static void close(INDArray... arrays) {
        for (INDArray x : arrays) {
            if (x != null && x.closeable()) x.close();
        }
    }

    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in chunks on all cores (the O(pixels x T) copy and validation
     * would otherwise be single-threaded next to multi-threaded GEMMs). On bad input the range is
     * re-run sequentially so the error names the first bad pixel.
     */
    static void parallel(int n, Range body) {
        int chunks = Math.max(1, Math.min(n / 64, 4 * Runtime.getRuntime().availableProcessors()));
        try {
            java.util.stream.IntStream.range(0, chunks).parallel()
                    .forEach(ci -> body.run((int) ((long) ci * n / chunks), (int) ((long) (ci + 1) * n / chunks)));
        } catch (MrfInputException e) {
            body.run(0, n);
            throw e;
        }
    }

    private static MrfInputException notFinite(String where, float r, float i) {
        return new MrfInputException("signals: " + where + " is not finite (re=" + r + ", im=" + i
                + "); mask the pixel or fix the reconstruction (matching needs finite samples).");
    }

    /**
     * x / ||x|| as the operands {@link ComplexMatrix#conjProduct} wants: (xr, xi) if {@code real}, else
     * (xr, xi - xr, xr + xi); rows = pixels; norms over the first t samples.
     */
    static void fillPixelMajor(float[] re, float[] im, int tIn, int t, int p0, int j0, int j1, boolean real, float[] a, float[] b,
                                       float[] c, double[] norm, float[] scale) {
        for (int j = j0; j < j1; j++) {
            int off = (p0 + j) * tIn;
            double e = 0;
            for (int s = 0; s < t; s++) {
                float r = re[off + s], i = im[off + s];
                if (!Float.isFinite(r) || !Float.isFinite(i)) {
                    throw notFinite("pixel " + (p0 + j) + ", time point " + s, r, i);
                }
                e += (double) r * r + (double) i * i;
            }
            norm[j] = Math.sqrt(e);
            float inv = e > 0 ? (float) (1.0 / norm[j]) : 0f;
            int o = j * t;
            if (real) {
                for (int s = 0; s < t; s++) {
                    a[o + s] = re[off + s] * inv;
                    b[o + s] = im[off + s] * inv;
                }
            } else {
                for (int s = 0; s < t; s++) {
                    float r = re[off + s] * inv, i = im[off + s] * inv;
                    a[o + s] = r;
                    b[o + s] = i - r;
                    c[o + s] = r + i;
                }
            }
        }
    }

    /** As {@link #fillPixelMajor} but the block is laid out (t x nb): frame s's pixels are contiguous. */
    static void fillTimeMajor(float[] re, float[] im, int pixels, int t, int p0, int nb, int j0, int j1, int width,
                                      boolean real, float[] a, float[] b, float[] c, double[] norm, float[] scale) {
        java.util.Arrays.fill(norm, j0, j1, 0.0);
        for (int s = 0; s < t; s++) {
            int off = s * pixels + p0;
            for (int j = j0; j < j1; j++) {
                float r = re[off + j], i = im[off + j];
                norm[j] += (double) r * r + (double) i * i;
            }
        }
        for (int j = j0; j < j1; j++) {
            if (!Double.isFinite(norm[j])) { // NaN/Inf somewhere in this pixel's series: find it
                int p = p0 + j;
                for (int s = 0; s < t; s++) {
                    float r = re[s * pixels + p], i = im[s * pixels + p];
                    if (!Float.isFinite(r) || !Float.isFinite(i)) {
                        throw notFinite("pixel " + p + " (row " + (p / width) + ", column " + (p % width) + "), frame " + s, r, i);
                    }
                }
            }
            norm[j] = Math.sqrt(norm[j]);
            scale[j] = norm[j] > 0 ? (float) (1.0 / norm[j]) : 0f;
        }
        for (int s = 0; s < t; s++) {
            int off = s * pixels + p0, o = s * nb;
            if (real) {
                for (int j = j0; j < j1; j++) {
                    a[o + j] = re[off + j] * scale[j];
                    b[o + j] = im[off + j] * scale[j];
                }
            } else {
                for (int j = j0; j < j1; j++) {
                    float r = re[off + j] * scale[j], i = im[off + j] * scale[j];
                    a[o + j] = r;
                    b[o + j] = i - r;
                    c[o + j] = r + i;
                }
            }
        }
    }
}
