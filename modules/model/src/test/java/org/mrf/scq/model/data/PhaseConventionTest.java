package org.mrf.scq.model.data;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.data.SliceInputs.Form;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The phase convention of {@link SliceInputs.Form#REFERENCED}: invariance under any phase map, the closed form for a
 * clean fingerprint, and the properties of the dictionary it rests on.
 */
class PhaseConventionTest {
    static final int T = 48;
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(T);
    final TrainingSlice s = new SyntheticSlices(SEQ).slice("s1", 0, 20, 24, 5, 0.3, 11);

    /** {@code s} with pixel p's series multiplied by e^{i phase[p]}. */
    static TrainingSlice rotated(TrainingSlice s, double[] phase) {
        int hw = s.pixels();
        float[] re = new float[s.re().length], im = new float[s.im().length];
        for (int k = 0; k < s.t(); k++) {
            for (int p = 0; p < hw; p++) {
                double a = s.re()[k * hw + p], b = s.im()[k * hw + p], c = Math.cos(phase[p]), sn = Math.sin(phase[p]);
                re[k * hw + p] = (float) (a * c - b * sn);
                im[k * hw + p] = (float) (a * sn + b * c);
            }
        }
        return new TrainingSlice(s.subject(), s.slice(), s.h(), s.w(), s.t(), re, im, s.t1Ms(), s.t2Ms(), s.mask());
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length);
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        assertTrue(worst <= tol, what + ": largest difference " + worst);
    }

    @Test
    void inputIsTheSameUnderAGlobalPhaseAndUnderAnyPhaseMap() {
        float[] x = SliceInputs.nhwc(s, T, Form.REFERENCED);
        int hw = s.pixels();
        for (double phi : new double[]{0.3, Math.PI / 2, 2.0, Math.PI, -2.9, 5.5}) {
            double[] global = new double[hw];
            java.util.Arrays.fill(global, phi);
            assertClose(x, SliceInputs.nhwc(rotated(s, global), T, Form.REFERENCED), 2e-6, "global phase " + phi);
        }
        // A smooth map that wraps several times across the slice, and a map with an independent phase in every pixel.
        double[] smooth = new double[hw], wild = new double[hw];
        java.util.Random rnd = new java.util.Random(5);
        for (int y = 0; y < s.h(); y++) {
            for (int xx = 0; xx < s.w(); xx++) {
                smooth[y * s.w() + xx] = 1.1 + 0.9 * y - 0.6 * xx + 2 * Math.sin(0.3 * xx * y);
                wild[y * s.w() + xx] = rnd.nextDouble() * 2 * Math.PI;
            }
        }
        assertClose(x, SliceInputs.nhwc(rotated(s, smooth), T, Form.REFERENCED), 2e-6, "smooth phase map");
        assertClose(x, SliceInputs.nhwc(rotated(s, wild), T, Form.REFERENCED), 2e-6, "random phase per pixel");
        // Without the convention the phase reaches the input; magnitude input never sees it.
        float[] raw = SliceInputs.nhwc(s, T, Form.COMPLEX), rawRotated = SliceInputs.nhwc(rotated(s, smooth), T, Form.COMPLEX);
        double moved = 0;
        for (int i = 0; i < raw.length; i++) moved = Math.max(moved, Math.abs(raw[i] - rawRotated[i]));
        assertTrue(moved > 0.05, "raw input moves with the phase: " + moved);
        assertClose(SliceInputs.nhwc(s, T, Form.MAGNITUDE), SliceInputs.nhwc(rotated(s, smooth), T, Form.MAGNITUDE), 1e-6, "magnitude");
    }

    @Test
    void unitEnergyIsKeptAndZeroPixelsStayZero() {
        int hw = s.pixels(), c = 2 * T;
        float[] re = s.re().clone(), im = s.im().clone();
        int zero = 3 * s.w() + 4;
        for (int k = 0; k < T; k++) re[k * hw + zero] = im[k * hw + zero] = 0f;
        TrainingSlice z = new TrainingSlice("z", 0, s.h(), s.w(), T, re, im, s.t1Ms(), s.t2Ms(), s.mask());
        float[] x = SliceInputs.nhwc(z, T, Form.REFERENCED);
        for (int p = 0; p < hw; p++) {
            double e = 0;
            for (int k = 0; k < c; k++) e += x[p * c + k] * x[p * c + k];
            assertEquals(p == zero ? 0.0 : 1.0, e, 1e-5, "energy of pixel " + p);
        }
        for (int k = 0; k < c; k++) assertEquals(0f, x[zero * c + k]);
    }

    /** Closed form: a clean pixel c d (d a real EPG fingerprint) becomes d / |d|, with the dictionary's own sign. */
    @Test
    void aCleanFingerprintBecomesTheNormalisedFingerprint() {
        TrainingSlice clean = new SyntheticSlices(SEQ).slice("c", 0, 20, 24, 5, 0.0, 3);
        EpgSimulator sim = EpgSimulator.exact(SEQ);
        int c = 2 * T, checked = 0;
        float[] x = SliceInputs.nhwc(clean, T, Form.REFERENCED);
        for (int p = 0; p < clean.pixels(); p += 7) {
            if (!clean.inMask(p)) continue;
            double[][] f = sim.simulate(clean.t1Ms()[p], clean.t2Ms()[p]);
            double n = 0;
            for (int k = 0; k < T; k++) n += f[0][k] * f[0][k] + f[1][k] * f[1][k];
            n = Math.sqrt(n);
            for (int k = 0; k < T; k++) {
                assertEquals(f[0][k] / n, x[p * c + k], 2e-5, "re, pixel " + p + " point " + k);
                assertEquals(f[1][k] / n, x[p * c + T + k], 2e-5, "im, pixel " + p + " point " + k);
            }
            checked++;
        }
        assertTrue(checked > 10, "pixels checked: " + checked);
    }

    /**
     * What the convention rests on, over the paper's whole dictionary grid for both built-in schedules: every fingerprint
     * is real (so sum_t d_t^2 = |d|^2 never vanishes), negative at the first {@value SliceInputs#SIGN_WINDOW} points
     * (the sign is well defined), and no longer window is negative on both. A linear reference would not do: the sum
     * of the points, the obvious dictionary-free one, nearly vanishes for some entry at ar 4 (T = 576).
     */
    @Test
    void theDictionaryIsRealAndInvertedAtTheSignWindow() {
        int w = SliceInputs.SIGN_WINDOW;
        boolean longerFailsSomewhere = false;
        for (String name : Schedules.BUILT_IN) {
            Dictionary d = Dictionary.simulate(Schedules.load(name, 2.0, 18.0).truncate(576), DictionaryGrid.paper(), 1e-5);
            int n = d.size(), t = d.timepoints();
            double worstSum = Double.MAX_VALUE;
            for (int e = 0; e < n; e++) {
                double energy = 0, sum = 0;
                for (int k = 0; k < t; k++) {
                    assertEquals(0f, d.im()[e * t + k], name + ": entry " + e + " is not real");
                    double a = d.re()[e * t + k];
                    energy += a * a;
                    sum += a;
                }
                for (int k = 0; k < w; k++) assertTrue(d.re()[e * t + k] < 0, name + ": entry " + e + " point " + k + " is not negative");
                if (d.re()[e * t + w] >= 0) longerFailsSomewhere = true;
                worstSum = Math.min(worstSum, Math.abs(sum) / Math.sqrt(t * energy));
            }
            assertTrue(worstSum < 1e-3, name + ": the plain sum stays away from zero (" + worstSum + "): a linear reference would do");
        }
        assertTrue(longerFailsSomewhere, "a window of " + (w + 1) + " points is negative on both schedules: the sign window could be longer");
    }
}
