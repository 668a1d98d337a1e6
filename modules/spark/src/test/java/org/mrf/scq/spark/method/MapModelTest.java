package org.mrf.scq.spark.method;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.Matcher;
import org.mrf.scq.core.match.SubspaceMatcher;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.model.drone.DroneModel;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.spark.FixtureSparkTest;
import org.mrf.scq.spark.JobFixture;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.TrainJob;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stage contract: a model's transform, run on the executors over the stored blocks, gives for every slice what
 * a direct call of the core gives on the whole slice (DM, SDM: the matchers; SCQ: the saved networks; DL: the DRONE
 * network), and a saved
 * model loads back to the same maps.
 */
class MapModelTest extends FixtureSparkTest {
    /** The fixture's slices re-stored in blocks of 5 image rows, so that a slice spans several blocks (the last partial). */
    static String blocked;
    static List<MrfSlice> slices;
    static final int T = 24;

    @BeforeAll
    static void reblock() {
        slices = SliceStore.slices(spark, fx.slices, 0).collect();
        blocked = dir.resolve("blocked").toString();
        int rowBytes = slices.get(0).timepoints() * slices.get(0).width() * 8;
        SliceStore.toDataFrame(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(slices, 2)
                .flatMap(s -> SliceStore.toBlocks(s, 5L * rowBytes).iterator())).write().parquet(blocked);
    }

    static TrainingData data() {
        return new TrainingData(spark, T, slices.get(0).timepoints(), null, List::of, Map.of(), null);
    }

    /** The model's maps by slice key: {t1, t2, pd}. */
    static Map<String, float[][]> transform(MapModel m, String path) {
        Map<String, float[][]> out = new HashMap<>();
        for (Row r : m.transform(SliceStore.blocks(spark, path, m.timepoints())).collectAsList()) {
            MapsStore.SliceMaps s = MapsStore.SliceMaps.of(r);
            assertEquals(m.method(), s.method());
            assertTrue(r.<Double>getAs(MapModel.SECONDS) >= 0);
            out.put(s.key(), new float[][]{s.t1Ms(), s.t2Ms(), s.pd()});
        }
        assertEquals(slices.size(), out.size(), "one row per slice");
        return out;
    }

    void assertMatcherEquals(MapModel m, Matcher direct) {
        Map<String, float[][]> maps = transform(m, blocked);
        for (MrfSlice s : slices) {
            MatchResult r = direct.matchTimeMajor(s.re(), s.im(), s.timepoints(), s.height(), s.width(), T);
            assertArrayEquals(r.t1, maps.get(s.key())[0], s.key() + " T1");
            assertArrayEquals(r.t2, maps.get(s.key())[1], s.key() + " T2");
            assertArrayEquals(r.pd, maps.get(s.key())[2], s.key() + " PD");
        }
    }

    @Test
    void dmTransformIsTheMatcherOnEachWholeSliceAndSurvivesSaveAndLoad() {
        Dictionary cut = DictionaryStore.load(spark, fx.dictionary, 0).truncate(T);
        MatchModel dm = new MatchMethod("dm", fx.dictionary, 0).fit(data());
        assertEquals(2, dm.ar());
        assertMatcherEquals(dm, new DictionaryMatcher(cut));
        String saved = dir.resolve("dm-model").toString();
        dm.save(saved);
        dm.release();
        MatchModel back = MatchModel.load(spark, saved);
        assertEquals(T, back.timepoints());
        assertMatcherEquals(back, new DictionaryMatcher(cut));
        back.release();
    }

    @Test
    void sdmTransformIsTheSubspaceMatcherOnEachWholeSlice() {
        Dictionary cut = DictionaryStore.load(spark, fx.dictionary, 0).truncate(T);
        MatchModel sdm = new MatchMethod("sdm", fx.dictionary, 0.999).fit(data());
        assertMatcherEquals(sdm, SubspaceMatcher.forEnergy(cut, RandomizedSvd.ofDictionary(cut), 0.999));
        sdm.release();
    }

    @Test
    void scqTransformIsTheSavedNetworksOnEachWholeSliceAndSurvivesSave() throws Exception {
        String model = dir.resolve("model").toString();
        TrainJob.run(spark, fx.train(model, List.of(), false, 1, false), JobFixture.quiet());
        var conf = spark.sparkContext().hadoopConfiguration();
        ScqMapModel scq = ScqMapModel.load(model, conf);
        assertEquals("fe_only", scq.method());
        ModelSet direct = ModelSet.load(model, conf);
        Map<String, float[][]> maps = transform(scq, blocked);
        for (MrfSlice s : slices) {
            float[][] want = direct.predictMs(s);
            assertArrayEquals(want[0], maps.get(s.key())[0], s.key() + " T1");
            assertArrayEquals(want[1], maps.get(s.key())[1], s.key() + " T2");
            assertNull(maps.get(s.key())[2], "the networks estimate no PD");
        }
        String copy = dir.resolve("model-copy").toString();
        scq.save(copy);
        assertEquals(scq.fingerprint(), ScqMapModel.load(copy, conf).fingerprint(), "the same files");
    }

    @Test
    void dlIsFittedOnTheDictionaryAloneAndItsTransformIsTheNetworkOnEachWholeSlice() {
        DroneMethod dl = new DroneMethod(fx.dictionary, new DroneSettings(16, 2, 64, 1e-3, 20, 40, 5L));
        assertFalse(dl.learns(), "fitted on the dictionary, never on subjects");
        TrainingData data = new TrainingData(spark, T, slices.get(0).timepoints(), null, () -> {
            throw new AssertionError("DRONE must not read the training slices");
        }, Map.of(), null);
        DroneMapModel m = dl.fit(data);
        assertEquals(T, m.timepoints());
        assertEquals(2, m.ar());
        String saved = dir.resolve("dl-model").toString();
        m.save(saved);
        DroneModel core = DroneModel.load(Path.of(saved));
        assertEquals(T, core.metadata().t());
        assertDroneEquals(m, core);
        m.release();
        DroneMapModel back = DroneMapModel.load(spark, saved, 2);
        assertDroneEquals(back, core);
        back.release();
    }

    void assertDroneEquals(MapModel m, DroneModel core) {
        Map<String, float[][]> maps = transform(m, blocked);
        for (MrfSlice s : slices) {
            DroneModel.Maps want = core.applyTimeMajor(s.re(), s.im(), s.timepoints(), s.height() * s.width());
            // the same network on fewer pixels a forward pass: equal up to the GEMM's summation order
            assertArrayEquals(want.t1Ms(), maps.get(s.key())[0], 1e-3f, s.key() + " T1");
            assertArrayEquals(want.t2Ms(), maps.get(s.key())[1], 1e-3f, s.key() + " T2");
            assertNull(maps.get(s.key())[2], "DRONE estimates no PD");
        }
    }
}
