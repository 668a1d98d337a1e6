package org.mrf.scq.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.spark.train.SparkScqTrainer;
import org.mrf.scq.spark.train.SparkTrainConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A learned method for {@link Evaluation}: one network per property (T1, T2), trained against the DM ground
 * truth (the paper's targets) of the training subjects by {@link SparkScqTrainer} on the active session's
 * Spark context (the same code path as {@code mrf train}), and applied as a {@link ModelSet}.
 */
public final class ModelMethod implements Evaluation.LearnedMethod {
    /** Minibatches per worker between parameter averagings when the caller does not say. */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 5;

    private final String name;
    private final Variant variant;
    private final String profile;
    private final SparkTrainConfig train;
    private final String scheduleHash;
    private final int fullT;
    private final Path workDir;
    private final PrintStream log;
    private Projection projection;
    private int d;

    /**
     * One Spark worker: parameter averaging over one worker is the single-JVM fit (SparkScqTrainerTest), so settings
     * tuned for it (the demo's small batches) keep their meaning. Averaging over 2 workers on the demo's 5-subject
     * folds gave SCQ a T1 error of 12.9 % against about 6 % for the single fit.
     */
    public ModelMethod(String name, Variant variant, String profile, TrainConfig train, String scheduleHash, int fullT,
                       Path workDir, PrintStream log) {
        this(name, variant, profile, SparkTrainConfig.of(train, 1, DEFAULT_AVERAGING_FREQUENCY), scheduleHash, fullT, workDir, log);
    }

    public ModelMethod(String name, Variant variant, String profile, SparkTrainConfig train, String scheduleHash, int fullT,
                       Path workDir, PrintStream log) {
        this.name = name;
        this.variant = variant;
        this.profile = profile;
        this.train = train;
        this.scheduleHash = scheduleHash;
        this.fullT = fullT;
        this.workDir = workDir;
        this.log = log;
    }

    /** SCQ_S's fixed FE: a [2t x 2rank] real projection of the first t time points (e.g. {@link TrainJob#projection}). */
    @FunctionalInterface
    public interface Projection {
        float[][] apply(int t, int rank);
    }

    /**
     * SCQ_S's fixed projection. The rank asked for is D / 2 complex SVD components (at least 1), D being the profile's
     * or {@link #featureDim}'s: their real and imaginary parts give the U-Net 2 * floor(D / 2) channels, D itself when
     * D is even, as SCQ's learned FE gives it D.
     */
    public ModelMethod projection(Projection byTAndRank) {
        this.projection = byTAndRank;
        return this;
    }

    /** Trains with feature dimension D = {@code d} instead of the profile's (the error-vs-D ablation); 0 = the profile's. */
    public ModelMethod featureDim(int d) {
        if (d < 0) throw new IllegalArgumentException("D must be >= 0, got " + d);
        this.d = d;
        return this;
    }

    /** The network trained for t time points. */
    NetConfig net(int t) {
        NetConfig net = NetConfig.profile(profile, t, variant);
        return d > 0 ? net.withD(d) : net;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Evaluation.Predictor train(List<MrfSlice> slices, Map<String, MapsStore.SliceMaps> groundTruth, int t) {
        NetConfig net = net(t);
        float[][] proj = null;
        if (variant == Variant.SCQ_S && projection != null) {
            int rank = Math.max(1, net.d() / 2);
            proj = projection.apply(t, rank);
            // The dictionary's basis can have fewer components than asked (T or its numerical rank): a point of the
            // error-vs-D curve must not silently stand for fewer channels than its D.
            if (d > 0 && proj[0].length < 2 * rank) {
                throw new MrfInputException(String.format(Locale.ROOT, "--d-values %d: SCQ_S needs %d SVD components of the "
                        + "dictionary at T = %d, its basis has %d. Use D <= %d at this ar.", d, rank, t, proj[0].length / 2, proj[0].length));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkSession.active().sparkContext());
        List<TrainingSlice> data = new ArrayList<>();
        for (MrfSlice s : slices) data.add(SparkScqTrainer.toTraining(s, groundTruth.get(s.key())));
        JavaRDD<TrainingSlice> rdd = jsc.parallelize(data, Math.max(1, Math.min(data.size(), jsc.defaultParallelism())))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        // Cut the lineage to the cached blocks: otherwise every task of every epoch carries its partition's
        // slices (tens of MB) inside the serialised ParallelCollectionPartition.
        rdd.rdd().localCheckpoint();
        rdd.count();
        double ar = (double) fullT / t;
        Map<Property, ScqModel> models = new EnumMap<>(Property.class);
        try {
            for (Property p : Property.values()) {
                Path ckpt = Files.createDirectories(workDir.resolve(String.format(Locale.ROOT, "%s-ar%d-%s-%s", name, Math.round(ar),
                        p.name().toLowerCase(Locale.ROOT), slices.get(0).subject() + "-" + data.size())));
                log.printf(Locale.ROOT, "train %s %s at ar %.0f on %d slices (profile %s, D %d)%n", name, p, ar, data.size(), profile,
                        proj != null ? proj[0].length : net.d());
                models.put(p, new SparkScqTrainer(jsc, p, net, train, scheduleHash, ar, ckpt, log)
                        .projection(proj).train(rdd, null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            rdd.unpersist(false);
        }
        ModelSet set = ModelSet.of(models);
        return set::predictMs;
    }
}
