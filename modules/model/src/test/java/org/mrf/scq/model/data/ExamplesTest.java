package org.mrf.scq.model.data;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Property;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExamplesTest {
    static final int T = 16;
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(T);
    final TrainingSlice s = new SyntheticSlices(SEQ).slice("s1", 0, 20, 24, 5, 0.05, 11);
    /** The slice's network inputs, NHWC: what every patch is cut from. */
    final float[] inputs = SliceInputs.nhwc(s, T, SliceInputs.Form.COMPLEX);

    @Test
    void inputsHaveUnitEnergyAndChannelLayout() {
        float[] x = SliceInputs.nhwc(s, 8, SliceInputs.Form.COMPLEX);
        int c = 16;
        float[] inv = SliceInputs.inverseNorms(s, 8);
        int p = 10 * 24 + 12; // inside the disk
        assertTrue(s.inMask(p));
        double e = 0;
        for (int k = 0; k < c; k++) e += x[p * c + k] * x[p * c + k];
        assertEquals(1.0, e, 1e-5);
        assertEquals(s.re()[3 * s.pixels() + p] * inv[p], x[p * c + 3], 1e-7);
        assertEquals(s.im()[3 * s.pixels() + p] * inv[p], x[p * c + 8 + 3], 1e-7);
        float[] mag = SliceInputs.nhwc(s, 8, SliceInputs.Form.MAGNITUDE);
        assertEquals(Math.hypot(x[p * c + 3], x[p * c + 11]), mag[p * 8 + 3], 1e-6);
        assertThrows(MrfInputException.class, () -> SliceInputs.nhwc(s, T + 1, SliceInputs.Form.COMPLEX));
    }

    @Test
    void pixelExamplesComeFromTheMask() {
        DataSet d = PixelExamples.from(s, Property.T2, T, SliceInputs.Form.COMPLEX, 50, 3);
        assertArrayEquals(new long[]{50, 1, 1, 2 * T}, d.getFeatures().shape());
        assertArrayEquals(new long[]{50, 1, 1, 1}, d.getLabels().shape());
        INDArray l = d.getLabels();
        for (int i = 0; i < 50; i++) assertTrue(l.getDouble(i, 0, 0, 0) > 0);
        assertEquals(PixelExamples.count(s, Property.T2, 0), PixelExamples.from(s, Property.T2, T, SliceInputs.Form.COMPLEX, 0, 3).numExamples());
        // pure function of its arguments
        assertEquals(d.getFeatures(), PixelExamples.from(s, Property.T2, T, SliceInputs.Form.COMPLEX, 50, 3).getFeatures());
    }

    @Test
    void patchesCoverTheSliceAndAugmentFeaturesWithLabels() {
        assertEquals(List.of(0, 8, 12), PatchExamples.starts(20, 8, 8));
        DataSet plain = PatchExamples.from(s, Property.T1, T, SliceInputs.Form.COMPLEX, 8, 8, false, 1);
        int n = PatchExamples.count(s, Property.T1, 8, 8);
        assertEquals(n, plain.numExamples());
        assertArrayEquals(new long[]{n, 8, 8, 2 * T}, plain.getFeatures().shape());
        assertArrayEquals(new long[]{n, 8, 8, 1}, PatchExamples.mask(plain).shape());
        assertNull(plain.getLabelsMaskArray(), "the mask travels in the labels (DL4J M2.1 mangles NHWC label masks)");
        assertEquals(s.t1Ms()[0] / 5000f, 0f);
        // masked pixels = slice mask inside each patch (grid 0, 8, 12 with stride 8 over 20 x 24)
        double inside = 0;
        for (int y0 : PatchExamples.starts(20, 8, 8)) for (int x0 : PatchExamples.starts(24, 8, 8))
            for (int y = y0; y < y0 + 8; y++) for (int x = x0; x < x0 + 8; x++) if (s.inMask(y * 24 + x)) inside++;
        assertEquals(inside, PatchExamples.mask(plain).sumNumber().doubleValue());
        // the grid's patches are the slice as it is: symmetry 0 at the grid positions, in order
        java.util.Set<String> grid = new java.util.HashSet<>();
        for (int y0 : PatchExamples.starts(20, 8, 8)) for (int x0 : PatchExamples.starts(24, 8, 8)) grid.add(y0 + "," + x0);
        for (int i = 0; i < n; i++) {
            int[] at = placeOf(plain, i);
            assertNotNull(at, "plain patch " + i);
            assertTrue(grid.contains(at[0] + "," + at[1]) && at[2] == 0, "plain patch " + i + " is a grid crop as it is");
        }

        DataSet augmented = PatchExamples.from(s, Property.T1, T, SliceInputs.Form.COMPLEX, 8, 8, true, 1);
        int m = augmented.numExamples();
        assertTrue(m > 0 && m <= grid.size(), "at most one patch per grid position, got " + m);
        // each augmented patch is a crop of the slice in one of the 8 symmetries, features, labels and mask alike;
        // over a few seeds the places and symmetries vary (not the grid's, not only flips)
        java.util.Set<Integer> symmetries = new java.util.HashSet<>();
        java.util.Set<String> places = new java.util.HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            DataSet a = PatchExamples.from(s, Property.T1, T, SliceInputs.Form.COMPLEX, 8, 8, true, seed);
            for (int i = 0; i < a.numExamples(); i++) {
                int[] at = placeOf(a, i);
                assertNotNull(at, "augmented patch " + i + " (seed " + seed + ") is no symmetry of any crop of the slice");
                symmetries.add(at[2]);
                places.add(at[0] + "," + at[1]);
            }
        }
        assertEquals(8, symmetries.size(), "all 8 symmetries of the square occur");
        assertTrue(places.size() > grid.size(), "random places, not only the grid's: " + places.size());
        assertEquals(augmented.getFeatures(), PatchExamples.from(s, Property.T1, T, SliceInputs.Form.COMPLEX, 8, 8, true, 1).getFeatures(), "pure function of the seed");
    }

    /**
     * Where patch {@code i} of {@code d} comes from: {y0, x0, symmetry} (symmetry bits: 1 = flip rows, 2 = flip
     * columns, 4 = transpose), found by comparing features and labels with every 8 x 8 crop of the slice; null if none.
     */
    private int[] placeOf(DataSet d, int i) {
        int size = 8, c = 2 * T, w = s.w();
        float[] x = inputs;
        float[] f = d.getFeatures().slice(i).dup().data().asFloat();
        float[] l = d.getLabels().slice(i).dup().data().asFloat();
        for (int y0 = 0; y0 + size <= s.h(); y0++) {
            for (int x0 = 0; x0 + size <= w; x0++) {
                for (int sym = 0; sym < 8; sym++) {
                    boolean same = true;
                    for (int dy = 0; dy < size && same; dy++) {
                        for (int dx = 0; dx < size && same; dx++) {
                            int a = (sym & 1) != 0 ? size - 1 - dy : dy, b = (sym & 2) != 0 ? size - 1 - dx : dx;
                            int p = (sym & 4) != 0 ? (y0 + b) * w + x0 + a : (y0 + a) * w + x0 + b, q = dy * size + dx;
                            float label = s.inMask(p) ? s.t1Ms()[p] / 5000f : 0f;
                            same = l[q] == label;
                            for (int k = 0; k < c && same; k++) same = f[q * c + k] == x[p * c + k];
                        }
                    }
                    if (same) return new int[]{y0, x0, sym};
                }
            }
        }
        return null;
    }

    @Test
    void slicesAreValidated() {
        assertThrows(MrfInputException.class, () -> new TrainingSlice("a", 0, 2, 2, 3, new float[11], new float[12], null, null, null));
        assertThrows(MrfInputException.class, () -> new TrainingSlice("a", 0, 2, 2, 3, new float[12], new float[12], new float[3], null, null));
        TrainingSlice inf = TrainingSlice.ofSignal("a", 0, 2, 2, 3, new float[12], new float[12]);
        assertThrows(MrfInputException.class, () -> inf.target(Property.T1));
    }
}
