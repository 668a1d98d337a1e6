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
import org.mrf.scq.model.data.PatchExamples;
import org.mrf.scq.model.data.PixelExamples;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.nn.ScqNetworks;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Two-step SCQ training in one JVM for one property.
 * <ol>
 *   <li>Step 1 (SCQ, SCQ_M, FE_ONLY): the extended FNN on single pixels sampled from the training slices.</li>
 *   <li>Step 2 (all but FE_ONLY): the spatial graph; the FE weights of step 1 are copied in (SCQ, SCQ_M) or
 *   the fixed projection set (SCQ_S); FE + SQ are fine-tuned jointly on patches at random places, flipped and transposed at random.</li>
 * </ol>
 * Each step uses Adam with a constant-then-linear-decay learning rate. After every epoch: validation on
 * the held-out slices (mean relative error over the mask, percent), a progress line, and a checkpoint
 * (DL4J zip with updater state) in the checkpoint directory when one is given.
 */
public final class ScqTrainer {
    /** One epoch's record. */
    public record EpochStats(int step, int epoch, double trainLoss, double valRelErrPct, double examplesPerSecond, double seconds) {
    }

    private static final long GROUP_BYTES = 256L << 20;

    private final Property property;
    private final NetConfig net;
    private final TrainConfig cfg;
    private final String scheduleHash;
    private final double ar;
    private final Path checkpointDir;
    private final PrintStream log;
    private float[][] projection;
    private final List<EpochStats> history = new ArrayList<>();
    private double progressEverySeconds = 10;

    public ScqTrainer(Property property, NetConfig net, TrainConfig cfg, String scheduleHash, double ar, Path checkpointDir,
                      PrintStream log) {
        this.property = property;
        this.net = net;
        this.cfg = cfg;
        this.scheduleHash = scheduleHash;
        this.ar = ar;
        this.checkpointDir = checkpointDir;
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

    public ScqTrainer progressEvery(double seconds) {
        this.progressEverySeconds = seconds;
        return this;
    }

    public List<EpochStats> history() {
        return List.copyOf(history);
    }

    private boolean magnitude() {
        return net.variant().magnitudeInput();
    }

    /** Runs both steps as the variant needs and returns the final model with its metadata. */
    public ScqModel train(List<TrainingSlice> train, List<TrainingSlice> val) {
        if (train.isEmpty()) throw new MrfInputException("no training slices");
        for (TrainingSlice s : train) {
            if (s.t() < net.t()) throw new MrfInputException("training slice " + s.subject() + "/" + s.slice() + " has T=" + s.t() + " < " + net.t());
            s.target(property);
        }
        for (TrainingSlice s : val) s.target(property);
        Variant v = net.variant();
        int rank = ScqNetworks.checkProjection(net, projection);
        ComputationGraph fnn = null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (v.hasPixelStep() && cfg.pixelEpochs() > 0) {
            fnn = ScqNetworks.init(ScqNetworks.extendedFnn(net, ScqNetworks.stepUpdater(cfg, 1)));
            ScqNetworks.initOutput(fnn, meanTarget(train), 0.1);
            if (net.projectsInput()) ScqNetworks.setProjection(fnn, projection);
            runStep(1, fnn, train, val, cfg.pixelEpochs());
            EpochStats last = history.get(history.size() - 1);
            metrics.put("step1_train_loss", last.trainLoss());
            if (!Double.isNaN(last.valRelErrPct())) metrics.put("step1_val_rel_err_pct", last.valRelErrPct());
        } else if (v == Variant.FE_ONLY) {
            throw new MrfInputException("FE_ONLY trains only in step 1: pixelEpochs must be >= 1");
        }
        ComputationGraph finalGraph = fnn;
        if (v.hasPatchStep()) {
            ComputationGraph g = ScqNetworks.stepTwo(net, ScqNetworks.stepUpdater(cfg, 2), fnn, projection, meanTarget(train));
            if (cfg.patchSize() % net.sizeMultiple() != 0) {
                throw new MrfInputException("patch size " + cfg.patchSize() + " must be a multiple of " + net.sizeMultiple() + " for this U-Net");
            }
            runStep(2, g, train, val, cfg.patchEpochs());
            if (cfg.patchEpochs() > 0) {
                EpochStats last = history.get(history.size() - 1);
                metrics.put("step2_train_loss", last.trainLoss());
                if (!Double.isNaN(last.valRelErrPct())) metrics.put("step2_val_rel_err_pct", last.valRelErrPct());
            }
            finalGraph = g;
        }
        ScqModel model = new ScqModel(finalGraph, new ModelMetadata(property, net.t(), ar, scheduleHash, net, cfg, rank, metrics,
                ModelMetadata.currentCodeVersion(), Instant.now().toString()));
        if (!val.isEmpty()) metrics.put("val_rel_err_pct", meanRelativeErrorPct(model, val));
        return new ScqModel(finalGraph, model.metadata().withMetrics(metrics));
    }

    private double meanTarget(List<TrainingSlice> slices) {
        return meanScaledTarget(slices, property);
    }

    /** Mean of the scaled targets (value / scale) over the masked pixels of the slices: for {@link ScqNetworks#initOutput}. */
    public static double meanScaledTarget(List<TrainingSlice> slices, Property property) {
        double sum = 0;
        long n = 0;
        for (TrainingSlice s : slices) {
            float[] y = s.target(property);
            for (int p = 0; p < s.pixels(); p++) {
                if (s.inMask(p) && y[p] > 0 && Float.isFinite(y[p])) {
                    sum += y[p];
                    n++;
                }
            }
        }
        return n == 0 ? 0 : sum / n / property.scaleMs();
    }

    private DataSet examples(int step, TrainingSlice s, long seed) {
        return step == 1
                ? PixelExamples.from(s, property, net.t(), magnitude(), cfg.pixelsPerSlice(), seed)
                : PatchExamples.from(s, property, net.t(), magnitude(), cfg.patchSize(), cfg.patchStride(), cfg.augment(), seed);
    }

    private void runStep(int step, ComputationGraph g, List<TrainingSlice> train, List<TrainingSlice> val, int epochs) {
        int batch = step == 1 ? cfg.pixelBatch() : cfg.patchBatch();
        long perEpoch = 0;
        for (TrainingSlice s : train) {
            perEpoch += step == 1 ? PixelExamples.count(s, property, cfg.pixelsPerSlice())
                    : PatchExamples.count(s, property, cfg.patchSize(), cfg.patchStride());
        }
        if (perEpoch == 0) throw new MrfInputException("step " + step + ": the training slices give no examples (empty masks or maps?)");
        int c = net.inputChannels();
        long bytesPerSlice = Math.max(1, perEpoch / train.size()) * 4L * c * (step == 1 ? 1 : (long) cfg.patchSize() * cfg.patchSize());
        int group = (int) Math.max(1, Math.min(train.size(), GROUP_BYTES / bytesPerSlice));
        String unit = step == 1 ? "pixels" : "patches";
        log.printf("step %d (%s, %s): %d epochs x %d %s, minibatch %d, %d parameters%n", step, step == 1 ? "extended FNN" : "FE+SQ",
                property, epochs, perEpoch, unit, batch, g.numParams());
        long stepStart = System.nanoTime();
        long done = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            long t0 = System.nanoTime();
            long lastPrint = t0;
            long seed = cfg.seed() * 1_000_003L + step * 10_007L + epoch;
            List<TrainingSlice> order = new ArrayList<>(train);
            Collections.shuffle(order, new Random(seed));
            double lossSum = 0;
            long lossN = 0, seen = 0;
            for (int i = 0; i < order.size(); i += group) {
                List<DataSet> parts = new ArrayList<>();
                for (int j = i; j < Math.min(order.size(), i + group); j++) {
                    DataSet d = examples(step, order.get(j), seed * 31 + j);
                    if (d != null) parts.add(d);
                }
                if (parts.isEmpty()) continue;
                DataSet all = parts.size() == 1 ? parts.get(0) : DataSet.merge(parts);
                all.shuffle(seed + i);
                for (DataSet mb : all.batchBy(batch)) {
                    g.fit(mb);
                    int n = mb.numExamples();
                    lossSum += g.score() * n * n; // score = loss / minibatch (see RelativeDifferenceLoss)
                    lossN += n;
                    seen += n;
                    done += n;
                    long now = System.nanoTime();
                    if ((now - lastPrint) / 1e9 >= progressEverySeconds) {
                        lastPrint = now;
                        double rate = done / ((now - stepStart) / 1e9);
                        long remaining = (long) epochs * perEpoch - done;
                        log.printf("step %d epoch %d/%d  %d/%d %s  loss %.4f  %.1f %s/s  ETA %s%n", step, epoch + 1, epochs, seen,
                                perEpoch, unit, lossSum / lossN, rate, unit, eta(remaining / Math.max(rate, 1e-9)));
                    }
                }
            }
            g.incrementEpochCount();
            double secs = (System.nanoTime() - t0) / 1e9;
            double valErr = val.isEmpty() ? Double.NaN : meanRelativeErrorPct(graphModel(g, step), val);
            double rate = seen / secs;
            double trainLoss = lossSum / Math.max(1, lossN);
            history.add(new EpochStats(step, epoch + 1, trainLoss, valErr, rate, secs));
            long remaining = (long) epochs * perEpoch - done;
            log.printf("step %d epoch %d/%d done: loss %.4f  val rel err %s  %.1f %s/s  %.1f s  ETA %s%n", step, epoch + 1, epochs,
                    trainLoss, Double.isNaN(valErr) ? "n/a" : String.format("%.2f%%", valErr), rate, unit, secs,
                    eta(remaining / Math.max(done / ((System.nanoTime() - stepStart) / 1e9), 1e-9)));
            checkpoint(g, step, epoch + 1);
        }
    }

    /** A throw-away model around a graph under training (for validation; step 1 uses the extended FNN). */
    private ScqModel graphModel(ComputationGraph g, int step) {
        return new ScqModel(g, new ModelMetadata(property, net.t(), ar, scheduleHash, net, cfg, 0, null, "", ""));
    }

    private void checkpoint(ComputationGraph g, int step, int epoch) {
        if (checkpointDir == null) return;
        try {
            Files.createDirectories(checkpointDir);
            Path tmp = checkpointDir.resolve(".step" + step + ".tmp.zip");
            ModelSerializer.writeModel(g, tmp.toFile(), true);
            Path target = checkpointDir.resolve(String.format("step%d-epoch%03d.zip", step, epoch));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            Path prev = checkpointDir.resolve(String.format("step%d-epoch%03d.zip", step, epoch - 1));
            Files.deleteIfExists(prev);
        } catch (IOException e) {
            throw new MrfInputException("cannot write checkpoint to " + checkpointDir + " (" + e.getMessage() + ")", e);
        }
    }

    static String eta(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
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
}
