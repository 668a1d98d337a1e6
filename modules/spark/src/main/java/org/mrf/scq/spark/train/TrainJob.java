package org.mrf.scq.spark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.ScqSettings;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.method.ModelMethod;
import org.mrf.scq.spark.store.BasisStore;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * Trains a {@link ModelSet} on Spark ({@link ScqTrainer} over a {@link SparkEpochRunner}, DL4J parameter averaging) against the DM
 * ground truth (ar 1 maps of {@code mrf ground-truth}), or against a simulated cohort's true maps
 * ({@link TrainingTargets}): one network per property on the first T = Tfull / ar
 * time points, checkpoints after every epoch in a checkpoint directory on any Hadoop path (so a killed run resumes,
 * on another machine too when they are on a cluster file system; {@link HadoopCheckpointStore}), and the
 * set published atomically with the DL4J Spark training statistics and history of each network.
 */
public final class TrainJob {
    private TrainJob() {
    }

    /**
     * What to train and how: the training stage's settings, read from the configuration ({@code mrf.train.*}) in one
     * place by the command line.
     *
     * @param model              the network and its two-step training (profile, widths, switches, epochs, rates)
     * @param ar                 acceleration rate: the networks take the first Tfull / ar time points
     * @param variant            the method of the ablation
     * @param properties         one network each
     * @param validation         subjects held out of training for a validation error after every epoch
     * @param targets            what the networks learn
     * @param workers            parameter-averaging workers (0 = the context's default parallelism)
     * @param averagingFrequency minibatches each worker fits between two averagings
     */
    public record Settings(ScqSettings model, int ar, Variant variant, List<Property> properties, List<String> validation,
                           TrainingTargets targets, int workers, int averagingFrequency) {
        public Settings {
            properties = List.copyOf(properties);
            validation = List.copyOf(validation);
        }

        public SparkTrainConfig spark() {
            return SparkTrainConfig.of(model.train(), workers, averagingFrequency);
        }
    }

    /**
     * @param checkpoints checkpoint directory, any Hadoop path (one sub-directory per property); null = {@link #defaultCheckpoints}
     * @param dictionary  dictionary whose SVD basis is the fixed input projection; null = the ground truth's
     */
    public record Options(String slices, String groundTruth, String dictionary, String out, String checkpoints, boolean resume,
                          boolean overwrite, Settings settings) {
        /**
         * The settings of a built-in profile with the given epochs and learning rates ({@link #trainConfig}), for code
         * that has no configuration to read.
         */
        public Options(String slices, String groundTruth, String out, String profile, int ar, Variant variant,
                       List<Property> properties, List<String> validation, String dictionary, boolean resume, String checkpoints,
                       int workers, int averagingFrequency, int pixelEpochs, int patchEpochs, double lr, double patchLr,
                       boolean overwrite, TrainingTargets targets) {
            this(slices, groundTruth, dictionary, out, checkpoints, resume, overwrite,
                    new Settings(ScqSettings.preset(profile).withTrain(trainConfig(profile, pixelEpochs, patchEpochs, lr, patchLr)), ar,
                            variant, properties, validation, targets, workers, averagingFrequency));
        }

        /** Without ground truth: only {@link TrainingTargets#TRUE_MAPS} can train, and a projection needs {@code dictionary}. */
        public boolean hasGroundTruth() {
            return groundTruth != null && !groundTruth.isBlank();
        }
    }

    public record Result(ModelSet.Info set, int trainSlices, int valSlices, Map<Property, Double> valErrPct, String checkpoints,
                         double seconds) {
        public String summary() {
            String errs = valErrPct.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f %%", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
            return String.format(Locale.ROOT, "train: variant=%s ar=%d T=%d properties=%s train_slices=%d val_slices=%d%s in %.1fs "
                            + "wrote %s (checkpoints %s)", set.method(), set.ar(), set.t(),
                    set.models().keySet().stream().map(ModelSet::dirName).collect(Collectors.joining(",")), trainSlices, valSlices,
                    errs.isEmpty() ? "" : " val_rel_err: " + errs, seconds, set.path(), checkpoints);
        }
    }

    /** {@code OUT.checkpoints} next to the output, on the output's file system (so a cluster output's survive the driver). */
    public static String defaultCheckpoints(String out, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
        try {
            FileSystem fs = p.getFileSystem(conf);
            org.apache.hadoop.fs.Path q = fs.makeQualified(p);
            if ("file".equals(fs.getUri().getScheme())) return Path.of(q.toUri()).resolveSibling(p.getName() + ".checkpoints").toString();
            return new org.apache.hadoop.fs.Path(q.getParent(), p.getName() + ".checkpoints").toString();
        } catch (IOException e) {
            throw new MrfInputException("output " + out + ": " + e.getMessage(), e);
        }
    }

    private static void refuseExisting(String out, Configuration conf, boolean overwrite) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
            FileSystem fs = p.getFileSystem(conf);
            if (!overwrite && fs.exists(p)) {
                throw new MrfInputException("output " + fs.makeQualified(p) + " already exists. Pass --overwrite to replace it, "
                        + "or choose another --out.");
            }
        } catch (IOException e) {
            throw new MrfInputException("output " + out + ": cannot be checked (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A built-in profile's training settings with the given epochs and Adam learning rates of step 1 and step 2; a
     * negative epoch count or a zero rate keeps the profile's.
     */
    public static TrainConfig trainConfig(String profile, int pixelEpochs, int patchEpochs, double lr, double patchLr) {
        TrainConfig base = ScqSettings.preset(profile).train();
        if (!(lr >= 0 && lr < 1) || !(patchLr >= 0 && patchLr < 1)) {
            throw new MrfInputException("learning rates " + lr + " and " + patchLr + ": give values in (0, 1), or 0 for the profile's.");
        }
        return base.withEpochs(pixelEpochs < 0 ? base.pixelEpochs() : pixelEpochs, patchEpochs < 0 ? base.patchEpochs() : patchEpochs)
                .withLr(lr == 0 ? base.lr() : lr, patchLr == 0 ? base.patchLr() : patchLr);
    }

    public static Result run(SparkSession spark, Options o, PrintStream log) {
        long t0 = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        refuseExisting(o.out(), conf, o.overwrite()); // before hours of training, not after
        Settings st = o.settings();
        SliceStore.Metadata meta = SliceStore.metadata(o.slices(), conf);
        int t = meta.timepoints() / Math.max(1, st.ar());
        if (st.ar() < 1 || t < 1) {
            throw new MrfInputException("mrf.train.ar: " + st.ar() + " is not usable with the " + meta.timepoints() + " time points of "
                    + o.slices() + ": use 1 <= ar <= " + meta.timepoints() + ".");
        }
        if (st.properties().isEmpty()) throw new MrfInputException("mrf.train.properties: is empty; give t1, t2 or both.");
        NetConfig net = st.model().net(t, st.variant());
        SparkTrainConfig sc = st.spark();

        TreeSet<String> subjects = new TreeSet<>(SliceStore.withoutSeries(spark, o.slices()).select(col("subject")).distinct()
                .collectAsList().stream().map(r -> r.getString(0)).toList());
        if (subjects.isEmpty()) {
            throw new MrfInputException("slices dataset " + o.slices() + " holds no slices: nothing to train on. Ingest a cohort "
                    + "first ('mrf ingest --out " + o.slices() + "').");
        }
        for (String v : st.validation()) {
            if (!subjects.contains(v)) {
                throw new MrfInputException("mrf.train.validation: validation subject '" + v + "' is not in " + o.slices() + " (subjects: "
                        + subjects + ").");
            }
        }
        if (subjects.size() <= st.validation().size()) {
            throw new MrfInputException("mrf.train.validation: " + st.validation() + " leaves no training subject in " + o.slices()
                    + " (subjects: " + subjects + "). Hold out fewer subjects.");
        }
        List<MapsStore.SliceMaps> gt;
        if (st.targets() == TrainingTargets.GROUND_TRUTH) {
            gt = groundTruth(spark, o, t);
        } else {
            gt = List.of();
            requireTrueMaps(SliceStore.withoutSeries(spark, o.slices()), o.slices());
        }
        float[][] projection = net.projectionComponents() > 0
                ? projection(spark, dictionaryFor(o, conf, net), meta, t, net.projectionComponents()) : null;
        if (net.projectsInput()) net = fitSubspace(net, projection, log);

        String ckpt = o.checkpoints() != null && !o.checkpoints().isBlank() ? o.checkpoints() : defaultCheckpoints(o.out(), conf);
        List<String> val = st.validation();
        JavaRDD<MrfSlice> slices = SliceStore.slices(spark, o.slices(), t);
        JavaRDD<TrainingSlice> train = SparkEpochRunner.trainingSlices(jsc, slices.filter(s -> !val.contains(s.subject())), gt, st.targets(), o.slices())
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        JavaRDD<TrainingSlice> valRdd = val.isEmpty() ? null
                : SparkEpochRunner.trainingSlices(jsc, slices.filter(s -> val.contains(s.subject())), gt, st.targets(), o.slices())
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        Path staging = null;
        try {
            int nTrain = (int) train.count(), nVal = valRdd == null ? 0 : (int) valRdd.count();
            staging = Files.createTempDirectory("mrf-train-");
            Map<Property, Double> valErr = new EnumMap<>(Property.class);
            for (Property p : st.properties()) {
                String dir = new org.apache.hadoop.fs.Path(ckpt, ModelSet.dirName(p)).toString();
                if (!o.resume()) HadoopCheckpointStore.clear(dir, conf);
                log.printf(Locale.ROOT, "train %s %s at ar %d (T=%d) on %d slices, %d validation slices, profile %s, targets %s%n",
                        st.variant(), p, st.ar(), t, nTrain, nVal, st.model().profile(), st.targets().key());
                try (HadoopCheckpointStore store = HadoopCheckpointStore.open(dir, conf, log::println)) {
                    ScqTrainer trainer = new ScqTrainer(p, net, sc.train(), meta.scheduleHash(), (double) meta.timepoints() / t,
                            null, log).checkpoints(store).projection(projection).resume(o.resume());
                    ScqModel model = trainer.train(new SparkEpochRunner(jsc, sc, train, valRdd, log));
                    Double e = model.metadata().metrics().get("val_rel_err_pct");
                    if (e != null) valErr.put(p, e);
                    trainer.save(model, staging.resolve(ModelSet.dirName(p)));
                }
            }
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("slices", o.slices());
            provenance.put("targets", st.targets().key());
            provenance.put("ground_truth", o.hasGroundTruth() ? o.groundTruth() : null);
            provenance.put("validation", val);
            provenance.put("profile", st.model().profile());
            provenance.put("switches", st.model().switches());
            provenance.put("workers", st.workers());
            provenance.put("averaging_frequency", st.averagingFrequency());
            provenance.put("checkpoints", ckpt);
            ModelSet.Info info = ModelSet.publish(staging, o.out(), conf, o.overwrite(), provenance);
            return new Result(info, nTrain, nVal, valErr, ckpt, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("training could not write " + o.out(), e);
        } finally {
            train.unpersist(false);
            if (valRdd != null) valRdd.unpersist(false);
            if (staging != null) org.apache.commons.io.FileUtils.deleteQuietly(staging.toFile());
        }
    }

    /** The DM maps on all time points, covering every slice (a slice without them could not be trained on). */
    private static List<MapsStore.SliceMaps> groundTruth(SparkSession spark, Options o, int t) {
        if (!o.hasGroundTruth()) {
            throw new MrfInputException("--ground-truth is missing: training on the DM ground truth (--targets gt, the default) "
                    + "needs the output of 'mrf ground-truth --slices " + o.slices() + " --ars 1'. A simulated cohort can train on "
                    + "its true maps instead (--targets true).");
        }
        List<MapsStore.SliceMaps> gt = new ArrayList<>();
        for (MapsStore.SliceMaps m : MapsStore.read(spark, o.groundTruth() + "/maps")) if (m.ar() == 1) gt.add(m);
        TreeSet<String> have = new TreeSet<>();
        gt.forEach(m -> have.add(m.key()));
        List<String> missing = SliceStore.withoutSeries(spark, o.slices()).select(col("subject"), col("slice")).distinct().collectAsList()
                .stream().map(r -> r.getString(0) + "/" + r.getInt(1)).filter(k -> !have.contains(k)).sorted().toList();
        if (!missing.isEmpty()) {
            throw new MrfInputException("ground truth " + o.groundTruth() + " has no ar 1 maps for " + missing.size() + " slice(s) of "
                    + o.slices() + " (first: " + missing.get(0) + "). Compute it with 'mrf ground-truth --slices " + o.slices()
                    + " --ars 1'.");
        }
        return gt;
    }

    /**
     * Refuses, before training, slices that carry no true maps to train on: a query on the map columns of the stored
     * rows ({@link SliceStore#withoutSeries}), as the ground-truth coverage check is, so no series is read.
     */
    static void requireTrueMaps(Dataset<?> blocks, String dataset) {
        List<Row> bare = blocks.filter(col("t1_ms").isNull().or(col("t2_ms").isNull())).select(col("subject"), col("slice"))
                .orderBy(col("subject"), col("slice")).limit(1).collectAsList();
        if (!bare.isEmpty()) throw TrainingTargets.noTrueMaps(bare.get(0).getString(0) + "/" + bare.get(0).getInt(1), dataset);
    }

    /**
     * The network for the subspace the dictionary gives: a small dictionary (a coarse grid, few time points) can have
     * fewer SVD components than the profile's rank, and then those hold its whole signal; fewer is logged, not refused.
     */
    public static NetConfig fitSubspace(NetConfig net, float[][] projection, PrintStream log) {
        int k = projection[0].length / 2;
        if (k >= net.subspaceRank()) return net;
        log.printf(Locale.ROOT, "the dictionary's SVD basis has %d components at T = %d: the FE's input subspace has rank %d, not %d%n",
                k, net.t(), k, net.subspaceRank());
        return net.withSubspaceRank(k);
    }

    /**
     * The dictionary whose SVD basis gives the fixed input projection: {@code --dictionary}, else the one the ground
     * truth was matched against (its summary.json names it).
     */
    static String dictionaryFor(Options o, Configuration conf, NetConfig net) {
        if (o.dictionary() != null && !o.dictionary().isBlank()) return o.dictionary();
        String why = net.variant() == Variant.SCQ_S ? "variant scq_s needs a dictionary (its fixed FE is the dictionary's SVD basis)"
                : "profile " + o.settings().model().profile() + " projects the " + net.variant().name().toLowerCase(Locale.ROOT)
                + " FE's input onto the dictionary's SVD subspace (rank " + net.subspaceRank() + ")";
        if (!o.hasGroundTruth()) throw new MrfInputException(why + ", and no --ground-truth names one: pass --dictionary.");
        org.apache.hadoop.fs.Path summary = new org.apache.hadoop.fs.Path(o.groundTruth(), "summary.json");
        try {
            FileSystem fs = summary.getFileSystem(conf);
            if (fs.exists(summary)) {
                String d = JsonFiles.JSON.readTree(JsonFiles.readText(fs, summary)).path("dictionary").asText("");
                if (!d.isBlank()) return d;
            }
        } catch (IOException e) {
            throw new MrfInputException("ground truth " + summary + " is unreadable (" + e.getMessage() + "); " + why + ": pass --dictionary.");
        }
        throw new MrfInputException(why + ", and " + summary + " names no dictionary: pass --dictionary.");
    }

    /**
     * The fixed input projection (SCQ_S's FE, or the subspace in front of SCQ's / FE_ONLY's FE): the dictionary's
     * complex SVD basis for the first {@code t} time points, {@code rank} components, in real form
     * ({@link SvdBasis#realProjection}).
     */
    public static float[][] projection(SparkSession spark, String dictionary, SliceStore.Metadata slices, int t, int rank) {
        return realProjection(basis(spark, dictionary, slices, t), rank);
    }

    /**
     * {@link #projection} for the learned methods of an evaluation, which ask once per method, fold and ar: the basis
     * for each T is computed once (a randomized SVD of the truncated dictionary), not once per ask.
     */
    public static ModelMethod.Projection projections(SparkSession spark, String dictionary, SliceStore.Metadata slices) {
        Map<Integer, SvdBasis> byT = new java.util.concurrent.ConcurrentHashMap<>();
        return (t, rank) -> realProjection(byT.computeIfAbsent(t, k -> basis(spark, dictionary, slices, k)), rank);
    }

    private static float[][] realProjection(SvdBasis b, int rank) {
        return b.realProjection(Math.max(1, Math.min(rank, b.rank())));
    }

    /** The dictionary's SVD basis for the first {@code t} time points: the stored one when it is for t, else computed. */
    private static SvdBasis basis(SparkSession spark, String dictionary, SliceStore.Metadata slices, int t) {
        if (dictionary == null || dictionary.isBlank()) {
            throw new MrfInputException("the network's fixed input projection is the dictionary's SVD basis: pass --dictionary.");
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        DictionaryStore.Metadata dm = DictionaryStore.metadata(dictionary, conf);
        if (!dm.scheduleHash().equals(slices.scheduleHash())) {
            throw new MrfInputException("dictionary " + dictionary + " is for schedule hash " + dm.scheduleHash() + ", the slices' is "
                    + slices.scheduleHash() + ". Use a dictionary of the slices' schedule.");
        }
        SvdBasis b = BasisStore.read(dictionary, conf);
        return b != null && b.timepoints() == t ? b : RandomizedSvd.ofDictionary(DictionaryStore.load(spark, dictionary, t));
    }
}
