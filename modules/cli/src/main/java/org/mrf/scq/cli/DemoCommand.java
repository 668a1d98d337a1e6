package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.NpyExportWriter;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.evaluate.Evaluation;
import org.mrf.scq.spark.groundtruth.GroundTruthJob;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.method.MapMethod;
import org.mrf.scq.spark.method.MatchMethod;
import org.mrf.scq.spark.method.ModelMethod;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.TrainJob;
import org.mrf.scq.spark.train.TrainingTargets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The end-to-end pipeline on an embedded Spark with bundled data: simulate a cohort, ingest it, "
                + "build the paper's dictionary, compute the DM ground truth, and evaluate DM, FE-only and SCQ "
                + "leave-one-subject-out at ar = 4, with the networks trained on the DM ground truth (the paper's protocol) "
                + "and on the simulator's true maps (fe_only_true, scq_true).",
        footer = {"", "Writes DIR/report.md, DIR/report.json, DIR/tables/errors.csv, DIR/maps/, DIR/figures/ and keeps the",
                "intermediate datasets in DIR/work/.", "Examples:", "  mrf demo", "  mrf demo --out /data/demo --subjects 6 --matrix 64",
                "  mrf demo --held-out all               # every LOSO fold (about 6x the evaluation time)",
                "  mrf demo --held-out sub-000,sub-001   # only these LOSO folds",
                "  mrf demo --targets gt                 # only the paper's protocol (about 40 % less training)"})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Option(names = "--out", defaultValue = "mrf-demo", description = "Output directory (default ./mrf-demo).")
    Path out;
    @Option(names = "--subjects", defaultValue = "6", description = "Simulated subjects (default 6).")
    int subjects;
    // One slice a subject keeps the README's first command near ten minutes. With three (--slices 3: axial,
    // coronal, sagittal) step 2 has three times the anatomy to learn from, which SCQ trained on the true maps needs
    // to get ahead of FE-only (README, "What the demo shows today"), at about twice the time.
    @Option(names = "--slices", defaultValue = "1", description = "Slices per subject (default 1; 3 gives step 2 more to learn from).")
    int slicesPerSubject;
    @Option(names = "--targets", split = ",", defaultValue = "gt,true", description = "What the networks learn: gt (the DM "
            + "ground truth, the paper's protocol), true (the simulator's true maps), or both (default gt,true).")
    List<String> targets;
    @Option(names = "--matrix", defaultValue = "64", description = "Matrix size (default 64 for a quick run; the paper's is 256).")
    int matrix;
    @Option(names = "--ar", defaultValue = "4", description = "Acceleration rate (default 4: 576 of 2304 time points).")
    int ar;
    // One fold by default: on 2 cores each fold trains four networks (FE-only and SCQ, T1 and T2), and the
    // README's first command has to finish in about a quarter of an hour.
    @Option(names = "--held-out", split = ",", defaultValue = "sub-000",
            description = "LOSO folds to run: subject ids, or 'all' for every subject (default: sub-000, one fold).")
    List<String> heldOut;
    @Option(names = "--pixel-epochs", defaultValue = "80", description = "Step-1 epochs (default 80).")
    int pixelEpochs;
    @Option(names = "--patch-epochs", defaultValue = "12", description = "Step-2 epochs (default 12).")
    int patchEpochs;
    /** Step-2 (fine-tuning) learning rate of the demo's networks. */
    static final double PATCH_LR = 5e-4;

    @Option(names = "--seed", defaultValue = "42", description = "Cohort seed.")
    long seed;
    @Option(names = "--overwrite", description = "Replace an existing demo directory.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Path dir = out.toAbsolutePath();
        if (Files.exists(dir) && !overwrite) {
            throw new MrfInputException("demo output " + out + " already exists. Pass --overwrite or choose another --out.");
        }
        if (Files.exists(dir)) org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile());
        Path work = Files.createDirectories(dir.resolve("work"));
        common.defaultLog(dir.resolve("mrf.log"));
        MrfConfig c = common.config();
        FispSequence seq = common.sequence();
        String uri = work.toUri().toString();

        List<TrainingTargets> trainOn = new java.util.ArrayList<>();
        for (String t : targets) {
            TrainingTargets tt = TrainingTargets.parse(t, "--targets");
            if (!trainOn.contains(tt)) trainOn.add(tt);
        }
        if (slicesPerSubject < 1) throw new MrfInputException("--slices " + slicesPerSubject + ": give at least 1 slice per subject.");
        step("1/5 simulate " + subjects + " subjects x " + slicesPerSubject + " slices at " + matrix + " x " + matrix + " x " + seq.length());
        CohortSimulator.Options o = CohortSimulator.Options.defaults(subjects, slicesPerSubject, seed).withMatrix(matrix)
                .withAcquisition(SliceAcquisition.Options.defaults());
        new CohortSimulator(seq, o, new NpyExportWriter()).run(work.resolve("cohort"));

        SparkSession spark = common.spark();
        try {
            step("2/5 ingest");
            System.out.println(IngestJob.run(spark, uri + "cohort", uri + "slices").summary());
            step("3/5 dictionary (paper grid) and SVD");
            DictionaryJob.GridSpec grid = new DictionaryJob.GridSpec(c.strings("mrf.dictionary.t1-ranges"),
                    c.strings("mrf.dictionary.t2-ranges"), c.bool("mrf.dictionary.t2-at-most-t1"));
            System.out.println(DictionaryJob.run(spark, seq, grid, c.number("mrf.epg.tolerance"), uri + "dictionary", false,
                    c.integer("mrf.spark.partitions")).summary());
            // DM at the evaluated ar is the evaluation's first method; computing it here too would
            // match every slice against the whole dictionary twice.
            step("4/5 ground truth (DM on all " + seq.length() + " time points)");
            System.out.println(GroundTruthJob.run(spark, uri + "slices", uri + "dictionary", uri + "ground-truth",
                    List.of(1), false).summary());
            String hash = DictionaryStore.metadata(uri + "dictionary", spark.sparkContext().hadoopConfiguration()).scheduleHash();
            // Quick profile, but small batches: a 64 x 64 cohort has only ~5k training pixels in the brain mask per
            // slice a subject, and 1024-pixel batches would give the FE a few dozen updates in all; likewise its ~45
            // patches per slice a subject and epoch need batches of 2 for the U-Net to get enough updates (SCQ T1
            // error vs GT at ar 4, one fold, one slice a subject: 18.3 % with batch 8 x 8 epochs, 6.4 % with batch
            // 2 x 16 epochs). Step 1 at lr 3e-3 (single JVM, same fold: FE-only T1 1.7 % after 80 epochs) instead of
            // 1e-3 (2.6 %). Step 2 fine-tunes that FE and head, and at 3e-3 it overfits the five training slices: against
            // the true maps SCQ was worse than the FE-only network it starts from (T1 4.72 % vs 4.64 %, T2 10.36 % vs
            // 10.04 %; more epochs made it worse still). At PATCH_LR it is better for both targets (module README).
            TrainConfig q = TrainConfig.quick();
            TrainConfig tc = new TrainConfig(pixelEpochs, 4096, 128, patchEpochs, q.patchSize(), q.patchStride(), q.augment(),
                    2, 3e-3, PATCH_LR, q.beta1(), q.beta2(), q.decayFraction(), q.seed());
            SliceStore.Metadata slices = SliceStore.metadata(uri + "slices", spark.sparkContext().hadoopConfiguration());
            ModelMethod.Projection subspace = TrainJob.projections(spark, uri + "dictionary", slices);
            List<MapMethod> learned = new java.util.ArrayList<>();
            for (TrainingTargets tt : trainOn) {
                ModelMethod feOnly = new ModelMethod("fe_only" + tt.methodSuffix(), Variant.FE_ONLY, "quick", tc, hash, seq.length(),
                        work.resolve("models"), System.out).projection(subspace).targets(tt);
                // SCQ's step 1 is the FE-only network of the same fold and targets: trained once, not twice.
                ModelMethod scq = new ModelMethod("scq" + tt.methodSuffix(), Variant.SCQ, "quick", tc, hash, seq.length(), work.resolve("models"),
                        System.out).projection(subspace).targets(tt).stepOneFrom(feOnly);
                learned.addAll(List.of(feOnly, scq));
            }
            step("5/5 leave-one-subject-out evaluation at ar " + ar + ": dm, "
                    + String.join(", ", learned.stream().map(MapMethod::name).toList()));
            List<MapMethod> methods = new java.util.ArrayList<>(List.of(new MatchMethod("dm", uri + "dictionary", c.number("mrf.match.energy"))));
            methods.addAll(learned);
            Evaluation.Report r = Evaluation.run(spark, uri + "slices", uri + "ground-truth", uri + "dictionary", List.of(ar),
                    methods, heldOut.equals(List.of("all")) ? null : heldOut, uri + "evaluation");
            for (String name : List.of("report.md", "report.json", "tables", "maps", "figures")) {
                Files.move(work.resolve("evaluation").resolve(name), dir.resolve(name));
            }
            copyLabels(work.resolve("cohort"), dir.resolve("maps"));
            System.out.println(r.summaryText());
        } finally {
            spark.stop();
        }
        System.out.printf(Locale.ROOT, "demo: done in %.1f min; report %s and %s%n", (System.nanoTime() - t0) / 6e10,
                dir.resolve("report.md"), dir.resolve("report.json"));
        return 0;
    }

    /** Tissue labels from the simulated cohort next to each slice's maps, for per-tissue statistics. */
    private static void copyLabels(Path cohort, Path maps) throws java.io.IOException {
        try (var subjects = Files.list(maps)) {
            for (Path subject : subjects.toList()) {
                try (var slices = Files.list(subject)) {
                    for (Path slice : slices.toList()) {
                        Path labels = cohort.resolve(subject.getFileName()).resolve(slice.getFileName() + "_labels.npy");
                        if (Files.exists(labels)) Files.copy(labels, slice.resolve("labels.npy"));
                    }
                }
            }
        }
    }

    private static void step(String what) {
        System.out.println("== demo " + what);
    }
}
