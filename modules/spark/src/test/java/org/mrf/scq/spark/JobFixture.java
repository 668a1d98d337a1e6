package org.mrf.scq.spark;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.Variant;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.groundtruth.GroundTruthJobTest;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.TrainJob;
import org.mrf.scq.spark.train.TrainingTargets;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small real pipeline for the train and infer tests: 2 simulated subjects x 2 slices (32 x 32, T = 48 of the
 * paper's schedule) ingested, a small dictionary of that schedule, and a ground-truth directory with their true maps
 * at ar 1 whose summary.json names the dictionary (as {@code mrf ground-truth} writes it; training reads the quick
 * FE's input subspace from it). Public for the cluster test of modules/cli, which spark-submits {@code mrf train} on it.
 */
public final class JobFixture {
    public final Path dir;
    public final String slices, groundTruth, dictionary;

    private JobFixture(Path dir) {
        this.dir = dir;
        this.slices = dir.resolve("slices").toString();
        this.groundTruth = dir.resolve("gt").toString();
        this.dictionary = dir.resolve("dictionary").toString();
    }

    public static JobFixture create(SparkSession spark, Path dir) throws Exception {
        JobFixture f = new JobFixture(dir);
        IngestJob.run(spark, TaskFailureTest.cohort(dir).toString(), f.slices);
        // The simulator's true maps stored as the ar 1 maps of a ground-truth directory: the same dataset contract
        // as DM's ground truth (tested in GroundTruthJobTest) at a fraction of the time.
        List<MapsStore.SliceMaps> truth = new ArrayList<>();
        for (MrfSlice s : SliceStore.slices(spark, f.slices, 1).collect()) {
            truth.add(new MapsStore.SliceMaps(s.subject(), s.slice(), "true", 1, s.height(), s.width(), s.t1Ms(), s.t2Ms(), s.pd()));
        }
        MapsStore.writeParquet(spark, truth, f.groundTruth + "/maps");
        DictionaryJob.run(spark, TaskFailureTest.SEQ, TaskFailureTest.GRID, 1e-5, f.dictionary, false, 2);
        java.nio.file.Files.writeString(Path.of(f.groundTruth, "summary.json"),
                "{\"dictionary\": \"" + Path.of(f.dictionary).toUri() + "\"}\n");
        return f;
    }

    public static SparkSession session(String master) {
        return SparkSessions.create("job-test", master, "ERROR", java.util.Map.of());
    }

    /** FE-only at ar 2 (T = 24), one pixel epoch of the quick profile: real training in a few seconds. */
    public TrainJob.Options train(String out, List<String> validation, boolean resume, int pixelEpochs, boolean overwrite) {
        return new TrainJob.Options(slices, groundTruth, out, "quick", 2, Variant.FE_ONLY, List.of(Property.T1, Property.T2),
                validation, null, resume, null, 2, 1, pixelEpochs, 0, 0, 0, overwrite, TrainingTargets.GROUND_TRUTH);
    }

    public static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream(), true);
    }
}
