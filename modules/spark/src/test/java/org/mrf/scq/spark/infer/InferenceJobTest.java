package org.mrf.scq.spark.infer;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.FixtureSparkTest;
import org.mrf.scq.spark.JobFixture;
import org.mrf.scq.spark.TaskFailureTest;
import org.mrf.scq.spark.hadoop.FailureInjection;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.TrainJob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Batch inference of a model set trained by {@link TrainJob} (real DL4J on local[2]) over an ingested dataset. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class InferenceJobTest extends FixtureSparkTest {
    /** The retry test, last, replaces the class's session with its own. */
    static String model;

    @BeforeAll
    static void trainModel() throws Exception {
        model = dir.resolve("model").toString();
        TrainJob.run(spark, fx.train(model, List.of(), false, 1, false), JobFixture.quiet());
    }

    @Test
    @Order(1)
    void infersEverySliceWithOneModelLoadAndResumesWhereItStopped() throws Exception {
        String out = dir.resolve("maps-a").toString();
        {
            ModelSet.release();
            int loads = ModelSet.LOADS.get();
            InferenceJob.Result r = InferenceJob.run(spark, fx.slices, model, out);
            assertEquals(4, r.slices());
            assertEquals(0, r.skipped());
            assertEquals(4, r.written());
            assertEquals(1, ModelSet.LOADS.get() - loads, "one executor JVM (local mode) restores the networks once for 4 slices");
            assertTrue(r.summary().startsWith("infer: slices=4 skipped=0 written=4 method=fe_only ar=2 "), r.summary());

            List<MapsStore.SliceMaps> maps = MapsStore.read(spark, out + "/maps");
            assertEquals(4, maps.size());
            ModelSet set = ModelSet.load(model, spark.sparkContext().hadoopConfiguration());
            assertEquals(24, set.info().t());
            for (MrfSlice s : SliceStore.slices(spark, fx.slices, 0).collect()) {
                MapsStore.SliceMaps m = maps.stream().filter(x -> x.key().equals(s.key())).findFirst().orElseThrow();
                assertEquals("fe_only", m.method());
                assertEquals(2, m.ar());
                assertNull(m.pd());
                float[][] expected = set.predictMs(s.truncate(24)); // the first T of the series, as the job feeds them
                assertArrayEquals(expected[0], m.t1Ms(), s.key());
                assertArrayEquals(expected[1], m.t2Ms(), s.key());
                double mean = 0;
                for (float v : m.t1Ms()) mean += v / m.t1Ms().length;
                assertTrue(mean > 10 && mean < 5000, "T1 maps in ms: mean " + mean);
                Path images = Path.of(out, "images", s.subject(), String.format("slice-%03d", s.slice()));
                for (String f : List.of("fe_only_ar2_t1_ms.nii", "fe_only_ar2_t2_ms.nii", "fe_only_ar2_t1.png", "fe_only_ar2_t2.png")) {
                    assertTrue(Files.size(images.resolve(f)) > 100, images.resolve(f) + " written");
                }
            }

            Path part = Path.of(out, "maps", InferenceJob.partName("sub-000", 1));
            long before = Files.getLastModifiedTime(part).toMillis();
            InferenceJob.Result again = InferenceJob.run(spark, fx.slices, model, out);
            assertEquals(4, again.skipped());
            assertEquals(0, again.written());
            assertEquals(before, Files.getLastModifiedTime(part).toMillis(), "finished slices are not rewritten");

            Files.delete(part);
            InferenceJob.Result resumed = InferenceJob.run(spark, fx.slices, model, out);
            assertEquals(3, resumed.skipped());
            assertEquals(1, resumed.written());
            assertEquals(4, MapsStore.read(spark, out + "/maps").size());
            assertEquals(List.of(InferenceJob.METADATA_FILE, "images", "maps"), visible(Path.of(out)));
        }
    }

    @Test
    @Order(3)
    void retriedTasksGiveTheSameOutputAsACleanRun() throws Exception {
        Path clean = dir.resolve("clean"), retried = dir.resolve("retried");
        InferenceJob.run(spark, fx.slices, model, clean.resolve("out").toString());
        spark.stop();
        // Every task fails once after its images are in place and before its part is: the worst moment to die.
        spark = SparkSessions.create("job-test", "local[2,3]", "FATAL", Map.of(FailureInjection.KEY, "infer"));
        TaskFailureTest.FailedTasks failed = new TaskFailureTest.FailedTasks();
        spark.sparkContext().addSparkListener(failed);
        try {
            InferenceJob.Result r = InferenceJob.run(spark, fx.slices, model, retried.resolve("out").toString());
            assertEquals(4, r.written());
            TaskFailureTest.waitForListener(failed, 4);
            assertEquals(4, failed.injected("infer"), failed.reasons.toString());
        } finally {
            spark.stop();
        }
        // The metadata names the output's own path; everything else must match byte for byte.
        TaskFailureTest.assertSameFiles(clean.resolve("out"), retried.resolve("out"), InferenceJob.METADATA_FILE);
        assertEquals(List.of(InferenceJob.METADATA_FILE, "images", "maps"), visible(retried.resolve("out")));
        assertEquals(List.of(), TaskFailureTest.listNames(retried.resolve("out/maps")).stream().filter(n -> n.startsWith(".") && !n.endsWith(".parquet.crc")).toList(),
                "no temporary files left in maps/");
    }

    @Test
    @Order(2)
    void refusesSlicesTheModelDoesNotFitAndWritesNothing() throws Exception {
        {
            String meta = Files.readString(Path.of(fx.slices, IngestJob.METADATA_FILE));
            Path otherSchedule = copySlices("other-schedule", meta.replaceAll("\"schedule_hash\" : \"[^\"]+\"", "\"schedule_hash\" : \"0123abcd\""));
            MrfInputException e = assertThrows(MrfInputException.class,
                    () -> InferenceJob.run(spark, otherSchedule.toString(), model, dir.resolve("bad1").toString()));
            assertTrue(e.getMessage().contains(otherSchedule.toString()) && e.getMessage().contains("model set")
                    && e.getMessage().contains(dir.resolve("model").toString()) && e.getMessage().contains("0123abcd"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("bad1")));

            Path fewT = copySlices("few-t", meta.replaceAll("\"timepoints\" : 48", "\"timepoints\" : 12"));
            e = assertThrows(MrfInputException.class, () -> InferenceJob.run(spark, fewT.toString(), model, dir.resolve("bad2").toString()));
            assertTrue(e.getMessage().contains("T=12") && e.getMessage().contains("needs the first 24")
                    && e.getMessage().contains(fewT.toString()) && e.getMessage().contains(dir.resolve("model").toString()), e.getMessage());
            assertFalse(Files.exists(dir.resolve("bad2")));

            Path empty = dir.resolve("empty-slices");
            spark.createDataFrame(List.of(), SliceStore.SCHEMA).write().parquet(empty.toString());
            Files.writeString(empty.resolve(IngestJob.METADATA_FILE), meta);
            e = assertThrows(MrfInputException.class, () -> InferenceJob.run(spark, empty.toString(), model, dir.resolve("bad3").toString()));
            assertTrue(e.getMessage().contains("holds no slices") && e.getMessage().contains(empty.toString()), e.getMessage());
            assertFalse(Files.exists(dir.resolve("bad3")));

            e = assertThrows(MrfInputException.class,
                    () -> InferenceJob.run(spark, fx.slices, dir.resolve("no-model").toString(), dir.resolve("bad4").toString()));
            assertTrue(e.getMessage().contains("no-model") && e.getMessage().contains("mrf train"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("bad4")));
        }
    }

    /** Names in a directory without checksum files (no temporary file may remain either). */
    public static List<String> visible(Path p) throws Exception {
        return TaskFailureTest.listNames(p).stream().filter(n -> !n.endsWith(".crc")).toList();
    }

    /** The fixture's slices with another ingest metadata (the Parquet parts are shared by copy). */
    private static Path copySlices(String name, String metadata) throws Exception {
        Path to = dir.resolve(name);
        org.apache.commons.io.FileUtils.copyDirectory(Path.of(fx.slices).toFile(), to.toFile());
        Files.writeString(to.resolve(IngestJob.METADATA_FILE), metadata);
        Files.deleteIfExists(to.resolve("." + IngestJob.METADATA_FILE + ".crc"));
        return to;
    }
}
