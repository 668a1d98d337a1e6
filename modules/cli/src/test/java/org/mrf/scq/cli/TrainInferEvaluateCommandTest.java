package org.mrf.scq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.TrainConfig;
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
        Run bad = mrf(with(train, "--pixel-epochs", "1", "--patch-lr", "-1"));
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--patch-lr / mrf.train.patch-lr: must be in [0, 1) (0 = step 2 at mrf.train.lr), got -1.0"), bad.err());
        assertFalse(Files.exists(Path.of(model)));
        train = List.of(with(train, "--lr", "2e-3", "--patch-lr", "4e-4"));
        Run t = ok(with(train, "--pixel-epochs", "1"));
        TrainConfig rates = ModelMetadata.fromJson(Files.readString(Path.of(model, "t1", "metadata.json")), "t1").train();
        assertEquals(2e-3, rates.lr(), 1e-12);
        assertEquals(4e-4, rates.patchLr(), 1e-12);
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
                "--methods", "dm,fe_only,fe_only_true", "--held-out", "sub-000", LOCAL, "-Dmrf.train.pixel-epochs=1",
                "-Dmrf.train.patch-epochs=0");
        assertTrue(e.out().contains("evaluate: methods=3"), e.out());
        assertTrue(e.out().contains("train fe_only_true T1 at ar 2 on 2 slices (profile demo, D 16, targets true)"), e.out());
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(eval, "report.json")));
        for (String m : List.of("dm", "fe_only", "fe_only_true")) {
            double err = report.get(m).get("ar2").get("t1_err_pct").asDouble();
            assertTrue(Double.isFinite(err) && err >= 0, m + " T1 error " + err);
        }
        assertNotEquals(report.get("fe_only").get("ar2").get("t1_err_pct").asDouble(),
                report.get("fe_only_true").get("ar2").get("t1_err_pct").asDouble(), "other targets, another network");
        List<String> rows = Files.readAllLines(Path.of(eval, "tables", "errors.csv"));
        assertEquals(4, rows.size(), "header + dm, fe_only and fe_only_true on the one held-out slice: " + rows);
        assertTrue(rows.subList(1, 4).stream().allMatch(l -> l.contains(",2,sub-000,0,")), rows.toString());
        String md = Files.readString(Path.of(eval, "report.md"));
        assertTrue(md.contains("Methods named `*_true` were trained on the simulator's true maps"), md);
        assertTrue(Files.exists(Path.of(eval, "tables", "table3_ablation_steps.csv")), "dm and fe_only are two of Table III's methods");
        assertFalse(Files.exists(Path.of(eval, "tables", "table4_ablation_fe.csv")));
        assertTrue(md.contains("### Table IV: the feature extraction\n\nSkipped: it compares scq, scq_s, scq_m and none was run"), md);
        assertFalse(Files.exists(Path.of(eval, "tables", "error_vs_d.csv")));
    }

    /**
     * The ablation report of a 2-fold LOSO with every table's methods and a 2-value D sweep, one epoch per step: the
     * tables' numbers are recomputed here from the per-slice errors.csv.
     */
    @Test
    void ablationTablesAndErrorVsDSweep() throws Exception {
        String eval = dir.resolve("ablation").toString();
        Run e = ok("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", eval, "--ars", "4",
                "--methods", "dm,fe_only,scq,scq_s,scq_m", "--d-values", "8,4", "--held-out", "sub-000,sub-001", LOCAL,
                "-Dmrf.train.pixel-epochs=1", "-Dmrf.train.patch-epochs=1", "-Dmrf.train.workers=1");
        List<String> methods = List.of("dm", "fe_only", "scq", "scq_s", "scq_m", "scq_d4", "scq_s_d4", "scq_d8", "scq_s_d8");
        assertTrue(e.out().contains("evaluate: methods=9 rows=18"), e.out());
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(eval, "report.json")));
        assertEquals(methods, iterable(report.fieldNames()));
        for (String m : methods) {
            assertEquals(List.of("ar4"), iterable(report.get(m).fieldNames()));
            // The keys report.json has always had, in their order, among MethodComparison's (docs/STATISTICS.md).
            List<String> keys = List.of("t1_err_pct", "t1_err_std_pct", "t2_err_pct", "t2_err_std_pct", "t1_err_pct_true",
                    "t1_err_std_pct_true", "t2_err_pct_true", "t2_err_std_pct_true", "seconds_per_slice");
            assertEquals(keys, iterable(report.get(m).get("ar4").fieldNames()).stream().filter(keys::contains).toList());
            assertEquals(0.0, report.get(m).get("ar4").get("headline_without_csf").asDouble(), "no labels: the whole brain mask");
        }

        // Per-slice values [t1, t2, t1 true, t2 true, seconds] by method and subject, from errors.csv.
        java.util.Map<String, java.util.Map<String, List<double[]>>> slice = new java.util.LinkedHashMap<>();
        for (String[] r : csv(eval, "errors.csv").subList(1, 19)) {
            slice.computeIfAbsent(r[0], k -> new java.util.LinkedHashMap<>()).computeIfAbsent(r[2], k -> new ArrayList<>())
                    .add(Arrays.stream(r, 4, 9).mapToDouble(Double::parseDouble).toArray());
        }
        assertEquals(methods, List.copyOf(slice.keySet()));
        List<String[]> t1 = csv(eval, "table1_errors.csv");
        assertEquals(List.of("method", "ar", "subject", "n", "t1_err_pct_mean", "t1_err_pct_std", "t2_err_pct_mean", "t2_err_pct_std",
                "t1_err_pct_true_mean", "t1_err_pct_true_std", "t2_err_pct_true_mean", "t2_err_pct_true_std", "seconds_per_slice_mean",
                "seconds_per_slice_std"), List.of(t1.get(0)));
        assertEquals(1 + methods.size() * 3, t1.size(), "two subjects and an overall row per method");
        java.util.Map<String, double[]> overall = new java.util.HashMap<>();
        for (String[] r : t1.subList(1, t1.size())) {
            assertEquals("4", r[1]);
            finite(r, 3);
            java.util.Map<String, List<double[]>> bySubject = slice.get(r[0]);
            List<double[]> values = r[2].equals("overall")
                    ? bySubject.values().stream().map(l -> column(l, -1)).toList() : bySubject.get(r[2]);
            assertEquals(values.size(), Integer.parseInt(r[3]), Arrays.toString(r));
            for (int q = 0; q < 5; q++) {
                double[] ms = meanStd(column(values, q));
                // errors.csv rounds to 4 decimals (seconds to 5), the tables aggregate the unrounded values
                assertEquals(ms[0], Double.parseDouble(r[4 + 2 * q]), 2e-4, Arrays.toString(r) + " mean " + q);
                assertEquals(ms[1], Double.parseDouble(r[5 + 2 * q]), 2e-4, Arrays.toString(r) + " std " + q);
            }
            if (r[2].equals("overall")) overall.put(r[0], Arrays.stream(r, 4, 14).mapToDouble(Double::parseDouble).toArray());
        }
        for (String m : methods) {
            assertEquals(report.get(m).get("ar4").get("t1_err_pct").asDouble(), overall.get(m)[0], 1e-4, m);
            assertEquals(report.get(m).get("ar4").get("t2_err_std_pct").asDouble(), overall.get(m)[3], 1e-4, m);
        }
        List<String[]> t2 = csv(eval, "table2_time.csv");
        assertEquals(1 + methods.size(), t2.size());
        for (String[] r : t2.subList(1, t2.size())) {
            finite(r, 2);
            assertEquals(overall.get(r[0])[8], Double.parseDouble(r[3]), 1e-4, Arrays.toString(r));
        }
        for (var table : java.util.Map.of("table3_ablation_steps.csv", List.of("dm", "fe_only", "scq"),
                "table4_ablation_fe.csv", List.of("scq", "scq_s", "scq_m")).entrySet()) {
            List<String[]> rows = csv(eval, table.getKey());
            assertEquals(table.getValue(), rows.subList(1, rows.size()).stream().map(r -> r[0]).toList(), table.getKey());
            for (String[] r : rows.subList(1, rows.size())) {
                finite(r, 3);
                assertEquals(overall.get(r[0])[0], Double.parseDouble(r[4]), 1e-4, Arrays.toString(r));
                assertEquals(overall.get(r[0])[2], Double.parseDouble(r[6]), 1e-4, Arrays.toString(r));
            }
        }
        List<String[]> d = csv(eval, "error_vs_d.csv");
        assertEquals("method,d,ar,subjects,t1_err_pct_mean,t1_err_pct_std,t2_err_pct_mean,t2_err_pct_std", String.join(",", d.get(0)));
        assertEquals(List.of("scq 4", "scq 8", "scq_s 4", "scq_s 8"), d.subList(1, d.size()).stream().map(r -> r[0] + " " + r[1]).toList());
        for (String[] r : d.subList(1, d.size())) {
            finite(r, 1);
            double[] o = overall.get(r[0] + "_d" + r[1]);
            for (int k = 0; k < 4; k++) assertEquals(o[k], Double.parseDouble(r[4 + k]), 1e-4, Arrays.toString(r));
        }
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(Path.of(eval, "figures", "error_vs_d.png").toFile());
        assertNotNull(png, "decodes as PNG");
        assertEquals(org.mrf.scq.io.ErrorVsDFigure.WIDTH, png.getWidth());
        assertEquals(org.mrf.scq.io.ErrorVsDFigure.HEIGHT, png.getHeight());
        String md = Files.readString(Path.of(eval, "report.md"));
        for (String s : List.of("### Table III: the two steps\n\n`tables/table3_ablation_steps.csv`", "### Table IV", "| scq_s | 8 | 4 | ")) {
            assertTrue(md.contains(s), s + " in\n" + md);
        }
        assertFalse(md.contains("Skipped"), md);
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    static List<String[]> csv(String eval, String table) throws Exception {
        return Files.readAllLines(Path.of(eval, "tables", table)).stream().map(l -> l.split(",", -1)).toList();
    }

    static void finite(String[] r, int from) {
        for (int i = from; i < r.length; i++) assertTrue(Double.isFinite(Double.parseDouble(r[i])), Arrays.toString(r) + " column " + i);
    }

    /** Column q of the rows; q = -1: the mean of each column (a subject's mean over its slices). */
    static double[] column(List<double[]> rows, int q) {
        if (q < 0) {
            double[] m = new double[rows.get(0).length];
            for (int k = 0; k < m.length; k++) m[k] = meanStd(column(rows, k))[0];
            return m;
        }
        return rows.stream().mapToDouble(v -> v[q]).toArray();
    }

    /** Mean and sample std, written out independently of MapErrors.meanStd. */
    static double[] meanStd(double[] v) {
        double m = Arrays.stream(v).average().orElseThrow();
        double ss = Arrays.stream(v).map(x -> (x - m) * (x - m)).sum();
        return new double[]{m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0};
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

        r = mrf("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", dir.resolve("o6").toString(),
                "--methods", "dm", "--d-values", "8,0", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--d-values / mrf.evaluate.d-values: D is a feature dimension and must be >= 1, got 0"), r.err());

        r = mrf("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", dir.resolve("o7").toString(),
                "--methods", "dm", "--ars", "2,4", "--d-values", "30", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--d-values 30: SCQ_S keeps D/2 = 15 complex SVD components, but ar 4 leaves T = 12 time points. "
                + "Use D <= 25 or lower --ars."), r.err());

        r = mrf("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", dir.resolve("o8").toString(),
                "--methods", "dm_true", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--methods dm_true: dm is not trained, so it has no targets"), r.err());

        r = mrf("evaluate", "--slices", slices, "--ground-truth", gt, "--dictionary", dict, "--out", dir.resolve("o8b").toString(),
                "--methods", "dm,svm", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--methods svm: no such method. The methods are dm, sdm, csmr, dl, scq, scq_s, sq_only, fe_only, "
                + "scq_m"), r.err());

        r = mrf("train", "--slices", slices, "--ground-truth", gt, "--out", dir.resolve("o9").toString(), "--targets", "truth", LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--targets / mrf.train.targets 'truth': use gt"), r.err());

        r = mrf("train", "--slices", slices, "--out", dir.resolve("o10").toString(), LOCAL);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--ground-truth is missing") && r.err().contains("(--targets true)"), r.err());

        for (String o : List.of("o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10")) assertFalse(Files.exists(dir.resolve(o)), o + " not created");
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
        assertTrue(ok("evaluate", "--help").out().contains("--d-values 8,16,46"), "the sweep has an example");
    }

    static String[] with(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }
}
