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

    @Test
    void inputsHaveUnitEnergyAndChannelLayout() {
        float[] x = SliceInputs.nhwc(s, 8, false);
        int c = 16;
        float[] inv = SliceInputs.inverseNorms(s, 8);
        int p = 10 * 24 + 12; // inside the disk
        assertTrue(s.inMask(p));
        double e = 0;
        for (int k = 0; k < c; k++) e += x[p * c + k] * x[p * c + k];
        assertEquals(1.0, e, 1e-5);
        assertEquals(s.re()[3 * s.pixels() + p] * inv[p], x[p * c + 3], 1e-7);
        assertEquals(s.im()[3 * s.pixels() + p] * inv[p], x[p * c + 8 + 3], 1e-7);
        float[] mag = SliceInputs.nhwc(s, 8, true);
        assertEquals(Math.hypot(x[p * c + 3], x[p * c + 11]), mag[p * 8 + 3], 1e-6);
        assertThrows(MrfInputException.class, () -> SliceInputs.nhwc(s, T + 1, false));
    }

    @Test
    void pixelExamplesComeFromTheMask() {
        DataSet d = PixelExamples.from(s, Property.T2, T, false, 50, 3);
        assertArrayEquals(new long[]{50, 1, 1, 2 * T}, d.getFeatures().shape());
        assertArrayEquals(new long[]{50, 1, 1, 1}, d.getLabels().shape());
        INDArray l = d.getLabels();
        for (int i = 0; i < 50; i++) assertTrue(l.getDouble(i, 0, 0, 0) > 0);
        assertEquals(PixelExamples.count(s, Property.T2, 0), PixelExamples.from(s, Property.T2, T, false, 0, 3).numExamples());
        // pure function of its arguments
        assertEquals(d.getFeatures(), PixelExamples.from(s, Property.T2, T, false, 50, 3).getFeatures());
    }

    @Test
    void patchesCoverTheSliceAndFlipFeaturesWithLabels() {
        assertEquals(List.of(0, 8, 12), PatchExamples.starts(20, 8, 8));
        DataSet plain = PatchExamples.from(s, Property.T1, T, false, 8, 8, false, 1);
        int n = PatchExamples.count(s, Property.T1, 8, 8);
        assertEquals(n, plain.numExamples());
        assertArrayEquals(new long[]{n, 8, 8, 2 * T}, plain.getFeatures().shape());
        assertArrayEquals(new long[]{n, 8, 8, 1}, PatchExamples.mask(plain).shape());
        assertNull(plain.getLabelsMaskArray(), "the mask travels in the labels (DL4J M2.1 mangles NHWC label masks)");
        DataSet flipped = PatchExamples.from(s, Property.T1, T, false, 8, 8, true, 1);
        assertEquals(n, flipped.numExamples());
        // each flipped patch is a flip of its plain patch, features, labels and mask alike
        for (int i = 0; i < n; i++) {
            INDArray f0 = plain.getFeatures().slice(i), f1 = flipped.getFeatures().slice(i);
            INDArray l0 = plain.getLabels().slice(i), l1 = flipped.getLabels().slice(i);
            boolean ok = false;
            for (int fv = 0; fv < 2 && !ok; fv++) {
                for (int fh = 0; fh < 2 && !ok; fh++) {
                    INDArray a = flip(f0, fv == 1, fh == 1), b = flip(l0, fv == 1, fh == 1);
                    ok = a.equals(f1) && b.equals(l1);
                }
            }
            assertTrue(ok, "patch " + i);
        }
        assertEquals(s.t1Ms()[0] / 5000f, 0f);
        // masked pixels = slice mask inside each patch (grid 0, 8, 12 with stride 8 over 20 x 24)
        double inside = 0;
        for (int y0 : PatchExamples.starts(20, 8, 8)) for (int x0 : PatchExamples.starts(24, 8, 8))
            for (int y = y0; y < y0 + 8; y++) for (int x = x0; x < x0 + 8; x++) if (s.inMask(y * 24 + x)) inside++;
        assertEquals(inside, PatchExamples.mask(plain).sumNumber().doubleValue());
    }

    private static INDArray flip(INDArray hwc, boolean v, boolean h) {
        INDArray out = hwc.dup();
        long hh = hwc.size(0), ww = hwc.size(1);
        for (int y = 0; y < hh; y++) {
            for (int x = 0; x < ww; x++) {
                long sy = v ? hh - 1 - y : y, sx = h ? ww - 1 - x : x;
                out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(y), org.nd4j.linalg.indexing.NDArrayIndex.point(x))
                        .assign(hwc.get(org.nd4j.linalg.indexing.NDArrayIndex.point(sy), org.nd4j.linalg.indexing.NDArrayIndex.point(sx)));
            }
        }
        return out;
    }

    @Test
    void slicesAreValidated() {
        assertThrows(MrfInputException.class, () -> new TrainingSlice("a", 0, 2, 2, 3, new float[11], new float[12], null, null, null));
        assertThrows(MrfInputException.class, () -> new TrainingSlice("a", 0, 2, 2, 3, new float[12], new float[12], new float[3], null, null));
        TrainingSlice inf = TrainingSlice.ofSignal("a", 0, 2, 2, 3, new float[12], new float[12]);
        assertThrows(MrfInputException.class, () -> inf.target(Property.T1));
    }
}
