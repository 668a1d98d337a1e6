package org.mrf.scq.spark.train;

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
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.StatsUtils;
import org.deeplearning4j.util.ModelSerializer;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.nn.ScqNetworks;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.model.train.ScqTrainer.EpochStats;
import org.mrf.scq.spark.MapsStore;
import org.mrf.scq.spark.TrainingTargets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two-step SCQ training for one property on Spark by parameter averaging (DL4J's
 * {@link ParameterAveragingTrainingMaster} under a {@link SparkComputationGraph}).
 * <ol>
 *   <li>Step 1 (SCQ, SCQ_M, FE_ONLY): the extended FNN on single pixels;</li>
 *   <li>Step 2 (all but FE_ONLY): the spatial graph from {@link ScqNetworks#stepTwo} (FE weights of step 1
 *   copied in, or the SCQ_S projection set), FE + SQ fine-tuned on patches.</li>
 * </ol>
 * The training examples of every epoch are cut on the executors from the slices' RDD ({@link ExampleCutter}:
 * pixels with PixelExamples, patches with PatchExamples) into an RDD of minibatch DataSets; nothing but
 * parameters, updater state, statistics and per-slice validation errors travels to the driver. Networks,
 * output-layer initialisation, Adam and the constant-then-linear-decay learning rate are those of the
 * single-JVM {@link ScqTrainer}; the result is an {@link ScqModel} of the same format.
 * <p>
 * After every epoch: the training loss (from the workers' minibatches), the held-out relative error (computed
 * on the executors), a checkpoint {@code step<s>-epoch<NNN>.zip} (DL4J zip with updater state) plus
 * {@code training-history.json} in the checkpoint directory, and the DL4J Spark training statistics as
 * {@code stats/step<s>-epoch<NNN>.html} and {@code .txt}. With {@link #resume(boolean) resume} the run
 * continues after the latest checkpoint; every epoch's sampling and DL4J split seeds follow from the
 * configured seed, the step and the epoch, so a resumed run repeats the uninterrupted one.
 */
public final class SparkScqTrainer {
    public static final String STATS_DIR = "training-stats";
    public static final String HISTORY_FILE = "training-history.json";
    private static final Pattern CHECKPOINT = Pattern.compile("step([12])-epoch(\\d{3,})\\.zip");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final JavaSparkContext jsc;
    private final Property property;
    private final NetConfig net;
    private final SparkTrainConfig cfg;
    private final String scheduleHash;
    private final double ar;
    private final Path checkpointDir;
    private final PrintStream log;
    private float[][] projection;
    private boolean resume;
    private ComputationGraph pretrained;
    private final List<TrainingHook> hooks = new ArrayList<>();
    private final List<EpochStats> history = new ArrayList<>();
    private Path statsDir;

    /**
     * @param checkpointDir driver-side directory for checkpoints, history and statistics (null = no checkpoints;
     *                      statistics then go to a temporary directory)
     */
    public SparkScqTrainer(JavaSparkContext jsc, Property property, NetConfig net, SparkTrainConfig cfg, String scheduleHash,
                           double ar, Path checkpointDir, PrintStream log) {
        this.jsc = jsc;
        this.property = property;
        this.net = net;
        this.cfg = cfg;
        this.scheduleHash = scheduleHash;
        this.ar = ar;
        this.checkpointDir = checkpointDir;
        this.log = log == null ? System.out : log;
    }

    /** The fixed input projection, [C x K] (as {@link ScqTrainer#projection}). */
    public SparkScqTrainer projection(float[][] matrix) {
        this.projection = matrix;
        return this;
    }

    /**
     * Step 1 is already done: {@code fnn} is the extended FNN trained on the same data with the same settings (e.g. the
     * FE-only network of the same LOSO fold), and step 2 starts from it instead of training step 1 again.
     */
    public SparkScqTrainer pretrained(ComputationGraph fnn) {
        if (fnn != null && !net.variant().hasPatchStep()) {
            throw new IllegalArgumentException(net.variant() + " has no step 2 to start from a pretrained network");
        }
        this.pretrained = fnn;
        return this;
    }

    /** Continue after the latest checkpoint in the checkpoint directory, when there is one. */
    public SparkScqTrainer resume(boolean r) {
        this.resume = r;
        return this;
    }

    /** Extra DL4J training hooks, run on the workers around every minibatch (monitoring, tests). */
    public SparkScqTrainer hook(TrainingHook h) {
        hooks.add(h);
        return this;
    }

    public List<EpochStats> history() {
        return List.copyOf(history);
    }

    /** Where the per-epoch DL4J Spark statistics are written (null before training). */
    public Path statsDir() {
        return statsDir;
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

    /**
     * One epoch's minibatches of one step, cut on the executors (lazy; what {@link #train} feeds to DL4J).
     * {@code epoch} counts from 0.
     */
    public JavaRDD<DataSet> minibatches(JavaRDD<TrainingSlice> slices, int step, int epoch) {
        TrainConfig tc = cfg.train();
        int batch = step == 1 ? tc.pixelBatch() : tc.patchBatch();
        ExampleCutter cut = new ExampleCutter(step, property, net.t(), net.variant().magnitudeInput(), tc.pixelsPerSlice(),
                tc.patchSize(), tc.patchStride(), tc.augment(), batch, epochSeed(tc, step, epoch), cfg.maxGroupBytes());
        return slices.mapPartitionsWithIndex(cut, true);
    }

    /** The seed of one step's epoch (as the single-JVM trainer derives it). */
    static long epochSeed(TrainConfig tc, int step, int epoch) {
        return tc.seed() * 1_000_003L + step * 10_007L + epoch;
    }

    // ------------------------------------------------------------------------------------------ training

    /** Runs both steps as the variant needs and returns the final model; {@code val} may be null. */
    public ScqModel train(JavaRDD<TrainingSlice> train, JavaRDD<TrainingSlice> val) {
        TrainConfig tc = cfg.train();
        Variant v = net.variant();
        int rank = ScqNetworks.checkProjection(net, projection);
        if (v == Variant.FE_ONLY && tc.pixelEpochs() < 1) throw new MrfInputException("FE_ONLY trains only in step 1: pixelEpochs must be >= 1");
        if (v.hasPatchStep() && tc.patchSize() % net.sizeMultiple() != 0) {
            throw new MrfInputException("patch size " + tc.patchSize() + " must be a multiple of " + net.sizeMultiple() + " for this U-Net");
        }
        ExampleCutter.defaultTimeSource();
        boolean ownTrain = train.getStorageLevel().equals(StorageLevel.NONE());
        if (ownTrain) train = train.persist(StorageLevel.MEMORY_AND_DISK_SER());
        boolean ownVal = val != null && val.getStorageLevel().equals(StorageLevel.NONE());
        if (ownVal) val = val.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            return trainSteps(train, val, tc, v, rank);
        } finally {
            if (ownTrain) train.unpersist(false);
            if (ownVal) val.unpersist(false);
        }
    }

    private ScqModel trainSteps(JavaRDD<TrainingSlice> train, JavaRDD<TrainingSlice> val, TrainConfig tc, Variant v, int rank) {
        double meanTarget = checkAndMeanTarget(train);
        statsDir = prepareStatsDir();
        Checkpoint latest = resume ? latestCheckpoint() : null;
        history.clear();
        if (latest != null) {
            history.addAll(readHistory(checkpointDir.resolve(HISTORY_FILE), latest));
            log.printf(Locale.ROOT, "resuming after step %d epoch %d (%s)%n", latest.step, latest.epoch, latest.file.getFileName());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        ComputationGraph fnn = pretrained;
        if (pretrained != null) {
            log.printf(Locale.ROOT, "step 1: starting from the given pretrained network%n");
        } else if (v.hasPixelStep() && tc.pixelEpochs() > 0 && (latest == null || latest.step == 1)) {
            int done = 0;
            if (latest != null) {
                fnn = restore(latest.file);
                done = latest.epoch;
            } else {
                fnn = ScqNetworks.init(ScqNetworks.extendedFnn(net, ScqNetworks.stepUpdater(tc, 1)));
                ScqNetworks.initOutput(fnn, meanTarget, 0.1);
                if (net.projectsInput()) ScqNetworks.setProjection(fnn, projection);
            }
            fnn = runStep(1, fnn, train, val, tc.pixelEpochs(), done);
        }
        stepMetrics(1, metrics);
        ComputationGraph finalGraph = fnn;
        if (v.hasPatchStep()) {
            ComputationGraph g;
            int done = 0;
            if (latest != null && latest.step == 2) {
                g = restore(latest.file);
                done = latest.epoch;
            } else {
                g = ScqNetworks.stepTwo(net, ScqNetworks.stepUpdater(tc, 2), fnn, projection, meanTarget);
            }
            finalGraph = runStep(2, g, train, val, tc.patchEpochs(), done);
            stepMetrics(2, metrics);
        }
        ScqModel model = new ScqModel(finalGraph, new ModelMetadata(property, net.t(), ar, scheduleHash, net, tc, rank, metrics,
                ModelMetadata.currentCodeVersion(), Instant.now().toString()));
        if (val != null) {
            double err = relativeErrorPct(jsc, model, val);
            if (!Double.isNaN(err)) metrics.put("val_rel_err_pct", err);
        }
        return new ScqModel(finalGraph, model.metadata().withMetrics(metrics));
    }

    private void stepMetrics(int step, Map<String, Double> metrics) {
        EpochStats last = null;
        for (EpochStats e : history) if (e.step() == step) last = e;
        if (last == null) return;
        metrics.put("step" + step + "_train_loss", last.trainLoss());
        if (!Double.isNaN(last.valRelErrPct())) metrics.put("step" + step + "_val_rel_err_pct", last.valRelErrPct());
    }

    /** One pass over the training slices: refuses too few time points; mean scaled target over the masked pixels. */
    private double checkAndMeanTarget(JavaRDD<TrainingSlice> train) {
        Property p = property;
        int t = net.t();
        double[] agg = train.map(s -> {
            float[] y = s.target(p);
            double sum = 0;
            long n = 0;
            for (int i = 0; i < s.pixels(); i++) {
                if (s.inMask(i) && y[i] > 0 && Float.isFinite(y[i])) {
                    sum += y[i];
                    n++;
                }
            }
            return new double[]{sum, n, s.t() < t ? 1 : 0, 1};
        }).fold(new double[4], (a, b) -> new double[]{a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
        if (agg[3] == 0) throw new MrfInputException("no training slices");
        if (agg[2] > 0) throw new MrfInputException((long) agg[2] + " training slice(s) have fewer than T=" + t + " time points");
        if (agg[1] == 0) throw new MrfInputException("the training slices have no masked pixel with a positive " + p + " target");
        return agg[0] / agg[1] / p.scaleMs();
    }

    private ComputationGraph runStep(int step, ComputationGraph g, JavaRDD<TrainingSlice> train, JavaRDD<TrainingSlice> val,
                                     int epochs, int done) {
        TrainConfig tc = cfg.train();
        int batch = step == 1 ? tc.pixelBatch() : tc.patchBatch();
        int workers = cfg.workers() > 0 ? cfg.workers() : jsc.defaultParallelism();
        String unit = step == 1 ? "pixels" : "patches";
        log.printf(Locale.ROOT, "step %d (%s, %s) on Spark: %d epochs, %d workers, %d %s per worker minibatch, averaging every %d, %d parameters%n",
                step, step == 1 ? "extended FNN" : "FE+SQ", property, epochs, workers, batch, unit, cfg.averagingFrequency(), g.numParams());
        for (int epoch = done; epoch < epochs; epoch++) {
            long t0 = System.nanoTime();
            JavaRDD<DataSet> examples = minibatches(train, step, epoch);
            // DL4J deals each partition's minibatches out to the averaging rounds separately (SplitPartitionsFunction,
            // one in every round per block of #rounds objects), so a partition with fewer minibatches than there are
            // rounds leaves rounds empty, and an empty round fails the master. Spread evenly (round-robin shuffle)
            // over `workers` partitions, the largest partition holds at least total / workers >= #rounds minibatches,
            // so every round gets some. The cutting stays parallel on the map side of the shuffle.
            // One worker needs no spread. Its examples then skip both shuffles (ours and DL4J's repartitioning) and stay
            // deserialised in its cache: Java serialisation writes an INDArray float by float, and a patch has 2T
            // channels per pixel. Demo data, step 2, 54 patches in minibatches of 8: 15.3 s an epoch with the shuffles
            // and a serialised cache, 3.3 s without, with the same minibatches and losses. Several workers keep the
            // balanced spread the comment above needs, and a serialised cache that Spark can account for.
            boolean oneWorker = workers == 1;
            examples = oneWorker ? examples.coalesce(1) : examples.repartition(workers);
            DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("scq step " + step + " epoch " + (epoch + 1) + " loss");
            LongAccumulator seen = jsc.sc().longAccumulator("scq step " + step + " epoch " + (epoch + 1) + " examples");
            List<TrainingHook> all = new ArrayList<>(hooks);
            all.add(new LossHook(lossSum, seen));
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                    .batchSizePerWorker(batch)
                    .averagingFrequency(cfg.averagingFrequency())
                    .workerPrefetchNumBatches(cfg.prefetchBatches())
                    .saveUpdater(true)
                    .rngSeed(epochSeed(tc, step, epoch))
                    .collectTrainingStats(cfg.collectStats())
                    .repartionData(cfg.repartition() && !oneWorker ? Repartition.Always : Repartition.Never)
                    .repartitionStrategy(RepartitionStrategy.Balanced)
                    .storageLevel(oneWorker ? StorageLevel.MEMORY_ONLY() : StorageLevel.MEMORY_AND_DISK_SER())
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .trainingHooks(all)
                    .build();
            ComputationGraph master = g;
            JavaRDD<DataSet> data = examples;
            SparkComputationGraph sg;
            try {
                sg = WorkerSafeConfiguration.during(master, () -> {
                    SparkComputationGraph s = new SparkComputationGraph(jsc, master, tm);
                    s.setCollectTrainingStats(cfg.collectStats());
                    s.fit(data); // also increments the epoch counter the learning-rate schedule reads
                    return s;
                });
            } finally {
                examples.unpersist(false);
            }
            long n = seen.value();
            if (n == 0) throw new MrfInputException("step " + step + ": the training slices give no examples (empty masks or maps?)");
            double secs = (System.nanoTime() - t0) / 1e9;
            double trainLoss = lossSum.value() / n;
            double valErr = val == null ? Double.NaN : relativeErrorPct(jsc, graphModel(g), val);
            EpochStats es = new EpochStats(step, epoch + 1, trainLoss, valErr, n / secs, secs);
            history.add(es);
            log.printf(Locale.ROOT, "step %d epoch %d/%d done: loss %.4f  val rel err %s  %d %s  %.1f %s/s  %.1f s%n", step, epoch + 1,
                    epochs, trainLoss, Double.isNaN(valErr) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", valErr), n, unit,
                    n / secs, unit, secs);
            String name = String.format(Locale.ROOT, "step%d-epoch%03d", step, epoch + 1);
            if (cfg.collectStats()) exportStats(sg.getSparkTrainingStats(), name);
            checkpoint(g, step, epoch + 1);
        }
        return g;
    }

    /** A throw-away model around a graph under training (validation; step 1 uses the extended FNN). */
    private ScqModel graphModel(ComputationGraph g) {
        return new ScqModel(g, new ModelMetadata(property, net.t(), ar, scheduleHash == null ? "" : scheduleHash, net, cfg.train(), 0,
                null, "", ""));
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

    // ------------------------------------------------------------------------------------------ files

    /**
     * Saves the model as {@link ScqModel#save} does (model.zip + metadata.json) and adds the training record:
     * {@code training-stats/} (DL4J Spark statistics per epoch, HTML and text) and {@code training-history.json}.
     */
    public void save(ScqModel model, Path dir) throws IOException {
        model.save(dir);
        if (statsDir != null && Files.isDirectory(statsDir)) {
            Path out = Files.createDirectories(dir.resolve(STATS_DIR));
            try (var files = Files.list(statsDir)) {
                for (Path f : files.toList()) Files.copy(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        writeHistory(dir.resolve(HISTORY_FILE));
    }

    private Path prepareStatsDir() {
        try {
            return checkpointDir != null ? Files.createDirectories(checkpointDir.resolve("stats"))
                    : Files.createTempDirectory("scq-spark-stats");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the statistics directory", e);
        }
    }

    private void exportStats(SparkTrainingStats stats, String name) {
        if (stats == null) return;
        try {
            Files.writeString(statsDir.resolve(name + ".txt"), stats.statsAsString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.println("warning: cannot write training statistics " + name + ".txt (" + e.getMessage() + ")");
        }
        Path html = statsDir.resolve(name + ".html");
        try (OutputStream out = Files.newOutputStream(html)) {
            StatsUtils.exportStatsAsHTML(stats, out);
        } catch (Exception | LinkageError e) {
            log.println("warning: cannot export training statistics as HTML (" + e + ")");
            try {
                Files.deleteIfExists(html);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private record Checkpoint(int step, int epoch, Path file) {
    }

    private Checkpoint latestCheckpoint() {
        if (checkpointDir == null || !Files.isDirectory(checkpointDir)) return null;
        Checkpoint best = null;
        try (var files = Files.list(checkpointDir)) {
            for (Path f : files.toList()) {
                Matcher m = CHECKPOINT.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                Checkpoint c = new Checkpoint(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), f);
                if (best == null || c.step > best.step || (c.step == best.step && c.epoch > best.epoch)) best = c;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir, e);
        }
        return best;
    }

    private static ComputationGraph restore(Path file) {
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), true);
        } catch (IOException e) {
            throw new MrfInputException("cannot restore checkpoint " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private void checkpoint(ComputationGraph g, int step, int epoch) {
        if (checkpointDir == null) return;
        try {
            Files.createDirectories(checkpointDir);
            Path tmp = checkpointDir.resolve(".step" + step + ".tmp.zip");
            ModelSerializer.writeModel(g, tmp.toFile(), true);
            Path target = checkpointDir.resolve(String.format(Locale.ROOT, "step%d-epoch%03d.zip", step, epoch));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            writeHistory(checkpointDir.resolve(HISTORY_FILE));
            Files.deleteIfExists(checkpointDir.resolve(String.format(Locale.ROOT, "step%d-epoch%03d.zip", step, epoch - 1)));
        } catch (IOException e) {
            throw new MrfInputException("cannot write checkpoint to " + checkpointDir + " (" + e.getMessage() + ")", e);
        }
    }

    private void writeHistory(Path file) throws IOException {
        ArrayNode a = JSON.createArrayNode();
        for (EpochStats e : history) {
            ObjectNode o = a.addObject();
            o.put("step", e.step());
            o.put("epoch", e.epoch());
            o.put("trainLoss", e.trainLoss());
            if (Double.isNaN(e.valRelErrPct())) o.putNull("valRelErrPct");
            else o.put("valRelErrPct", e.valRelErrPct());
            o.put("examplesPerSecond", e.examplesPerSecond());
            o.put("seconds", e.seconds());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("property", property.name());
        root.put("workers", cfg.workers());
        root.put("averagingFrequency", cfg.averagingFrequency());
        root.set("epochs", a);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(root), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The recorded epochs up to the checkpoint (none when the file is missing). */
    private static List<EpochStats> readHistory(Path file, Checkpoint upTo) {
        List<EpochStats> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            for (JsonNode e : root.path("epochs")) {
                int step = e.path("step").asInt(), epoch = e.path("epoch").asInt();
                if (step > upTo.step || (step == upTo.step && epoch > upTo.epoch)) continue;
                JsonNode v = e.get("valRelErrPct");
                out.add(new EpochStats(step, epoch, e.path("trainLoss").asDouble(), v == null || v.isNull() ? Double.NaN : v.asDouble(),
                        e.path("examplesPerSecond").asDouble(), e.path("seconds").asDouble()));
            }
        } catch (IOException e) {
            throw new MrfInputException(file + ": cannot read the training history (" + e.getMessage() + ")", e);
        }
        return out;
    }
}
