package org.mrf.scq.spark.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A worker-side hook of DL4J's parameter averaging that does nothing unless a subclass says so: a hook overrides only
 * the callbacks it needs. SparkComputationGraph fits MultiDataSets (it converts DataSets), so the SCQ networks' hooks
 * override the MultiDataSet callbacks.
 */
public abstract class GraphTrainingHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
