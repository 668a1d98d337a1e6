package org.mrf.scq.spark.hadoop;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Test hook: fails the first attempt of a job's tasks so tests can check that Spark's retry gives
 * the same output as a clean run. Inert unless the Spark conf (or a system property)
 * {@value #KEY} names the job: {@code dictionary}, {@code ingest}, {@code ground-truth} or {@code infer}, or
 * {@code <job>:<partition>} to fail only that partition's first attempt; several comma-separated.
 */
public final class FailureInjection {
    public static final String KEY = "mrf.test.fail-first-attempt";

    private FailureInjection() {
    }

    /** Called first in a job's executor-side function; a no-op outside a task or when not configured. */
    public static void maybeFail(String job) {
        TaskContext tc = TaskContext.get();
        if (tc == null || tc.attemptNumber() != 0) return;
        SparkEnv env = SparkEnv.get();
        String spec = env != null && env.conf().contains(KEY) ? env.conf().get(KEY) : System.getProperty(KEY);
        if (spec == null || spec.isBlank()) return;
        for (String s : spec.split(",")) {
            String[] p = s.trim().split(":");
            if (p[0].equals(job) && (p.length == 1 || Integer.parseInt(p[1]) == tc.partitionId())) {
                throw new IllegalStateException("injected failure (" + KEY + "=" + spec + "): " + job + " stage "
                        + tc.stageId() + " partition " + tc.partitionId() + " attempt 0");
            }
        }
    }
}
