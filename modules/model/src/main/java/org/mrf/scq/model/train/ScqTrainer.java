package org.mrf.scq.model.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.nn.ScqNetworks;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two-step SCQ training for one property (Fang et al., "Deep learning for fast and spatially constrained tissue
 * quantification from highly accelerated data in magnetic resonance fingerprinting", IEEE TMI 2019).
 * <ol>
 *   <li>Step 1 (SCQ, SCQ_M, FE_ONLY): the extended FNN on single pixels sampled from the training slices.</li>
 *   <li>Step 2 (all but FE_ONLY): the spatial graph from {@link ScqNetworks#stepTwo}: the FE weights of step 1 copied
 *   in (SCQ, SCQ_M) or the fixed projection set (SCQ_S); FE + SQ fine-tuned jointly on patches.</li>
 * </ol>
 * Each step uses Adam with a constant-then-linear-decay learning rate. The epochs run in an {@link EpochRunner}
 * (in this JVM, or on Spark by parameter averaging); this class alone decides the networks, the steps, every
 * epoch's seed ({@link EpochExamples#epochSeed}), checkpoints, history and resume, so the runners train alike.
 * <p>
 * After every epoch: the training loss, the held-out relative error, a progress line, a checkpoint
 * {@code step<s>-epoch<NNN>.zip} (DL4J zip with updater state) and {@value #HISTORY_FILE} in the checkpoint
 * store when one is given (a local directory, or any {@link CheckpointStore}, e.g. on HDFS). With {@link #resume(boolean) resume} a run continues after the latest checkpoint
 * and repeats the uninterrupted one. With {@link #pretrained} step 1 is given (a warm start of step 2).
 */
public final class ScqTrainer {
    /** One epoch's record. */
    public record EpochStats(int step, int epoch, double trainLoss, double valRelErrPct, double examplesPerSecond, double seconds) {
    }

    public static final String HISTORY_FILE = "training-history.json";
    private static final Pattern CHECKPOINT = Pattern.compile("step([12])-epoch(\\d{3,})\\.zip");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Property property;
    private final NetConfig net;
    private final TrainConfig cfg;
    private final String scheduleHash;
    private final double ar;
    private CheckpointStore checkpoints;
    private final PrintStream log;
    private float[][] projection;
    private ComputationGraph pretrained;
    private boolean resume;
    private EpochRunner lastRunner;
    private final List<EpochStats> history = new ArrayList<>();

    /** @param checkpointDir directory for checkpoints and the history (null = none) */
    public ScqTrainer(Property property, NetConfig net, TrainConfig cfg, String scheduleHash, double ar, Path checkpointDir,
                      PrintStream log) {
        this.property = property;
        this.net = net;
        this.cfg = cfg;
        this.scheduleHash = scheduleHash == null ? "" : scheduleHash;
        this.ar = ar;
        this.checkpoints = checkpointDir == null ? null : CheckpointStore.local(checkpointDir);
        this.log = log == null ? System.out : log;
    }

    /**
     * The fixed input projection [C x K] (C = input channels; the real form of the dictionary's complex SVD basis) that
     * SCQ_S uses as its FE, and SCQ / FE_ONLY in front of their FE when the network {@link NetConfig#projectsInput()
     * projects its input}.
     */
    public ScqTrainer projection(float[][] matrix) {
        this.projection = matrix;
        return this;
    }

    /**
     * Step 1 is already done: {@code fnn} is the extended FNN trained on the same data with the same settings (e.g. the
     * FE-only network of the same LOSO fold), and step 2 starts from it instead of training step 1 again.
     */
    public ScqTrainer pretrained(ComputationGraph fnn) {
        if (fnn != null && !net.variant().hasPatchStep()) {
            throw new IllegalArgumentException(net.variant() + " has no step 2 to start from a pretrained network");
        }
        this.pretrained = fnn;
        return this;
    }

    /** Checkpoints and history go to {@code store} (e.g. on HDFS) instead of the constructor's directory; null = none. */
    public ScqTrainer checkpoints(CheckpointStore store) {
        this.checkpoints = store;
        return this;
    }

    /** Continue after the latest checkpoint in the checkpoint store, when there is one. */
    public ScqTrainer resume(boolean r) {
        this.resume = r;
        return this;
    }

    public List<EpochStats> history() {
        return List.copyOf(history);
    }

    /** Trains in this JVM on {@code train}, validating on {@code val} (may be empty). */
    public ScqModel train(List<TrainingSlice> train, List<TrainingSlice> val) {
        return train(new LocalEpochRunner(train, val, log));
    }

    /** Runs both steps as the variant needs in {@code runner} and returns the final model with its metadata. */
    public ScqModel train(EpochRunner runner) {
        Variant v = net.variant();
        int rank = ScqNetworks.checkProjection(net, projection);
        if (v == Variant.FE_ONLY && cfg.pixelEpochs() < 1) throw new MrfInputException("FE_ONLY trains only in step 1: pixelEpochs must be >= 1");
        if (v.hasPatchStep() && cfg.patchSize() % net.sizeMultiple() != 0) {
            throw new MrfInputException("patch size " + cfg.patchSize() + " must be a multiple of " + net.sizeMultiple() + " for this U-Net");
        }
        lastRunner = runner;
        runner.start(checkpoints);
        try {
            return trainSteps(runner, v, rank);
        } finally {
            runner.finish();
        }
    }

    private ScqModel trainSteps(EpochRunner runner, Variant v, int rank) {
        double[] targets = runner.targetSum(property, net.t());
        if (targets[1] == 0) throw new MrfInputException("the training slices have no masked pixel with a positive " + property + " target");
        double meanTarget = targets[0] / targets[1] / property.scaleMs();
        Checkpoint latest = resume ? latestCheckpoint() : null;
        history.clear();
        if (latest != null) {
            history.addAll(readHistory(latest));
            log.printf(Locale.ROOT, "resuming after step %d epoch %d (%s in %s)%n", latest.step, latest.epoch, latest.name,
                    checkpoints.location());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        ComputationGraph fnn = pretrained;
        if (pretrained != null) {
            log.printf(Locale.ROOT, "step 1: starting from the given pretrained network%n");
        } else if (v.hasPixelStep() && cfg.pixelEpochs() > 0 && (latest == null || latest.step == 1)) {
            int done = 0;
            if (latest != null) {
                fnn = restore(latest.name);
                done = latest.epoch;
            } else {
                fnn = ScqNetworks.init(ScqNetworks.extendedFnn(net, ScqNetworks.stepUpdater(cfg, 1)));
                ScqNetworks.initOutput(fnn, meanTarget, 0.1);
                if (net.projectsInput()) ScqNetworks.setProjection(fnn, projection);
            }
            runStep(runner, 1, fnn, cfg.pixelEpochs(), done);
        }
        stepMetrics(1, metrics);
        ComputationGraph finalGraph = fnn;
        if (v.hasPatchStep()) {
            ComputationGraph g;
            int done = 0;
            if (latest != null && latest.step == 2) {
                g = restore(latest.name);
                done = latest.epoch;
            } else {
                g = ScqNetworks.stepTwo(net, ScqNetworks.stepUpdater(cfg, 2), fnn, projection, meanTarget);
            }
            runStep(runner, 2, g, cfg.patchEpochs(), done);
            stepMetrics(2, metrics);
            finalGraph = g;
        }
        ScqModel model = new ScqModel(finalGraph, new ModelMetadata(property, net.t(), ar, scheduleHash, net, cfg, rank, metrics,
                ModelMetadata.currentCodeVersion(), Instant.now().toString()));
        double err = runner.validationErrorPct(model);
        if (!Double.isNaN(err)) metrics.put("val_rel_err_pct", err);
        return new ScqModel(finalGraph, model.metadata().withMetrics(metrics));
    }

    private void stepMetrics(int step, Map<String, Double> metrics) {
        EpochStats last = null;
        for (EpochStats e : history) if (e.step() == step) last = e;
        if (last == null) return;
        metrics.put("step" + step + "_train_loss", last.trainLoss());
        if (!Double.isNaN(last.valRelErrPct())) metrics.put("step" + step + "_val_rel_err_pct", last.valRelErrPct());
    }

    private void runStep(EpochRunner runner, int step, ComputationGraph g, int epochs, int done) {
        int batch = EpochExamples.batch(cfg, step);
        String unit = unit(step);
        log.printf(Locale.ROOT, "step %d (%s, %s): %d epochs, %s, %d parameters%n", step, step == 1 ? "extended FNN" : "FE+SQ",
                property, epochs, runner.describe(step, batch), g.numParams());
        double stepSeconds = 0;
        for (int epoch = done; epoch < epochs; epoch++) {
            long t0 = System.nanoTime();
            EpochRunner.Fitted f = runner.fit(g, new EpochExamples(step, epoch, property, net.t(), net.inputForm(), cfg), epochs);
            long n = f.examples();
            if (n == 0) throw new MrfInputException("step " + step + ": the training slices give no examples (empty masks or maps?)");
            double secs = (System.nanoTime() - t0) / 1e9;
            stepSeconds += secs;
            double trainLoss = f.lossSum() / n;
            double valErr = runner.validationErrorPct(graphModel(g));
            history.add(new EpochStats(step, epoch + 1, trainLoss, valErr, n / secs, secs));
            String line = String.format(Locale.ROOT, "step %d epoch %d/%d done: loss %.4f  val rel err %s  %d %s  %.1f %s/s  %.1f s  ETA %s",
                    step, epoch + 1, epochs, trainLoss, Double.isNaN(valErr) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", valErr), n, unit,
                    n / secs, unit, secs, eta(stepSeconds / (epoch + 1 - done) * (epochs - epoch - 1)));
            // Every epoch goes to the log and to training-history.json; the terminal gets about ten lines a step.
            EPOCH_LOG.info(line);
            if (shownOnTerminal(epoch + 1, epochs)) log.println(line);
            String name = String.format(Locale.ROOT, "step%d-epoch%03d", step, epoch + 1);
            runner.epochDone(name);
            checkpoint(g, step, epoch + 1, name);
        }
    }

    private static final org.slf4j.Logger EPOCH_LOG = org.slf4j.LoggerFactory.getLogger(ScqTrainer.class);

    /** Epoch {@code epoch} (1-based) of {@code epochs}: every one of short steps, then every tenth of the step and the last. */
    static boolean shownOnTerminal(int epoch, int epochs) {
        int every = Math.max(1, (int) Math.ceil(epochs / 10.0));
        return epoch % every == 0 || epoch == epochs || epoch == 1;
    }

    static String unit(int step) {
        return step == 1 ? "pixels" : "patches";
    }

    /** A throw-away model around a graph under training (for validation; step 1 uses the extended FNN). */
    private ScqModel graphModel(ComputationGraph g) {
        return new ScqModel(g, new ModelMetadata(property, net.t(), ar, scheduleHash, net, cfg, 0, null, "", ""));
    }

    static String eta(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    // ------------------------------------------------------------------------------------------ targets and errors

    /** Sum of the targets (ms) and their count over the masked pixels of a slice with a positive, finite target. */
    public static double[] targetSum(TrainingSlice s, Property property) {
        float[] y = s.target(property);
        double sum = 0;
        long n = 0;
        for (int p = 0; p < s.pixels(); p++) {
            if (s.inMask(p) && y[p] > 0 && Float.isFinite(y[p])) {
                sum += y[p];
                n++;
            }
        }
        return new double[]{sum, n};
    }

    /** Mean of the scaled targets (value / scale) over the masked pixels of the slices: for {@link ScqNetworks#initOutput}. */
    public static double meanScaledTarget(List<TrainingSlice> slices, Property property) {
        double sum = 0, n = 0;
        for (TrainingSlice s : slices) {
            double[] one = targetSum(s, property);
            sum += one[0];
            n += one[1];
        }
        return n == 0 ? 0 : sum / n / property.scaleMs();
    }

    /** Mean over slices of the per-slice mean |pred - true| / true over masked pixels with a positive truth, in percent. */
    public static double meanRelativeErrorPct(ScqModel model, List<TrainingSlice> slices) {
        double sum = 0;
        int n = 0;
        for (TrainingSlice s : slices) {
            float[] pred = model.predictScaled(s);
            float[] truth = s.target(model.property());
            double scale = model.property().scaleMs();
            double e = 0;
            int k = 0;
            for (int p = 0; p < s.pixels(); p++) {
                if (s.inMask(p) && truth[p] > 0 && Float.isFinite(truth[p])) {
                    e += Math.abs(pred[p] * scale - truth[p]) / truth[p];
                    k++;
                }
            }
            if (k > 0) {
                sum += 100 * e / k;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * Saves the model as {@link ScqModel#save} does (model.zip + metadata.json) and adds the training record:
     * {@value #HISTORY_FILE} and what the last run's epoch runner records (e.g. Spark training statistics).
     */
    public void save(ScqModel model, Path dir) throws IOException {
        model.save(dir);
        if (lastRunner != null) lastRunner.record(dir);
        writeHistory(dir.resolve(HISTORY_FILE));
    }

    private record Checkpoint(int step, int epoch, String name) {
    }

    private Checkpoint latestCheckpoint() {
        if (checkpoints == null) return null;
        Checkpoint best = null;
        try {
            for (String f : checkpoints.list()) {
                Matcher m = CHECKPOINT.matcher(f);
                if (!m.matches()) continue;
                Checkpoint c = new Checkpoint(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), f);
                if (best == null || c.step > best.step || (c.step == best.step && c.epoch > best.epoch)) best = c;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + checkpoints.location(), e);
        }
        return best;
    }

    private ComputationGraph restore(String name) {
        try (InputStream in = checkpoints.open(name)) {
            return ModelSerializer.restoreComputationGraph(in, true);
        } catch (IOException e) {
            throw new MrfInputException("cannot restore checkpoint " + name + " from " + checkpoints.location() + " (" + e.getMessage() + ")", e);
        }
    }

    private void checkpoint(ComputationGraph g, int step, int epoch, String name) {
        if (checkpoints == null) return;
        try {
            // History first: a run killed between the two writes resumes from the previous checkpoint, whose epochs
            // the history holds (resume drops later ones), and a checkpoint on disk always has its epoch recorded.
            checkpoints.write(HISTORY_FILE, out -> out.write(historyJson().getBytes(StandardCharsets.UTF_8)));
            checkpoints.write(name + ".zip", out -> ModelSerializer.writeModel(g, out, true));
            checkpoints.delete(String.format(Locale.ROOT, "step%d-epoch%03d.zip", step, epoch - 1));
        } catch (IOException e) {
            throw new MrfInputException("cannot write checkpoint to " + checkpoints.location() + " (" + e.getMessage() + ")", e);
        }
    }

    private void writeHistory(Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, historyJson(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private String historyJson() throws IOException {
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
        if (lastRunner != null) for (Map.Entry<String, Object> s : lastRunner.historySettings().entrySet()) root.putPOJO(s.getKey(), s.getValue());
        root.set("epochs", a);
        return JSON.writeValueAsString(root);
    }

    /** The recorded epochs up to the checkpoint (none when the file is missing). */
    private List<EpochStats> readHistory(Checkpoint upTo) {
        List<EpochStats> out = new ArrayList<>();
        String file = checkpoints.location() + "/" + HISTORY_FILE;
        try {
            if (!checkpoints.exists(HISTORY_FILE)) return out;
            JsonNode root;
            try (InputStream in = checkpoints.open(HISTORY_FILE)) {
                root = JSON.readTree(in);
            }
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
