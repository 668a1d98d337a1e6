package org.mrf.scq.cli;

import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.spark.reconstruct.ReconstructJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Reconstruct ISMRMRD raw data (multi-coil non-Cartesian k-space, one readout per acquisition) "
                + "into a cohort folder that mrf ingest reads: per frame NUFFT adjoint with density compensation and "
                + "adaptive coil combination, one Spark task per slice.",
        footer = {"", "The raw folder holds one sub-folder per subject with its .h5/.mrd files (or files directly, one",
                "subject each). Trajectory and density weights come from the files (weights are computed when absent);",
                "the schedule from the header's userParameters 'scheduleName' or --schedule. See docs/RAW-DATA.md.",
                "OUT is the cohort folder to create (it must not exist); a failed run writes nothing.", "Examples:",
                "  mrf reconstruct --raw raw/ --out cohort/",
                "  mrf reconstruct --raw scans/ --out cohort/ --coils-compress 8 --schedule site.csv --frame-counter contrast"})
public final class ReconstructCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Option(names = "--raw", required = true, description = "Folder of ISMRMRD files (local path).")
    String raw;
    @Mixin DatasetOptions.Out out;
    @Option(names = "--coils-compress", defaultValue = "0", paramLabel = "K",
            description = "Compress the coils to K virtual coils before gridding (0 = all coils, the default).")
    int coilsCompress;
    @Option(names = "--schedule", paramLabel = "NAME|CSV",
            description = "Schedule the data were acquired with, when the files do not name it (or to override them).")
    String schedule;
    @Option(names = "--frame-counter", defaultValue = "repetition", paramLabel = "COUNTER",
            description = "Encoding counter (idx) holding the time point: repetition (default), contrast, phase, set, "
                    + "segment, average, kspace_encode_step_1, kspace_encode_step_2.")
    String frameCounter;

    @Override
    public Integer call() {
        Counter counter;
        try {
            counter = Counter.parse(frameCounter);
        } catch (IllegalArgumentException e) {
            throw new org.mrf.scq.core.util.MrfInputException("--frame-counter: " + e.getMessage());
        }
        ReconstructJob.Settings s = new ReconstructJob.Settings(raw, out.path, coilsCompress, schedule, counter);
        return common.runJob(spark -> ReconstructJob.run(spark, s).summary());
    }
}
