package org.mrf.scq.model.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.data.TrainingSlice;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link ScqTrainer}'s epochs in this JVM: the training slices in their given order as one sequence
 * (index 0) of {@link EpochExamples}, fitted minibatch by minibatch. With the same slices in one Spark partition
 * and one worker, the Spark runner fits the same minibatches in the same order.
 */
public final class LocalEpochRunner implements EpochRunner {
    /** Example buffer: a group of slices' examples is merged and shuffled up to this size. */
    public static final long GROUP_BYTES = 256L << 20;

    private final List<TrainingSlice> train;
    private final List<TrainingSlice> val;
    private final PrintStream log;
    private double progressEverySeconds = 10;

    /** @param val held-out slices (may be empty) */
    public LocalEpochRunner(List<TrainingSlice> train, List<TrainingSlice> val, PrintStream log) {
        this.train = List.copyOf(train);
        this.val = val == null ? List.of() : List.copyOf(val);
        this.log = log == null ? System.out : log;
    }

    /** Seconds between progress lines within an epoch. */
    public LocalEpochRunner progressEvery(double seconds) {
        this.progressEverySeconds = seconds;
        return this;
    }

    @Override
    public double[] targetSum(Property property, int t) {
        if (train.isEmpty()) throw new MrfInputException("no training slices");
        double[] sum = new double[2];
        for (TrainingSlice s : train) {
            if (s.t() < t) throw new MrfInputException("training slice " + s.subject() + "/" + s.slice() + " has T=" + s.t() + " < " + t);
            double[] one = ScqTrainer.targetSum(s, property);
            sum[0] += one[0];
            sum[1] += one[1];
        }
        for (TrainingSlice s : val) s.target(property);
        return sum;
    }

    @Override
    public String describe(int step, int batch) {
        return String.format(Locale.ROOT, "minibatch %d", batch);
    }

    @Override
    public Fitted fit(ComputationGraph g, EpochExamples examples, int epochs) {
        String unit = ScqTrainer.unit(examples.step());
        long t0 = System.nanoTime(), lastPrint = t0;
        double lossSum = 0;
        long seen = 0;
        Iterator<DataSet> it = examples.minibatches(train.iterator(), 0, GROUP_BYTES);
        while (it.hasNext()) {
            DataSet mb = it.next();
            g.fit(mb);
            int n = mb.numExamples();
            lossSum += g.score() * n * n; // score = loss / minibatch (see RelativeDifferenceLoss)
            seen += n;
            long now = System.nanoTime();
            if ((now - lastPrint) / 1e9 >= progressEverySeconds) {
                lastPrint = now;
                log.printf(Locale.ROOT, "step %d epoch %d/%d  %d %s  loss %.4f  %.1f %s/s%n", examples.step(),
                        examples.epoch() + 1, epochs, seen, unit, lossSum / seen, seen / ((now - t0) / 1e9), unit);
            }
        }
        g.incrementEpochCount();
        return new Fitted(lossSum, seen);
    }

    @Override
    public double validationErrorPct(ScqModel model) {
        return val.isEmpty() ? Double.NaN : ScqTrainer.meanRelativeErrorPct(model, val);
    }
}
