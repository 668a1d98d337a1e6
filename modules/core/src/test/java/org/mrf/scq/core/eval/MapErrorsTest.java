package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MapErrorsTest {
    @Test
    void relativeErrorOverMaskOnly() {
        float[] ref = {100, 200, 0, 400};
        float[] est = {110, 180, 50, 0};
        float[] mask = {1, 1, 1, 0};
        // (10/100 + 20/200) / 2 = 10 %; the zero reference and the unmasked pixel do not count.
        assertEquals(10.0, MapErrors.meanRelativeErrorPct(est, ref, mask), 1e-5);
        assertEquals(0f, MapErrors.relativeErrorMap(est, ref, mask)[2], "no reference, no error");
        assertEquals(0.1f, MapErrors.relativeErrorMap(est, ref, mask)[0], 1e-6);
        assertTrue(Double.isNaN(MapErrors.meanRelativeErrorPct(est, ref, new float[4])));
        double[] ms = MapErrors.meanStd(new double[]{1, 2, 3});
        assertEquals(2, ms[0], 1e-12);
        assertEquals(1, ms[1], 1e-12);
    }
}
