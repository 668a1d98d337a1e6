package org.mrf.scq.cli;

import picocli.CommandLine.Option;

/**
 * The datasets the pipeline's commands pass from one to the next, each declared once: a command mixes in the ones it
 * reads and writes ({@code @Mixin DatasetOptions.Slices}), so a flag means the same in every command.
 */
final class DatasetOptions {
    private DatasetOptions() {
    }

    /** {@code --slices}: the slices dataset of 'mrf ingest'. */
    static final class Slices {
        @Option(names = "--slices", required = true, description = "Slices dataset written by 'mrf ingest'.")
        String path;
    }

    /** {@code --model}: a model set of 'mrf train'. */
    static final class Model {
        @Option(names = "--model", required = true, description = "Model set (MODEL/t1, MODEL/t2) written by 'mrf train'.")
        String path;
    }

    /** {@code --cohort}: a cohort folder of 'mrf simulate-cohort' or 'mrf reconstruct', or of scans. */
    static final class Cohort {
        @Option(names = "--cohort", required = true, description = "Cohort folder (any Hadoop path).")
        String path;
    }

    /** {@code --dictionary}: a dictionary of 'mrf dictionary'. */
    static final class Dictionary {
        @Option(names = "--dictionary", required = true, description = "Dictionary written by 'mrf dictionary'.")
        String path;
    }

    /** {@code --overwrite}: the Spark jobs write a new output beside the old one and swap them when it is complete. */
    static final class Overwrite {
        @Option(names = "--overwrite", description = "Replace an existing output, once the new one is complete.")
        boolean on;
    }

    /** {@code --out}: what the command writes; its footer says what that holds and whether it may exist. */
    static final class Out {
        @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output path (file://, hdfs://, s3a:// or local; "
                + "what it holds: see below).")
        String path;
    }
}
