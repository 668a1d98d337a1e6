package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.evaluate.Evaluation;
import org.mrf.scq.model.ScqSettings;
import org.mrf.scq.spark.method.MapMethod;
import org.mrf.scq.spark.method.MethodCatalog;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.spark.method.ModelMethod;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.SparkTrainConfig;
import org.mrf.scq.spark.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Slices slices;
    @Mixin DatasetOptions.Dictionary dictionary;
    @Option(names = "--ground-truth", required = true, description = "Output directory of 'mrf ground-truth' (needs ar 1).")
    String groundTruth;
    @Mixin DatasetOptions.Out out;
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
        MethodCatalog catalog = new MethodCatalog(dictionary.path, c.number("mrf.match.energy"), raw,
                DroneSettings.defaults(c.get().getLong("mrf.train.seed")));
        List<String> names;
        try {
            names = catalog.check(c.strings("mrf.evaluate.methods"));
        } catch (MrfInputException e) {
            throw new MrfInputException("--methods " + e.getMessage(), e);
        }
        if (names.isEmpty()) throw new MrfInputException("--methods / mrf.evaluate.methods is empty.");
        TreeSet<Integer> ds = new TreeSet<>(c.get().getIntList("mrf.evaluate.d-values"));
        for (int d : ds) {
            if (d < 1) {
                throw new MrfInputException("--d-values / mrf.evaluate.d-values: D is a feature dimension and must be >= 1, got " + d
                        + ". Give e.g. --d-values 8,16,46, or none to skip the error-vs-D sweep.");
            }
        }
        TrainJob.Settings ts = common.read(TrainSettings::job);
        SparkSession spark = common.spark();
        Path work = Files.createTempDirectory("mrf-evaluate-");
        try {
            DictionaryStore.Metadata dm = DictionaryStore.metadata(dictionary.path, spark.sparkContext().hadoopConfiguration());
            if (!ds.isEmpty()) {
                // SCQ_S's D / 2 complex components cannot exceed T: refuse before hours of training, not at the sweep's end.
                int t = dm.timepoints() / java.util.Collections.max(rates), d = ds.last();
                if (d / 2 > t) {
                    throw new MrfInputException(String.format(Locale.ROOT, "--d-values %d: SCQ_S keeps D/2 = %d complex SVD components, "
                            + "but ar %d leaves T = %d time points. Use D <= %d or lower --ars.", d, d / 2, java.util.Collections.max(rates), t,
                            2 * t + 1));
                }
            }
            MethodCatalog.Learned learned = learned(spark, dictionary.path, slices.path, ts, work);
            List<MapMethod> evaluated = new ArrayList<>(catalog.create(names, learned));
            // The sweep always runs both methods it compares, whether or not --methods names scq / scq_s.
            evaluated.addAll(MethodCatalog.sweep(ds, learned));
            Evaluation.Report r = Evaluation.run(spark, slices.path, groundTruth, dictionary.path, rates, evaluated, heldOut, out.path);
            System.out.println(r.summaryText());
        } finally {
            spark.stop();
            org.apache.commons.io.FileUtils.deleteQuietly(work.toFile());
        }
        return 0;
    }

    /**
     * The learned methods of an evaluation ('mrf evaluate', 'mrf demo'): trained on Spark with the training settings
     * {@code ts}, on the dictionary's FE input subspace, each method's networks under {@code work/<name>}.
     */
    static MethodCatalog.Learned learned(SparkSession spark, String dictionary, String slices, TrainJob.Settings ts, Path work) {
        var conf = spark.sparkContext().hadoopConfiguration();
        DictionaryStore.Metadata dm = DictionaryStore.metadata(dictionary, conf);
        ModelMethod.Projection projections = TrainJob.projections(spark, dictionary, SliceStore.metadata(slices, conf));
        SparkTrainConfig sc = ts.spark();
        ScqSettings network = ts.model();
        return (name, v, d) -> new ModelMethod(name, v, network.profile(), sc, dm.scheduleHash(), dm.timepoints(), work.resolve(name),
                System.out).network(network).featureDim(d).projection(projections);
    }
}
