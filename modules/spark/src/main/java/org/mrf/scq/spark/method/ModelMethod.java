package org.mrf.scq.spark.method;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.ScqSettings;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.train.SparkEpochRunner;
import org.mrf.scq.spark.train.SparkTrainConfig;
import org.mrf.scq.spark.train.TrainJob;
import org.mrf.scq.spark.train.TrainingTargets;

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
 * SCQ or one of its variants as a {@link MapMethod}: one network per property (T1, T2), trained against the DM ground
 * truth (the paper's targets) or the true maps ({@link #targets}) of the training subjects by {@link ScqTrainer} over a
 * {@link SparkEpochRunner} on the active session's Spark context (the same code path as {@code mrf train}); the fitted
 * {@link ScqMapModel} applies the saved set on the executors.
 */
public final class ModelMethod implements MapMethod {
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
    private ModelMethod stepOneFrom;
    private TrainingTargets targets = TrainingTargets.GROUND_TRUTH;
    /** The network settings read from the configuration; null = the built-in profile {@link #profile}. */
    private ScqSettings network;

    /**
     * One Spark worker: nothing is averaged, so settings tuned for it (the demo's small batches) keep their meaning,
     * which averaging over several workers changes. Each epoch is one averaging round
     * ({@link #SINGLE_WORKER_AVERAGING_FREQUENCY}): every round is a Spark job with its own parameter broadcast, and
     * DL4J leaves out the minibatches of an incomplete last round. DL4J advances the iteration counter that Adam's
     * bias correction reads by the averaging frequency per round, not by the minibatches fitted, so from the second
     * epoch on this is not the local runner's fit (see SparkEpochRunnerTest).
     */
    public ModelMethod(String name, Variant variant, String profile, TrainConfig train, String scheduleHash, int fullT,
                       Path workDir, PrintStream log) {
        this(name, variant, profile, SparkTrainConfig.of(train, 1, SINGLE_WORKER_AVERAGING_FREQUENCY), scheduleHash, fullT, workDir, log);
    }

    /** Minibatches per round with one worker: more than an epoch of a small cohort has, so one round per epoch. */
    public static final int SINGLE_WORKER_AVERAGING_FREQUENCY = 1000;

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

    /** A fixed [2t x 2rank] real projection of the first t time points onto rank complex SVD components. */
    @FunctionalInterface
    public interface Projection {
        float[][] apply(int t, int rank);
    }

    /**
     * The fixed input projection for t time points and rank complex SVD components ({@link NetConfig#projectionComponents()}:
     * SCQ_S's FE, or the subspace in front of SCQ's and FE_ONLY's FE), e.g. {@link TrainJob#projection}.
     */
    public ModelMethod projection(Projection byTAndRank) {
        this.projection = byTAndRank;
        return this;
    }

    /**
     * Takes step 1 from {@code feOnly}'s networks of the same fold instead of training it again: SCQ's step 1 is the
     * extended FNN, which is what FE-only trains, with the same network, data, seed and settings. {@link #fit(TrainingData)}
     * warm-starts from the model {@code feOnly} fitted earlier on the same fold; where it has none, step 1 is trained here.
     */
    public ModelMethod stepOneFrom(ModelMethod feOnly) {
        if (feOnly.variant != Variant.FE_ONLY || variant != Variant.SCQ) {
            throw new IllegalArgumentException("step 1 can be shared from FE_ONLY to SCQ only, not " + feOnly.variant + " to " + variant);
        }
        if (!feOnly.profile.equals(profile) || !feOnly.train.equals(train) || !java.util.Objects.equals(feOnly.network, network)
                || feOnly.d != d || feOnly.targets != targets) {
            throw new IllegalArgumentException("FE_ONLY method " + feOnly.name + " has other settings than " + name + ": step 1 differs");
        }
        this.stepOneFrom = feOnly;
        return this;
    }

    /** What the networks learn: the DM ground truth (default, the paper's) or a simulated cohort's true maps. */
    public ModelMethod targets(TrainingTargets t) {
        if (stepOneFrom != null && stepOneFrom.targets != t) {
            throw new IllegalArgumentException(name + " takes step 1 from " + stepOneFrom.name + ", trained on other targets");
        }
        this.targets = t;
        return this;
    }

    /** Builds the networks from {@code s} (the configuration's mrf.train.* settings) instead of the built-in profile. */
    public ModelMethod network(ScqSettings s) {
        this.network = s;
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
        NetConfig net = network != null ? network.net(t, variant) : NetConfig.profile(profile, t, variant);
        return d > 0 ? net.withD(d) : net;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Trains one network per property on the fold's training slices, saves the set under {@code data.workDir()} (where the
     * executors read it) and returns it as a model. With {@link #stepOneFrom}, step 1 is the FE-only model fitted earlier on
     * the same fold ({@code data.fitted}), passed as a warm start to {@link #fit(TrainingData, ScqMapModel)}.
     */
    @Override
    public ScqMapModel fit(TrainingData data) {
        MapModel earlier = stepOneFrom == null ? null : data.fitted(stepOneFrom.name);
        return fit(data, earlier instanceof ScqMapModel m && m.trained() != null ? m : null);
    }

    /** As {@link #fit(TrainingData)}, with step 1 taken from {@code stepOne}'s networks when it is not null (a warm start). */
    public ScqMapModel fit(TrainingData data, ScqMapModel stepOne) {
        if (stepOne != null && variant != Variant.SCQ) {
            throw new IllegalArgumentException(name + " (" + variant + ") has no step 1 to warm-start; only SCQ has");
        }
        int t = data.t();
        List<MrfSlice> slices = data.slices();
        NetConfig net = net(t);
        if (stepOne != null && stepOne.trained().model(Property.T1).metadata().net().phaseReference() != net.phaseReference()) {
            throw new MrfInputException(name + ": the FE-only networks to warm-start from took " + (net.phaseReference() ? "re/im as acquired"
                    : "phase-referenced input") + ", this method's settings the other; retrain with the same mrf.train.phase-reference.");
        }
        float[][] proj = null;
        int rank = net.projectionComponents();
        if (rank > 0) {
            if (projection == null) {
                throw new MrfInputException(name + " (" + net + ") needs the dictionary's SVD basis as its fixed input projection: "
                        + "give the method a projection (the evaluation's --dictionary).");
            }
            proj = projection.apply(t, rank);
            if (net.projectsInput()) {
                net = TrainJob.fitSubspace(net, proj, log);
            } else if (d > 0 && proj[0].length < 2 * rank) {
                // The dictionary's basis can have fewer components than asked (T or its numerical rank): a point of the
                // error-vs-D curve must not silently stand for fewer channels than its D.
                throw new MrfInputException(String.format(Locale.ROOT, "--d-values %d: SCQ_S needs %d SVD components of the "
                        + "dictionary at T = %d, its basis has %d. Use D <= %d at this ar.", d, rank, t, proj[0].length / 2, proj[0].length));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.spark().sparkContext());
        List<TrainingSlice> examples = new ArrayList<>();
        for (MrfSlice s : slices) examples.add(targets.of(s, data.groundTruth().get(s.key()), "the evaluation's slices"));
        JavaRDD<TrainingSlice> rdd = jsc.parallelize(examples, Math.max(1, Math.min(examples.size(), jsc.defaultParallelism())))
                .persist(StorageLevel.MEMORY_AND_DISK()); // deserialised: every epoch reads every slice (T x H x W x 2 floats)
        // Cut the lineage to the cached blocks: otherwise every task of every epoch carries its partition's
        // slices (tens of MB) inside the serialised ParallelCollectionPartition.
        rdd.rdd().localCheckpoint();
        rdd.count();
        double ar = (double) fullT / t;
        String fold = slices.get(0).subject() + "-" + examples.size();
        Map<Property, ScqModel> models = new EnumMap<>(Property.class);
        try {
            Path staging = Files.createDirectories(workDir.resolve(String.format(Locale.ROOT, "%s-ar%d-%s-set", name, Math.round(ar), fold)));
            for (Property p : Property.values()) {
                Path ckpt = Files.createDirectories(workDir.resolve(String.format(Locale.ROOT, "%s-ar%d-%s-%s", name, Math.round(ar),
                        p.name().toLowerCase(Locale.ROOT), fold)));
                log.printf(Locale.ROOT, "train %s %s at ar %.0f on %d slices (profile %s, D %d, targets %s)%n", name, p, ar, examples.size(),
                        profile, variant == Variant.SCQ_S ? proj[0].length : net.d(), targets.key());
                ScqModel m = new ScqTrainer(p, net, train.train(), scheduleHash, ar, ckpt, log).projection(proj)
                        .pretrained(stepOne == null ? null : stepOne.trained().model(p).graph())
                        .train(new SparkEpochRunner(jsc, train, rdd, null, log));
                models.put(p, m);
                m.save(staging.resolve(ModelSet.dirName(p)));
            }
            String target = String.format(Locale.ROOT, "%s/%s-ar%d-%s", data.workDir(), name, Math.round(ar), fold);
            ModelSet.Info saved = ModelSet.publish(staging, target, data.spark().sparkContext().hadoopConfiguration(), true,
                    Map.of("method", name));
            return new ScqMapModel(saved, name, ModelSet.of(models));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            rdd.unpersist(false);
        }
    }
}
