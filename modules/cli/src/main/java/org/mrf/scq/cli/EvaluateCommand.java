package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Variant;
import org.mrf.scq.spark.evaluate.Evaluation;
import org.mrf.scq.spark.method.MapMethod;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.spark.method.DroneMethod;
import org.mrf.scq.spark.method.MatchMethod;
import org.mrf.scq.spark.method.ModelMethod;
import org.mrf.scq.spark.reconstruct.CsmrMethod;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.SparkTrainConfig;
import org.mrf.scq.spark.train.TrainJob;
import org.mrf.scq.spark.train.TrainingTargets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Leave-one-subject-out evaluation (docs/SCIENCE.md, evaluation protocol): for each acceleration rate and held-out subject, DM and SDM "
                + "match and the learned methods are trained on the other subjects (on Spark, settings mrf.train.*) and "
                + "applied; errors against the DM ground truth and the true maps, and time per slice.",
        footer = {"", "Writes OUT/report.md, OUT/report.json (<method>.ar<N>.{t1_err_pct,t2_err_pct,seconds_per_slice}),",
                "OUT/tables/errors.csv (per slice), table1_errors.csv, table2_time.csv, table3_ablation_steps.csv and",
                "table4_ablation_fe.csv (when two of their methods ran), OUT/maps/ (NPY) and OUT/figures/ (PNG).",
                "With --d-values, also scq_d<D> and scq_s_d<D> for each D, OUT/tables/error_vs_d.csv and",
                "OUT/figures/error_vs_d.png.", "Examples:",
                "  mrf evaluate --slices slices/ --ground-truth gt/ --dictionary dict/ --out eval/",
                "  mrf evaluate --slices slices/ --ground-truth gt/ --dictionary dict/ --out eval/ --ars 2,4,8,16 \\",
                "      --methods dm,sdm,fe_only,sq_only,scq,scq_s,scq_m --held-out sub-000,sub-001 --profile paper",
                "  mrf evaluate --slices slices/ --ground-truth gt/ --dictionary dict/ --out eval/ --methods dm,scq \\",
                "      --d-values 8,16,46"})
public final class EvaluateCommand implements Callable<Integer> {
    static final List<String> BUILT_IN = MatchMethod.NAMES;

    @Mixin
    SparkCommon common;
    @Option(names = "--slices", required = true, description = "Slices dataset written by 'mrf ingest'.")
    String slices;
    @Option(names = "--ground-truth", required = true, description = "Output directory of 'mrf ground-truth' (needs ar 1).")
    String groundTruth;
    @Option(names = "--dictionary", required = true, description = "Dictionary of the slices' schedule (all time points).")
    String dictionary;
    @Option(names = "--out", required = true, description = "Report directory to create.")
    String out;
    @Option(names = "--ars", split = ",", description = "Acceleration rates (mrf.evaluate.ars).")
    List<Integer> ars;
    @Option(names = "--methods", split = ",", description = "dm, sdm, csmr (needs --raw), dl (DRONE), fe_only, sq_only, scq, scq_s, scq_m (mrf.evaluate.methods); "
            + "a learned method with the suffix _true (e.g. scq_true) trains on the simulated cohort's true maps instead of the DM "
            + "ground truth.")
    List<String> methods;
    @Option(names = "--held-out", split = ",", paramLabel = "SUBJECT", description = "LOSO folds to run (default: every subject).")
    List<String> heldOut;
    @Option(names = "--d-values", split = ",", paramLabel = "D", description = "Error-vs-D sweep (mrf.evaluate.d-values, "
            + "default none): for each D, also train and evaluate SCQ with last FE width D (scq_d<D>) and SCQ_S keeping "
            + "max(1, floor(D/2)) complex SVD components, twice as many real channels, D when D is even (scq_s_d<D>), whatever "
            + "--methods says.")
    List<Integer> dValues;
    @Option(names = "--profile", description = "demo | quick | paper | paper-small, for the learned methods (mrf.train.profile).")
    String profile;
    @Option(names = "--raw", paramLabel = "DIR", description = "For --methods csmr: the slices' ISMRMRD raw folder (what mrf reconstruct "
            + "read, or a cohort written by simulate-cohort --raw); CSMR reconstructs from k-space (docs/RAW-DATA.md).")
    String raw;

    @Override
    public Integer call() throws Exception {
        common.flag("mrf.evaluate.ars", ars).flag("mrf.evaluate.methods", methods)
                .flag("mrf.train.profile", profile).flag("mrf.evaluate.d-values", dValues);
        MrfConfig c = common.config();
        List<Integer> rates = c.get().getIntList("mrf.evaluate.ars");
        String prof = c.string("mrf.train.profile");
        List<String> builtIn = new ArrayList<>();
        List<String> learnedNames = new ArrayList<>();
        boolean csmr = false, dl = false;
        for (String m : c.strings("mrf.evaluate.methods")) {
            String k = m.trim().toLowerCase(Locale.ROOT);
            if (k.equals(CsmrMethod.NAME)) {
                if (raw == null) throw new MrfInputException("--methods csmr reconstructs from k-space: pass the slices' raw folder with --raw DIR.");
                csmr = true;
            } else if (k.equals(DroneMethod.NAME)) {
                dl = true;
            } else if (BUILT_IN.contains(k)) {
                builtIn.add(k);
            } else {
                learnedVariant(k);
                learnedNames.add(k);
            }
        }
        if (builtIn.isEmpty() && learnedNames.isEmpty() && !csmr && !dl) throw new MrfInputException("--methods / mrf.evaluate.methods is empty.");
        TreeSet<Integer> ds = new TreeSet<>(c.get().getIntList("mrf.evaluate.d-values"));
        for (int d : ds) {
            if (d < 1) {
                throw new MrfInputException("--d-values / mrf.evaluate.d-values: D is a feature dimension and must be >= 1, got " + d
                        + ". Give e.g. --d-values 8,16,46, or none to skip the error-vs-D sweep.");
            }
        }
        TrainJob.Settings ts = common.read(TrainSettings::job);
        SparkTrainConfig sc = ts.spark();
        network = ts.model();
        SparkSession spark = common.spark();
        Path work = Files.createTempDirectory("mrf-evaluate-");
        try {
            var conf = spark.sparkContext().hadoopConfiguration();
            DictionaryStore.Metadata dm = DictionaryStore.metadata(dictionary, conf);
            SliceStore.Metadata sm = SliceStore.metadata(slices, conf);
            ModelMethod.Projection projections = TrainJob.projections(spark, dictionary, sm);
            if (!ds.isEmpty()) {
                // SCQ_S's D / 2 complex components cannot exceed T: refuse before hours of training, not at the sweep's end.
                int t = dm.timepoints() / java.util.Collections.max(rates), d = ds.last();
                if (d / 2 > t) {
                    throw new MrfInputException(String.format(Locale.ROOT, "--d-values %d: SCQ_S keeps D/2 = %d complex SVD components, "
                            + "but ar %d leaves T = %d time points. Use D <= %d or lower --ars.", d, d / 2, java.util.Collections.max(rates), t,
                            2 * t + 1));
                }
            }
            List<MapMethod> evaluated = new ArrayList<>();
            for (String name : builtIn) evaluated.add(new MatchMethod(name, dictionary, c.number("mrf.match.energy")));
            if (csmr) evaluated.add(new CsmrMethod(raw, dictionary));
            // DRONE learns from the dictionary's noisy fingerprints only, never from subjects (Cohen et al., MRM 2018).
            if (dl) evaluated.add(new DroneMethod(dictionary, DroneSettings.defaults(c.get().getLong("mrf.train.seed"))));
            List<MapMethod> learned = new ArrayList<>();
            Map<TrainingTargets, ModelMethod> feOnly = new EnumMap<>(TrainingTargets.class);
            for (String name : learnedNames) {
                Variant v = learnedVariant(name);
                TrainingTargets targets = TrainingTargets.ofMethod(name);
                ModelMethod mm = method(name, v, 0, prof, sc, dm, projections, work).targets(targets);
                if (v == Variant.FE_ONLY) feOnly.put(targets, mm);
                // SCQ's step 1 is FE-only's network of the same fold and targets when FE-only runs first: train it once.
                if (v == Variant.SCQ && feOnly.containsKey(targets)) mm.stepOneFrom(feOnly.get(targets));
                learned.add(mm);
            }
            // The sweep always runs both methods it compares, whether or not --methods names scq / scq_s.
            for (int d : ds) {
                for (Variant v : List.of(Variant.SCQ, Variant.SCQ_S)) {
                    learned.add(method(Evaluation.sweepName(v.name().toLowerCase(Locale.ROOT), d), v, d, prof, sc, dm, projections, work));
                }
            }
            evaluated.addAll(learned);
            Evaluation.Report r = Evaluation.run(spark, slices, groundTruth, dictionary, rates, evaluated, heldOut, out);
            System.out.println(r.summaryText());
        } finally {
            spark.stop();
            org.apache.commons.io.FileUtils.deleteQuietly(work.toFile());
        }
        return 0;
    }

    /** The variant of a learned method name: {@code scq}, or {@code scq_true} for SCQ trained on the true maps. */
    static Variant learnedVariant(String name) {
        if (TrainingTargets.ofMethod(name) == TrainingTargets.TRUE_MAPS) {
            String base = name.substring(0, name.length() - TrainingTargets.TRUE_SUFFIX.length());
            if (BUILT_IN.contains(base)) {
                throw new MrfInputException("--methods " + name + ": " + base + " is not trained, so it has no targets; '"
                        + TrainingTargets.TRUE_SUFFIX + "' applies to the learned methods (e.g. scq" + TrainingTargets.TRUE_SUFFIX + ").");
            }
            return Variant.parse(base);
        }
        return Variant.parse(name);
    }

    /** A learned method; {@code d} > 0 trains it with feature dimension D (the sweep), 0 with the profile's. */
    private org.mrf.scq.model.ScqSettings network;

    private ModelMethod method(String name, Variant v, int d, String prof, SparkTrainConfig sc, DictionaryStore.Metadata dm,
                               ModelMethod.Projection projections, Path work) {
        return new ModelMethod(name, v, prof, sc, dm.scheduleHash(), dm.timepoints(), work.resolve(name), System.out)
                .network(network).featureDim(d).projection(projections);
    }
}
