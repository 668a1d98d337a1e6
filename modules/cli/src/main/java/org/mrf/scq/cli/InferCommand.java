package org.mrf.scq.cli;

import org.mrf.scq.spark.infer.InferenceJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Apply a model set of 'mrf train' to every slice of a slices dataset (one Spark task per slice, the "
                + "networks restored once per executor) and write T1/T2 maps.",
        footer = {"", "Writes OUT/maps (Parquet, one part per slice: subject, slice, method, ar, t1_ms, t2_ms), OUT/images/",
                "<subject>/slice-<k>/ (NIfTI + PNG) and OUT/_mrf_inference.json. Each slice appears when complete; running",
                "the same command again does only the slices not yet written (e.g. after a crash or for new subjects).",
                "Examples:",
                "  mrf infer --slices slices/ --model models/scq-ar4 --out maps/scq-ar4",
                "  mrf infer --slices hdfs:///mrf/slices --model hdfs:///mrf/models/scq --out hdfs:///mrf/maps/scq --master yarn"})
public final class InferCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Slices slices;
    @Mixin DatasetOptions.Model model;
    @Mixin DatasetOptions.Out out;

    @Override
    public Integer call() {
        return common.runJob(spark -> InferenceJob.run(spark, slices.path, model.path, out.path).summary());
    }
}
