package org.mrf.scq.spark.evaluate;

import org.mrf.scq.core.eval.MapErrors;
import org.mrf.scq.io.ErrorVsDFigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paper-like tables of an {@link Evaluation} (docs/SCIENCE.md), computed from its per-slice rows: Table I (errors per
 * subject and overall), Table II (time per slice), Table III (the two-step ablation), Table IV (the FE ablation) and
 * the error-vs-D sweep. Every "overall" figure is the mean +- sample std over held-out subjects of each subject's mean
 * over its slices, the same aggregation as report.json, so the tables and the JSON agree.
 */
public final class EvaluationTables {
    /** The per-slice quantities, in {@link Evaluation.Row} order. */
    static final String[] QUANTITIES = {"t1_err_pct", "t2_err_pct", "t1_err_pct_true", "t2_err_pct_true", "seconds_per_slice"};
    /** Methods of Table III (the two steps, alone and together) and of Table IV (the FE), with what sets them apart. */
    static final Map<String, String> STEPS = ordered("dm", "dictionary matching without learning", "fe_only", "learned FE only (step 1)",
            "sq_only", "U-Net on the raw 2T channels only (step 2)", "scq", "learned FE + U-Net (steps 1 and 2)");
    static final Map<String, String> FE = ordered("scq", "learned FE on re/im", "scq_s", "fixed SVD projection",
            "scq_m", "learned FE on magnitude only");
    /** Names given by {@link Evaluation#sweepName}. */
    private static final Pattern SWEEP = Pattern.compile("(scq|scq_s)_d(\\d+)");

    /** Mean and std of each of {@link #QUANTITIES} over {@code n} items (slices or subjects). */
    record Stat(int n, double[] mean, double[] std) {
        String csv() {
            StringBuilder sb = new StringBuilder().append(n);
            for (int q = 0; q < mean.length; q++) sb.append(String.format(Locale.ROOT, ",%.4f,%.4f", mean[q], std[q]));
            return sb.toString();
        }

        String md(int q, String fmt) {
            return String.format(Locale.ROOT, fmt + " +- " + fmt, mean[q], std[q]);
        }
    }

    private EvaluationTables() {
    }

    static double[] values(Evaluation.Row r) {
        return new double[]{r.t1Err(), r.t2Err(), r.t1ErrTrue(), r.t2ErrTrue(), r.seconds()};
    }

    /** Mean +- std over the rows themselves (one subject's slices). */
    static Stat ofSlices(List<Evaluation.Row> rows) {
        double[][] v = new double[QUANTITIES.length][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double[] x = values(rows.get(i));
            for (int q = 0; q < x.length; q++) v[q][i] = x[q];
        }
        return stat(rows.size(), v);
    }

    /** Mean +- std over subjects of each subject's mean over its slices. */
    static Stat ofSubjects(List<Evaluation.Row> rows) {
        Map<String, List<Evaluation.Row>> by = bySubject(rows);
        double[][] v = new double[QUANTITIES.length][by.size()];
        int i = 0;
        for (List<Evaluation.Row> rs : by.values()) {
            double[] m = ofSlices(rs).mean();
            for (int q = 0; q < m.length; q++) v[q][i] = m[q];
            i++;
        }
        return stat(by.size(), v);
    }

    private static Stat stat(int n, double[][] v) {
        double[] mean = new double[v.length], std = new double[v.length];
        for (int q = 0; q < v.length; q++) {
            double[] ms = MapErrors.meanStd(v[q]);
            mean[q] = ms[0];
            std[q] = ms[1];
        }
        return new Stat(n, mean, std);
    }

    static Map<String, List<Evaluation.Row>> bySubject(List<Evaluation.Row> rows) {
        Map<String, List<Evaluation.Row>> by = new LinkedHashMap<>();
        rows.forEach(r -> by.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(r));
        return by;
    }

    /** Rows grouped by method, then ar, in the order they were produced. */
    static Map<String, Map<Integer, List<Evaluation.Row>>> byMethodAndAr(List<Evaluation.Row> rows) {
        Map<String, Map<Integer, List<Evaluation.Row>>> by = new LinkedHashMap<>();
        for (Evaluation.Row r : rows) by.computeIfAbsent(r.method(), k -> new LinkedHashMap<>()).computeIfAbsent(r.ar(), k -> new ArrayList<>()).add(r);
        return by;
    }

    private static String statHeader() {
        StringBuilder sb = new StringBuilder("n");
        for (String q : QUANTITIES) sb.append(',').append(q).append("_mean,").append(q).append("_std");
        return sb.toString();
    }

    /** Table I: per method, ar and subject (mean +- std over its slices, n = slices), then "overall" (n = subjects). */
    static String table1(List<Evaluation.Row> rows) {
        StringBuilder csv = new StringBuilder("method,ar,subject,").append(statHeader()).append('\n');
        byMethodAndAr(rows).forEach((m, byAr) -> byAr.forEach((ar, l) -> {
            bySubject(l).forEach((s, rs) -> csv.append(m).append(',').append(ar).append(',').append(s).append(',')
                    .append(ofSlices(rs).csv()).append('\n'));
            csv.append(m).append(',').append(ar).append(",overall,").append(ofSubjects(l).csv()).append('\n');
        }));
        return csv.toString();
    }

    /** Table II: seconds per slice, mean +- std over subjects. */
    static String table2(List<Evaluation.Row> rows) {
        StringBuilder csv = new StringBuilder("method,ar,subjects,seconds_per_slice_mean,seconds_per_slice_std\n");
        int q = QUANTITIES.length - 1;
        byMethodAndAr(rows).forEach((m, byAr) -> byAr.forEach((ar, l) -> {
            Stat s = ofSubjects(l);
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.5f,%.5f%n", m, ar, s.n(), s.mean()[q], s.std()[q]));
        }));
        return csv.toString();
    }

    /** The methods of an ablation table that were run, in the table's order. */
    static List<String> present(Map<String, String> table, List<Evaluation.Row> rows) {
        var run = byMethodAndAr(rows).keySet();
        return table.keySet().stream().filter(run::contains).toList();
    }

    /** An ablation table (III or IV) over the methods of {@code table} that were run, one row per method and ar. */
    static String ablation(Map<String, String> table, List<Evaluation.Row> rows) {
        StringBuilder csv = new StringBuilder("method,what,ar,").append(statHeader()).append('\n');
        var by = byMethodAndAr(rows);
        for (String m : present(table, rows)) {
            by.get(m).forEach((ar, l) -> csv.append(m).append(',').append(table.get(m)).append(',').append(ar).append(',')
                    .append(ofSubjects(l).csv()).append('\n'));
        }
        return csv.toString();
    }

    /** One point of the error-vs-D sweep. */
    record SweepPoint(String method, int d, int ar, Stat stat) {
    }

    /** The sweep's points by method (scq, scq_s), ar and ascending D; empty when no sweep was run. */
    static List<SweepPoint> sweep(List<Evaluation.Row> rows) {
        Map<String, Map<Integer, TreeMap<Integer, Stat>>> by = new TreeMap<>();
        byMethodAndAr(rows).forEach((m, byAr) -> {
            Matcher x = SWEEP.matcher(m);
            if (!x.matches()) return;
            byAr.forEach((ar, l) -> by.computeIfAbsent(x.group(1), k -> new TreeMap<>()).computeIfAbsent(ar, k -> new TreeMap<>())
                    .put(Integer.parseInt(x.group(2)), ofSubjects(l)));
        });
        List<SweepPoint> out = new ArrayList<>();
        by.forEach((m, byAr) -> byAr.forEach((ar, byD) -> byD.forEach((d, s) -> out.add(new SweepPoint(m, d, ar, s)))));
        return out;
    }

    /** error_vs_d.csv: errors against the DM ground truth, mean +- std over subjects. */
    static String errorVsD(List<SweepPoint> points) {
        StringBuilder csv = new StringBuilder("method,d,ar,subjects,t1_err_pct_mean,t1_err_pct_std,t2_err_pct_mean,t2_err_pct_std\n");
        for (SweepPoint p : points) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.4f,%.4f,%.4f,%.4f%n", p.method(), p.d(), p.ar(), p.stat().n(),
                    p.stat().mean()[0], p.stat().std()[0], p.stat().mean()[1], p.stat().std()[1]));
        }
        return csv.toString();
    }

    /** The figure's lines: one per method, and per ar when several were evaluated. */
    static List<ErrorVsDFigure.Series> series(List<SweepPoint> points) {
        Map<String, List<SweepPoint>> by = new LinkedHashMap<>();
        long ars = points.stream().mapToInt(SweepPoint::ar).distinct().count();
        for (SweepPoint p : points) {
            String label = p.method().toUpperCase(Locale.ROOT) + (ars > 1 ? " ar " + p.ar() : "");
            by.computeIfAbsent(label, k -> new ArrayList<>()).add(p);
        }
        List<ErrorVsDFigure.Series> out = new ArrayList<>();
        by.forEach((label, ps) -> out.add(new ErrorVsDFigure.Series(label, ps.stream().mapToInt(SweepPoint::d).toArray(),
                ps.stream().mapToDouble(p -> p.stat().mean()[0]).toArray(), ps.stream().mapToDouble(p -> p.stat().mean()[1]).toArray())));
        return out;
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
