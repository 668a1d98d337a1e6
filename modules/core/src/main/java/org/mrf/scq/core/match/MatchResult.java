package org.mrf.scq.core.match;

/**
 * Per-pixel match output, arrays of length pixels.
 *
 * <ul>
 * <li>{@code index}: the matched dictionary entry, argmax_n |<d_n, x>| / ||d_n|| over the first T
 * time points (complex inner product, <d, x> = sum_t conj(d_t) x_t); -1 for an all-zero pixel.</li>
 * <li>{@code t1}, {@code t2}: that entry's relaxation times in ms; 0 for an all-zero pixel.</li>
 * <li>{@code pd}: the proton-density scale |PD| such that x ~ PD * d_raw, where d_raw is the
 * dictionary entry as simulated (M0 = 1, not normalised) over the same T time points and PD is the
 * complex least-squares scale PD = <d_raw, x> / ||d_raw||^2 = <d, x> / ||d_raw|| with d = d_raw /
 * ||d_raw||. So a signal that is exactly c * e^{i phi} * d_raw gets pd = c; pd is in the units of
 * the signal relative to an M0 = 1 simulation (it includes receive gain). 0 for an all-zero pixel.
 * Plain SDM computes the inner products in the subspace (see {@link SubspaceMatcher}); with
 * neighbour refinement (DM's default) index, PD and correlation come from double-precision sums
 * over the first T time points.</li>
 * <li>{@code correlation}: |<d, x>| / (||d|| ||x||) in [0, 1] (SDM: in the subspace, relative to
 * the full-T norm of x); 0 for an all-zero pixel.</li>
 * </ul>
 */
public final class MatchResult {
    public final int[] index;
    public final float[] t1;
    public final float[] t2;
    public final float[] pd;
    public final float[] correlation;

    public MatchResult(int[] index, float[] t1, float[] t2, float[] pd, float[] correlation) {
        this.index = index;
        this.t1 = t1;
        this.t2 = t2;
        this.pd = pd;
        this.correlation = correlation;
    }

    public int pixels() {
        return index.length;
    }

    /** Fraction of pixels whose matched entry equals {@code other}'s. */
    public double agreement(MatchResult other) {
        if (other.pixels() != pixels()) throw new IllegalArgumentException(pixels() + " vs " + other.pixels() + " pixels");
        int same = 0;
        for (int i = 0; i < index.length; i++) if (index[i] == other.index[i]) same++;
        return index.length == 0 ? 1.0 : (double) same / index.length;
    }
}
