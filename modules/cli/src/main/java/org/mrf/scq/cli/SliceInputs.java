package org.mrf.scq.cli;

import picocli.CommandLine.Option;

/** The inputs of the commands that map a slices dataset by its dictionary (ground truth, evaluation). */
public final class SliceInputs {
    @Option(names = "--slices", required = true, description = "Slices dataset written by 'mrf ingest'.")
    String slices;
    @Option(names = "--dictionary", required = true, description = "Dictionary of the slices' schedule (all time points).")
    String dictionary;
}
