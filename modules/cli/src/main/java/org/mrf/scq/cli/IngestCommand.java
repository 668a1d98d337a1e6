package org.mrf.scq.cli;

import org.mrf.scq.spark.ingest.IngestJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest a cohort folder (cohort.json + one folder per subject; .npy/.nii/.nii.gz/.mat exports) "
                + "into the Parquet slices dataset, validating shapes, time points, finiteness and subject ids.",
        footer = {"", "New subjects are appended; subjects already in the dataset are refused. A failed ingest leaves",
                "the dataset as it was. OUT is the slices dataset to create or append to.", "Examples:",
                "  mrf ingest --cohort cohort/ --out slices/",
                "  mrf ingest --cohort hdfs:///scans/2026-11 --out hdfs:///mrf/slices --master yarn"})
public final class IngestCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Cohort cohort;
    @Mixin DatasetOptions.Out out;

    @Override
    public Integer call() {
        return common.runJob(spark -> IngestJob.run(spark, cohort.path, out.path).summary());
    }
}
