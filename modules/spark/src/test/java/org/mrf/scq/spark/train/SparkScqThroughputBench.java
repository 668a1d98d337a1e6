package org.mrf.scq.spark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer.EpochStats;
import org.mrf.scq.spark.SparkSessions;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Throughput of distributed training (examples/s) on local[1] and local[2]; runs only with
 * {@code -Dmrf.bench=true}, e.g.
 * {@code mvn -o -B -pl modules/spark -am test -Dtest=SparkScqThroughputBench -Dsurefire.failIfNoSpecifiedTests=false -Dmrf.bench=true}.
 */
@EnabledIfSystemProperty(named = "mrf.bench", matches = "true")
class SparkScqThroughputBench {
    static final int T = 24;

    @Test
    void examplesPerSecond() {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(T);
        SyntheticSlices gen = new SyntheticSlices(seq);
        List<TrainingSlice> train = gen.slices("bench", 8, 32, 32, 8, 0.0, 1);
        int[][] runs = {{1, 1, 1}, {1, 1, 4}, {2, 1, 1}, {2, 2, 1}, {2, 2, 4}}; // local[n], workers, averaging frequency
        StringBuilder report = new StringBuilder();
        for (int[] r : runs) {
            for (int step : new int[]{1, 2}) {
                SparkSession spark = SparkSessions.create("bench", "local[" + r[0] + "]", "WARN", Map.of());
                try {
                    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                    TrainConfig tc = step == 1
                            ? new TrainConfig(3, 0, 256, 0, 16, 16, true, 4, 5e-3, 0.5, 0.999, 0.5, 3L)
                            : new TrainConfig(0, 0, 256, 3, 16, 8, true, 4, 5e-3, 0.5, 0.999, 0.5, 3L);
                    Variant v = step == 1 ? Variant.FE_ONLY : Variant.SQ_ONLY;
                    NetConfig net = new NetConfig(T, v, new int[]{32, 8}, new int[]{4, 8}, 16, 1, 0.9, 1L);
                    SparkScqTrainer st = new SparkScqTrainer(jsc, Property.T1, net, SparkTrainConfig.of(tc, r[1], r[2]), seq.hash(), 2304.0 / T,
                            null, new PrintStream(new ByteArrayOutputStream(), true));
                    st.train(jsc.parallelize(train, 4), null);
                    List<EpochStats> h = st.history();
                    double rate = h.subList(1, h.size()).stream().mapToDouble(EpochStats::examplesPerSecond).average().orElse(Double.NaN);
                    report.append(String.format("step %d (%s) local[%d] workers %d averaging %d: %.1f %s/s%n", step, v, r[0], r[1], r[2], rate,
                            step == 1 ? "pixels" : "patches"));
                } finally {
                    spark.stop();
                }
            }
        }
        System.out.print(report);
    }
}
