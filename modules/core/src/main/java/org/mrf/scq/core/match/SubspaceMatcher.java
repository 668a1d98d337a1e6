package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.svd.ComplexMatrix;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SDM (McGivney et al. 2014): matching in the rank-K subspace of the dictionary's SVD basis V
 * (T x K). Entries are normalised to unit energy over T, projected (c_n = V^H d_n) and the
 * projections renormalised to unit energy, so a noiseless entry still matches itself exactly;
 * signals are normalised over T and projected (V^H x, one blocked GEMM). The match is
 * argmax_n |<c_n, V^H x>| / ||c_n||, computed for small K through the quadratic lifting of
 * {@link Lift} (K(K+1)/2 features for a real dictionary), scored and reduced to the arg-max in one
 * pass by {@link LiftedArgmax}; PD = <c_n, V^H x> / (||c_n|| ||d_raw,n||), which equals the DM
 * value for signals inside the subspace. Works only at the basis's T (signals may hold more time
 * points; the first T are used). Cost about 6 (real subspace dictionary: 4) * entries * K * pixels
 * flops plus the projection.
 */
public final class SubspaceMatcher extends BlockedMatcher {
    private final SvdBasis basis;
    private final Prepared prepared;

    /** Uses the first {@code rank} vectors of the basis; lifted scores when they are small enough. */
    public SubspaceMatcher(Dictionary dict, SvdBasis basis, int rank) {
        this(dict, basis, rank, DEFAULT_PIXEL_BLOCK, DEFAULT_ENTRY_BLOCK, true);
    }

    /**
     * @param lift allow the quadratic lifting of {@link Lift} (one GEMM of K(K+1)/2 real features,
     *             K^2 for a complex dictionary, instead of two or three GEMMs plus elementwise
     *             passes over the score matrix); used only while the features number at most 256
     */
    public SubspaceMatcher(Dictionary dict, SvdBasis basis, int rank, int pixelBlock, int entryBlock, boolean lift) {
        super(dict, basis.timepoints(), false);
        if (dict.timepoints() < basis.timepoints()) {
            throw new MrfInputException("SDM: the SVD basis has T=" + basis.timepoints() + " but the dictionary only T="
                    + dict.timepoints() + "; compute the basis from this dictionary (truncated to the T you match at).");
        }
        if (rank < 1 || rank > basis.rank()) {
            throw new MrfInputException("SDM: rank " + rank + " is outside 1.." + basis.rank()
                    + " (the vectors the SVD basis holds); choose a smaller rank or recompute the basis.");
        }
        if (pixelBlock < 1 || entryBlock < 1) throw new IllegalArgumentException("block sizes must be positive");
        this.pixelBlock = pixelBlock;
        this.entryBlock = entryBlock;
        this.basis = basis.truncate(rank);
        this.prepared = build(dict.truncate(basis.timepoints()), lift);
    }

    /** The smallest rank reaching {@code energy} (e.g. 0.9999). */
    public static SubspaceMatcher forEnergy(Dictionary dict, SvdBasis basis, double energy) {
        return new SubspaceMatcher(dict, basis, basis.rankForEnergy(energy));
    }

    public int rank() {
        return basis.rank();
    }

    @Override
    public int timepoints() {
        return dictT;
    }

    @Override
    Prepared prepare(int t) {
        if (t != dictT) {
            throw new MrfInputException("SDM: the SVD basis was computed for T=" + dictT + " time points but t=" + t
                    + " were asked for; match at t=" + dictT + " or compute a basis from the dictionary truncated to "
                    + t + ".");
        }
        return prepared;
    }

    /** Whether scores are computed from lifted features (see {@link Lift}). */
    public boolean lifted() {
        return prepared.lift != 0;
    }

    private Prepared build(Dictionary d, boolean lift) {
        int n = d.size(), t = d.timepoints(), k = basis.rank();
        ComplexMatrix v = basis.v(); // T x K
        INDArray[] proj = ComplexMatrix.rowOperands(new ComplexMatrix(v.re.transpose().dup('c'), v.im.transpose().dup('c')));
        boolean realIn = ComplexMatrix.realOperands(proj);
        float[] pre = new float[n * k], pim = new float[n * k];
        float[] pdScale = new float[n];
        int block = 4096;
        for (int e0 = 0; e0 < n; e0 += block) {
            int e1 = Math.min(n, e0 + block), nb = e1 - e0;
            float[] a = new float[nb * t], b = new float[nb * t], c = new float[nb * t];
            float[] rawNorm = new float[nb];
            for (int j = 0; j < nb; j++) {
                int off = (e0 + j) * t;
                double s = 0;
                for (int x = 0; x < t; x++) s += (double) d.re()[off + x] * d.re()[off + x] + (double) d.im()[off + x] * d.im()[off + x];
                rawNorm[j] = (float) Math.sqrt(s);
                float inv = s > 0 ? (float) (1.0 / Math.sqrt(s)) : 0f;
                for (int x = 0; x < t; x++) {
                    float r = d.re()[off + x] * inv, i = d.im()[off + x] * inv;
                    a[j * t + x] = r;
                    b[j * t + x] = realIn ? i : i - r;
                    c[j * t + x] = r + i;
                }
            }
            INDArray pr = Nd4j.create(DataType.FLOAT, nb, k), pi = Nd4j.create(DataType.FLOAT, nb, k);
            INDArray[] ops = {Nd4j.create(a, new long[]{nb, t}, 'c'), Nd4j.create(b, new long[]{nb, t}, 'c'),
                    Nd4j.create(c, new long[]{nb, t}, 'c')};
            ComplexMatrix.conjProduct(realIn ? new INDArray[]{ops[0], ops[1]} : ops, false, proj, pr, pi);
            float[] r = pr.data().asFloat(), i = pi.data().asFloat();
            for (int j = 0; j < nb; j++) {
                double s = 0;
                for (int x = j * k; x < (j + 1) * k; x++) s += (double) r[x] * r[x] + (double) i[x] * i[x];
                double pn = Math.sqrt(s);
                float inv = pn > 0 ? (float) (1.0 / pn) : 0f;
                for (int x = j * k; x < (j + 1) * k; x++) {
                    r[x] *= inv;
                    i[x] *= inv;
                }
                pdScale[e0 + j] = pn > 0 && rawNorm[j] > 0 ? (float) (1.0 / (pn * rawNorm[j])) : 0f;
            }
            System.arraycopy(r, 0, pre, e0 * k, nb * k);
            System.arraycopy(i, 0, pim, e0 * k, nb * k);
        }
        return blocksOf(t, proj, pre, pim, n, k, pdScale, lift);
    }
}
