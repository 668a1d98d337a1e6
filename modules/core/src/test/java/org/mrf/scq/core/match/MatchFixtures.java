package org.mrf.scq.core.match;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.sequence.Schedules;

import java.util.List;
import java.util.Random;

/** A small dictionary (coarse paper-like grid, first 300 time points of the default schedule) and signal makers. */
final class MatchFixtures {
    static final int T = 300;
    private static Dictionary dict;

    private MatchFixtures() {
    }

    static synchronized Dictionary dictionary() {
        if (dict == null) {
            DictionaryGrid grid = DictionaryGrid.fromRanges(List.of("100:2000:40", "2100:3500:100"), List.of("10:200:10", "220:400:30"),
                    true, "test grid");
            dict = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0).truncate(T), grid, 1e-5);
        }
        return dict;
    }

    /**
     * Pixel-major signals: pixel p = pd[p] * e^{i phase} * entry[p] (raw, M0 = 1) plus complex
     * Gaussian noise with standard deviation {@code noise} * (RMS of the noiseless pixel) per
     * real component; returns {re, im}. entry[p] = -1 makes an all-zero pixel.
     */
    static float[][] signals(Dictionary d, int[] entry, float[] pd, double noise, int tOut, Random rnd) {
        int t = d.timepoints(), n = entry.length;
        float[] re = new float[n * tOut], im = new float[n * tOut];
        for (int p = 0; p < n; p++) {
            if (entry[p] < 0) continue;
            double ph = rnd.nextDouble() * 2 * Math.PI, c = Math.cos(ph), s = Math.sin(ph);
            double e = 0;
            for (int x = 0; x < t; x++) {
                double r = d.re()[entry[p] * t + x], i = d.im()[entry[p] * t + x];
                e += r * r + i * i;
            }
            double sigma = noise * pd[p] * Math.sqrt(e / t);
            for (int x = 0; x < tOut; x++) {
                double r = x < t ? d.re()[entry[p] * t + x] : 0.5, i = x < t ? d.im()[entry[p] * t + x] : -0.5;
                re[p * tOut + x] = (float) (pd[p] * (c * r - s * i) + sigma * rnd.nextGaussian());
                im[p * tOut + x] = (float) (pd[p] * (s * r + c * i) + sigma * rnd.nextGaussian());
            }
        }
        return new float[][]{re, im};
    }

    /** (T, H, W) C-order copy of pixel-major signals (pixels = h * w, tIn time points each). */
    static float[] toTimeMajor(float[] x, int pixels, int tIn) {
        float[] out = new float[x.length];
        for (int p = 0; p < pixels; p++) {
            for (int s = 0; s < tIn; s++) out[s * pixels + p] = x[p * tIn + s];
        }
        return out;
    }

    static int[] randomEntries(int n, int entries, Random rnd) {
        int[] e = new int[n];
        for (int i = 0; i < n; i++) e[i] = rnd.nextInt(entries);
        return e;
    }

    static float[] randomPd(int n, Random rnd) {
        float[] pd = new float[n];
        for (int i = 0; i < n; i++) pd[i] = (float) (0.2 + 2.8 * rnd.nextDouble());
        return pd;
    }
}
