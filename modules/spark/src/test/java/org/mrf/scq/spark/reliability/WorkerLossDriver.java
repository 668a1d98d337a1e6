package org.mrf.scq.spark.reliability;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.CheckpointStore;
import org.mrf.scq.model.train.EpochExamples;
import org.mrf.scq.model.train.EpochRunner;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.infer.InferenceJob;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.train.SparkEpochRunner;
import org.mrf.scq.spark.train.SparkTrainConfig;

import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The driver of {@code WorkerLossTest}, run as its own JVM against a standalone cluster: SCQ training (both steps)
 * three times, the third time with workers killed under it, then {@code InferenceJob} twice, the second time with a
 * worker killed. It prints what
 * the test needs to time its kills and to check them afterwards:
 * <ul>
 *   <li>{@code PHASE <name>} before each run;</li>
 *   <li>{@code FIT step=<s> epoch=<e>} before an epoch's fit; before the first step-2 epoch of the killed training it
 *   waits for the file {@code go-step2} in WORK_DIR (the test restarts the first killed worker meanwhile);</li>
 *   <li>{@code STAGE id=<n> tasks=<n> name=<call site>}, {@code TASK_START stage=<n> executor=<id>},
 *   {@code TASK_FAILED stage=<n> executor=<id> reason=<...>}, {@code EXECUTOR_ADDED <id>},
 *   {@code EXECUTOR_REMOVED <id> <reason>} from a listener on the driver.</li>
 * </ul>
 * Arguments: {@code SPARK_CONF_FILE WORK_DIR}; the conf file holds the master URL as {@code master} and Spark settings.
 * Each minibatch pauses {@value #PAUSE_MS} ms on the executor ({@link TrainDriver.Announce}, which also prints
 * {@code MINIBATCH step=<s> epoch=<e>} to the executor's stdout): the pause changes no number.
 */
public final class WorkerLossDriver {
    static final long PAUSE_MS = 250;
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(r);
        }
        Path work = Path.of(args[1]);
        Map<String, String> conf = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> conf.put(k, p.getProperty(k)));
        String master = conf.remove("master");
        SparkSession spark = SparkSessions.create("worker-loss", master, "WARN", conf);
        try {
            spark.sparkContext().addSparkListener(new Announcer());
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            for (String run : List.of("reference", "repeat", "killed")) {
                say("PHASE train-" + run);
                train(jsc, work.resolve("train-" + run), run.equals("killed") ? work.resolve("go-step2") : null);
                say("TRAINED " + run);
            }

            Path cohort = work.resolve("cohort");
            new CohortSimulator(SEQ, CohortSimulator.Options.defaults(2, 4, 11).withMatrix(32)
                    .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)), ExportWriters.forName("npy")).run(cohort);
            String slices = work.resolve("slices").toString(), models = work.resolve("models").toString();
            IngestJob.run(spark, cohort.toString(), slices);
            modelSet(work.resolve("model-staging"), models, jsc);
            for (String run : List.of("reference", "killed")) {
                say("PHASE infer-" + run);
                say(InferenceJob.run(spark, slices, models, work.resolve("infer-" + run).toString()).summary());
            }
            say("DONE");
        } finally {
            spark.stop();
        }
    }

    /** The network and data of {@link TrainDriver} on two parameter-averaging workers, one averaging per epoch. */
    private static void train(JavaSparkContext jsc, Path out, Path gate) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(TrainDriver.T);
        List<TrainingSlice> train = new SyntheticSlices(seq).slices("train", 4, 16, 16, 6, 0.0, 11);
        TrainConfig tc = TrainDriver.config();
        NetConfig net = new NetConfig(TrainDriver.T, Variant.SCQ, new int[]{16, 8}, new int[]{4, 8}, 8, 1, 0.9, 1L);
        ScqTrainer trainer = new ScqTrainer(Property.T2, net, tc, seq.hash(), 2304.0 / TrainDriver.T, null, System.out);
        SparkTrainConfig sc = new SparkTrainConfig(tc, 2, 1000, 0, true, false, SparkTrainConfig.DEFAULT_GROUP_BYTES);
        SparkEpochRunner runner = new SparkEpochRunner(jsc, sc, jsc.parallelize(train, 2), null, System.out)
                .hook(new TrainDriver.Announce(PAUSE_MS));
        ScqModel model = trainer.train(new Gated(runner, gate));
        trainer.save(model, out);
    }

    /** FE-only networks for T1 and T2 of the cohort's schedule, trained in this JVM: inference only needs a model. */
    private static void modelSet(Path staging, String out, JavaSparkContext jsc) throws Exception {
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        for (Property prop : Property.values()) {
            new ScqTrainer(prop, new NetConfig(48, Variant.FE_ONLY, new int[]{8, 4}, new int[]{8, 16}, 32, 1, 0.9, 1L),
                    new TrainConfig(1, 0, 256, 0, 16, 8, false, 8, 5e-3, 0.5, 0.999, 0.5, 1L), SEQ.hash(), 2304.0 / 48, null, quiet)
                    .train(new SyntheticSlices(SEQ).slices("train", 1, 16, 16, 6, 0.0, 1L), List.of())
                    .save(staging.resolve(ModelSet.dirName(prop)));
        }
        ModelSet.publish(staging, out, jsc.hadoopConfiguration(), false, Map.of());
    }

    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /** Announces every epoch's fit, and holds the first step-2 epoch until {@code gate} exists (when given). */
    private record Gated(EpochRunner runner, Path gate) implements EpochRunner {
        @Override
        public Fitted fit(ComputationGraph g, EpochExamples examples, int epochs) {
            say("FIT step=" + examples.step() + " epoch=" + examples.epoch());
            if (gate != null && examples.step() == 2 && examples.epoch() == 0) {
                while (!Files.exists(gate)) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
            return runner.fit(g, examples, epochs);
        }

        @Override
        public void start(CheckpointStore checkpoints) {
            runner.start(checkpoints);
        }

        @Override
        public double[] targetSum(Property property, int t) {
            return runner.targetSum(property, t);
        }

        @Override
        public String describe(int step, int batch) {
            return runner.describe(step, batch);
        }

        @Override
        public double validationErrorPct(ScqModel model) {
            return runner.validationErrorPct(model);
        }

        @Override
        public void epochDone(String name) {
            runner.epochDone(name);
        }

        @Override
        public Map<String, Object> historySettings() {
            return runner.historySettings();
        }

        @Override
        public void record(Path modelDir) throws java.io.IOException {
            runner.record(modelDir);
        }

        @Override
        public void finish() {
            runner.finish();
        }
    }

    private static final class Announcer extends SparkListener {
        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted e) {
            say("STAGE id=" + e.stageInfo().stageId() + " tasks=" + e.stageInfo().numTasks() + " name=" + e.stageInfo().name());
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            say("TASK_START stage=" + e.stageId() + " executor=" + e.taskInfo().executorId());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            if (!e.taskInfo().successful()) {
                say("TASK_FAILED stage=" + e.stageId() + " executor=" + e.taskInfo().executorId() + " reason=" + e.reason().toString().replace('\n', ' '));
            }
        }

        @Override
        public void onExecutorAdded(SparkListenerExecutorAdded e) {
            say("EXECUTOR_ADDED " + e.executorId());
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
            say("EXECUTOR_REMOVED " + e.executorId() + " " + e.reason());
        }
    }
}
