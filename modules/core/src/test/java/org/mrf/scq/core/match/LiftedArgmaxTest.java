package org.mrf.scq.core.match;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LiftedArgmaxTest {
    /**
     * Against an independent double-precision arg-max over the whole score matrix: the fused kernel's
     * pick scores (in double) within float rounding of the true maximum, and its reported score is
     * the float score of the picked entry. Sizes cover partial pixel chunks, partial and odd entry
     * tiles, fewer than four features and a feature count that is not a multiple of four.
     */
    @Test
    void picksTheLargestScoreAtEverySize() {
        Random rnd = new Random(7);
        int[][] sizes = {{1, 1, 1}, {3, 2, 5}, {LiftedArgmax.TILE + 1, 21, LiftedArgmax.PIXELS + 3},
                {5 * LiftedArgmax.TILE - 3, 15, 2 * LiftedArgmax.PIXELS}, {1000, 36, 700}, {64, 4, 33}};
        for (int[] sz : sizes) {
            int n = sz[0], f = sz[1], pixels = sz[2];
            float[] ent = gaussian(n * f, rnd), sig = gaussian(pixels * f, rnd);
            float[] best = new float[pixels];
            int[] idx = new int[pixels];
            LiftedArgmax.argmax(ent, n, f, sig, pixels, best, idx);
            for (int p = 0; p < pixels; p++) {
                double max = Double.NEGATIVE_INFINITY, norm = 0;
                for (int e = 0; e < n; e++) max = Math.max(max, dot(ent, e, sig, p, f));
                for (int k = 0; k < f; k++) norm += Math.abs(sig[p * f + k]) * maxAbs(ent);
                double tol = 4 * f * 6e-8 * norm; // float rounding of f products and their sum
                String where = "n=" + n + " f=" + f + " pixel " + p;
                assertTrue(idx[p] >= 0 && idx[p] < n, where);
                assertTrue(dot(ent, idx[p], sig, p, f) >= max - tol, where + ": picked " + idx[p]);
                assertEquals(dot(ent, idx[p], sig, p, f), best[p], tol, where);
            }
        }
    }

    /** Equal entries score bit-identically; the first index wins, as in a row-wise arg-max, across tiles too. */
    @Test
    void equalScoresGoToTheFirstEntry() {
        Random rnd = new Random(8);
        int f = 6, n = 3 * LiftedArgmax.TILE, pixels = 40;
        float[] ent = gaussian(n * f, rnd), sig = gaussian(pixels * f, rnd);
        float[] winner = new float[f];
        for (int k = 0; k < f; k++) winner[k] = 100;
        int[] copies = {LiftedArgmax.TILE - 1, LiftedArgmax.TILE + 5, 2 * LiftedArgmax.TILE + 1};
        for (int c : copies) System.arraycopy(winner, 0, ent, c * f, f);
        for (int k = 0; k < pixels * f; k++) sig[k] = Math.abs(sig[k]) + 0.1f;
        float[] best = new float[pixels];
        int[] idx = new int[pixels];
        LiftedArgmax.argmax(ent, n, f, sig, pixels, best, idx);
        for (int p = 0; p < pixels; p++) assertEquals(copies[0], idx[p], "pixel " + p);
    }

    private static float[] gaussian(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    private static double dot(float[] ent, int e, float[] sig, int p, int f) {
        double s = 0;
        for (int k = 0; k < f; k++) s += (double) ent[e * f + k] * sig[p * f + k];
        return s;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
