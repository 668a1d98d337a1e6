package org.mrf.scq.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Base of the tests that share one {@link JobFixture} and one local[2] session per class (each start costs seconds). */
public abstract class FixtureSparkTest {
    @TempDir
    public static Path dir;
    public static JobFixture fx;
    /** A test may replace it with a session of its own; the one here at the end is stopped. */
    public static SparkSession spark;

    @BeforeAll
    static void startFixture() throws Exception {
        spark = JobFixture.session("local[2]");
        fx = JobFixture.create(spark, dir);
    }

    @AfterAll
    static void stopFixture() {
        spark.stop();
    }
}
