package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;

import java.util.Arrays;

/**
 * Double-precision re-scoring of a match against its (T1, T2) grid neighbours, by hill climbing:
 * the float GEMM argmax is exact up to float rounding of the scores (about 1e-6 relative), while
 * on the paper grid the best and second-best entries of half the noisy pixels differ by less than
 * 1e-5; re-scoring the winner and its 8 grid neighbours with double sums (and moving to the best,
 * at most {@link #MAX_STEPS} times) returns the exact argmax whenever it lies in that
 * neighbourhood. Costs about 9 * 4 * T flops per pixel.
 *
 * <p>The grid is the set of distinct T1 values times the distinct T2 values of the entries; a
 * dictionary whose entries do not form such a grid (more than 64 cells per entry) is not refined.
 */
final class NeighbourRefiner {
    static final int MAX_STEPS = 4;

    private final Dictionary dict;
    private final int[][] neighbours;

    private NeighbourRefiner(Dictionary dict, int[][] neighbours) {
        this.dict = dict;
        this.neighbours = neighbours;
    }

    /** Null when the entries form no usable (T1, T2) grid. */
    static NeighbourRefiner of(Dictionary dict) {
        int n = dict.size();
        float[] u1 = unique(dict.t1Values()), u2 = unique(dict.t2Values());
        long cells = (long) u1.length * u2.length;
        if (cells > 64L * n + 1024) return null;
        int[] grid = new int[(int) cells];
        Arrays.fill(grid, -1);
        int[] i1 = new int[n], i2 = new int[n];
        for (int e = 0; e < n; e++) {
            i1[e] = Arrays.binarySearch(u1, dict.t1(e));
            i2[e] = Arrays.binarySearch(u2, dict.t2(e));
            int cell = i1[e] * u2.length + i2[e];
            if (grid[cell] < 0) grid[cell] = e;
        }
        int[][] nb = new int[n][];
        int[] tmp = new int[8];
        for (int e = 0; e < n; e++) {
            int k = 0;
            for (int a = -1; a <= 1; a++) {
                for (int b = -1; b <= 1; b++) {
                    int x = i1[e] + a, y = i2[e] + b;
                    if ((a == 0 && b == 0) || x < 0 || y < 0 || x >= u1.length || y >= u2.length) continue;
                    int g = grid[x * u2.length + y];
                    if (g >= 0 && g != e) tmp[k++] = g;
                }
            }
            nb[e] = Arrays.copyOf(tmp, k);
        }
        return new NeighbourRefiner(dict, nb);
    }

    private static float[] unique(float[] v) {
        float[] s = v.clone();
        Arrays.sort(s);
        int k = 0;
        for (int i = 0; i < s.length; i++) if (i == 0 || s[i] != s[k - 1]) s[k++] = s[i];
        return Arrays.copyOf(s, k);
    }

    /**
     * Refines one pixel. {@code xr}/{@code xi} hold its first t samples (raw); {@code start} is the
     * float winner. Writes {entry, |<d,x>|^2 / ||d||^2, ||d||^2} of the best entry found into out.
     */
    void refine(double[] xr, double[] xi, int t, int start, double[] out) {
        int stride = dict.timepoints();
        float[] re = dict.re(), im = dict.im();
        int cur = start;
        double[] curScore = score(re, im, stride, cur, xr, xi, t);
        for (int step = 0; step < MAX_STEPS; step++) {
            int next = cur;
            double[] nextScore = curScore;
            for (int c : neighbours[cur]) {
                double[] s = score(re, im, stride, c, xr, xi, t);
                if (s[0] > nextScore[0]) {
                    next = c;
                    nextScore = s;
                }
            }
            if (next == cur) break;
            cur = next;
            curScore = nextScore;
        }
        out[0] = cur;
        out[1] = curScore[0];
        out[2] = curScore[1];
    }

    /** {|<d,x>|^2 / ||d||^2, ||d||^2} over the first t samples of entry e. */
    private static double[] score(float[] re, float[] im, int stride, int e, double[] xr, double[] xi, int t) {
        double sr = 0, si = 0, dn = 0;
        int off = e * stride;
        for (int s = 0; s < t; s++) {
            double ar = re[off + s], ai = im[off + s];
            sr += ar * xr[s] + ai * xi[s];
            si += ar * xi[s] - ai * xr[s];
            dn += ar * ar + ai * ai;
        }
        return new double[]{dn > 0 ? (sr * sr + si * si) / dn : 0, dn};
    }
}
