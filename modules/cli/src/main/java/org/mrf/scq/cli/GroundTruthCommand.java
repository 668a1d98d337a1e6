package org.mrf.scq.cli;

import org.mrf.scq.spark.groundtruth.GroundTruthJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ground-truth", mixinStandardHelpOptions = true,
        description = "The paper's ground truth: DM on all time points of every slice, and DM at each acceleration rate, "
                + "with errors against the true maps where the slices carry them.",
        footer = {"", "Writes OUT/maps (Parquet), OUT/images/<subject>/slice-<k>/ (NIfTI + PNG) and OUT/summary.json",
                "(keys dm.ar<N>.t1_err_pct, dm.ar<N>.t2_err_pct).", "Examples:",
                "  mrf ground-truth --slices slices/ --dictionary dict/ --out gt/",
                "  mrf ground-truth --slices hdfs:///mrf/slices --dictionary hdfs:///mrf/dict --out hdfs:///mrf/gt --ars 1,4"})
public final class GroundTruthCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Slices slices;
    @Mixin DatasetOptions.Dictionary dictionary;
    @Mixin DatasetOptions.Out out;
    @Option(names = "--ars", split = ",", defaultValue = "1,2,4,8,16", description = "Acceleration rates (default 1,2,4,8,16).")
    List<Integer> ars;
    @Mixin DatasetOptions.Overwrite overwrite;

    @Override
    public Integer call() {
        return common.runJob(spark -> GroundTruthJob.run(spark, slices.path, dictionary.path, out.path, ars, overwrite.on).summary());
    }
}
