package org.mrf.scq.spark.reliability;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.hadoop.SparkSessions;

import java.util.List;
import java.util.Map;

/**
 * Rewrites a dictionary with overwrite, as {@code mrf dictionary --overwrite} does, for {@code AtomicOutputKillTest}
 * to kill. Arguments: {@code OUT TIMEPOINTS}. The grid (1,300 entries in 40 partitions) makes the write last
 * seconds, so there is a wide window in which the temporary output is half written.
 */
public final class DictionaryDriver {
    public static void main(String[] args) {
        SparkSession spark = SparkSessions.create("dictionary-driver", "local[2]", "ERROR", Map.of());
        try {
            DictionaryJob.GridSpec grid = new DictionaryJob.GridSpec(List.of("100:4000:30"), List.of("10:500:50"), true);
            DictionaryJob.Result r = DictionaryJob.run(spark, Schedules.paperDefault(2.0, 18.0).truncate(Integer.parseInt(args[1])),
                    grid, 1e-5, args[0], true, 40);
            System.out.println("WROTE " + r.summary());
        } finally {
            spark.stop();
        }
    }
}
