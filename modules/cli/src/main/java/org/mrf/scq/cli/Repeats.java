package org.mrf.scq.cli;

import picocli.CommandLine.Option;

import java.util.Arrays;

/** The timed repeats of a benchmark: how many, the wall and CPU time of one, and the median the figures report. */
final class Repeats {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "<repeats>",
            description = "Timed repeats (default 3); the figures are their medians.")
    int count;

    /** Runs {@code work} once: {wall seconds, CPU seconds of this JVM over all its threads}. */
    static double[] time(Runnable work) {
        long c0 = OS.getProcessCpuTime(), t0 = System.nanoTime();
        work.run();
        return new double[]{(System.nanoTime() - t0) / 1e9, (OS.getProcessCpuTime() - c0) / 1e9};
    }

    /** The median of the repeats' values (of an even count, the upper of the middle two). */
    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** The machine's load average over the last minute, printed beside each repeat (a busy machine explains a slow one). */
    static double loadAverage() {
        return OS.getSystemLoadAverage();
    }
}
