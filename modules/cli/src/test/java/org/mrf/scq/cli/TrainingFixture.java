package org.mrf.scq.cli;

import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What {@code mrf train} needs, made through the command line on local[2]: 3 simulated subjects (sub-000 ..
 * sub-002, 32 x 32, the first 48 time points of the paper's schedule) ingested as a slices dataset, a 48-point
 * dictionary on a coarse grid, and its DM ground truth at ar 1.
 */
public record TrainingFixture(String slices, String dictionary, String groundTruth) {
    public static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);
    public static final String LOCAL = "-Dmrf.spark.master=local[2]";

    public static TrainingFixture create(Path dir) throws Exception {
        CohortSimulator.Options o = CohortSimulator.Options.defaults(3, 1, 5).withMatrix(32)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1));
        new CohortSimulator(SEQ, o, ExportWriters.forName("npy")).run(dir.resolve("cohort"));
        TrainingFixture f = new TrainingFixture(dir.resolve("slices").toString(), dir.resolve("dict").toString(),
                dir.resolve("gt").toString());
        run("ingest", "--cohort", dir.resolve("cohort").toString(), "--out", f.slices, LOCAL);
        run("dictionary", "--out", f.dictionary, "--timepoints", "48", LOCAL, "-Dmrf.dictionary.t1-ranges=[\"100:3000:100\"]",
                "-Dmrf.dictionary.t2-ranges=[\"10:300:10\"]");
        run("ground-truth", "--slices", f.slices, "--dictionary", f.dictionary, "--out", f.groundTruth, "--ars", "1", LOCAL);
        return f;
    }

    /** One mrf command in this JVM; its output is kept for the failure message only. */
    private static void run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            System.setErr(new PrintStream(captured, true));
            code = Mrf.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        if (code != 0) throw new IllegalStateException("fixture command mrf " + Arrays.toString(args) + " exited with " + code + "\n" + captured);
    }
}
