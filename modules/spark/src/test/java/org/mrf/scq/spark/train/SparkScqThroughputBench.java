package org.mrf.scq.spark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer.EpochStats;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.cluster.StandaloneCluster;
import org.mrf.scq.spark.hadoop.SparkSessions;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Throughput of distributed training (examples/s); runs only with {@code -Dmrf.bench=true}, e.g.
 * {@code mvn -B -pl modules/spark -am test -Dtest=SparkScqThroughputBench#stepOneLocalVsCluster -Dsurefire.failIfNoSpecifiedTests=false -Dmrf.bench=true}.
 * <ul>
 *   <li>{@link #examplesPerSecond}: both steps on local[1] / local[2] with several worker counts and averaging frequencies;</li>
 *   <li>{@link #stepOneLocalVsCluster}: step 1 (pixels/s) on local[1], local[2] and a real standalone cluster of two 1-core
 *   workers ({@link StandaloneCluster}, driver in this JVM), the median of {@value #REPEATS} runs each and the ratios.</li>
 * </ul>
 * Each run trains {@value #EPOCHS} epochs and reports the mean rate of all but the first (JIT and native warm-up).
 * Figures depend on the machine's load: on a shared machine repeat them before drawing conclusions.
 */
@EnabledIfSystemProperty(named = "mrf.bench", matches = "true")
class SparkScqThroughputBench {
    static final int T = 24;
    static final int EPOCHS = 3;
    static final int REPEATS = 3;

    final FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(T);
    final List<TrainingSlice> train = new SyntheticSlices(seq).slices("bench", 8, 32, 32, 8, 0.0, 1);

    @Test
    void examplesPerSecond() {
        int[][] runs = {{1, 1, 1}, {1, 1, 4}, {2, 1, 1}, {2, 2, 1}, {2, 2, 4}}; // local[n], workers, averaging frequency
        StringBuilder report = new StringBuilder();
        for (int[] r : runs) {
            for (int step : new int[]{1, 2}) {
                SparkSession spark = SparkSessions.create("bench", "local[" + r[0] + "]", "WARN", Map.of());
                try {
                    double rate = rate(JavaSparkContext.fromSparkContext(spark.sparkContext()), step, r[1], r[2]);
                    report.append(String.format(Locale.ROOT, "step %d (%s) local[%d] workers %d averaging %d: %.1f %s/s%n", step,
                            variant(step), r[0], r[1], r[2], rate, step == 1 ? "pixels" : "patches"));
                } finally {
                    spark.stop();
                }
            }
        }
        System.out.print(report);
    }

    @Test
    void stepOneLocalVsCluster(@TempDir Path dir) throws Exception {
        Map<String, double[]> rates = new LinkedHashMap<>();
        rates.put("local[1]", repeats("local[1]", 1, Map.of()));
        rates.put("local[2]", repeats("local[2]", 2, Map.of()));
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 1, "1g")) {
            Map<String, String> conf = new LinkedHashMap<>(cluster.applicationConf(2, "1g"));
            // The driver is this JVM; the executors get this build's classes as the application's jars.
            conf.put("spark.jars", cluster.projectJars().stream().map(Path::toString).collect(Collectors.joining(",")));
            rates.put("standalone 2 x 1 core", repeats(cluster.masterUrl(), 2, conf));
        }
        double base = median(rates.get("local[1]"));
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "step 1 (FE_ONLY, T=%d, %d slices 32x32, batch 256, averaging every minibatch): pixels/s, median of %d%n", T,
                train.size(), REPEATS));
        rates.forEach((name, r) -> report.append(String.format(Locale.ROOT, "  %-22s median %8.1f  runs %s  ratio to local[1] %.2f%n",
                name, median(r), Arrays.toString(Arrays.stream(r).mapToLong(Math::round).toArray()), median(r) / base)));
        System.out.print(report);
    }

    /**
     * Step 2 with one worker on Spark against the single-JVM trainer on the same data and settings, at a realistic
     * channel count (T = 288, 576 input channels): the examples Spark moves per epoch are as large as the demo's, so the
     * ratio shows what Spark's handling of them costs (it was about 4x before one-worker training skipped the shuffles
     * and the serialised cache).
     */
    @Test
    void stepTwoOneWorkerVsSingleJvm() {
        int t = 288;
        FispSequence s = Schedules.paperDefault(2.0, 18.0).truncate(t);
        List<TrainingSlice> slices = new SyntheticSlices(s).slices("bench2", 6, 32, 32, 8, 0.0, 2);
        TrainConfig tc = new TrainConfig(0, 0, 256, EPOCHS, 16, 8, true, 2, 1e-3, 0.5, 0.999, 0.5, 3L);
        NetConfig net = new NetConfig(t, Variant.SQ_ONLY, new int[]{32, 8}, new int[]{4, 8}, 16, 1, 0.9, 1L);
        double[] spark = new double[REPEATS], jvm = new double[REPEATS];
        SparkSession session = SparkSessions.create("bench step 2", "local[2]", "WARN", Map.of());
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
            for (int i = 0; i < REPEATS; i++) {
                PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true);
                ScqTrainer st = new ScqTrainer(Property.T1, net, tc, s.hash(), 2304.0 / t, null, quiet);
                st.train(new SparkEpochRunner(jsc, SparkTrainConfig.of(tc, 1, 1000), jsc.parallelize(slices, 2), null, quiet));
                spark[i] = meanAfterFirst(st.history());
                ScqTrainer single = new ScqTrainer(Property.T1, net, tc, s.hash(), 2304.0 / t, null,
                        new PrintStream(new ByteArrayOutputStream(), true));
                single.train(slices, List.of());
                jvm[i] = meanAfterFirst(single.history());
            }
        } finally {
            session.stop();
        }
        System.out.printf(Locale.ROOT, "step 2 (SQ_ONLY, T=%d, %d slices 32x32, patches 16x16, batch 2): patches/s, median of %d%n"
                        + "  single JVM           median %8.1f  runs %s%n  Spark local[2], 1 worker  median %8.1f  runs %s  ratio %.2f%n",
                t, slices.size(), REPEATS, median(jvm), Arrays.toString(jvm), median(spark), Arrays.toString(spark), median(spark) / median(jvm));
    }

    private static double meanAfterFirst(List<EpochStats> h) {
        return h.subList(1, h.size()).stream().mapToDouble(EpochStats::examplesPerSecond).average().orElse(Double.NaN);
    }

    /** {@value #REPEATS} step-1 rates on one Spark application of {@code master} with {@code workers} averaging workers. */
    private double[] repeats(String master, int workers, Map<String, String> conf) {
        SparkSession spark = SparkSessions.create("bench " + master, master, "WARN", conf);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            double[] r = new double[REPEATS];
            for (int i = 0; i < REPEATS; i++) r[i] = rate(jsc, 1, workers, 1);
            return r;
        } finally {
            spark.stop();
        }
    }

    /** Examples per second of one step, the mean over the epochs after the first. */
    private double rate(JavaSparkContext jsc, int step, int workers, int averaging) {
        TrainConfig tc = step == 1
                ? new TrainConfig(EPOCHS, 0, 256, 0, 16, 16, true, 4, 5e-3, 0.5, 0.999, 0.5, 3L)
                : new TrainConfig(0, 0, 256, EPOCHS, 16, 8, true, 4, 5e-3, 0.5, 0.999, 0.5, 3L);
        NetConfig net = new NetConfig(T, variant(step), new int[]{32, 8}, new int[]{4, 8}, 16, 1, 0.9, 1L);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true);
        ScqTrainer st = new ScqTrainer(Property.T1, net, tc, seq.hash(), 2304.0 / T, null, quiet);
        st.train(new SparkEpochRunner(jsc, SparkTrainConfig.of(tc, workers, averaging), jsc.parallelize(train, 4), null, quiet));
        return meanAfterFirst(st.history());
    }

    private static Variant variant(int step) {
        return step == 1 ? Variant.FE_ONLY : Variant.SQ_ONLY;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
