package org.mrf.scq.spark.train;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Worker-side training-loss bookkeeping through Spark accumulators: after each minibatch fit, the
 * minibatch's loss (weighted as the single-JVM trainer weights it: score x n x n, see
 * RelativeDifferenceLoss) and its example count.
 */
final class LossHook extends GraphTrainingHook {
    private static final long serialVersionUID = 1L;

    private final DoubleAccumulator lossSum;
    private final LongAccumulator examples;

    LossHook(DoubleAccumulator lossSum, LongAccumulator examples) {
        this.lossSum = lossSum;
        this.examples = examples;
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        int n = minibatch.numExamples();
        lossSum.add(model.score() * n * n);
        examples.add(n);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        // SparkComputationGraph trains on MultiDataSets (its DataSets are converted)
        long n = minibatch.getFeatures(0).size(0);
        lossSum.add(model.score() * n * n);
        examples.add(n);
    }
}
