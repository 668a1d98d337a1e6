package org.mrf.scq.spark.method;

/**
 * A way of estimating T1/T2 maps from MRF slices that can be fitted (an Estimator, after Spark MLlib's
 * Estimator/Model pair): {@link #fit} looks at training slices and returns the {@link MapModel} that applies it.
 * DM and SDM only load the dictionary (and SVD basis) in fit; SCQ and its variants train networks there. Every stage
 * that estimates maps (ground truth, inference, evaluation, reprocessing) applies the fitted model through
 * {@link MapModel#transform}, on the executors.
 */
public interface MapMethod {
    /** The name the maps of this method are stored and reported under (e.g. dm, sdm, scq, fe_only_true). */
    String name();

    /**
     * Whether {@link #fit} learns from the training slices: then it is fitted per fold; otherwise once per time-point
     * count and applied to every fold.
     */
    default boolean learns() {
        return true;
    }

    /** A model for {@code data.t()} time points, fitted on {@code data}'s training slices where the method learns. */
    MapModel fit(TrainingData data);
}
