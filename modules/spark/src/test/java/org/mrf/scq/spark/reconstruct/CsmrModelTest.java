package org.mrf.scq.spark.reconstruct;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.NpyExportWriter;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.method.MapModel;
import org.mrf.scq.spark.method.TrainingData;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CSMR as an evaluation method: its transform, run on the executors, reads each slice's ISMRMRD file of a cohort
 * simulated with raw data and gives what a direct {@link Csmr#reconstruct} call gives on that file's first T frames.
 */
class CsmrModelTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static String cohort, slices, dictionary;
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);
    static final int T = 24;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSessions.create("csmr-model-test", "local[2]", "WARN", Map.of());
        CohortSimulator.Options o = CohortSimulator.Options.invivo(2, 1, 4).withMatrix(16).withRaw(true);
        o = o.withAcquisition(o.acquisition().withCoils(2, 0.2).withThreads(1)).withSupersample(1);
        cohort = dir.resolve("cohort").toString();
        new CohortSimulator(SEQ, o, new NpyExportWriter()).run(Path.of(cohort));
        slices = dir.resolve("slices").toString();
        IngestJob.run(spark, cohort, slices);
        dictionary = dir.resolve("dict").toString();
        DictionaryJob.run(spark, SEQ, new DictionaryJob.GridSpec(List.of("300:2000:100"), List.of("20:200:20"), true), 1e-5,
                dictionary, false, 2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void transformIsCsmrOnEachSlicesRawFileAndSurvivesSaveAndLoad() {
        CsmrModel model = new CsmrMethod(cohort, dictionary, 4, 3, Counter.REPETITION)
                .fit(new TrainingData(spark, T, SEQ.length(), null, List::of, Map.of(), null));
        assertEquals(2, model.ar());
        List<Row> rows = model.transform(SliceStore.blocks(spark, slices, T)).collectAsList();
        assertEquals(2, rows.size(), "one row per slice");
        Dictionary dict = DictionaryStore.read(dictionary, new Configuration(), 0);
        for (Row row : rows) {
            MapsStore.SliceMaps m = MapsStore.SliceMaps.of(row);
            assertEquals("csmr", m.method());
            assertTrue(row.<Double>getAs(MapModel.SECONDS) > 0);
            assertEquals(Path.of(cohort, m.subject(), "slice-000.h5").toString(), model.file(m.key()).file());
            Csmr.Result direct;
            try {
                direct = Csmr.reconstruct(IsmrmrdRaw.read(Path.of(model.file(m.key()).file()), 0, Counter.REPETITION).series().truncate(T),
                        dict, model.options());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertArrayEquals(direct.t1Ms(), m.t1Ms(), m.key() + " T1");
            assertArrayEquals(direct.t2Ms(), m.t2Ms(), m.key() + " T2");
            assertArrayEquals(direct.pd(), m.pd(), 1e-6f, m.key() + " PD");
            long tissue = 0;
            for (float v : m.t1Ms()) if (v > 0) tissue++;
            assertTrue(tissue > 20, m.key() + ": CSMR found tissue in " + tissue + " pixels");
        }
        String saved = dir.resolve("csmr-model").toString();
        model.save(saved);
        CsmrModel back = CsmrModel.load(saved, new Configuration());
        assertEquals(T, back.timepoints());
        assertEquals(model.file("sub-001/0"), back.file("sub-001/0"));
    }

    @Test
    void evaluationReportsCsmrAtEachRate() throws Exception {
        String gt = dir.resolve("gt").toString(), out = dir.resolve("eval").toString();
        org.mrf.scq.spark.groundtruth.GroundTruthJob.run(spark, slices, dictionary, gt, List.of(1), false);
        org.mrf.scq.spark.evaluate.Evaluation.Report r = org.mrf.scq.spark.evaluate.Evaluation.run(spark, slices, gt, dictionary, List.of(1, 2),
                List.of(new CsmrMethod(cohort, dictionary, 4, 3, Counter.REPETITION)), null, out);
        Map<?, ?> json = new com.fasterxml.jackson.databind.ObjectMapper().readValue(Path.of(out, "report.json").toFile(), Map.class);
        Map<?, ?> csmr = (Map<?, ?>) json.get("csmr");
        assertNotNull(csmr, json.toString());
        for (String ar : List.of("ar1", "ar2")) {
            Map<?, ?> e = (Map<?, ?>) csmr.get(ar);
            assertNotNull(e, ar + " in " + csmr);
            assertTrue(((Number) e.get("t1_err_pct")).doubleValue() >= 0 && ((Number) e.get("seconds_per_slice")).doubleValue() > 0, e.toString());
        }
        assertTrue(java.nio.file.Files.readString(Path.of(out, "report.md")).contains("csmr"));
    }

    @Test
    void aSliceWithoutARawFileGetsOneClearError() {
        CsmrModel model = new CsmrMethod(dir.resolve("cohort/sub-000").toString(), dictionary, 4, 1, Counter.REPETITION)
                .fit(new TrainingData(spark, T, SEQ.length(), null, List::of, Map.of(), null));
        Exception e = assertThrows(Exception.class, () -> model.transform(SliceStore.blocks(spark, slices, T)).collectAsList());
        Throwable c = e;
        while (c != null && !(c instanceof MrfInputException)) c = c.getCause();
        String text = c != null ? c.getMessage() : String.valueOf(e.getMessage());
        assertTrue(text.contains("has no ISMRMRD file"), text);
    }
}
