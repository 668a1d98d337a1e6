package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.model.Property;
import org.mrf.scq.spark.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an SCQ model set (one network per property) on Spark by DL4J parameter averaging, against the "
                + "DM ground truth (ar 1 maps) of 'mrf ground-truth', or against a simulated cohort's true maps (--targets true). Settings: mrf.train.* (see 'mrf config show'); flags win.",
        footer = {"", "Writes MODEL/t1 and MODEL/t2 (model.zip, metadata.json, training-history.json, training-stats/ with the",
                "DL4J Spark statistics per epoch) and MODEL/_mrf_model_set.json, all at once when training ends. Checkpoints",
                "after every epoch go to MODEL.checkpoints/ (or --checkpoints); --resume continues after the last one.",
                "Examples:",
                "  mrf train --slices slices/ --ground-truth gt/ --out models/scq-ar4",
                "  mrf train --slices slices/ --ground-truth gt/ --out models/scq-ar4 --resume --overwrite",
                "  mrf train --slices slices/ --ground-truth gt/ --dictionary dict/ --variant scq_s --profile paper \\",
                "      --validation sub-005 --out hdfs:///mrf/models/scq_s --master spark://head:7077 --workers 8",
                "  mrf train --slices slices/ --targets true --dictionary dict/ --out models/scq-true   # simulated cohort"})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Slices slices;
    @Option(names = "--ground-truth", description = "Output directory of 'mrf ground-truth' (needs ar 1); required unless --targets true.")
    String groundTruth;
    @Option(names = "--targets", description = "gt: the DM ground truth (the paper's protocol); true: the true maps of a simulated "
            + "cohort (mrf.train.targets).")
    String targets;
    @Mixin DatasetOptions.Out out;
    @Option(names = "--profile", description = "demo (the default) | quick | paper | paper-small: conf/profiles/<name>.conf fills in "
            + "the training settings you do not set (mrf.train.profile).")
    String profile;
    @Option(names = "--ar", description = "Acceleration rate: train on the first Tfull/ar time points (mrf.train.ar).")
    Integer ar;
    @Option(names = "--variant", description = "scq | scq_s | sq_only | fe_only | scq_m (mrf.train.variant).")
    String variant;
    @Option(names = "--properties", split = ",", description = "t1,t2 or one of them (mrf.train.properties).")
    List<String> properties;
    @Option(names = "--validation", split = ",", paramLabel = "SUBJECT", description = "Subjects held out for validation (mrf.train.validation).")
    List<String> validation;
    @Option(names = "--dictionary", description = "Dictionary of the slices' schedule, whose SVD basis is scq_s's FE and the FE input subspace of the "
            + "demo and quick profiles (default: the dictionary named in the ground truth's summary.json).")
    String dictionary;
    @Option(names = "--checkpoints", description = "Checkpoint directory, any Hadoop path, e.g. hdfs:///mrf/ckpt/scq (mrf.train.checkpoints; "
            + "default MODEL.checkpoints next to MODEL). A killed run resumes from there with --resume, on any machine that reaches it.")
    String checkpoints;
    @Option(names = "--resume", description = "Continue after the last checkpoint of each network.")
    boolean resume;
    @Option(names = "--workers", description = "Parameter-averaging workers; 0 = default parallelism (mrf.train.workers).")
    Integer workers;
    @Option(names = "--averaging-frequency", description = "Minibatches per worker between averagings (mrf.train.averaging-frequency).")
    Integer averagingFrequency;
    @Mixin
    EpochOptions epochs;
    @Option(names = "--lr", description = "Adam learning rate of step 1 (mrf.train.lr).")
    Double lr;
    @Option(names = "--patch-lr", description = "Adam learning rate of step 2 (fine-tuning); 0 = step 1's (mrf.train.patch-lr).")
    Double patchLr;
    @Mixin DatasetOptions.Overwrite overwrite;

    @Override
    public Integer call() {
        common.flag("mrf.train.profile", profile).flag("mrf.train.ar", ar)
                .flag("mrf.train.variant", variant).flag("mrf.train.properties", properties).flag("mrf.train.validation", validation)
                .flag("mrf.train.workers", workers).flag("mrf.train.averaging-frequency", averagingFrequency)
                .flag("mrf.train.lr", lr).flag("mrf.train.patch-lr", patchLr)
                .flag("mrf.train.targets", targets).flag("mrf.train.checkpoints", checkpoints);
        epochs.apply(common);
        String checkpointDir = common.config().string("mrf.train.checkpoints");
        TrainJob.Options o = new TrainJob.Options(slices.path, groundTruth, dictionary, out.path, checkpointDir.isEmpty() ? null : checkpointDir,
                resume, overwrite.on, common.read(TrainSettings::job));
        SparkSession spark = common.spark();
        try {
            System.out.println(TrainJob.run(spark, o, System.out).summary());
        } finally {
            spark.stop();
        }
        return 0;
    }

    static List<Property> properties(List<String> names) {
        return TrainSettings.properties(names);
    }
}
