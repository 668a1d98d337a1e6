package org.mrf.scq.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.Progress;

/**
 * Task-level progress for a Spark job (percent, rate, ETA) on stderr, driven by the scheduler's
 * listener bus so the work itself stays free of reporting code.
 */
public final class SparkProgress extends SparkListener implements AutoCloseable {
    private final SparkSession spark;
    private final Progress progress;
    private final long unitsPerTask;

    /** @param totalUnits work units (e.g. entries) spread evenly over {@code tasks} tasks */
    public SparkProgress(SparkSession spark, String label, long totalUnits, int tasks, String unit) {
        this.spark = spark;
        this.progress = new Progress(label, totalUnits, unit);
        this.unitsPerTask = Math.max(1, totalUnits / Math.max(1, tasks));
        spark.sparkContext().addSparkListener(this);
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
