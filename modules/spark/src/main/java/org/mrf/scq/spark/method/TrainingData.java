package org.mrf.scq.spark.method;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.spark.store.MapsStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@link MapMethod#fit} sees of one fold: the training slices cut to {@code t} time points (read only when a
 * method asks for them), their ground-truth maps, and the models that methods fitted earlier on the same fold, from
 * which a method may warm-start (SCQ's step 1 is FE-only's network: see {@code ModelMethod#stepOneFrom}).
 */
public final class TrainingData {
    private final SparkSession spark;
    private final int t;
    private final int fullT;
    private final String fold;
    private final Supplier<List<MrfSlice>> slices;
    private final Map<String, MapsStore.SliceMaps> groundTruth;
    private final String workDir;
    private final Map<String, MapModel> fitted = new HashMap<>();
    private List<MrfSlice> read;

    /**
     * @param fold        what the fold is called in file names (the held-out subject), or null
     * @param slices      the training slices with their first {@code t} time points, read on first use
     * @param groundTruth ground-truth maps by slice key ({@link MrfSlice#key()})
     * @param workDir     a Hadoop directory the executors can read, where learned models are saved for them
     */
    public TrainingData(SparkSession spark, int t, int fullT, String fold, Supplier<List<MrfSlice>> slices,
                        Map<String, MapsStore.SliceMaps> groundTruth, String workDir) {
        if (t < 1 || t > fullT) throw new IllegalArgumentException("t = " + t + " must be in [1, " + fullT + "]");
        this.spark = spark;
        this.t = t;
        this.fullT = fullT;
        this.fold = fold;
        this.slices = slices;
        this.groundTruth = groundTruth;
        this.workDir = workDir;
    }

    public SparkSession spark() { return spark; }
    public int t() { return t; }
    public int fullT() { return fullT; }
    public String fold() { return fold; }
    public Map<String, MapsStore.SliceMaps> groundTruth() { return groundTruth; }
    public String workDir() { return workDir; }

    /** The acceleration rate (full T / t, rounded) that maps of this fold are stored under. */
    public int ar() {
        return (int) Math.round((double) fullT / t);
    }

    /** The training slices (read once). */
    public synchronized List<MrfSlice> slices() {
        if (read == null) read = slices.get();
        return read;
    }

    /** Records a model fitted on this fold, for methods that start from it. */
    public void fitted(String method, MapModel model) {
        fitted.put(method, model);
    }

    /** The model that {@code method} fitted on this fold, or null when it has not run. */
    public MapModel fitted(String method) {
        return fitted.get(method);
    }
}
