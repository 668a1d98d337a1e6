package org.mrf.scq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ingest -> dictionary -> ground-truth -> train -> infer -> evaluate through the command line on 3 simulated
 * subjects (32 x 32, the first 48 time points of the paper's schedule), each command on its own local[2] Spark.
 */
class TrainInferEvaluateCommandTest {
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);
    static final String LOCAL = "-Dmrf.spark.master=local[2]";
    @TempDir
    static Path dir;
    static String slices, dict, gt;

    record Run(int code, String out, String err) {
    }

    /** Runs one command with stdout and stderr captured. */
    static Run mrf(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            int code = Mrf.execute(args);
            return new Run(code, o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Run ok(String... args) {
        Run r = mrf(args);
        assertEquals(0, r.code(), Arrays.toString(args) + "\n" + r.out() + r.err());
        return r;
    }

    @BeforeAll
    static void pipeline() throws Exception {
        CohortSimulator.Options o = CohortSimulator.Options.defaults(3, 1, 5).withMatrix(32)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1));
        new CohortSimulator(SEQ, o, ExportWriters.forName("npy")).run(dir.resolve("cohort"));
        slices = dir.resolve("slices").toString();
        dict = dir.resolve("dict").toString();
        gt = dir.resolve("gt").toString();
        ok("ingest", "--cohort", dir.resolve("cohort").toString(), "--out", slices, LOCAL);
        ok("dictionary", "--out", dict, "--timepoints", "48", LOCAL, "-Dmrf.dictionary.t1-ranges=[\"100:3000:100\"]",
                "-Dmrf.dictionary.t2-ranges=[\"10:300:10\"]");
        ok("ground-truth", "--slices", slices, "--dictionary", dict, "--out", gt, "--ars", "1", LOCAL);
    }

    @Test
    void trainResumeInferAndEvaluate() throws Exception {
        String model = dir.resolve("model").toString();
        List<String> train = List.of("train", "--slices", slices, "--ground-truth", gt, "--out", model, "--variant", "fe_only",
                "--ar", "2", "--patch-epochs", "0", "--validation", "sub-002", "--workers", "2", "--averaging-frequency", "2", LOCAL);
        Run t = ok(with(train, "--pixel-epochs", "1"));
        assertTrue(t.out().contains("train: variant=fe_only ar=2 T=24 properties=t1,t2 train_slices=2 val_slices=1"), t.out());
        assertTrue(t.out().contains("wrote file:" + model + " (checkpoints " + model + ".checkpoints)"), t.out());
        assertTrue(Files.exists(Path.of(model, "t2", "training-stats", "step1-epoch001.txt")));
        Run again = mrf(with(train, "--pixel-epochs", "1"));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists. Pass --overwrite"), again.err());
        Run resumed = ok(with(train, "--pixel-epochs", "2", "--resume", "--overwrite"));
        assertTrue(resumed.out().contains("resuming after step 1 epoch 1"), resumed.out());

        String maps = dir.resolve("maps").toString();
        Run i = ok("infer", "--slices", slices, "--model", model, "--out", maps, "--master", "local[2]");
        assertTrue(i.out().contains("infer: slices=3 skipped=0 written=3 method=fe_only ar=2"), i.out());
        assertTrue(i.err().contains("infer 100.0%"), "progress on stderr: " + i.err());
        Run i2 = ok("infer", "--slices", slices, "--model", model, "--out", maps, "--master", "local[2]");
        assertTrue(i2.out().contains("infer: slices=3 skipped=3 written=0"), i2.out());
        assertTrue(Files.size(Path.of(maps, "images", "sub-001", "slice-000", "fe_only_ar2_t1.png")) > 100);

        String eval = dir.resolve("eval").toString();
        Run e = ok("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", eval, "--ars", "2",
                "--methods", "dm,fe_only", "--held-out", "sub-000", LOCAL, "-Dmrf.train.pixel-epochs=1", "-Dmrf.train.patch-epochs=0");
        assertTrue(e.out().contains("evaluate: methods=2"), e.out());
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(eval, "report.json")));
        for (String m : List.of("dm", "fe_only")) {
            double err = report.get(m).get("ar2").get("t1_err_pct").asDouble();
            assertTrue(Double.isFinite(err) && err >= 0, m + " T1 error " + err);
        }
        List<String> rows = Files.readAllLines(Path.of(eval, "tables", "errors.csv"));
        assertEquals(3, rows.size(), "header + dm and fe_only on the one held-out slice: " + rows);
        assertTrue(rows.subList(1, 3).stream().allMatch(l -> l.contains(",2,sub-000,0,")), rows.toString());
    }

    @Test
    void badInputFailsWithOneLineAndNoOutput() throws Exception {
        long t0 = System.nanoTime();
        Run r = mrf("infer", "--slices", slices, "--model", dir.resolve("none").toString(), "--out", dir.resolve("o1").toString(),
                "--master", "spark://127.0.0.1:1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot reach Spark master spark://127.0.0.1:1: ") && r.err().contains("Check --master / mrf.spark.master"),
                r.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 15, "fails at once, not after Spark's minute of retries");

        r = mrf("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", dir.resolve("o2").toString(),
                "--methods", "dm", "--ars", "2", "--held-out", "sub-404", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("held-out subject 'sub-404' is not in " + slices) && r.err().contains("sub-000, sub-001, sub-002"),
                r.err());

        r = mrf("train", "--slices", slices, "--ground-truth", gt, "--out", dir.resolve("o3").toString(), "--validation", "sub-404", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("validation subject 'sub-404' is not in " + slices), r.err());

        r = mrf("train", "--slices", slices, "--ground-truth", gt, "--out", dir.resolve("o4").toString(), "--properties", "t1,pd", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown property 'pd'"), r.err());

        r = mrf("train", "--slices", slices, "--ground-truth", gt, "--out", dir.resolve("o5").toString(), LOCAL,
                "-Dmrf.train.averaging-frequncy=3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("did you mean 'mrf.train.averaging-frequency'"), r.err());

        for (String o : List.of("o1", "o2", "o3", "o4", "o5")) assertFalse(Files.exists(dir.resolve(o)), o + " not created");
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(), "no temporary output");
        }
    }

    @Test
    void helpShowsExamples() {
        for (String c : List.of("train", "infer", "evaluate")) {
            Run r = ok(c, "--help");
            assertTrue(r.out().contains("Examples:") && r.out().contains("mrf " + c + " --slices"), r.out());
        }
    }

    static String[] with(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }
}
