package org.mrf.scq.spark.train;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.StatsUtils;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.CheckpointStore;
import org.mrf.scq.model.train.EpochExamples;
import org.mrf.scq.model.train.EpochRunner;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.store.MapsStore;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link ScqTrainer}'s epochs on Spark by parameter averaging (DL4J's {@link ParameterAveragingTrainingMaster}
 * under a {@link SparkComputationGraph}). Every epoch's examples are cut on the executors from the slices' RDD
 * ({@link EpochExamples}, one sequence per partition) into an RDD of minibatch DataSets; nothing but parameters,
 * updater state, statistics and per-slice validation errors travels to the driver. With one worker and the slices
 * in one partition it fits the minibatches of {@link org.mrf.scq.model.train.LocalEpochRunner} in the same order; DL4J
 * advances the iteration counter (which Adam's bias correction reads) by the averaging frequency per round, so the two
 * agree bit for bit when a round is exactly an epoch's minibatches.
 * <p>
 * After every epoch it exports the DL4J Spark training statistics as {@code stats/step<s>-epoch<NNN>.html} and
 * {@code .txt} in the checkpoint store (a temporary directory without one); {@link ScqTrainer#save} copies them
 * to the model as {@value #STATS_DIR}.
 */
public final class SparkEpochRunner implements EpochRunner {
    public static final String STATS_DIR = "training-stats";

    private final JavaSparkContext jsc;
    private final SparkTrainConfig cfg;
    private final PrintStream log;
    private JavaRDD<TrainingSlice> train;
    private JavaRDD<TrainingSlice> val;
    private boolean ownTrain;
    private boolean ownVal;
    private final List<TrainingHook> hooks = new ArrayList<>();
    private CheckpointStore stats;
    private SparkTrainingStats lastStats;

    /** @param val held-out slices, or null */
    public SparkEpochRunner(JavaSparkContext jsc, SparkTrainConfig cfg, JavaRDD<TrainingSlice> train, JavaRDD<TrainingSlice> val,
                            PrintStream log) {
        this.jsc = jsc;
        this.cfg = cfg;
        this.train = train;
        this.val = val;
        this.log = log == null ? System.out : log;
    }

    /** Extra DL4J training hooks, run on the workers around every minibatch (monitoring, tests). */
    public SparkEpochRunner hook(TrainingHook h) {
        hooks.add(h);
        return this;
    }

    private int workers() {
        return cfg.workers() > 0 ? cfg.workers() : jsc.defaultParallelism();
    }

    // ------------------------------------------------------------------------------------------ inputs

    /**
     * Training slices from stored slices ({@code dataset} names them in errors) with the given targets: for the ground
     * truth (e.g. {@link MapsStore#read}) its maps are broadcast and joined on the executors by subject/slice, and
     * slices without maps are dropped; for the true maps every slice must carry them.
     */
    public static JavaRDD<TrainingSlice> trainingSlices(JavaSparkContext jsc, JavaRDD<MrfSlice> slices,
                                                        List<MapsStore.SliceMaps> groundTruth, TrainingTargets targets, String dataset) {
        Map<String, MapsStore.SliceMaps> byKey = new LinkedHashMap<>();
        for (MapsStore.SliceMaps m : groundTruth) byKey.put(m.key(), m);
        Broadcast<Map<String, MapsStore.SliceMaps>> gt = jsc.broadcast(byKey);
        JavaRDD<MrfSlice> kept = targets == TrainingTargets.GROUND_TRUTH ? slices.filter(s -> gt.value().containsKey(s.key())) : slices;
        return kept.map(s -> targets.of(s, gt.value().get(s.key()), dataset));
    }

    /** One epoch's minibatches, cut on the executors (lazy; what {@link #fit} feeds to DL4J). */
    public JavaRDD<DataSet> minibatches(EpochExamples examples) {
        long groupBytes = cfg.maxGroupBytes();
        return train.mapPartitionsWithIndex((Integer index, Iterator<TrainingSlice> it) -> {
            defaultTimeSource();
            return examples.minibatches(it, index, groupBytes);
        }, true);
    }

    /**
     * DL4J Spark's training statistics time events with an NTP clock by default (it queries pool.ntp.org and
     * fails without network). Unless a time source is configured explicitly (system property
     * {@value #TIME_SOURCE_PROPERTY}), the JVM's clock is used; called on the driver and on every executor
     * before training there.
     */
    static void defaultTimeSource() {
        if (System.getProperty(TIME_SOURCE_PROPERTY) == null) {
            System.setProperty(TIME_SOURCE_PROPERTY, "org.deeplearning4j.spark.time.SystemClockTimeSource");
        }
    }

    static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";

    // ------------------------------------------------------------------------------------------ epochs

    @Override
    public void start(CheckpointStore checkpoints) {
        defaultTimeSource();
        ownTrain = train.getStorageLevel().equals(StorageLevel.NONE());
        if (ownTrain) train = train.persist(StorageLevel.MEMORY_AND_DISK_SER());
        ownVal = val != null && val.getStorageLevel().equals(StorageLevel.NONE());
        if (ownVal) val = val.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            stats = checkpoints != null ? checkpoints.folder("stats") : CheckpointStore.local(Files.createTempDirectory("scq-spark-stats"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the statistics directory", e);
        }
    }

    @Override
    public void finish() {
        if (ownTrain) train.unpersist(false);
        if (ownVal) val.unpersist(false);
    }

    @Override
    public double[] targetSum(Property p, int t) {
        double[] agg = train.map(s -> {
            double[] one = ScqTrainer.targetSum(s, p);
            return new double[]{one[0], one[1], s.t() < t ? 1 : 0, 1};
        }).fold(new double[4], (a, b) -> new double[]{a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
        if (agg[3] == 0) throw new MrfInputException("no training slices");
        if (agg[2] > 0) throw new MrfInputException((long) agg[2] + " training slice(s) have fewer than T=" + t + " time points");
        return new double[]{agg[0], agg[1]};
    }

    @Override
    public String describe(int step, int batch) {
        return String.format(Locale.ROOT, "on Spark: %d workers, minibatch %d per worker, averaging every %d", workers(), batch,
                cfg.averagingFrequency());
    }

    @Override
    public Fitted fit(ComputationGraph g, EpochExamples ex, int epochs) {
        int step = ex.step(), epoch = ex.epoch(), batch = ex.batch();
        int workers = workers();
        JavaRDD<DataSet> examples = minibatches(ex);
        // One worker needs no spread: its examples skip the shuffle and stay deserialised in its cache, because Java
        // serialisation writes an INDArray float by float and a patch has 2T channels per pixel. Several workers get
        // the deterministic spread (see spread), and a serialised cache that Spark can account for.
        boolean oneWorker = workers == 1;
        examples = oneWorker ? examples.coalesce(1) : spread(examples, workers, cfg.repartition());
        DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("scq step " + step + " epoch " + (epoch + 1) + " loss");
        LongAccumulator seen = jsc.sc().longAccumulator("scq step " + step + " epoch " + (epoch + 1) + " examples");
        List<TrainingHook> all = new ArrayList<>(hooks);
        all.add(new LossHook(lossSum, seen));
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(cfg.averagingFrequency())
                .workerPrefetchNumBatches(cfg.prefetchBatches())
                .saveUpdater(true)
                .rngSeed(ex.epochSeed())
                .collectTrainingStats(cfg.collectStats())
                .repartionData(Repartition.Never) // spread has balanced the workers, in an order DL4J's shuffle would lose
                .storageLevel(oneWorker ? StorageLevel.MEMORY_ONLY() : StorageLevel.MEMORY_AND_DISK_SER())
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .trainingHooks(all)
                .build();
        JavaRDD<DataSet> data = examples;
        try {
            SparkComputationGraph sg = WorkerSafeConfiguration.during(g, () -> {
                SparkComputationGraph s = new SparkComputationGraph(jsc, g, tm);
                s.setCollectTrainingStats(cfg.collectStats());
                s.fit(data); // also increments the epoch counter the learning-rate schedule reads
                return s;
            });
            lastStats = cfg.collectStats() ? sg.getSparkTrainingStats() : null;
        } finally {
            examples.unpersist(false);
        }
        return new Fitted(lossSum.value(), seen.value());
    }

    /**
     * The epoch's minibatches dealt over {@code workers} partitions, each in a fixed order, so that a partition that is
     * lost with its executor is recomputed with the same minibatches in the same order and the re-run task fits exactly
     * what the lost one did. A shuffle alone does not give that: its reducer fetches the map outputs in an order Spark
     * does not fix (local blocks first, remote ones in random order). Every minibatch is keyed by its source partition p
     * and its index i there, which the cutting fixes ({@link EpochExamples}); the key decides the target partition, and
     * each target partition is sorted by (i, p): the source partitions interleaved, so that a worker's epoch mixes
     * their slices as the single worker's one shuffled group does, rather than walking through them one after another.
     * {@code exact}: minibatch g of the epoch (counting the partitions in order; one more pass over the cutting counts
     * them) goes to partition g mod {@code workers}, so the partitions differ by at most one minibatch; otherwise
     * minibatch i of source partition p goes to (p + i) mod {@code workers}, without the count.
     * Either way the largest partition holds at least total / workers minibatches, at least one per averaging round:
     * DL4J deals each partition's minibatches out to the rounds separately, and an empty round fails the master.
     * DL4J's own balancing (Repartition.Always) is not used on top: it indexes the elements in their fetched order.
     */
    static JavaRDD<DataSet> spread(JavaRDD<DataSet> examples, int workers, boolean exact) {
        long[] offsets = null;
        if (exact) {
            List<Long> counts = examples.mapPartitions((Iterator<DataSet> it) -> {
                long n = 0;
                for (; it.hasNext(); it.next()) n++;
                return List.of(n).iterator();
            }).collect();
            offsets = new long[counts.size()];
            for (int p = 1; p < offsets.length; p++) offsets[p] = offsets[p - 1] + counts.get(p - 1);
        }
        int sources = examples.getNumPartitions();
        JavaPairRDD<Long, DataSet> keyed = examples.mapPartitionsWithIndex((Integer p, Iterator<DataSet> it) ->
                new Iterator<Tuple2<Long, DataSet>>() {
                    private long i;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Tuple2<Long, DataSet> next() {
                        return new Tuple2<>(i++ * sources + p, it.next());
                    }
                }, true).mapToPair(t -> t);
        return keyed.repartitionAndSortWithinPartitions(new Dealer(workers, sources, offsets)).values();
    }

    /** The target partition of a minibatch keyed i * sources + p, as {@link #spread} describes. */
    static final class Dealer extends Partitioner {
        private final int workers;
        private final int sources;
        private final long[] offsets;

        /** @param offsets per source partition, the number of minibatches before it; null to deal (p + i) mod workers */
        Dealer(int workers, int sources, long[] offsets) {
            this.workers = workers;
            this.sources = sources;
            this.offsets = offsets;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            long k = (Long) key, i = k / sources;
            int p = (int) (k % sources);
            return (int) (((offsets == null ? p : offsets[p]) + i) % workers);
        }
    }

    @Override
    public double validationErrorPct(ScqModel model) {
        return val == null ? Double.NaN : relativeErrorPct(jsc, model, val);
    }

    /**
     * Mean over slices of the per-slice mean relative error in percent ({@link ScqTrainer#meanRelativeErrorPct}),
     * computed on the executors: the network (configuration JSON + parameters) is broadcast, each partition
     * rebuilds it once. NaN when no slice has a scorable pixel.
     */
    public static double relativeErrorPct(JavaSparkContext jsc, ScqModel model, JavaRDD<TrainingSlice> slices) {
        String conf = model.graph().getConfiguration().toJson();
        String meta = model.metadata().toJson();
        Broadcast<INDArray> params = jsc.broadcast(model.graph().params().dup());
        try {
            double[] agg = slices.mapPartitions((Iterator<TrainingSlice> it) -> {
                double sum = 0;
                long n = 0;
                if (it.hasNext()) {
                    ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(conf));
                    g.init(params.value(), true);
                    ScqModel m = new ScqModel(g, ModelMetadata.fromJson(meta, "broadcast model metadata"));
                    while (it.hasNext()) {
                        double e = ScqTrainer.meanRelativeErrorPct(m, List.of(it.next()));
                        if (!Double.isNaN(e)) {
                            sum += e;
                            n++;
                        }
                    }
                }
                return List.of(new double[]{sum, n}).iterator();
            }).fold(new double[2], (a, b) -> new double[]{a[0] + b[0], a[1] + b[1]});
            return agg[1] == 0 ? Double.NaN : agg[0] / agg[1];
        } finally {
            params.destroy();
        }
    }

    // ------------------------------------------------------------------------------------------ records

    @Override
    public void epochDone(String name) {
        if (lastStats == null) return;
        SparkTrainingStats epochStats = lastStats;
        try {
            stats.write(name + ".txt", out -> out.write(epochStats.statsAsString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            log.println("warning: cannot write training statistics " + name + ".txt (" + e.getMessage() + ")");
        }
        try {
            // Exported to memory first: a failed export leaves no file behind.
            ByteArrayOutputStream html = new ByteArrayOutputStream();
            StatsUtils.exportStatsAsHTML(epochStats, html);
            stats.write(name + ".html", html::writeTo);
        } catch (Exception | LinkageError e) {
            log.println("warning: cannot export training statistics as HTML (" + e + ")");
        }
    }

    @Override
    public Map<String, Object> historySettings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("workers", cfg.workers());
        s.put("averagingFrequency", cfg.averagingFrequency());
        return s;
    }

    @Override
    public void record(Path modelDir) throws IOException {
        if (stats == null) return;
        List<String> names = stats.list();
        if (names.isEmpty()) return;
        Path out = Files.createDirectories(modelDir.resolve(STATS_DIR));
        for (String f : names) {
            try (InputStream in = stats.open(f)) {
                Files.copy(in, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
