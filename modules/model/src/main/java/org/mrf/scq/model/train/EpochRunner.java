package org.mrf.scq.model.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@link ScqTrainer}'s epochs run: over the training slices it holds, it fits a network for one epoch of
 * examples and scores a model on its held-out slices. {@link LocalEpochRunner} runs in this JVM; the Spark
 * module's runner cuts the examples on the executors and fits by parameter averaging. The trainer owns
 * everything else (networks, steps, seeds, checkpoints, history, resume), so both runners train alike.
 */
public interface EpochRunner {
    /** One epoch's outcome: the summed minibatch loss weighted as {@link ScqTrainer} reports it, and the example count. */
    record Fitted(double lossSum, long examples) {
    }

    /** Called once before training; {@code checkpoints} may be null. */
    default void start(CheckpointStore checkpoints) {
    }

    /**
     * One pass over the training slices: refuses slices with fewer than {@code t} time points, and returns the
     * sum and count ({@link ScqTrainer#targetSum}) of the scaled {@code property} targets over the masked pixels.
     */
    double[] targetSum(Property property, int t);

    /** What the step header says about where and how the step runs (e.g. "on Spark: 2 workers ..."). */
    String describe(int step, int batch);

    /** Fits {@code g} (in place) on one epoch's examples and advances its epoch count. */
    Fitted fit(ComputationGraph g, EpochExamples examples, int epochs);

    /** The model's mean relative error in percent on the held-out slices ({@link ScqTrainer#meanRelativeErrorPct}); NaN without any. */
    double validationErrorPct(ScqModel model);

    /** After an epoch's checkpoint (e.g. to export statistics named {@code name}). */
    default void epochDone(String name) {
    }

    /** Settings the training history records beside the epochs. */
    default Map<String, Object> historySettings() {
        return Map.of();
    }

    /** Adds the runner's own training record to a saved model's directory. */
    default void record(Path modelDir) throws IOException {
    }

    /** Called once after training, also after a failure. */
    default void finish() {
    }
}
