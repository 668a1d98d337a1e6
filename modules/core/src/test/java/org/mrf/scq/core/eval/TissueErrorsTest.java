package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.eval.TissueErrors.Region;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TissueErrorsTest {
    // the simulator's BrainWeb-derived codes: CSF 23, GM 46, WM 70, lesion 240; 0 background
    private static final Map<Integer, Region> CODES = Map.of(23, Region.CSF, 46, Region.GREY_MATTER, 70, Region.WHITE_MATTER,
            240, Region.LESION);

    @Test
    void errorsPerTissueAndOverTheBrainWithoutCsf() {
        int[] labels = {70, 70, 46, 23, 240, 0};
        float[] ref = {800, 800, 1300, 2000, 1000, 500};
        // WM off by 10 % and 20 %, GM by 5 %, CSF by 50 % (beyond the dictionary), lesion exact, background ignored
        float[] est = {880, 640, 1365, 1000, 1000, 0};
        EnumMap<Region, Double> e = TissueErrors.slice(est, ref, null, labels, CODES);
        assertEquals(15.0, e.get(Region.WHITE_MATTER), 1e-4);
        assertEquals(5.0, e.get(Region.GREY_MATTER), 1e-4);
        assertEquals(50.0, e.get(Region.CSF), 1e-4);
        assertEquals(0.0, e.get(Region.LESION), 1e-4);
        assertEquals((10 + 20 + 5 + 0) / 4.0, e.get(Region.BRAIN_WITHOUT_CSF), 1e-4, "pixel mean over WM, GM, lesion");

        float[] mask = {1, 0, 1, 1, 1, 1};
        assertEquals(10.0, TissueErrors.slice(est, ref, mask, labels, CODES).get(Region.WHITE_MATTER), 1e-4, "mask applies");
        assertTrue(Double.isNaN(TissueErrors.slice(est, ref, null, new int[6], CODES).get(Region.GREY_MATTER)),
                "a region without pixels has no error");
        assertThrows(IllegalArgumentException.class, () -> TissueErrors.slice(est, ref, null, new int[5], CODES));
        assertThrows(IllegalArgumentException.class,
                () -> TissueErrors.slice(est, ref, null, labels, Map.of(70, Region.BRAIN_WITHOUT_CSF)));
    }

    @Test
    void slicesThenSubjectsThenMeanAndStd() {
        EnumMap<Region, Double> s1 = errors(2, 4), s2 = errors(4, Double.NaN), s3 = errors(6, 8);
        // subject A: slices 2 and 4 -> 3 (lesion: only slice 1 has one -> 4); subject B: 6 (lesion 8)
        var summary = TissueErrors.overSubjects(List.of(List.of(s1, s2), List.of(s3)));
        assertEquals(4.5, summary.get(Region.WHITE_MATTER).mean(), 1e-12);
        assertEquals(Math.sqrt(4.5), summary.get(Region.WHITE_MATTER).std(), 1e-12, "sample std of {3, 6}");
        assertEquals(6.0, summary.get(Region.LESION).mean(), 1e-12);
        assertEquals(2, summary.get(Region.LESION).subjects());
        var noLesion = TissueErrors.overSubjects(List.of(List.of(s2)));
        assertEquals(0, noLesion.get(Region.LESION).subjects());
        assertTrue(Double.isNaN(noLesion.get(Region.LESION).mean()));
    }

    private static EnumMap<Region, Double> errors(double wm, double lesion) {
        EnumMap<Region, Double> e = new EnumMap<>(Region.class);
        for (Region r : Region.values()) e.put(r, wm);
        e.put(Region.LESION, lesion);
        return e;
    }
}
