package org.mrf.scq.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mrf.scq.spark.hadoop.SparkSessions;

import java.util.Map;

/** Base of the job tests that share one embedded Spark session (local[2]) per test class. */
public abstract class LocalSparkTest {
    public static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.create("test", "local[2]", "WARN", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }
}
