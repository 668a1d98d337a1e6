package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.svd.ComplexMatrix;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * DM: the exact argmax over all entries at full length t, computed with subspace pruning.
 * References: D. F. McGivney et al., "SVD compression for magnetic resonance fingerprinting in the
 * time domain", IEEE Trans. Med. Imaging 33(12), 2014 (matching in the dictionary's SVD subspace);
 * S. F. Cauley et al., "Fast group matching for MR fingerprinting reconstruction", Magn. Reson.
 * Med. 74(2), 2015 (exact matching by pruning with inner-product bounds).
 *
 * <p>Every entry d (unit energy over t) is split as d = V c + d_perp with V an orthonormal rank-K
 * basis of the dictionary's leading right singular vectors (t x K), c = V^H d and d_perp orthogonal to
 * V. For a unit-energy signal x with y = V^H x, <d, x> = <c, y> + <d_perp, x - V y>, so by
 * Cauchy-Schwarz |<d, x>| <= |<c, y>| + ||d_perp|| ||x - V y|| with ||x - V y||^2 = 1 - ||y||^2.
 * The subspace scores |<c, y>| of all entries come from one GEMM (K instead of t flops per pair);
 * the entry with the best subspace score is scored exactly (a full-t inner product in double), and
 * every other entry whose upper bound reaches that exact score (less a rounding margin) is scored
 * exactly too. The result is the exact argmax of the double-precision scores: the bound never
 * discards an entry that could win. Ties (equal double scores) go to the lower index.
 *
 * <p>Cost: about 4 * entries * K * pixels flops for the subspace scores (8 for a complex dictionary)
 * plus 4 * t flops per exactly scored entry (about 8 per pixel at t = 2304 and 2 to 3 at t <= 576
 * on the paper grid with 3 % noise; {@link #exactPerPixel()}; docs/MATCHING.md). Setup per t: a
 * randomized range finder on the t-truncated dictionary ({@link #realSubspace}; RandomizedSvd for a
 * complex dictionary) and the residual norms ||d_perp||. PD and correlation are as in {@link MatchResult}, from the exact
 * double-precision inner product. {@link BruteForceMatcher} is the brute-force reference.
 *
 * <p>Memory: the dictionary truncated to the last t used (none extra when t = T; entries x t floats
 * otherwise, twice for a complex dictionary), its K coefficients per entry, and a score buffer of
 * 2 x pixelBlock x entries floats.
 */
public final class DictionaryMatcher implements Matcher {
    /** Subspace rank: on the paper grid the residual norms are about 1e-5 at K = 32 and no smaller at 64. */
    static final int DEFAULT_RANK = 32;
    static final int DEFAULT_PIXEL_BLOCK = 256;
    /** Entries per tile: the pick reads the subspace scores of a pixel only in tiles whose maximum may win. */
    static final int TILE = 32;
    /** Pixels per projection GEMM; score GEMMs then run on pixelBlock of them at a time. */
    private static final int OUTER_BLOCK = 4096;
    /**
     * Rounding allowance on unit-energy subspace scores. y = V^H x is computed in double; the score
     * GEMM rounds c and y to float (2 u relative, u = 6e-8) and sums 2K products in float, at most
     * 2K u sum|c_k y_k| <= 2K u = 3.8e-6 at K = 32 (sum|c_k y_k| <= ||c|| ||y|| <= 1); the float
     * basis and signal add about 1e-7.
     */
    static final double MARGIN = 5e-6;
    /** Floor on ||x - V y||^2: 1 - ||y||^2 of a float-normalised x is off by up to about 1e-7. */
    private static final double RHO2_FLOOR = 1e-6;

    /** -Dmrf.match.profile=true prints per-phase seconds of every call to stderr. */
    private static final boolean PROFILE = Boolean.getBoolean("mrf.match.profile");

    private final Dictionary dict;
    private int pixelBlock = DEFAULT_PIXEL_BLOCK;
    private int entryBlock = BlockedMatcher.DEFAULT_ENTRY_BLOCK;
    private int rank = DEFAULT_RANK;
    private Prepared cached;
    private INDArray[] scores;
    private int scoreRows;
    private final AtomicLong exact = new AtomicLong();
    private long lastPixels;
    private long lastExact;

    public DictionaryMatcher(Dictionary dict) {
        this.dict = dict;
    }

    /** Block sizes (pixels per GEMM block, entries per GEMM block); defaults 256 and 16384. */
    public synchronized DictionaryMatcher withBlocks(int pixels, int entries) {
        if (pixels < 1 || entries < 1) throw new IllegalArgumentException("block sizes must be positive");
        this.pixelBlock = pixels;
        this.entryBlock = entries;
        this.cached = null;
        release();
        return this;
    }

    /** Subspace rank K used for pruning (default 32); the result does not depend on it, only the speed. */
    public synchronized DictionaryMatcher withRank(int k) {
        if (k < 1) throw new IllegalArgumentException("rank must be positive");
        this.rank = k;
        this.cached = null;
        return this;
    }

    /** Exactly scored entries per non-zero pixel in the last call (1 = the subspace winner alone). */
    public synchronized double exactPerPixel() {
        return lastPixels == 0 ? 0 : (double) lastExact / lastPixels;
    }

    /** The rank of the pruning subspace at {@code t} (builds it if needed). */
    public synchronized int rank(int t) {
        return prepare(t).k;
    }

    @Override
    public int timepoints() {
        return dict.timepoints();
    }

    @Override
    public int entries() {
        return dict.size();
    }

    @Override
    public MatchResult match(float[] re, float[] im, int pixels, int t) {
        int tIn = BlockedMatcher.checkPixelMajor(re, im, pixels, t, timepoints(), false);
        return run(re, im, pixels, t, tIn, false, 0);
    }

    @Override
    public MatchResult matchTimeMajor(float[] re, float[] im, int frames, int height, int width, int t) {
        BlockedMatcher.checkTimeMajor(re, im, frames, height, width, t, timepoints(), false);
        return run(re, im, height * width, t, frames, true, width);
    }

    @Override
    public synchronized void release() {
        if (scores != null) BlockedMatcher.close(scores);
        scores = null;
    }

    /** The dictionary at one t: unit-energy rows, their subspace coefficients and residual norms. */
    static final class Prepared {
        final int t;
        final int k;
        final boolean real;
        /** The entries as stored (not normalised), row-major (n x t); im is null for a real dictionary. */
        final float[] re;
        final float[] im;
        /** 1 / ||d_raw|| per entry, in double: exact scores are |<d_raw, x>| / ||d_raw||. */
        final double[] pdScale;
        /** ||d_perp|| per entry, rounded up. */
        final float[] resid;
        final float residMax;
        /** The largest ||d_perp|| of each tile of {@link #TILE} entries. */
        final float[] tileResid;
        /** Row operands of V^T (K x t, double) for {@link ComplexMatrix#conjProduct}. */
        final INDArray[] projection;
        /** Per entry block: coefficient rows, (cr) for a real dictionary, (cr, ci) otherwise. */
        final INDArray[] blocks;
        final int[] blockStart;

        Prepared(int t, int k, boolean real, float[] re, float[] im, double[] pdScale, float[] resid, INDArray[] projection,
                 INDArray[] blocks, int[] blockStart) {
            this.t = t;
            this.k = k;
            this.real = real;
            this.re = re;
            this.im = im;
            this.pdScale = pdScale;
            this.resid = resid;
            float m = 0;
            for (float r : resid) m = Math.max(m, r);
            this.residMax = m;
            this.tileResid = new float[(resid.length + TILE - 1) / TILE];
            for (int e = 0; e < resid.length; e++) tileResid[e / TILE] = Math.max(tileResid[e / TILE], resid[e]);
            this.projection = projection;
            this.blocks = blocks;
            this.blockStart = blockStart;
        }

        int width() {
            return real ? k : 2 * k;
        }
    }

    synchronized Prepared prepare(int t) {
        if (cached != null && cached.t == t) return cached;
        cached = null;
        release();
        Dictionary d = dict.truncate(t);
        int n = d.size();
        float[] rawRe = d.re(), rawIm = d.im();
        double[] pdScale = new double[n];
        boolean real = true;
        for (float v : rawIm) {
            if (v != 0f) {
                real = false;
                break;
            }
        }
        for (int e = 0; e < n; e++) {
            double s = 0;
            for (int x = e * t; x < (e + 1) * t; x++) s += (double) rawRe[x] * rawRe[x] + (double) rawIm[x] * rawIm[x];
            pdScale[e] = s > 0 ? 1.0 / Math.sqrt(s) : 0;
        }
        float[] re = rawRe.clone(), im = rawIm.clone();
        RandomizedSvd.normaliseRows(re, im, n, t);
        int kWanted = Math.min(rank, Math.min(n, t));
        ComplexMatrix v = real ? realSubspace(re, n, t, kWanted, RandomizedSvd.DEFAULT_SEED) // t x K
                : RandomizedSvd.compute(re, im, n, t, kWanted, 8, 1, RandomizedSvd.DEFAULT_SEED).v();
        int k = (int) v.cols();
        ComplexMatrix vd = v.cast(DataType.DOUBLE); // t x K
        v = v.cast(DataType.FLOAT);
        ComplexMatrix vt = new ComplexMatrix(v.re.transpose().dup('c'), v.im.transpose().dup('c'));
        INDArray vtd = vd.re.transpose().dup('c');
        INDArray[] projection = ComplexMatrix.rowOperands(vt);
        INDArray[] projectionD = ComplexMatrix.rowOperands(new ComplexMatrix(vtd, vd.im.transpose().dup('c')));
        boolean realV = ComplexMatrix.realOperands(projection);
        // c = V^H d per entry and ||d - V c||, in entry blocks so that the residual stays small.
        float[] cr = new float[n * k], ci = new float[n * k], resid = new float[n];
        int block = 2048;
        for (int e0 = 0; e0 < n; e0 += block) {
            int e1 = Math.min(n, e0 + block), nb = e1 - e0;
            INDArray dr = Nd4j.create(Arrays.copyOfRange(re, e0 * t, e1 * t), new long[]{nb, t}, 'c');
            INDArray pr = Nd4j.create(DataType.FLOAT, nb, k), pi = Nd4j.create(DataType.FLOAT, nb, k);
            float[] rr, ri;
            if (real && realV) { // in double, two real GEMMs: c = D V, then D - c V^T with c as the float GEMMs will use it
                INDArray dd = dr.castTo(DataType.DOUBLE);
                pr.assign(dd.mmul(vd.re));
                INDArray back = pr.castTo(DataType.DOUBLE).mmul(vtd);
                double[] res = dd.subi(back).data().asDouble();
                for (int j = 0; j < nb; j++) {
                    double s = 0;
                    for (int x = j * t; x < (j + 1) * t; x++) s += res[x] * res[x];
                    resid[e0 + j] = (float) (Math.sqrt(s) * (1 + 1e-6) + 1e-7);
                }
                rr = null;
                ri = null;
                BlockedMatcher.close(dd, back);
            } else {
                INDArray di = Nd4j.create(Arrays.copyOfRange(im, e0 * t, e1 * t), new long[]{nb, t}, 'c');
                INDArray[] ops = realV ? new INDArray[]{dr, di} : new INDArray[]{dr, di.sub(dr), di.add(dr)};
                ComplexMatrix.conjProduct(ops, false, projection, pr, pi);
                ComplexMatrix back = ComplexMatrix.mmul(new ComplexMatrix(pr, pi), false, vt); // V c, as rows (nb x t)
                rr = dr.sub(back.re).data().asFloat();
                ri = di.sub(back.im).data().asFloat();
                if (!realV) BlockedMatcher.close(ops[1], ops[2]);
                BlockedMatcher.close(di, back.re, back.im);
            }
            for (int j = 0; rr != null && j < nb; j++) {
                double s = 0;
                for (int x = j * t; x < (j + 1) * t; x++) s += (double) rr[x] * rr[x] + (double) ri[x] * ri[x];
                resid[e0 + j] = (float) (Math.sqrt(s) * (1 + 1e-6) + 1e-7);
            }
            System.arraycopy(pr.data().asFloat(), 0, cr, e0 * k, nb * k);
            System.arraycopy(pi.data().asFloat(), 0, ci, e0 * k, nb * k);
            BlockedMatcher.close(dr, pr, pi);
        }
        boolean realC = real && realV;
        int w = realC ? k : 2 * k;
        int nbk = (n + entryBlock - 1) / entryBlock;
        INDArray[] blocks = new INDArray[nbk];
        int[] start = new int[nbk + 1];
        for (int b = 0; b < nbk; b++) {
            int e0 = b * entryBlock, e1 = Math.min(n, e0 + entryBlock);
            start[b] = e0;
            float[] f = new float[(e1 - e0) * w];
            for (int e = e0; e < e1; e++) {
                System.arraycopy(cr, e * k, f, (e - e0) * w, k);
                if (!realC) System.arraycopy(ci, e * k, f, (e - e0) * w + k, k);
            }
            blocks[b] = Nd4j.create(f, new long[]{e1 - e0, w}, 'c');
        }
        start[nbk] = n;
        cached = new Prepared(t, k, realC, rawRe, realC ? null : rawIm, pdScale, resid, projectionD, blocks, start);
        return cached;
    }

    /**
     * An orthonormal basis (t x K, float) of the leading right singular subspace of the unit rows D
     * (n x t, real): randomized range finder with one power iteration (Halko, Martinsson and Tropp,
     * SIAM Rev. 2011, algorithms 4.3 and 5.1), orthonormalised in double, columns ordered by the
     * energy of D they hold. In double: float GEMMs would leave the small singular directions
     * blurred by about 1e-7 of the largest, and the residual norms at about 1e-5. Exactness does not
     * depend on how well it captures D, only the pruning rate does; it costs four GEMMs of
     * n x t x (K + 8). Returned in double (t x K).
     */
    static ComplexMatrix realSubspace(float[] re, int n, int t, int k, long seed) {
        int l = Math.min(k + 8, Math.min(n, t));
        INDArray d = Nd4j.create(re, new long[]{n, t}, 'c').castTo(DataType.DOUBLE);
        java.util.Random rnd = new java.util.Random(seed);
        double[] g = new double[n * l];
        for (int i = 0; i < g.length; i++) g[i] = rnd.nextGaussian();
        INDArray y = Nd4j.create(DataType.DOUBLE, t, l);
        Nd4j.gemm(d, Nd4j.create(g, new long[]{n, l}, 'c'), y, true, false, 1.0, 0.0); // D^T G
        double[] q = orthonormalColumns(y.data().asDouble(), t, l);
        int m = q.length / t;
        INDArray z = d.mmul(Nd4j.create(q, new long[]{t, m}, 'c')); // power iteration: D^T (D Q)
        y = Nd4j.create(DataType.DOUBLE, t, m);
        Nd4j.gemm(d, z, y, true, false, 1.0, 0.0);
        q = orthonormalColumns(y.data().asDouble(), t, m);
        m = q.length / t;
        // Order by energy: eigenvectors of (D Q)^T (D Q), largest first.
        INDArray b = d.mmul(Nd4j.create(q, new long[]{t, m}, 'c'));
        double[] gram = b.transpose().mmul(b).dup('c').data().asDouble();
        BlockedMatcher.close(d, z, y, b);
        org.mrf.scq.core.svd.HermitianEigen eig = org.mrf.scq.core.svd.HermitianEigen.of(gram, new double[m * m], m);
        int kk = Math.min(k, m);
        double[] v = new double[t * kk];
        for (int s = 0; s < t; s++) {
            for (int j = 0; j < kk; j++) {
                double acc = 0;
                for (int i = 0; i < m; i++) acc += q[s * m + i] * eig.vecRe[i * m + j];
                v[s * kk + j] = acc;
            }
        }
        v = orthonormalColumns(v, t, kk);
        int kept = v.length / t;
        return new ComplexMatrix(Nd4j.create(v, new long[]{t, kept}, 'c'), Nd4j.create(DataType.DOUBLE, t, kept));
    }

    /**
     * Modified Gram-Schmidt, twice, in double on the columns of a (rows x cols, row-major); drops
     * columns whose remaining norm is below 1e-9 of the largest. Returns rows x kept, row-major.
     */
    private static double[] orthonormalColumns(double[] a, int rows, int cols) {
        double[][] c = new double[cols][rows];
        double top = 0;
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                c[j][r] = a[r * cols + j];
                s += c[j][r] * c[j][r];
            }
            top = Math.max(top, Math.sqrt(s));
        }
        int kept = 0;
        for (int j = 0; j < cols; j++) {
            double[] x = c[j];
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < kept; i++) {
                    double[] e = c[i];
                    double dot = 0;
                    for (int r = 0; r < rows; r++) dot += e[r] * x[r];
                    for (int r = 0; r < rows; r++) x[r] -= dot * e[r];
                }
            }
            double s = 0;
            for (int r = 0; r < rows; r++) s += x[r] * x[r];
            double norm = Math.sqrt(s);
            if (norm <= 1e-9 * top) continue;
            for (int r = 0; r < rows; r++) x[r] /= norm;
            c[kept++] = x;
        }
        double[] out = new double[rows * kept];
        for (int j = 0; j < kept; j++) for (int r = 0; r < rows; r++) out[r * kept + j] = c[j][r];
        return out;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    private synchronized MatchResult run(float[] re, float[] im, int pixels, int t, int tIn, boolean timeMajor, int width) {
        Prepared prep = prepare(t);
        boolean realIn = ComplexMatrix.realOperands(prep.projection);
        int[] index = new int[pixels];
        float[] r1 = new float[pixels], r2 = new float[pixels], pd = new float[pixels], corr = new float[pixels];
        float[] t1 = dict.t1Values(), t2 = dict.t2Values();
        int ob = Math.min(OUTER_BLOCK, pixels), ib = Math.min(pixelBlock, ob), k = prep.k, w = prep.width();
        float[] a = new float[ob * t], b = new float[ob * t], c = realIn ? null : new float[ob * t];
        float[] xr = timeMajor ? new float[ob * t] : null, xi = timeMajor ? new float[ob * t] : null;
        double[] norm = new double[ob], rho = new double[ob];
        float[] scale = new float[ob];
        float[] rows = new float[2 * ib * w];
        float[] tileMax = new float[(dict.size() + TILE - 1) / TILE * ib];
        if (scores == null || scoreRows != 2 * ib) {
            release();
            scores = new INDArray[prep.blocks.length];
            for (int blk = 0; blk < scores.length; blk++) {
                scores[blk] = Nd4j.createUninitialized(DataType.FLOAT, prep.blocks[blk].rows(), 2L * ib);
            }
            scoreRows = 2 * ib;
        }
        exact.set(0);
        long nonZero = 0;
        long tFill = 0, tProj = 0, tScore = 0, tPick = 0, tk;
        for (int p0 = 0; p0 < pixels; p0 += ob) {
            int nb = Math.min(ob, pixels - p0);
            final int q0 = p0;
            tk = System.nanoTime();
            if (timeMajor) {
                BlockedMatcher.parallel(nb, (j0, j1) -> BlockedMatcher.fillTimeMajor(re, im, pixels, t, q0, nb, j0, j1, width, realIn,
                        a, b, c, norm, scale));
                transposeBlock(re, im, pixels, t, q0, nb, xr, xi);
            } else {
                BlockedMatcher.parallel(nb, (j0, j1) -> BlockedMatcher.fillPixelMajor(re, im, tIn, t, q0, j0, j1, realIn,
                        a, b, c, norm, scale));
            }
            tFill += System.nanoTime() - tk;
            tk = System.nanoTime();
            // y = V^H x for the block's unit-energy signals (nb x K), in double (see MARGIN).
            long[] shape = timeMajor ? new long[]{t, nb} : new long[]{nb, t};
            float[][] parts = {a, b, c};
            INDArray[] x = new INDArray[realIn ? 2 : 3];
            for (int q = 0; q < x.length; q++) {
                INDArray f = Nd4j.create(nb == ob ? parts[q] : Arrays.copyOf(parts[q], nb * t), shape, 'c');
                x[q] = f.castTo(DataType.DOUBLE);
                BlockedMatcher.close(f);
            }
            INDArray pr = Nd4j.create(DataType.DOUBLE, nb, k), pi = Nd4j.create(DataType.DOUBLE, nb, k);
            ComplexMatrix.conjProduct(x, timeMajor, prep.projection, pr, pi);
            BlockedMatcher.close(x);
            double[] yr = pr.data().asDouble(), yi = pi.data().asDouble();
            BlockedMatcher.close(pr, pi);
            for (int j = 0; j < nb; j++) {
                double yy = 0;
                for (int q = j * k; q < (j + 1) * k; q++) yy += yr[q] * yr[q] + yi[q] * yi[q];
                rho[j] = Math.sqrt(Math.max(0, 1 - yy) + RHO2_FLOOR);
                if (norm[j] > 0) nonZero++;
            }
            tProj += System.nanoTime() - tk;
            float[] xRe = timeMajor ? xr : re, xIm = timeMajor ? xi : im;
            int stride = timeMajor ? t : tIn, base = timeMajor ? 0 : p0;
            for (int i0 = 0; i0 < nb; i0 += ib) {
                int mb = Math.min(ib, nb - i0);
                tk = System.nanoTime();
                // Rows j and mb + j give Re and Im of <c, y> against the coefficient rows.
                for (int j = 0; j < mb; j++) {
                    int src = (i0 + j) * k, ra = j * w, rb = (mb + j) * w;
                    for (int q = 0; q < k; q++) {
                        float u = (float) yr[src + q], v = (float) yi[src + q];
                        rows[ra + q] = u;
                        rows[rb + q] = v;
                        if (!prep.real) {
                            rows[ra + k + q] = v;
                            rows[rb + k + q] = -u;
                        }
                    }
                }
                INDArray ys = Nd4j.create(mb == ib ? rows : Arrays.copyOf(rows, 2 * mb * w), new long[]{2L * mb, w}, 'c');
                FloatBuffer[] views = new FloatBuffer[prep.blocks.length];
                INDArray[] partial = mb == ib ? null : new INDArray[prep.blocks.length];
                for (int blk = 0; blk < prep.blocks.length; blk++) {
                    INDArray s = mb == ib ? scores[blk] : Nd4j.createUninitialized(DataType.FLOAT, prep.blocks[blk].rows(), 2L * mb);
                    if (partial != null) partial[blk] = s;
                    Nd4j.gemm(prep.blocks[blk], ys, s, false, true, 1.0, 0.0); // entries x (Re of mb pixels, Im of mb pixels)
                    views[blk] = s.data().asNioFloat();
                }
                BlockedMatcher.close(ys);
                if (PROFILE) Nd4j.getExecutioner().commit();
                tScore += System.nanoTime() - tk;
                tk = System.nanoTime();
                tileMaxima(prep, views, mb, tileMax);
                final int s0 = i0;
                BlockedMatcher.parallel(mb, (j0, j1) -> {
                    Scratch sc = new Scratch();
                    long count = 0;
                    for (int j = j0; j < j1; j++) {
                        int jj = s0 + j, p = q0 + jj;
                        if (norm[jj] == 0) {
                            index[p] = -1;
                            continue;
                        }
                        int n = pick(prep, views, tileMax, j, mb, rho[jj], xRe, xIm, (base + jj) * stride, 1.0 / norm[jj], sc);
                        count += sc.scored;
                        index[p] = n;
                        r1[p] = t1[n];
                        r2[p] = t2[n];
                        corr[p] = (float) Math.min(1.0, sc.best);
                        pd[p] = (float) (sc.best * norm[jj] * prep.pdScale[n]);
                    }
                    exact.addAndGet(count);
                });
                if (partial != null) BlockedMatcher.close(partial);
                tPick += System.nanoTime() - tk;
            }
        }
        if (PROFILE) {
            System.err.printf("match profile DictionaryMatcher t=%d: fill %.3f s, projection %.3f s, subspace scores %.3f s, "
                    + "pick %.3f s, exact per pixel %.2f%n", t, tFill / 1e9, tProj / 1e9, tScore / 1e9, tPick / 1e9,
                    (double) exact.get() / Math.max(1, nonZero));
        }
        lastPixels = nonZero;
        lastExact = exact.get();
        return new MatchResult(index, r1, r2, pd, corr);
    }

    /** What {@link #pick} leaves for its caller. */
    private static final class Scratch {
        double best;
        int scored;
    }

    /**
     * Per tile of {@link #TILE} entries and pixel of the score block, the largest squared subspace score
     * |<c, y>|^2 (float, as {@link #pick} computes it): tileMax[tile * mb + j]. One pass over the scores,
     * in plain loops over the block's pixels that the JIT vectorises.
     */
    private static void tileMaxima(Prepared prep, FloatBuffer[] views, int mb, float[] tileMax) {
        int tiles = (prep.blockStart[views.length] + TILE - 1) / TILE;
        IntStream.range(0, tiles).parallel().forEach(tile -> {
            float[] u = new float[mb], q = new float[mb], m = new float[mb];
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            int e1 = Math.min(prep.blockStart[views.length], (tile + 1) * TILE);
            for (int e = tile * TILE; e < e1; e++) {
                int blk = block(prep, e), row = (e - prep.blockStart[blk]) * 2 * mb;
                views[blk].get(row, u, 0, mb);
                views[blk].get(row + mb, q, 0, mb);
                squaresMax(u, q, m, mb);
            }
            System.arraycopy(m, 0, tileMax, tile * mb, mb);
        });
    }

    private static void squaresMax(float[] u, float[] q, float[] m, int mb) {
        for (int j = 0; j < mb; j++) m[j] = Math.max(m[j], u[j] * u[j] + q[j] * q[j]);
    }

    private static int block(Prepared prep, int e) {
        int b = 0;
        while (prep.blockStart[b + 1] <= e) b++;
        return b;
    }

    /** |<c, y>|^2 of entry e and pixel j of the score block, bit-identical to {@link #squaresMax}'s. */
    private static float subspaceScore(Prepared prep, FloatBuffer[] views, int e, int j, int mb) {
        int blk = block(prep, e), row = (e - prep.blockStart[blk]) * 2 * mb;
        float u = views[blk].get(row + j), q = views[blk].get(row + mb + j);
        return u * u + q * q;
    }

    /**
     * The exact winner of pixel j of the score block (column j of the Re rows, mb + j of the Im rows
     * of each view); x is at {@code xRe[off ...]}, t raw samples, and 1 / ||x|| is {@code inv}. Leaves
     * |<d, x>| / ||x|| of the winner and the number of entries scored exactly in {@code sc}. The tile
     * maxima find the entry with the best subspace score and skip every tile none of whose entries
     * can pass the candidate test, so only a few tiles are read entry by entry.
     */
    private static int pick(Prepared prep, FloatBuffer[] views, float[] tileMax, int j, int mb, double rho, float[] xRe,
                            float[] xIm, int off, double inv, Scratch sc) {
        int n = prep.blockStart[views.length], tiles = (n + TILE - 1) / TILE;
        int topTile = LiftedArgmax.topTile(tileMax, tiles, mb, j);
        float top = tileMax[topTile * mb + j];
        int bestN = topTile * TILE;
        while (subspaceScore(prep, views, bestN, j, mb) != top) bestN++;
        double best = exactScore(prep, bestN, xRe, xIm, off) * prep.pdScale[bestN] * inv;
        int scored = 1;
        // Entries with s + ||d_perp|| rho >= best - MARGIN may win; s >= best - MARGIN - max||d_perp|| rho first.
        double floor = best - MARGIN - prep.residMax * rho;
        float floor2 = floor > 0 ? (float) (floor * floor * (1 - 1e-6)) : 0f;
        int first = bestN;
        for (int tile = 0; tile < tiles; tile++) {
            float tm = tileMax[tile * mb + j];
            if (tm < floor2 || Math.sqrt(tm) + prep.tileResid[tile] * rho < best - MARGIN) continue;
            int e1 = Math.min(n, (tile + 1) * TILE);
            for (int e = tile * TILE; e < e1; e++) {
                float s2 = subspaceScore(prep, views, e, j, mb);
                if (s2 < floor2 || e == first || Math.sqrt(s2) + prep.resid[e] * rho < best - MARGIN) continue;
                double s = exactScore(prep, e, xRe, xIm, off) * prep.pdScale[e] * inv;
                scored++;
                if (s > best || (s == best && e < bestN)) {
                    best = s;
                    bestN = e;
                }
            }
        }
        sc.best = best;
        sc.scored = scored;
        return bestN;
    }

    /** |<d_raw,n, x>| in double over t samples. */
    private static double exactScore(Prepared prep, int n, float[] xRe, float[] xIm, int off) {
        int t = prep.t, o = n * t;
        float[] dr = prep.re;
        double sr0 = 0, si0 = 0, sr1 = 0, si1 = 0;
        if (prep.im == null) {
            int s = 0;
            for (; s + 1 < t; s += 2) {
                double d0 = dr[o + s], d1 = dr[o + s + 1];
                sr0 += d0 * xRe[off + s];
                si0 += d0 * xIm[off + s];
                sr1 += d1 * xRe[off + s + 1];
                si1 += d1 * xIm[off + s + 1];
            }
            for (; s < t; s++) {
                sr0 += (double) dr[o + s] * xRe[off + s];
                si0 += (double) dr[o + s] * xIm[off + s];
            }
        } else {
            float[] di = prep.im;
            for (int s = 0; s < t; s++) {
                double ar = dr[o + s], ai = di[o + s], br = xRe[off + s], bi = xIm[off + s];
                sr0 += ar * br + ai * bi;
                si0 += ar * bi - ai * br;
            }
        }
        double sr = sr0 + sr1, si = si0 + si1;
        return Math.sqrt(sr * sr + si * si);
    }

    /** Raw samples of pixels [p0, p0 + nb) of a (t, pixels) series, as rows of t (nb x t). */
    private static void transposeBlock(float[] re, float[] im, int pixels, int t, int p0, int nb, float[] xr, float[] xi) {
        int tile = 64;
        IntStream.range(0, (t + tile - 1) / tile).parallel().forEach(ti -> {
            int s0 = ti * tile, s1 = Math.min(t, s0 + tile);
            for (int j0 = 0; j0 < nb; j0 += tile) {
                int j1 = Math.min(nb, j0 + tile);
                for (int s = s0; s < s1; s++) {
                    int src = s * pixels + p0;
                    for (int j = j0; j < j1; j++) {
                        xr[j * t + s] = re[src + j];
                        xi[j * t + s] = im[src + j];
                    }
                }
            }
        });
    }
}
