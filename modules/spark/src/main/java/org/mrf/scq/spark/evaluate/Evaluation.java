package org.mrf.scq.spark.evaluate;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.eval.MethodComparison;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.core.util.Progress;
import org.mrf.scq.io.ErrorVsDFigure;
import org.mrf.scq.io.MapImages;
import org.mrf.scq.io.NpyArray;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.method.MapMethod;
import org.mrf.scq.spark.method.MapModel;
import org.mrf.scq.spark.method.TrainingData;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;
import org.mrf.scq.spark.train.TrainingTargets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.apache.spark.sql.functions.col;

/**
 * Leave-one-subject-out evaluation (docs/SCIENCE.md, "Evaluation protocol"): for each acceleration rate and each held-out
 * subject, every method estimates T1/T2 maps of the held-out slices from their first T = Tfull/ar
 * time points (learned methods train on the other subjects first); errors against the DM ground
 * truth and against the true maps, and time per slice. Writes report.json, report.md,
 * tables/errors.csv, maps/ (NPY) and figures/ (PNG) into a new directory. Every map is scored, and report.json
 * summarised, by {@link MethodComparison}, the builder of 'mrf reproduce''s report too; the slices carry no tissue
 * labels, so the headline errors here are over the whole brain mask.
 */
public final class Evaluation {
    public record Row(String method, int ar, String subject, int slice, double t1Err, double t2Err, double t1ErrTrue,
                      double t2ErrTrue, double seconds) {
    }

    public record Report(String path, Map<String, Map<String, Map<String, Double>>> summary, List<Row> rows, double seconds) {
        public String summaryText() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "evaluate: methods=%d rows=%d in %.1fs wrote %s/report.md, report.json",
                    summary.size(), rows.size(), seconds, path));
            summary.forEach((m, byAr) -> byAr.forEach((ar, e) -> sb.append(String.format(Locale.ROOT,
                    "%n  %-8s %-5s T1 %6.2f %%  T2 %6.2f %% (vs DM ground truth)  %.3f s/slice", m, ar, e.get("t1_err_pct"),
                    e.get("t2_err_pct"), e.get("seconds_per_slice")))));
            return sb.toString();
        }
    }

    private Evaluation() {
    }

    /**
     * The name under which a method of the error-vs-D sweep ({@code scq} or {@code scq_s} trained with feature dimension
     * {@code d}) is evaluated; rows, report.json and the tables know the sweep by it.
     */
    public static String sweepName(String method, int d) {
        return method + "_d" + d;
    }

    /**
     * Runs every method on every fold at every ar, in the order given: a method that learns is fitted per fold on the
     * other subjects' slices, one that does not (DM, SDM) once per ar; each model maps the held-out slices on the
     * executors, and only the maps come back to the driver.
     */
    public static Report run(SparkSession spark, String slicesPath, String groundTruthPath, String dictionaryPath, List<Integer> ars,
                             List<MapMethod> methods, List<String> heldOut, String out) {
        long t0 = System.nanoTime();
        var conf = spark.sparkContext().hadoopConfiguration();
        if (methods.isEmpty()) throw new MrfInputException("no method to evaluate: name at least one (e.g. dm).");
        Map<String, MapsStore.SliceMaps> gt = new LinkedHashMap<>();
        for (MapsStore.SliceMaps m : MapsStore.read(spark, groundTruthPath + "/maps")) if (m.ar() == 1) gt.put(m.key(), m);
        int fullT = DictionaryStore.metadata(dictionaryPath, conf).timepoints();
        // One time point is enough for the keys, masks and true maps; the series are read by the models on the executors.
        List<MrfSlice> all = SliceStore.slices(spark, slicesPath, 1).collect();
        if (all.isEmpty()) throw new MrfInputException("slices dataset " + slicesPath + " is empty: nothing to evaluate.");
        TreeSet<String> subjects = new TreeSet<>();
        all.forEach(s -> subjects.add(s.subject()));
        List<String> folds = heldOut == null || heldOut.isEmpty() ? new ArrayList<>(subjects) : heldOut;
        for (String h : folds) {
            if (!subjects.contains(h)) {
                throw new MrfInputException("held-out subject '" + h + "' is not in " + slicesPath + " (subjects: " + subjects + ").");
            }
        }
        if (methods.stream().anyMatch(MapMethod::learns) && subjects.size() < 2) {
            throw new MrfInputException("LOSO needs at least 2 subjects to train learned methods; " + slicesPath + " has " + subjects.size() + ".");
        }
        for (MrfSlice s : all) {
            if (!gt.containsKey(s.key())) {
                throw new MrfInputException("ground truth " + groundTruthPath + " has no maps for " + s.key()
                        + ". Recompute it with 'mrf ground-truth --slices " + slicesPath + "'.");
            }
        }
        List<Row> rows = new ArrayList<>();
        // No labels, and no paired comparison: the seed only feeds the paired bootstrap, which this report leaves out.
        MethodComparison comparison = new MethodComparison(Map.of(), 0);
        for (MrfSlice s : all) {
            MapsStore.SliceMaps g = gt.get(s.key());
            comparison.addReference(new MethodComparison.Reference(s.subject(), s.slice(), s.height(), s.width(), s.mask(), g.t1Ms(),
                    g.t2Ms(), s.t1Ms(), s.t2Ms(), null));
        }
        try (AtomicOutput target = AtomicOutput.begin(out, conf, false)) {
            FileSystem fs = target.fs();
            Path fitted = new Path(target.tmp(), ".fitted");
            Progress progress = new Progress("evaluate", (long) ars.size() * methods.size() * folds.size(), "folds");
            for (int ar : ars) {
                int t = fullT / ar;
                // The training slices of every fold at this ar, read once and only when a method learns.
                Supplier<List<MrfSlice>> series = memoise(() -> SliceStore.slices(spark, slicesPath, t).collect());
                Map<String, TrainingData> byFold = new LinkedHashMap<>();
                for (String h : folds) {
                    byFold.put(h, new TrainingData(spark, t, fullT, h, () -> series.get().stream().filter(s -> !s.subject().equals(h)).toList(),
                            gt, fitted.toString()));
                }
                for (MapMethod m : methods) {
                    MapModel shared = m.learns() ? null : m.fit(byFold.get(folds.get(0)));
                    for (String h : folds) {
                        TrainingData data = byFold.get(h);
                        MapModel model = shared != null ? shared : m.fit(data);
                        data.fitted(m.name(), model);
                        Map<String, org.apache.spark.sql.Row> maps = new LinkedHashMap<>();
                        for (org.apache.spark.sql.Row r : model.transform(SliceStore.blocks(spark, slicesPath, t)
                                .filter(col("subject").equalTo(h))).collectAsList()) {
                            maps.put(r.getAs("subject") + "/" + r.getAs("slice"), r);
                        }
                        for (MrfSlice s : all) {
                            if (!s.subject().equals(h)) continue;
                            org.apache.spark.sql.Row r = maps.get(s.key());
                            MapsStore.SliceMaps est = MapsStore.SliceMaps.of(r);
                            double sec = r.getAs(MapModel.SECONDS);
                            write(fs, target.tmp(), m.name(), ar, s, gt.get(s.key()), est.t1Ms(), est.t2Ms());
                            rows.add(row(m.name(), ar, s.subject(), s.slice(), comparison.add(new MethodComparison.Estimate(m.name(), ar,
                                    s.subject(), s.slice(), est.t1Ms(), est.t2Ms(), sec))));
                        }
                        progress.advance(1);
                    }
                    if (shared != null) shared.release();
                }
            }
            progress.finish();
            fs.delete(fitted, true);
            Map<String, Map<String, Map<String, Double>>> summary = summary(comparison);
            writeReport(fs, target.tmp(), summary, rows, folds, slicesPath, dictionaryPath);
            target.commit();
            return new Report(target.target().toString(), summary, rows, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("evaluation could not write " + out, e);
        }
    }

    private static <T> Supplier<T> memoise(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }

    /** A row of tables/errors.csv from the quantities {@link MethodComparison#add} scored for one slice. */
    static Row row(String method, int ar, String subject, int slice, Map<String, Double> q) {
        return new Row(method, ar, subject, slice, q.get("t1_err_pct"), q.get("t2_err_pct"), q.get("t1_err_pct_true"),
                q.get("t2_err_pct_true"), q.get("seconds_per_slice"));
    }

    /** report.json: per method and ar, {@link MethodComparison#report}'s summary (the paired comparisons are left out). */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Map<String, Double>>> summary(MethodComparison comparison) {
        Map<String, Map<String, Map<String, Double>>> out = new LinkedHashMap<>();
        comparison.report().forEach((m, byAr) -> {
            if (!m.equals(MethodComparison.PAIRED)) out.put(m, (Map<String, Map<String, Double>>) byAr);
        });
        return out;
    }

    /** The slice's maps (NPY, and the references once) and its figures. */
    private static void write(FileSystem fs, Path dir, String method, int ar, MrfSlice s, MapsStore.SliceMaps gt, float[] t1,
                              float[] t2) throws IOException {
        float[] mask = s.mask();
        Path sliceDir = new Path(new Path(new Path(dir, "maps"), s.subject()), String.format(Locale.ROOT, "slice-%03d", s.slice()));
        String stem = method + "_ar" + ar;
        npy(fs, new Path(sliceDir, stem + "_t1_ms.npy"), t1, s);
        npy(fs, new Path(sliceDir, stem + "_t2_ms.npy"), t2, s);
        if (!fs.exists(new Path(sliceDir, "gt_t1_ms.npy"))) {
            npy(fs, new Path(sliceDir, "gt_t1_ms.npy"), gt.t1Ms(), s);
            npy(fs, new Path(sliceDir, "gt_t2_ms.npy"), gt.t2Ms(), s);
            if (s.t1Ms() != null) npy(fs, new Path(sliceDir, "true_t1_ms.npy"), s.t1Ms(), s);
            if (s.t2Ms() != null) npy(fs, new Path(sliceDir, "true_t2_ms.npy"), s.t2Ms(), s);
            if (mask != null) {
                byte[] m = new byte[mask.length];
                for (int i = 0; i < m.length; i++) m[i] = (byte) (mask[i] > 0 ? 1 : 0);
                try (FSDataOutputStream o = fs.create(new Path(sliceDir, "mask.npy"), true)) {
                    NpyArray.ofBytes(m, s.height(), s.width()).write(o);
                }
            }
        }
        boolean[] bm = null;
        if (mask != null) {
            bm = new boolean[mask.length];
            for (int i = 0; i < mask.length; i++) bm[i] = mask[i] > 0;
        }
        Path fig = new Path(new Path(dir, "figures"), s.subject() + String.format(Locale.ROOT, "_slice-%03d_", s.slice()) + stem);
        figure(fs, fig.suffix("_t1.png"), "T1", method, gt.t1Ms(), t1, s, 3000, 500, bm);
        figure(fs, fig.suffix("_t2.png"), "T2", method, gt.t2Ms(), t2, s, 300, 50, bm);
    }

    /** DM ground truth | estimate | absolute error, in ms. */
    private static void figure(FileSystem fs, Path p, String what, String method, float[] ref, float[] est, MrfSlice s, float max,
                               float errMax, boolean[] mask) throws IOException {
        float[] err = new float[ref.length];
        for (int i = 0; i < err.length; i++) err[i] = Math.abs(est[i] - ref[i]);
        try (FSDataOutputStream o = fs.create(p, true)) {
            MapImages.writePng(MapImages.tile(List.of(
                    new MapImages.Panel(what + " GT [ms]", ref, 0, max, MapImages.Colormap.VIRIDIS),
                    new MapImages.Panel(what + " " + method, est, 0, max, MapImages.Colormap.VIRIDIS),
                    new MapImages.Panel("|error| [ms]", err, 0, errMax, MapImages.Colormap.GRAY)), s.height(), s.width(), mask), o);
        }
    }

    private static void npy(FileSystem fs, Path p, float[] v, MrfSlice s) throws IOException {
        try (FSDataOutputStream o = fs.create(p, true)) {
            NpyArray.ofFloat(v, s.height(), s.width()).write(o);
        }
    }

    private static void writeReport(FileSystem fs, Path dir, Map<String, Map<String, Map<String, Double>>> summary, List<Row> rows,
                                    List<String> folds, String slices, String dictionary) throws IOException {
        JsonFiles.writeText(fs, new Path(dir, "report.json"), JsonFiles.JSON.writeValueAsString(summary));
        StringBuilder csv = new StringBuilder("method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,t2_err_pct_true,seconds_per_slice\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%.4f,%.4f,%.4f,%.4f,%.5f%n", r.method(), r.ar(), r.subject(), r.slice(),
                    r.t1Err(), r.t2Err(), r.t1ErrTrue(), r.t2ErrTrue(), r.seconds()));
        }
        JsonFiles.writeText(fs, new Path(dir, "tables/errors.csv"), csv.toString());
        StringBuilder md = new StringBuilder("# MRF evaluation report\n\n");
        md.append("Leave-one-subject-out over ").append(folds.size()).append(" held-out subjects (").append(String.join(", ", folds))
                .append(").\nSlices: `").append(slices).append("`; dictionary: `").append(dictionary).append("`.\n\n")
                .append("Errors: mean relative absolute error in the brain mask, percent, mean +- std over held-out subjects, ")
                .append("against the DM ground truth (all time points) and against the simulator's true maps.\n\n")
                .append("| method | ar | T1 err vs GT | T2 err vs GT | T1 err vs truth | T2 err vs truth | s / slice |\n")
                .append("|---|---|---|---|---|---|---|\n");
        summary.forEach((m, byAr) -> byAr.forEach((ar, e) -> md.append(String.format(Locale.ROOT,
                "| %s | %s | %.2f +- %.2f | %.2f +- %.2f | %.2f +- %.2f | %.2f +- %.2f | %.3f |%n", m, ar.substring(2),
                e.get("t1_err_pct"), e.get("t1_err_std_pct"), e.get("t2_err_pct"), e.get("t2_err_std_pct"), e.get("t1_err_pct_true"),
                e.get("t1_err_std_pct_true"), e.get("t2_err_pct_true"), e.get("t2_err_std_pct_true"), e.get("seconds_per_slice")))));
        if (summary.keySet().stream().anyMatch(m -> m.endsWith(TrainingTargets.TRUE_SUFFIX))) {
            md.append("\nMethods named `*").append(TrainingTargets.TRUE_SUFFIX).append("` were trained on the simulator's true maps, ")
                    .append("the other learned methods on the DM ground truth (the paper's protocol).\n");
        }
        md.append("\nPer-slice figures (GT | estimate | |error|) are in `figures/`, maps as NPY in `maps/`, the per-slice table in ")
                .append("`tables/errors.csv`.\n");
        writeTables(fs, dir, rows, md);
        JsonFiles.writeText(fs, new Path(dir, "report.md"), md.toString());
    }

    /** The paper-like tables (docs/SCIENCE.md) as CSV under tables/, their sections of report.md, and the error-vs-D figure. */
    private static void writeTables(FileSystem fs, Path dir, List<Row> rows, StringBuilder md) throws IOException {
        JsonFiles.writeText(fs, new Path(dir, "tables/table1_errors.csv"), EvaluationTables.table1(rows));
        JsonFiles.writeText(fs, new Path(dir, "tables/table2_time.csv"), EvaluationTables.table2(rows));
        md.append("\n## Tables\n\nOverall figures are the mean +- std over held-out subjects of each subject's mean over its ")
                .append("slices; errors against the DM ground truth unless marked \"truth\".\n\n")
                .append("- `tables/table1_errors.csv` (Table I): T1/T2 errors per method, ar and subject (mean +- std over the ")
                .append("subject's slices) and an `overall` row per method and ar.\n")
                .append("- `tables/table2_time.csv` (Table II): seconds per slice per method and ar.\n");
        var by = EvaluationTables.byMethodAndAr(rows);
        ablation(fs, dir, md, rows, by, "Table III: the two steps", "table3_ablation_steps.csv", EvaluationTables.STEPS);
        ablation(fs, dir, md, rows, by, "Table IV: the feature extraction", "table4_ablation_fe.csv", EvaluationTables.FE);
        List<EvaluationTables.SweepPoint> sweep = EvaluationTables.sweep(rows);
        md.append("\n### Error vs D (SCQ vs SCQ_S)\n\n");
        if (sweep.isEmpty()) {
            md.append("Not run: pass `--d-values` (mrf.evaluate.d-values), e.g. `--d-values 8,16,46`.\n");
            return;
        }
        JsonFiles.writeText(fs, new Path(dir, "tables/error_vs_d.csv"), EvaluationTables.errorVsD(sweep));
        try (FSDataOutputStream o = fs.create(new Path(dir, "figures/error_vs_d.png"), true)) {
            MapImages.writePng(ErrorVsDFigure.render(EvaluationTables.series(sweep)), o);
        }
        md.append("SCQ's last FE width is D; SCQ_S's fixed FE keeps max(1, floor(D/2)) complex SVD components of the ")
                .append("dictionary, twice as many real channels (D when D is even). `tables/error_vs_d.csv`, `figures/error_vs_d.png`.\n\n")
                .append("| method | D | ar | T1 err | T2 err |\n|---|---|---|---|---|\n");
        for (EvaluationTables.SweepPoint p : sweep) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s |%n", p.method(), p.d(), p.ar(), p.stat().md(0, "%.2f"),
                    p.stat().md(1, "%.2f")));
        }
    }

    /** An ablation table when at least two of its methods were run; otherwise report.md says which are missing. */
    private static void ablation(FileSystem fs, Path dir, StringBuilder md, List<Row> rows, Map<String, Map<Integer, List<Row>>> by,
                                 String title, String file, Map<String, String> methods) throws IOException {
        md.append("\n### ").append(title).append("\n\n");
        List<String> run = EvaluationTables.present(methods, rows);
        if (run.size() < 2) {
            md.append("Skipped: it compares ").append(String.join(", ", methods.keySet())).append(" and ")
                    .append(run.isEmpty() ? "none was" : "only " + run.get(0) + " was")
                    .append(" run; add at least two of them to --methods.\n");
            return;
        }
        JsonFiles.writeText(fs, new Path(dir, "tables/" + file), EvaluationTables.ablation(methods, rows));
        md.append("`tables/").append(file).append("`\n\n| method | what | ar | T1 err | T2 err | T1 err vs truth | T2 err vs truth |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (String m : run) {
            by.get(m).forEach((ar, l) -> {
                EvaluationTables.Stat s = EvaluationTables.ofSubjects(l);
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s |%n", m, methods.get(m), ar, s.md(0, "%.2f"),
                        s.md(1, "%.2f"), s.md(2, "%.2f"), s.md(3, "%.2f")));
            });
        }
    }
}
