package org.mrf.scq.cli;

import org.mrf.scq.spark.reprocess.ReprocessJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "reprocess", mixinStandardHelpOptions = true,
        description = "Ingest and infer only the subjects of a cohort that are new or changed since the last run (content "
                + "hashes), or all of them when the model changed; for scheduled runs (cron, Airflow).",
        footer = {"", "OUT holds slices/ (slices dataset), maps/ (Parquet, partitioned by subject), images/<subject>/,",
                "and _reprocess/: manifest.json (SHA-256 of every subject's files and of the model behind the maps),",
                "runs.jsonl (one JSON line per run: run id, times, host, user, model hash, subjects new/changed/",
                "unchanged/removed, outcome ok|failed and the error) and, while a run is active, lock.",
                "A changed subject's slices and maps are replaced; subjects gone from the cohort are reported and kept.",
                "A failed run leaves the previous outputs and manifest; the next run redoes its work. A second run",
                "while one holds the lock is refused (exit 2); --break-lock removes a lock left by a dead run.",
                "Examples:",
                "  mrf reprocess --cohort scans/ --model models/scq-ar4 --out reprocessed/",
                "  mrf reprocess --cohort hdfs:///mrf/incoming --model hdfs:///mrf/models/current --out hdfs:///mrf/reprocess "
                        + "--master yarn",
                "  jobs/reprocess.sh ... (spark-submit); jobs/cron/mrf-reprocess.cron, jobs/airflow/mrf_reprocess_dag.py"})
public final class ReprocessCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin DatasetOptions.Cohort cohort;
    @Mixin DatasetOptions.Model model;
    @Mixin DatasetOptions.Out out;
    @Option(names = "--break-lock", description = "Remove an existing lock first (only when the run that took it is dead).")
    boolean breakLock;

    @Override
    public Integer call() {
        return common.runJob(spark -> ReprocessJob.run(spark, cohort.path, model.path, out.path, new ReprocessJob.Options(breakLock), System.err).summary());
    }
}
