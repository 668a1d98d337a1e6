package org.mrf.scq.cli;

import picocli.CommandLine.Option;

/** The options of every command that runs Spark: {@link Common}'s and the master. */
public final class SparkCommon extends Common {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master URL (mrf.spark.master, default local[*]; "
            + "spark-submit sets its own).")
    void master(String url) {
        flag("mrf.spark.master", url);
    }
}
