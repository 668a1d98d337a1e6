package org.mrf.scq.spark.groundtruth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.sim.DigitalSubjectGenerator;
import org.mrf.scq.sim.LabelMap;
import org.mrf.scq.sim.SimulatedSlices;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.sim.SubjectMaps;
import org.mrf.scq.sim.TissueTable;
import org.mrf.scq.spark.LocalSparkTest;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

public class GroundTruthJobTest extends LocalSparkTest {

    /** Small simulated slices written as a slices dataset. */
    static String slices(Path dir, FispSequence seq, int matrix, int subjects) {
        SliceAcquisition acq = new SliceAcquisition(seq, matrix, SliceAcquisition.Options.defaults().withSnr(200));
        DigitalSubjectGenerator gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(matrix));
        List<MrfSlice> list = new ArrayList<>();
        for (int s = 0; s < subjects; s++) {
            SubjectMaps maps = gen.fromLabels(LabelMap.bundled("axial"), TissueTable.literature3T().perturbed(new Random(s), 0.1), s);
            list.add(SimulatedSlices.toSlice("sub-" + s, 0, acq.acquire(maps, 100 + s), maps, "sim"));
        }
        String out = dir.resolve("slices").toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SliceStore.toDataFrame(spark, jsc.parallelize(list, 2).flatMap(x -> SliceStore.toBlocks(x, 1 << 18).iterator()))
                .write().partitionBy("subject").parquet(out);
        return out;
    }

    @Test
    void dmErrorGrowsWithAccelerationAndOutputsAreComplete(@TempDir Path dir) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(960);
        String slices = slices(dir, seq, 32, 2);
        String dict = dir.resolve("dict").toString();
        DictionaryJob.run(spark, seq, new DictionaryJob.GridSpec(List.of("100:2000:40", "2100:5000:200"),
                List.of("10:200:10", "220:500:40", "600:2000:200"), true), 1e-5, dict, false, 4);
        String out = dir.resolve("gt").toString();
        GroundTruthJob.Result r = GroundTruthJob.run(spark, slices, dict, out, List.of(1, 4, 16), false);
        assertEquals(2, r.slices());
        JsonNode summary = new ObjectMapper().readTree(Files.readString(dir.resolve("gt/summary.json")));
        double e1 = summary.at("/dm/ar1/t1_err_pct").asDouble(), e16 = summary.at("/dm/ar16/t1_err_pct").asDouble();
        double f1 = summary.at("/dm/ar1/t2_err_pct").asDouble(), f16 = summary.at("/dm/ar16/t2_err_pct").asDouble();
        // 32 x 32 with 960 time points aliases far more than the 256 x 256 x 2304 case (a few percent there).
        assertTrue(e1 > 0 && e1 < 25, "DM on all time points is usable: T1 error " + e1);
        assertTrue(e16 > 1.5 * e1, "undersampling degrades DM: T1 " + e1 + " -> " + e16);
        assertTrue(f16 > f1, "undersampling degrades DM: T2 " + f1 + " -> " + f16);
        assertEquals(6, MapsStore.read(spark, dir.resolve("gt/maps").toString()).size());
        assertTrue(Files.exists(dir.resolve("gt/images/sub-0/slice-000/dm_ar4_t1.png")));
        assertTrue(Files.exists(dir.resolve("gt/images/sub-1/slice-000/dm_ar1_t2_ms.nii")));
        // A dictionary shorter than the slices' series is refused before anything is written.
        MrfInputException bad = assertThrows(MrfInputException.class,
                () -> GroundTruthJob.run(spark, slices, dict, out, List.of(1), false));
        assertTrue(bad.getMessage().contains("--overwrite"), bad.getMessage());
    }
}
