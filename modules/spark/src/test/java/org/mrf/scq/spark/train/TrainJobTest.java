package org.mrf.scq.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.Variant;
import org.mrf.scq.spark.FixtureSparkTest;
import org.mrf.scq.spark.JobFixture;
import org.mrf.scq.spark.infer.InferenceJobTest;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;

/** {@link TrainJob}: real DL4J parameter averaging on local[2] over an ingested dataset, published as a {@link ModelSet}. */
class TrainJobTest extends FixtureSparkTest {
    @Test
    void trainsAModelSetWithItsStatisticsAndResumesAfterTheLastCheckpoint() throws Exception {
        String out = dir.resolve("model").toString();
        TrainJob.Result r = TrainJob.run(spark, fx.train(out, List.of("sub-001"), false, 1, false), JobFixture.quiet());
        assertTrue(r.summary().startsWith("train: variant=fe_only ar=2 T=24 properties=t1,t2 train_slices=2 val_slices=2 val_rel_err: T1 "),
                r.summary());
        assertEquals(2, r.valErrPct().size());
        // One epoch on two slices: only that the held-out subject was scored, not how well.
        r.valErrPct().values().forEach(e -> assertTrue(Double.isFinite(e) && e > 0, "validation error " + e));
        Path ckpt = dir.resolve("model.checkpoints");
        assertEquals(ckpt.toString(), r.checkpoints());
        for (String p : List.of("t1", "t2")) {
            Path m = Path.of(out, p);
            for (String f : List.of("model.zip", "metadata.json", "training-history.json")) assertTrue(Files.size(m.resolve(f)) > 0, m + "/" + f);
            assertTrue(Files.size(m.resolve("training-stats/step1-epoch001.txt")) > 0, "DL4J Spark statistics saved with the model");
            assertTrue(Files.exists(ckpt.resolve(p).resolve("step1-epoch001.zip")));
        }
        JsonNode set = new ObjectMapper().readTree(Files.readString(Path.of(out, ModelSet.METADATA_FILE)));
        assertEquals("fe_only", set.get("variant").asText());
        assertEquals(24, set.get("t").asInt());
        assertEquals("sub-001", set.get("validation").get(0).asText());
        ModelSet.Info info = ModelSet.inspect(out, spark.sparkContext().hadoopConfiguration());
        assertEquals(2, info.ar());
        assertEquals(SliceStore.metadata(fx.slices, spark.sparkContext().hadoopConfiguration()).scheduleHash(), info.scheduleHash());

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainJob.Result resumed = TrainJob.run(spark, fx.train(out, List.of("sub-001"), true, 2, true), new PrintStream(log, true));
        assertTrue(log.toString().contains("resuming after step 1 epoch 1"), log.toString());
        JsonNode history = new ObjectMapper().readTree(Files.readString(Path.of(out, "t1", "training-history.json")));
        assertEquals(2, history.get("epochs").size(), "epoch 1 from the checkpoint, epoch 2 trained now");
        assertNotEquals(info.fingerprint(), resumed.set().fingerprint());
        assertTrue(Files.exists(ckpt.resolve("t1/step1-epoch002.zip")));
        assertEquals(List.of("model", "model.checkpoints"), InferenceJobTest.visible(dir).stream().filter(n -> n.startsWith("model")).toList(),
                "no temporary output beside the model set");
    }

    @Test
    void refusesBadSettingsBeforeTrainingAndWritesNothing() throws Exception {
        String out = dir.resolve("bad").toString();
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> TrainJob.run(spark, fx.train(out, List.of("sub-999"), false, 1, false), JobFixture.quiet()));
        assertTrue(e.getMessage().contains("validation subject 'sub-999' is not in " + fx.slices)
                && e.getMessage().contains("[sub-000, sub-001]"), e.getMessage());

        e = assertThrows(MrfInputException.class,
                () -> TrainJob.run(spark, fx.train(out, List.of("sub-000", "sub-001"), false, 1, false), JobFixture.quiet()));
        assertTrue(e.getMessage().contains("leaves no training subject"), e.getMessage());

        Path empty = dir.resolve("empty-slices");
        spark.createDataFrame(List.of(), SliceStore.SCHEMA).write().parquet(empty.toString());
        Files.copy(Path.of(fx.slices, IngestJob.METADATA_FILE), empty.resolve(IngestJob.METADATA_FILE));
        TrainJob.Options o = fx.train(out, List.of(), false, 1, false);
        TrainJob.Options emptyCohort = new TrainJob.Options(empty.toString(), o.groundTruth(), out, "quick", 2, Variant.FE_ONLY,
                List.of(Property.T1), List.of(), null, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.GROUND_TRUTH);
        e = assertThrows(MrfInputException.class, () -> TrainJob.run(spark, emptyCohort, JobFixture.quiet()));
        assertTrue(e.getMessage().contains("holds no slices") && e.getMessage().contains(empty.toString()), e.getMessage());

        // Ground truth whose summary.json names no dictionary, and no --dictionary: the fixed input projections have no basis.
        Path bare = dir.resolve("gt-bare");
        org.apache.commons.io.FileUtils.copyDirectory(Path.of(fx.groundTruth, "maps").toFile(), bare.resolve("maps").toFile());
        TrainJob.Options scqS = new TrainJob.Options(fx.slices, bare.toString(), out, "quick", 2, Variant.SCQ_S,
                List.of(Property.T1), List.of(), null, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.GROUND_TRUTH);
        e = assertThrows(MrfInputException.class, () -> TrainJob.run(spark, scqS, JobFixture.quiet()));
        assertTrue(e.getMessage().contains("scq_s needs a dictionary") && e.getMessage().contains("pass --dictionary"), e.getMessage());
        TrainJob.Options feOnly = new TrainJob.Options(fx.slices, bare.toString(), out, "quick", 2, Variant.FE_ONLY,
                List.of(Property.T1), List.of(), null, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.GROUND_TRUTH);
        e = assertThrows(MrfInputException.class, () -> TrainJob.run(spark, feOnly, JobFixture.quiet()));
        assertTrue(e.getMessage().contains("onto the dictionary's SVD subspace (rank 16)") && e.getMessage().contains("pass --dictionary"),
                e.getMessage());

        Files.createDirectories(dir.resolve("taken"));
        e = assertThrows(MrfInputException.class,
                () -> TrainJob.run(spark, fx.train(dir.resolve("taken").toString(), List.of(), false, 1, false), JobFixture.quiet()));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("--overwrite"), e.getMessage());

        assertFalse(Files.exists(Path.of(out)));
        assertFalse(Files.exists(dir.resolve("bad.checkpoints")));
    }

    @Test
    void trainsOnTheTrueMapsWithoutAGroundTruth() throws Exception {
        // The fixture's ground truth holds the true maps, so the same training on either targets must give the same
        // networks: that proves the true maps, and nothing else, reach the trainer.
        TrainJob.Options gt = fx.train(dir.resolve("on-gt").toString(), List.of(), false, 1, false);
        TrainJob.Options truth = new TrainJob.Options(fx.slices, null, dir.resolve("on-true").toString(), "quick", 2, Variant.FE_ONLY,
                List.of(Property.T1, Property.T2), List.of(), fx.dictionary, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.TRUE_MAPS);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainJob.run(spark, gt, JobFixture.quiet());
        TrainJob.run(spark, truth, new PrintStream(log, true));
        assertTrue(log.toString().contains("targets true"), log.toString());
        for (Property p : Property.values()) {
            var a = org.mrf.scq.model.ScqModel.load(Path.of(gt.out(), ModelSet.dirName(p))).graph().params();
            var b = org.mrf.scq.model.ScqModel.load(Path.of(truth.out(), ModelSet.dirName(p))).graph().params();
            assertEquals(a, b, p + ": same target values, same network");
        }
        JsonNode set = new ObjectMapper().readTree(Files.readString(Path.of(truth.out(), ModelSet.METADATA_FILE)));
        assertEquals("true", set.get("targets").asText());
        assertTrue(set.get("ground_truth").isNull(), set.toString());
        assertEquals("gt", new ObjectMapper().readTree(Files.readString(Path.of(gt.out(), ModelSet.METADATA_FILE))).get("targets").asText());
    }

    @Test
    void refusesTargetsItCannotTrainOn() {
        String out = dir.resolve("bad-targets").toString();
        TrainJob.Options noGt = new TrainJob.Options(fx.slices, " ", out, "quick", 2, Variant.FE_ONLY, List.of(Property.T1), List.of(),
                fx.dictionary, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.GROUND_TRUTH);
        MrfInputException e = assertThrows(MrfInputException.class, () -> TrainJob.run(spark, noGt, JobFixture.quiet()));
        assertTrue(e.getMessage().contains("--ground-truth is missing") && e.getMessage().contains("--targets true"), e.getMessage());

        TrainJob.Options noDictionary = new TrainJob.Options(fx.slices, null, out, "quick", 2, Variant.FE_ONLY, List.of(Property.T1),
                List.of(), null, false, null, 2, 1, 1, 0, 0, 0, false, TrainingTargets.TRUE_MAPS);
        e = assertThrows(MrfInputException.class, () -> TrainJob.run(spark, noDictionary, JobFixture.quiet()));
        assertTrue(e.getMessage().contains("no --ground-truth names one") && e.getMessage().contains("pass --dictionary"), e.getMessage());

        // Scanner data: slices without true maps (here sub-001's T1 map removed from the stored blocks).
        var bare = SliceStore.withoutSeries(spark, fx.slices).withColumn("t1_ms", org.apache.spark.sql.functions.when(
                col("subject").equalTo("sub-001"), org.apache.spark.sql.functions.lit(null)
                        .cast(org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.FloatType)))
                .otherwise(col("t1_ms")));
        e = assertThrows(MrfInputException.class, () -> TrainJob.requireTrueMaps(bare, "scanner-slices"));
        assertTrue(e.getMessage().startsWith("slice sub-001/") && e.getMessage().contains("of scanner-slices carries no true T1 / T2 maps")
                && e.getMessage().contains("--targets gt"), e.getMessage());
        assertFalse(Files.exists(Path.of(out)));
    }
}
