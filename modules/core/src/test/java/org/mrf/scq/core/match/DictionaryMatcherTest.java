package org.mrf.scq.core.match;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.bench.MatchBench;
import org.mrf.scq.core.util.MrfInputException;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class DictionaryMatcherTest {
    private final Dictionary d = MatchFixtures.dictionary();

    @Test
    void fixtureDictionaryIsLargeEnough() {
        assertTrue(d.size() > 1000, "entries " + d.size());
        double im = 0, re = 0;
        for (int i = 0; i < d.re().length; i++) {
            re += Math.abs(d.re()[i]);
            im += Math.abs(d.im()[i]);
        }
        System.out.println("test dictionary: " + d.size() + " entries, T=" + d.timepoints() + ", sum|re|=" + re + ", sum|im|=" + im);
    }

    @Test
    void noiselessScaledEntriesMatchExactlyWithPd() {
        Random rnd = new Random(11);
        int n = 700;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        entry[5] = -1;
        entry[600] = -1;
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(d, entry, pd, 0.0, d.timepoints(), rnd);
        DictionaryMatcher m = new DictionaryMatcher(d);
        MatchResult r = m.match(x[0], x[1], n, d.timepoints());
        MatchResult tm = m.matchTimeMajor(MatchFixtures.toTimeMajor(x[0], n, d.timepoints()),
                MatchFixtures.toTimeMajor(x[1], n, d.timepoints()), d.timepoints(), 20, 35, d.timepoints());
        for (MatchResult res : new MatchResult[]{r, tm}) {
            for (int p = 0; p < n; p++) {
                if (entry[p] < 0) {
                    assertEquals(-1, res.index[p]);
                    assertEquals(0f, res.pd[p]);
                    assertEquals(0f, res.t1[p]);
                    assertEquals(0f, res.t2[p]);
                    continue;
                }
                assertEquals(entry[p], res.index[p], "pixel " + p);
                assertEquals(d.t1(entry[p]), res.t1[p]);
                assertEquals(d.t2(entry[p]), res.t2[p]);
                assertEquals(pd[p], res.pd[p], 1e-4 * pd[p], "PD of pixel " + p);
                assertEquals(1.0, res.correlation[p], 1e-4);
            }
        }
    }

    /** A random complex dictionary: conjugation errors would show here (the FISP dictionary is real). */
    static Dictionary randomComplexDictionary(int n, int t, Random rnd) {
        float[] re = new float[n * t], im = new float[n * t], a = new float[n], b = new float[n];
        for (int i = 0; i < re.length; i++) {
            re[i] = (float) (rnd.nextGaussian() * 0.3);
            im[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        for (int e = 0; e < n; e++) {
            a[e] = 100 + e;
            b[e] = 10 + e % 50;
        }
        return new Dictionary(a, b, t, re, im, "random");
    }

    @Test
    void agreesWithDoublePrecisionBruteForceOnComplexDictionary() {
        Random rnd = new Random(5);
        int t = 64, dt = 80;
        Dictionary cd = randomComplexDictionary(400, dt, rnd);
        int n = 90;
        float[] re = new float[n * t], im = new float[n * t];
        for (int i = 0; i < re.length; i++) {
            re[i] = (float) rnd.nextGaussian();
            im[i] = (float) rnd.nextGaussian();
        }
        for (int p = 0; p < n; p++) { // plus an entry times a complex factor, so that one entry stands out
            int e = rnd.nextInt(cd.size());
            for (int s = 0; s < t; s++) {
                double r = cd.re()[e * dt + s], i = cd.im()[e * dt + s];
                re[p * t + s] += (float) (4 * (0.6 * r - 0.8 * i));
                im[p * t + s] += (float) (4 * (0.8 * r + 0.6 * i));
            }
        }
        MatchResult r = new DictionaryMatcher(cd).withBlocks(16, 150).match(re, im, n, t);
        for (int p = 0; p < n; p++) {
            double best = -1, second = -1, bestPd = 0;
            int bi = -1;
            double xn = 0;
            for (int s = 0; s < t; s++) xn += re[p * t + s] * re[p * t + s] + im[p * t + s] * im[p * t + s];
            for (int e = 0; e < cd.size(); e++) {
                double sr = 0, si = 0, dn = 0; // <d, x> = sum conj(d) x
                for (int s = 0; s < t; s++) {
                    double ar = cd.re()[e * dt + s], ai = cd.im()[e * dt + s], br = re[p * t + s], bi2 = im[p * t + s];
                    sr += ar * br + ai * bi2;
                    si += ar * bi2 - ai * br;
                    dn += ar * ar + ai * ai;
                }
                double c = Math.hypot(sr, si) / Math.sqrt(dn * xn);
                if (c > best) {
                    second = best;
                    best = c;
                    bi = e;
                    bestPd = Math.hypot(sr, si) / dn;
                } else if (c > second) {
                    second = c;
                }
            }
            assertTrue(best - second > 1e-4, "test signal should have a clear best match");
            assertEquals(bi, r.index[p], "pixel " + p);
            assertEquals(best, r.correlation[p], 1e-5);
            assertEquals(bestPd, r.pd[p], 1e-4 * bestPd);
        }
    }

    @Test
    void noisyEntriesMatchTheirNeighbourhood() {
        Random rnd = new Random(12);
        int n = 1500;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(d, entry, pd, 0.1, d.timepoints(), rnd);
        MatchResult r = new DictionaryMatcher(d).match(x[0], x[1], n, d.timepoints());
        int t1Close = 0, t2Close = 0, pdClose = 0, exact = 0;
        for (int p = 0; p < n; p++) {
            float a = d.t1(entry[p]), b = d.t2(entry[p]);
            if (Math.abs(r.t1[p] - a) <= 0.15 * a) t1Close++;
            if (Math.abs(r.t2[p] - b) <= 0.25 * b) t2Close++;
            if (Math.abs(r.pd[p] - pd[p]) <= 0.1 * pd[p]) pdClose++;
            if (r.index[p] == entry[p]) exact++;
        }
        System.out.printf("noisy DM: exact %d, T1 within 15%% %d, T2 within 25%% %d, PD within 10%% %d of %d%n",
                exact, t1Close, t2Close, pdClose, n);
        assertTrue(t1Close >= 0.95 * n, "T1 close: " + t1Close);
        assertTrue(t2Close >= 0.90 * n, "T2 close: " + t2Close);
        assertTrue(pdClose >= 0.95 * n, "PD close: " + pdClose);
        assertTrue(exact < n, "noise this strong should move some matches");
    }

    @Test
    void dmIsTheDoublePrecisionArgmaxOnNoisyPixels() {
        Random rnd = new Random(16);
        int n = 300, t = d.timepoints(), N = d.size();
        int[] entry = MatchFixtures.randomEntries(n, N, rnd);
        float[][] x = MatchFixtures.signals(d, entry, MatchFixtures.randomPd(n, rnd), 0.03, t, rnd);
        DictionaryMatcher m = new DictionaryMatcher(d);
        MatchResult r = m.match(x[0], x[1], n, t);
        int exact = 0;
        for (int p = 0; p < n; p++) {
            double best = -1, bestPd = 0;
            int bi = -1;
            for (int e = 0; e < N; e++) {
                double sr = 0, si = 0, dn = 0;
                for (int s = 0; s < t; s++) {
                    double ar = d.re()[e * t + s], ai = d.im()[e * t + s], br = x[0][p * t + s], bi2 = x[1][p * t + s];
                    sr += ar * br + ai * bi2;
                    si += ar * bi2 - ai * br;
                    dn += ar * ar + ai * ai;
                }
                double c = (sr * sr + si * si) / dn;
                if (c > best) {
                    best = c;
                    bi = e;
                    bestPd = Math.sqrt(c / dn);
                }
            }
            if (bi == r.index[p]) {
                exact++;
                assertEquals(bestPd, r.pd[p], 1e-5 * bestPd);
            }
        }
        assertTrue(exact >= n - 1, "DM = double argmax for " + exact + " of " + n);
    }

    @Test
    void blockingDoesNotChangeResults() {
        Random rnd = new Random(13);
        int n = 333;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[][] x = MatchFixtures.signals(d, entry, MatchFixtures.randomPd(n, rnd), 0.2, d.timepoints(), rnd);
        MatchResult a = new DictionaryMatcher(d).match(x[0], x[1], n, d.timepoints());
        MatchResult b = new DictionaryMatcher(d).withBlocks(50, 301).match(x[0], x[1], n, d.timepoints());
        assertArrayEquals(a.index, b.index);
        for (int p = 0; p < n; p++) assertEquals(a.pd[p], b.pd[p], 1e-5 * a.pd[p]);
    }

    @Test
    void nanOrInfiniteSampleNamesThePixel() {
        Random rnd = new Random(14);
        int n = 50, t = d.timepoints();
        float[][] x = MatchFixtures.signals(d, MatchFixtures.randomEntries(n, d.size(), rnd), MatchFixtures.randomPd(n, rnd), 0.1, t, rnd);
        x[0][37 * t + 9] = Float.NaN;
        DictionaryMatcher m = new DictionaryMatcher(d);
        MrfInputException e = assertThrows(MrfInputException.class, () -> m.match(x[0], x[1], n, t));
        assertTrue(e.getMessage().contains("pixel 37") && e.getMessage().contains("time point 9"), e.getMessage());
        x[0][37 * t + 9] = 0;
        float[] re = MatchFixtures.toTimeMajor(x[0], n, t), im = MatchFixtures.toTimeMajor(x[1], n, t);
        im[4 * n + 23] = Float.POSITIVE_INFINITY; // frame 4, pixel 23 = row 2, column 3 of 5 x 10
        MrfInputException e2 = assertThrows(MrfInputException.class, () -> m.matchTimeMajor(re, im, t, 5, 10, t));
        assertTrue(e2.getMessage().contains("pixel 23 (row 2, column 3), frame 4"), e2.getMessage());
        // A NaN beyond the t used is never read.
        im[4 * n + 23] = 0;
        re[(t - 1) * n + 3] = Float.NaN;
        assertEquals(n, m.matchTimeMajor(re, im, t, 5, 10, t - 1).pixels());
    }

    @Test
    void truncationUsesTheFirstTTimePoints() {
        Random rnd = new Random(15);
        int n = 200, tIn = d.timepoints() + 40, t = 150;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(d, entry, pd, 0.0, tIn, rnd); // extra samples are junk (0.5, -0.5)
        DictionaryMatcher m = new DictionaryMatcher(d);
        MatchResult r = m.match(x[0], x[1], n, t);
        float[] re = new float[n * t], im = new float[n * t];
        for (int p = 0; p < n; p++) {
            System.arraycopy(x[0], p * tIn, re, p * t, t);
            System.arraycopy(x[1], p * tIn, im, p * t, t);
        }
        MatchResult ref = new DictionaryMatcher(d.truncate(t)).match(re, im, n, t);
        assertArrayEquals(ref.index, r.index);
        for (int p = 0; p < n; p++) {
            assertEquals(pd[p], r.pd[p], 1e-3 * pd[p], "PD is relative to the first t samples of the raw entry");
        }
        // Entries that differ only after t are indistinguishable; at least most are recovered exactly.
        long same = java.util.stream.IntStream.range(0, n).filter(p -> r.index[p] == entry[p]).count();
        assertTrue(same > 0.9 * n, "exact at t=" + t + ": " + same);
        // Time-major with more frames than t: same answer.
        MatchResult tm = m.matchTimeMajor(MatchFixtures.toTimeMajor(x[0], n, tIn), MatchFixtures.toTimeMajor(x[1], n, tIn),
                tIn, 10, 20, t);
        assertArrayEquals(r.index, tm.index);
        // Asking for more than the dictionary holds, or than the input holds, is an error naming both.
        MrfInputException e = assertThrows(MrfInputException.class, () -> m.match(x[0], x[1], n, tIn));
        assertTrue(e.getMessage().contains("T=" + d.timepoints()), e.getMessage());
        MrfInputException e2 = assertThrows(MrfInputException.class, () -> m.match(re, im, n, t + 1));
        assertTrue(e2.getMessage().contains("hold " + t), e2.getMessage());
        assertThrows(MrfInputException.class, () -> m.match(re, im, 7, t)); // not a whole number of time points
        assertThrows(MrfInputException.class, () -> m.match(re, Arrays.copyOf(im, 5), n, t));
    }

    /**
     * Pruned DM against the brute-force GEMM reference on a noisy time-major slice, at the first
     * t = T / ar time points for ar = 1, 2, 4, 8, 16, each with its own truncated dictionary (as the
     * ground-truth job builds them). Pixels may differ only where the two entries tie within float
     * rounding (brute force ranks by float GEMM scores), and then the pruned pick is never the worse
     * one in double precision.
     */
    @Test
    void equalsBruteForceOnNoisySlicesAtSeveralArs() {
        Random rnd = new Random(21);
        int h = 48, w = 50, n = h * w, T = d.timepoints();
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = new float[][]{new float[n * T], new float[n * T]};
        for (int p = 0; p < n; p++) { // noise from 1 % to 30 % of the pixel's RMS
            float[][] one = MatchFixtures.signals(d, new int[]{entry[p]}, new float[]{pd[p]}, 0.01 + 0.29 * rnd.nextDouble(), T, rnd);
            System.arraycopy(one[0], 0, x[0], p * T, T);
            System.arraycopy(one[1], 0, x[1], p * T, T);
        }
        float[] re = MatchFixtures.toTimeMajor(x[0], n, T), im = MatchFixtures.toTimeMajor(x[1], n, T);
        int totalTies = 0;
        for (int ar : new int[]{1, 2, 4, 8, 16}) {
            int t = T / ar;
            Dictionary dt = d.truncate(t);
            DictionaryMatcher dm = new DictionaryMatcher(dt);
            MatchResult a = dm.matchTimeMajor(re, im, T, h, w, t);
            MatchResult b = new BruteForceMatcher(dt).matchTimeMajor(re, im, T, h, w, t);
            int ties = 0;
            for (int p = 0; p < n; p++) {
                if (a.index[p] == b.index[p]) {
                    assertEquals(b.pd[p], a.pd[p], 1e-4 * b.pd[p], "PD of pixel " + p + " at ar " + ar);
                    continue;
                }
                ties++;
                double sa = MatchBench.score(dt, a.index[p], x[0], x[1], p * T, 1);
                double sb = MatchBench.score(dt, b.index[p], x[0], x[1], p * T, 1);
                assertTrue(Math.abs(sa - sb) <= 1e-6 * sb, "ar " + ar + ", pixel " + p + ": entries " + a.index[p] + " and "
                        + b.index[p] + " differ by " + (sa - sb) / sb + ", not a tie within float rounding");
                assertTrue(sa >= sb * (1 - 1e-12), "ar " + ar + ", pixel " + p + ": the pruned pick scores lower");
            }
            System.out.printf("ar %d (t=%d): pruned DM = brute force for %d of %d pixels, %d near-ties; %.2f entries scored "
                    + "exactly per pixel of %d%n", ar, t, n - ties, n, ties, dm.exactPerPixel(), dt.size());
            // At t = 37 and 18 (shorter than the paper's shortest, 144) many entries tie within float rounding.
            int allowed = t >= 75 ? n / 1000 : n / 50;
            assertTrue(ties <= allowed, "ar " + ar + ": " + ties + " near-ties in " + n + " pixels");
            assertTrue(dm.exactPerPixel() < 0.05 * dt.size(), "pruning scored " + dm.exactPerPixel() + " entries per pixel");
            totalTies += ties;
        }
        System.out.println("near-ties over all ars: " + totalTies);
    }

    @Test
    void subspaceRankChangesSpeedNotResults() {
        Random rnd = new Random(22);
        int n = 400, t = d.timepoints();
        float[][] x = MatchFixtures.signals(d, MatchFixtures.randomEntries(n, d.size(), rnd), MatchFixtures.randomPd(n, rnd), 0.2, t, rnd);
        DictionaryMatcher small = new DictionaryMatcher(d).withRank(3), big = new DictionaryMatcher(d);
        MatchResult a = small.match(x[0], x[1], n, t), b = big.match(x[0], x[1], n, t);
        assertArrayEquals(b.index, a.index);
        assertTrue(small.exactPerPixel() > big.exactPerPixel(), small.exactPerPixel() + " vs " + big.exactPerPixel());
    }
}
