package org.mrf.scq.spark.reliability;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.CheckpointStore;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.train.GraphTrainingHook;
import org.mrf.scq.spark.train.HadoopCheckpointStore;
import org.mrf.scq.spark.train.SparkEpochRunner;
import org.mrf.scq.spark.train.SparkTrainConfig;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A training driver for {@code ResumeAfterKillTest}, run as its own JVM so the test can kill it for real:
 * SCQ (both steps) for T2 on {@code local[1]} with a tiny net and synthetic EPG phantoms (T = 24).
 * <p>
 * Arguments: {@code CHECKPOINTS MODEL_OUT RESUME(true|false) PAUSE_MS}; CHECKPOINTS is a local directory or a Hadoop
 * URI (hdfs://...: a {@link HadoopCheckpointStore}, whose removals of earlier runs' leftovers are printed). Every minibatch prints
 * {@code MINIBATCH step=<1|2> epoch=<n>} (n counts from 0) before it is fitted, so the test knows when it is
 * inside an epoch; {@code PAUSE_MS} slows each minibatch down so that an epoch lasts long enough to be killed in.
 * The pause changes no number: it only sleeps.
 */
public final class TrainDriver {
    static final int T = 24;

    public static void main(String[] args) throws Exception {
        String ckpt = args[0];
        boolean onHadoop = ckpt.contains("://");
        Path out = Path.of(args[1]);
        boolean resume = Boolean.parseBoolean(args[2]);
        long pauseMs = Long.parseLong(args[3]);
        SparkSession spark = SparkSessions.create("resume-driver", "local[1]", "ERROR",
                onHadoop ? Map.of("spark.hadoop.dfs.replication", "1") : Map.of());
        try (CheckpointStore store = onHadoop ? HadoopCheckpointStore.open(ckpt, spark.sparkContext().hadoopConfiguration(), System.out::println)
                : CheckpointStore.local(Path.of(ckpt))) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(T);
            List<TrainingSlice> train = new SyntheticSlices(seq).slices("train", 4, 16, 16, 6, 0.0, 11);
            TrainConfig tc = config();
            NetConfig net = new NetConfig(T, Variant.SCQ, new int[]{16, 8}, new int[]{4, 8}, 8, 1, 0.9, 1L);
            ScqTrainer trainer = new ScqTrainer(Property.T2, net, tc, seq.hash(), 2304.0 / T, null, System.out).checkpoints(store).resume(resume);
            SparkTrainConfig sc = new SparkTrainConfig(tc, 1, 1000, 0, true, false, SparkTrainConfig.DEFAULT_GROUP_BYTES);
            // One worker averaging once per epoch (a no-op) and no DL4J statistics: each averaging round is a Spark job,
            // and this driver must start, train and stop three times within the test's time budget.
            ScqModel model = trainer.train(new SparkEpochRunner(jsc, sc, jsc.parallelize(train, 1), null, System.out)
                    .hook(new Announce(pauseMs)));
            trainer.save(model, out);
            System.out.println("TRAINED " + out);
        } finally {
            spark.stop();
        }
    }

    /** Three step-1 epochs of 8 minibatches and two step-2 epochs; lr decays, so the epoch counter matters. */
    static TrainConfig config() {
        return new TrainConfig(3, 64, 32, 2, 8, 8, true, 4, 3e-3, 0.5, 0.999, 0.5, 21L);
    }

    /** Runs on the (local) worker around every minibatch. */
    static final class Announce extends GraphTrainingHook {
        private final long pauseMs;

        Announce(long pauseMs) {
            this.pauseMs = pauseMs;
        }

        @Override
        public void preUpdate(MultiDataSet minibatch, Model model) {
            ComputationGraph g = (ComputationGraph) model;
            int step = g.getConfiguration().getVertices().containsKey("final") ? 2 : 1;
            System.out.println("MINIBATCH step=" + step + " epoch=" + g.getConfiguration().getEpochCount());
            System.out.flush();
            if (pauseMs > 0) {
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
