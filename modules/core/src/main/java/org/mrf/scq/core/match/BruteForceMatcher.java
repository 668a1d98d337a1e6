package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;

/**
 * Brute-force DM, the reference that {@link DictionaryMatcher} (exact DM with subspace pruning) is
 * tested against: matching over all entries at full length T. Every entry d_raw (first t time
 * points) is normalised to unit energy, every signal x too; the match is argmax_n |<d_n, x>| and
 * PD = <d_n, x> / ||d_raw,n|| (magnitude reported; see {@link MatchResult}). Cost about
 * 6 * entries * t * pixels flops (three real GEMMs per block, Gauss trick; 4 * ... and two GEMMs
 * for a real dictionary), blocked so that
 * memory stays bounded. Each float winner is then re-scored in double against its (T1, T2) grid
 * neighbours ({@link #setNeighbourRefinement}, on by default): float score rounding (~1e-6) is
 * larger than the best/second-best gap of about half the noisy pixels on the paper grid, and the
 * refinement makes the result the exact argmax there. The normalised dictionary for the last t used is cached (3 floats per
 * sample: 90 MB for the paper grid at t = 576).
 */
public final class BruteForceMatcher extends BlockedMatcher {
    private final Dictionary dict;
    private Prepared cached;

    public BruteForceMatcher(Dictionary dict) {
        super(dict, dict.timepoints(), true);
        this.dict = dict;
    }

    /** Block sizes (pixels per GEMM block, entries per GEMM block); defaults 4096 and 16384. */
    public BruteForceMatcher withBlocks(int pixels, int entries) {
        if (pixels < 1 || entries < 1) throw new IllegalArgumentException("block sizes must be positive");
        this.pixelBlock = pixels;
        this.entryBlock = entries;
        this.cached = null;
        return this;
    }

    @Override
    public int timepoints() {
        return dictT;
    }

    @Override
    synchronized Prepared prepare(int t) {
        if (cached != null && cached.t == t) return cached;
        Dictionary d = dict.truncate(t);
        int n = d.size();
        float[] re = d.re().clone(), im = d.im().clone();
        float[] pdScale = new float[n];
        for (int e = 0; e < n; e++) {
            double s = 0;
            for (int x = e * t; x < (e + 1) * t; x++) s += (double) re[x] * re[x] + (double) im[x] * im[x];
            double norm = Math.sqrt(s);
            pdScale[e] = norm > 0 ? (float) (1.0 / norm) : 0f;
            for (int x = e * t; x < (e + 1) * t; x++) {
                re[x] *= pdScale[e];
                im[x] *= pdScale[e];
            }
        }
        cached = blocksOf(t, null, re, im, n, t, pdScale, false);
        return cached;
    }
}
