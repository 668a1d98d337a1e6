package org.mrf.scq.spark.hadoop;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.Progress;

/**
 * Progress of a Spark job (percent, rate, ETA) on stderr, counted in tasks of the stages the job
 * submits, driven by the scheduler's listener bus so the work itself stays free of reporting code.
 * With {@code unitsPerTask} > 0 and a known task count, the line speaks in the job's own unit
 * (e.g. entries) instead.
 */
public final class SparkProgress extends SparkListener implements AutoCloseable {
    private final SparkSession spark;
    private final Progress progress;
    private final long unitsPerTask;
    private final boolean discoverTasks;

    /** Work units (e.g. entries) spread evenly over a known number of tasks. */
    public SparkProgress(SparkSession spark, String label, long totalUnits, int tasks, String unit) {
        this.spark = spark;
        this.progress = new Progress(label, totalUnits, unit);
        this.unitsPerTask = Math.max(1, totalUnits / Math.max(1, tasks));
        this.discoverTasks = false;
        spark.sparkContext().addSparkListener(this);
    }

    /** Counts the tasks of every stage submitted while open. */
    public SparkProgress(SparkSession spark, String label) {
        this.spark = spark;
        this.progress = new Progress(label, 1, "tasks");
        this.unitsPerTask = 1;
        this.discoverTasks = true;
        spark.sparkContext().addSparkListener(this);
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stage) {
        if (discoverTasks) progress.addTotal(stage.stageInfo().numTasks());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo().successful()) progress.advance(unitsPerTask);
    }

    @Override
    public void close() {
        spark.sparkContext().removeSparkListener(this);
        progress.finish();
    }
}
