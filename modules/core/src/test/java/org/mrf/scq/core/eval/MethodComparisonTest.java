package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.eval.TissueErrors.Region;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MethodComparisonTest {
    // the simulator's BrainWeb-derived codes: CSF 23, GM 46, WM 70, lesion 240; 0 background
    private static final Map<Integer, Region> CODES = Map.of(23, Region.CSF, 46, Region.GREY_MATTER, 70, Region.WHITE_MATTER,
            240, Region.LESION);
    private static final int H = 8, W = 8;

    /** A smooth positive map with fine detail, so that it has energy above the sharpness cut-off. */
    private static float[] map(double base) {
        float[] m = new float[H * W];
        for (int p = 0; p < m.length; p++) m[p] = (float) (base * (1 + 0.2 * Math.sin(p * 1.3) + 0.1 * ((p / W + p) % 2)));
        return m;
    }

    private static float[] scaled(float[] m, double f) {
        float[] o = new float[m.length];
        for (int p = 0; p < m.length; p++) o[p] = (float) (m[p] * f);
        return o;
    }

    /** Left half WM (70), right half CSF (23), every pixel in the brain mask. */
    private static int[] halves() {
        int[] l = new int[H * W];
        for (int p = 0; p < l.length; p++) l[p] = p % W < W / 2 ? 70 : 23;
        return l;
    }

    private static MethodComparison.Reference reference(String subject, int slice, boolean truth, int[] labels) {
        float[] gt1 = map(1000), gt2 = map(80);
        return new MethodComparison.Reference(subject, slice, H, W, null, gt1, gt2, truth ? scaled(gt1, 1.25) : null,
                truth ? scaled(gt2, 0.8) : null, labels);
    }

    private static MethodComparison.Estimate scaledEstimate(String method, int ar, MethodComparison.Reference r, double f1, double f2) {
        return new MethodComparison.Estimate(method, ar, r.subject(), r.slice(), scaled(r.gtT1(), f1), scaled(r.gtT2(), f2), 0.5);
    }

    @Test
    void constantOffsetsGiveKnownErrorsAndPairedDifferencesOverSixSubjects() {
        MethodComparison c = new MethodComparison(Map.of(), 7);
        for (int s = 0; s < 6; s++) {
            for (int slice = 0; slice < 2; slice++) {
                MethodComparison.Reference r = reference("sub-" + s, slice, false, null);
                c.addReference(r);
                // DM: T1 off by (10 + s) %, T2 by 20 %; SCQ: T1 off by (4 + s/2) %, T2 by 20 % in both slices (identical)
                c.add(scaledEstimate("dm", 4, r, 1.10 + s / 100.0, 0.8));
                c.add(scaledEstimate("scq", 4, r, 1.04 + s / 200.0, 0.8));
            }
        }
        Map<String, Double> f = MethodComparison.flatten(c.report());
        assertEquals(12.5, f.get("dm.ar4.t1_err_pct"), 1e-4, "mean of 10..15");
        assertEquals(Math.sqrt(3.5), f.get("dm.ar4.t1_err_std_pct"), 1e-4, "sample std of 10..15");
        assertEquals(f.get("dm.ar4.t1_err_std_pct"), f.get("dm.ar4.t1_err_pct_std"), 0.0, "the same std under the acceptance's name");
        assertEquals(20.0, f.get("dm.ar4.t2_err_pct"), 1e-4);
        assertEquals(0.5, f.get("dm.ar4.seconds_per_slice"), 1e-12);
        assertEquals(0.0, f.get("dm.ar4." + MethodComparison.HEADLINE_WITHOUT_CSF), "no labels: the whole mask");
        assertTrue(Double.isNaN(f.get("dm.ar4.t1_err_pct_true")), "no true maps: the key stays, as NaN");

        // SCQ - DM on T1: (4 + s/2) - (10 + s) = -6 - s/2 on every subject: mean -7.25, all negative
        assertEquals(6.0, f.get("paired.scq_vs_dm.ar4.t1.n"));
        assertEquals(-7.25, f.get("paired.scq_vs_dm.ar4.t1.mean_diff"), 1e-4);
        assertEquals(2.0 / 64, f.get("paired.scq_vs_dm.ar4.t1.p"), 1e-12, "six differences of one sign: the smallest exact p");
        assertTrue(f.get("paired.scq_vs_dm.ar4.t1.ci_high") < 0, "the interval lies below zero");
        assertTrue(f.get("paired.scq_vs_dm.ar4.t1.ci_low") >= -8.5 - 1e-4, "no resample mean is below the smallest difference");
        // the same T2 estimate: every difference is zero
        assertEquals(0.0, f.get("paired.scq_vs_dm.ar4.t2.mean_diff"), 1e-4);
        assertTrue(f.get("paired.scq_vs_dm.ar4.t2.ci_low") <= 1e-4 && f.get("paired.scq_vs_dm.ar4.t2.ci_high") >= -1e-4,
                "identical methods: the interval contains 0");
        assertEquals(1.0, f.get("paired.scq_vs_dm.ar4.t2.p"), 1e-12);
        assertFalse(f.containsKey("paired.scq_vs_dm.ar4.t1_true.p"), "nothing to pair without true maps");
        // SCQ is not compared with itself; the interval is reproducible from the seed
        assertFalse(f.keySet().stream().anyMatch(k -> k.startsWith("paired.scq_vs_scq")));
        assertEquals(c.paired("dm", 4, "t1_err_pct"), c.paired("dm", 4, "t1_err_pct"));
    }

    @Test
    void aggregationIsSlicesThenSubjectsAsTheEvaluationHasAlwaysDone() {
        MethodComparison c = new MethodComparison(Map.of(), 1);
        double[][] offsets = {{0.02, 0.04}, {0.10}}; // subject a: slices 2 % and 4 % -> 3 %; subject b: 10 %
        for (int s = 0; s < offsets.length; s++) {
            for (int k = 0; k < offsets[s].length; k++) {
                MethodComparison.Reference r = reference("s" + s, k, true, null);
                c.addReference(r);
                c.add(scaledEstimate("dm", 2, r, 1 + offsets[s][k], 1));
            }
        }
        MethodComparison.Summary t1 = c.summary("dm", 2, "t1_err_pct");
        assertEquals(6.5, t1.mean(), 1e-4, "mean of the subjects' 3 and 10, not of the three slices");
        assertEquals(Math.sqrt(24.5), t1.std(), 1e-4);
        assertEquals(2, t1.subjects());
        // against the truth (1.25 x the ground truth): |(1 + o) / 1.25 - 1| = 0.2 - 0.8 o
        assertEquals(100 * (0.2 - 0.8 * (0.03 + 0.10) / 2), c.summary("dm", 2, "t1_err_pct_true").mean(), 1e-4);
        assertFalse(MethodComparison.flatten(c.report()).keySet().stream().anyMatch(k -> k.startsWith("paired")), "no SCQ, no pairs");
    }

    @Test
    void headlineExcludesCsfWhileEachTissueIsReported() {
        MethodComparison c = new MethodComparison(CODES, 3);
        MethodComparison.Reference r = reference("sub-0", 0, true, halves());
        c.addReference(r);
        float[] t1 = r.gtT1().clone();
        for (int p = 0; p < t1.length; p++) t1[p] *= p % W < W / 2 ? 1.10f : 0.5f; // WM 10 % off, CSF 50 % off
        c.add(new MethodComparison.Estimate("scq", 4, "sub-0", 0, t1, r.gtT2(), 1));
        Map<String, Double> f = MethodComparison.flatten(c.report());
        assertEquals(1.0, f.get("scq.ar4." + MethodComparison.HEADLINE_WITHOUT_CSF));
        assertTrue(c.headlineWithoutCsf());
        assertEquals(10.0, f.get("scq.ar4.t1_err_pct"), 1e-4, "the headline is the brain without CSF");
        assertEquals(10.0, f.get("scq.ar4.t1_err_pct_wm"), 1e-4);
        assertEquals(50.0, f.get("scq.ar4.t1_err_pct_csf"), 1e-4);
        assertEquals(30.0, f.get("scq.ar4.t1_err_pct_brain"), 1e-4, "the whole mask: half WM, half CSF");
        assertTrue(Double.isNaN(f.get("scq.ar4.t1_err_pct_lesion")), "no lesion in the slice");
        assertEquals(0.0, f.get("scq.ar4.subjects_lesion"));
        assertEquals(1.0, f.get("scq.ar4.subjects_wm"));
        assertTrue(Double.isNaN(f.get("scq.ar4.t2_err_pct_gm_true")), "no grey matter in the slice");
        assertEquals(25.0, f.get("scq.ar4.t2_err_pct_true"), 1e-4, "truth T2 is 0.8 x the ground truth: |1/0.8 - 1|");
        assertEquals(1.0, f.get("scq.ar4.t2_hf_ratio"), 1e-9, "an exact map is as sharp as its reference");

        assertThrows(IllegalArgumentException.class, () -> c.addReference(reference("sub-1", 0, true, null)),
                "labels on some slices only");
        assertThrows(IllegalArgumentException.class, () -> c.addReference(r), "a slice twice");
        assertThrows(IllegalArgumentException.class, () -> c.add(new MethodComparison.Estimate("paired", 4, "sub-0", 0, t1, t1, 1)));
        assertThrows(IllegalArgumentException.class, () -> c.add(new MethodComparison.Estimate("dm", 4, "sub-9", 0, t1, t1, 1)));
        assertThrows(IllegalArgumentException.class, () -> c.add(new MethodComparison.Estimate("dm", 4, "sub-0", 0, new float[3], t1, 1)));
    }

    @Test
    void sharpnessScalesWithTheSquareOfAGain() {
        MethodComparison c = new MethodComparison(Map.of(), 3);
        MethodComparison.Reference r = reference("sub-0", 0, true, null);
        c.addReference(r);
        c.add(scaledEstimate("dm", 4, r, 1.1, 0.5));
        MethodComparison.Summary s = c.summary("dm", 4, "t1_hf_ratio");
        assertEquals(1.1 * 1.1, s.mean(), 1e-5);
        assertEquals(0.25, c.summary("dm", 4, "t2_hf_ratio").mean(), 1e-5);
        // the truth is 1.25 x the ground truth, so against it the same estimate has (1.1 / 1.25)^2
        assertEquals(Math.pow(1.1 / 1.25, 2), c.summary("dm", 4, "t1_hf_ratio_true").mean(), 1e-5);
    }
}
