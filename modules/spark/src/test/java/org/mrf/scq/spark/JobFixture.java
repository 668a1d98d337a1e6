package org.mrf.scq.spark;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.Variant;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A small real pipeline for the train and infer tests: 2 simulated subjects x 2 slices (32 x 32, T = 48 of the
 * paper's schedule) ingested, a small dictionary, and the DM ground truth at ar 1.
 */
final class JobFixture {
    final Path dir;
    final String slices, dictionary, groundTruth;

    private JobFixture(Path dir) {
        this.dir = dir;
        this.slices = dir.resolve("slices").toString();
        this.dictionary = dir.resolve("dict").toString();
        this.groundTruth = dir.resolve("gt").toString();
    }

    static JobFixture create(Path dir) throws Exception {
        JobFixture f = new JobFixture(dir);
        Path cohort = TaskFailureTest.cohort(dir);
        SparkSession spark = session("local[2]");
        try {
            IngestJob.run(spark, cohort.toString(), f.slices);
            DictionaryJob.run(spark, TaskFailureTest.SEQ, TaskFailureTest.GRID, 1e-5, f.dictionary, false, 2);
            GroundTruthJob.run(spark, f.slices, f.dictionary, f.groundTruth, List.of(1), false);
        } finally {
            spark.stop();
        }
        return f;
    }

    static SparkSession session(String master) {
        return SparkSessions.create("job-test", master, "ERROR", java.util.Map.of());
    }

    /** FE-only at ar 2 (T = 24), one pixel epoch of the quick profile: real training in a few seconds. */
    TrainJob.Options train(String out, List<String> validation, boolean resume, int pixelEpochs, boolean overwrite) {
        return new TrainJob.Options(slices, groundTruth, out, "quick", 2, Variant.FE_ONLY, List.of(Property.T1, Property.T2),
                validation, null, resume, null, 2, 1, pixelEpochs, 0, overwrite);
    }

    static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream(), true);
    }
}
