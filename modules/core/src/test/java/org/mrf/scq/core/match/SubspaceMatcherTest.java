package org.mrf.scq.core.match;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SubspaceMatcherTest {
    private static Dictionary d;
    private static SvdBasis basis;

    @BeforeAll
    static void setUp() {
        d = MatchFixtures.dictionary();
        basis = RandomizedSvd.ofDictionary(d, 120, 30, 3, 1);
    }

    /**
     * Noise: per-sample complex Gaussian with standard deviation 1% of the pixel's RMS per component
     * (SNR about 37 dB over the series). Agreement falls with noise, because DM's own pick then
     * wanders among near-tied neighbours: on this grid at 99.99% it was 0.996 / 0.972 / 0.875 for
     * 1% / 3% / 10% noise (DM itself recovered the true entry for 99.5% / 90% / 56%).
     */
    @Test
    void agreesWithDmOnNoisyPixelsAtFourNines() {
        Random rnd = new Random(21);
        int n = 3000;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(d, entry, pd, 0.01, d.timepoints(), rnd);
        MatchResult dm = new DictionaryMatcher(d).match(x[0], x[1], n, d.timepoints());
        SubspaceMatcher sdm = SubspaceMatcher.forEnergy(d, basis, 0.9999);
        MatchResult s = sdm.match(x[0], x[1], n, d.timepoints());
        double agree = s.agreement(dm);
        System.out.printf("SDM K=%d (99.99%%): agreement with DM %.4f on %d noisy pixels%n", sdm.rank(), agree, n);
        assertTrue(sdm.rank() < d.timepoints() / 3, "rank " + sdm.rank());
        assertTrue(agree >= 0.99, "agreement " + agree);
        for (int p = 0; p < n; p++) {
            if (s.index[p] == dm.index[p]) assertEquals(dm.pd[p], s.pd[p], 0.01 * dm.pd[p], "PD at pixel " + p);
        }
    }

    @Test
    void refinedSdmAgreesWithDmEvenAtHighNoise() {
        Random rnd = new Random(25);
        int n = 3000;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        float[][] x = MatchFixtures.signals(d, entry, MatchFixtures.randomPd(n, rnd), 0.1, d.timepoints(), rnd);
        MatchResult dm = new DictionaryMatcher(d).match(x[0], x[1], n, d.timepoints());
        SubspaceMatcher sdm = SubspaceMatcher.forEnergy(d, basis, 0.9999);
        assertFalse(sdm.neighbourRefinement());
        double plain = sdm.match(x[0], x[1], n, d.timepoints()).agreement(dm);
        sdm.setNeighbourRefinement(true);
        double refined = sdm.match(x[0], x[1], n, d.timepoints()).agreement(dm);
        System.out.printf("SDM K=%d at 10%% noise: agreement with DM %.4f plain, %.4f refined%n", sdm.rank(), plain, refined);
        assertTrue(refined >= 0.97 && refined > plain, "refined " + refined + " plain " + plain);
    }

    @Test
    void noiselessEntriesMatchExactlyInTheSubspace() {
        Random rnd = new Random(22);
        int n = 500;
        int[] entry = MatchFixtures.randomEntries(n, d.size(), rnd);
        entry[7] = -1;
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(d, entry, pd, 0.0, d.timepoints(), rnd);
        SubspaceMatcher sdm = SubspaceMatcher.forEnergy(d, basis, 0.99999);
        MatchResult s = sdm.matchTimeMajor(MatchFixtures.toTimeMajor(x[0], n, d.timepoints()),
                MatchFixtures.toTimeMajor(x[1], n, d.timepoints()), d.timepoints(), 25, 20, d.timepoints());
        for (int p = 0; p < n; p++) {
            if (entry[p] < 0) {
                assertEquals(-1, s.index[p]);
                assertEquals(0f, s.pd[p]);
                assertEquals(0f, s.t1[p]);
                continue;
            }
            assertEquals(entry[p], s.index[p], "pixel " + p);
            assertEquals(pd[p], s.pd[p], 1e-3 * pd[p], "PD of pixel " + p);
        }
    }

    @Test
    void complexDictionaryInTheFullSpaceEqualsDm() {
        // With K = T the subspace is the whole space: SDM must reproduce DM on a complex dictionary.
        Random rnd = new Random(23);
        Dictionary cd = DictionaryMatcherTest.randomComplexDictionary(300, 40, rnd);
        SvdBasis full = RandomizedSvd.ofDictionary(cd, 40, 0, 2, 3);
        assertEquals(40, full.rank());
        int n = 200, t = 40;
        int[] entry = MatchFixtures.randomEntries(n, cd.size(), rnd);
        float[] pd = MatchFixtures.randomPd(n, rnd);
        float[][] x = MatchFixtures.signals(cd, entry, pd, 0.3, t, rnd);
        MatchResult dm = new DictionaryMatcher(cd).match(x[0], x[1], n, t);
        MatchResult s = new SubspaceMatcher(cd, full, 40).match(x[0], x[1], n, t);
        assertArrayEquals(dm.index, s.index);
        for (int p = 0; p < n; p++) assertEquals(dm.pd[p], s.pd[p], 1e-4 * dm.pd[p]);
    }

    @Test
    void liftedScoresEqualDirectScores() {
        Random rnd = new Random(24);
        // Real dictionary (lift with K(K+1)/2 features) and a complex one at full rank K = T = 12 (K^2 features).
        Dictionary cd = DictionaryMatcherTest.randomComplexDictionary(500, 12, rnd);
        SvdBasis cb = RandomizedSvd.ofDictionary(cd, 12, 0, 2, 3);
        for (Object[] c : new Object[][]{{d, basis, 8}, {cd, cb, 12}}) {
            Dictionary dd = (Dictionary) c[0];
            SvdBasis bb = (SvdBasis) c[1];
            int k = (Integer) c[2], n = 700, t = dd.timepoints();
            int[] entry = MatchFixtures.randomEntries(n, dd.size(), rnd);
            entry[3] = -1;
            float[][] x = MatchFixtures.signals(dd, entry, MatchFixtures.randomPd(n, rnd), 0.05, t, rnd);
            SubspaceMatcher lifted = new SubspaceMatcher(dd, bb, k, 300, 256, true);
            SubspaceMatcher direct = new SubspaceMatcher(dd, bb, k, 300, 256, false);
            assertTrue(lifted.lifted());
            assertFalse(direct.lifted());
            MatchResult a = lifted.match(x[0], x[1], n, t), b = direct.match(x[0], x[1], n, t);
            assertTrue(a.agreement(b) >= 0.995, "lifted vs direct agreement " + a.agreement(b));
            assertEquals(-1, a.index[3]);
            for (int p = 0; p < n; p++) {
                assertEquals(b.correlation[p], a.correlation[p], 2e-5, "pixel " + p);
                if (a.index[p] == b.index[p]) assertEquals(b.pd[p], a.pd[p], 1e-4 * b.pd[p] + 1e-6);
            }
        }
    }

    @Test
    void timepointsAreThoseOfTheBasis() {
        SubspaceMatcher sdm = new SubspaceMatcher(d, basis, 10);
        int n = 4, t = d.timepoints();
        float[] re = new float[n * (t + 5)], im = new float[n * (t + 5)];
        re[0] = 1;
        MatchResult r = sdm.match(re, im, n, t); // more samples than T: the first T are used
        assertEquals(-1, r.index[1]);
        MrfInputException e = assertThrows(MrfInputException.class, () -> sdm.match(re, im, n, t - 10));
        assertTrue(e.getMessage().contains("T=" + t), e.getMessage());
        assertThrows(MrfInputException.class, () -> sdm.match(re, im, n, t + 5));
        assertThrows(MrfInputException.class, () -> new SubspaceMatcher(d.truncate(100), basis, 10));
        assertThrows(MrfInputException.class, () -> new SubspaceMatcher(d, basis, basis.rank() + 1));
        re[3 * (t + 5) + 2] = Float.NaN;
        MrfInputException nan = assertThrows(MrfInputException.class, () -> sdm.match(re, im, n, t));
        assertTrue(nan.getMessage().contains("pixel 3"), nan.getMessage());
    }
}
