package org.mrf.scq.spark.train;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.spark.store.MapsStore;

import static org.junit.jupiter.api.Assertions.*;

class TrainingTargetsTest {
    private static final float[] TRUE_T1 = {800, 1300, 4000, 900}, TRUE_T2 = {80, 110, 2000, 75};
    private static final float[] DM_T1 = {810, 1250, 3500, 880}, DM_T2 = {85, 100, 500, 70};

    private static MrfSlice slice(float[] t1, float[] t2) {
        float[] re = {1, 2, 3, 4, 5, 6, 7, 8}, im = {0, 1, 0, 1, 0, 1, 0, 1};
        return new MrfSlice("sub-007", 3, 2, 2, 2, re, im, new float[]{1, 1, 1, 0}, t1, t2, null, "sim");
    }

    private static final MapsStore.SliceMaps GT = new MapsStore.SliceMaps("sub-007", 3, "dm", 1, 2, 2, DM_T1, DM_T2, null);

    @Test
    void eachTargetTakesItsOwnMapsAndKeepsTheSignal() {
        MrfSlice s = slice(TRUE_T1, TRUE_T2);
        TrainingSlice onGt = TrainingTargets.GROUND_TRUTH.of(s, GT, "slices/");
        TrainingSlice onTruth = TrainingTargets.TRUE_MAPS.of(s, null, "slices/");
        assertArrayEquals(DM_T1, onGt.t1Ms());
        assertArrayEquals(DM_T2, onGt.t2Ms());
        assertArrayEquals(TRUE_T1, onTruth.t1Ms());
        assertArrayEquals(TRUE_T2, onTruth.t2Ms());
        for (TrainingSlice t : new TrainingSlice[]{onGt, onTruth}) {
            assertArrayEquals(s.re(), t.re());
            assertArrayEquals(s.im(), t.im());
            assertArrayEquals(s.mask(), t.mask());
            assertEquals("sub-007", t.subject());
            assertEquals(3, t.slice());
        }
        assertNull(TrainingTargets.GROUND_TRUTH.of(s, null, "slices/").t1Ms(), "no ground truth: an unlabelled slice");
    }

    @Test
    void scannerSlicesHaveNoTrueMapsToTrainOn() {
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> TrainingTargets.TRUE_MAPS.of(slice(TRUE_T1, null), GT, "hdfs:///mrf/slices"));
        assertEquals("slice sub-007/3 of hdfs:///mrf/slices carries no true T1 / T2 maps (t1_ms, t2_ms): training on the true maps "
                + "(--targets true) needs a simulated cohort that has them. Train on the DM ground truth instead (--targets gt).", e.getMessage());
    }

    @Test
    void parsesTheFlagValuesOnly() {
        assertEquals(TrainingTargets.GROUND_TRUTH, TrainingTargets.parse(" GT ", "--targets"));
        assertEquals(TrainingTargets.TRUE_MAPS, TrainingTargets.parse("true", "--targets"));
        for (String bad : new String[]{"truth", "", null, "dm"}) {
            MrfInputException e = assertThrows(MrfInputException.class, () -> TrainingTargets.parse(bad, "--targets / mrf.train.targets"));
            assertTrue(e.getMessage().startsWith("--targets / mrf.train.targets '" + bad + "': use gt") && e.getMessage().contains("true"),
                    e.getMessage());
        }
    }
}
