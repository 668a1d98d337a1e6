package org.mrf.scq.spark.evaluate;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.eval.MethodComparison;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link EvaluationTables}: the mean +- std aggregation and the CSV layout, against values computed by hand. */
class EvaluationTablesTest {
    static Evaluation.Row row(String method, int ar, String subject, int slice, double t1, double t2, double sec) {
        return new Evaluation.Row(method, ar, subject, slice, t1, t2, t1 + 1, t2 + 1, sec);
    }

    // scq at ar 4: subject a has slices with T1 errors 2 and 4 (mean 3, sample std sqrt(2)), subject b one slice with 6.
    static final List<Evaluation.Row> ROWS = List.of(
            row("scq", 4, "a", 0, 2, 10, 0.1), row("scq", 4, "a", 1, 4, 14, 0.3), row("scq", 4, "b", 0, 6, 20, 0.5),
            row("dm", 4, "a", 0, 1, 1, 1), row("dm", 4, "b", 0, 3, 3, 3),
            row(Evaluation.sweepName("scq", 8), 4, "a", 0, 5, 7, 1), row(Evaluation.sweepName("scq", 8), 4, "b", 0, 7, 9, 1),
            row(Evaluation.sweepName("scq_s", 8), 4, "a", 0, 9, 9, 1), row(Evaluation.sweepName("scq", 16), 4, "a", 0, 4, 6, 1));

    @Test
    void slicesThenSubjects() {
        List<Evaluation.Row> scq = ROWS.subList(0, 3);
        EvaluationTables.Stat a = EvaluationTables.ofSlices(scq.subList(0, 2));
        assertEquals(2, a.n());
        assertArrayEquals(new double[]{3, 12, 4, 13, 0.2}, a.mean(), 1e-12);
        assertArrayEquals(new double[]{Math.sqrt(2), Math.sqrt(8), Math.sqrt(2), Math.sqrt(8), Math.sqrt(0.02)}, a.std(), 1e-12);
        // Subject means a = 3, b = 6: the overall is their mean 4.5 and std sqrt(4.5), not that of the 3 slices (4, 2).
        EvaluationTables.Stat all = EvaluationTables.ofSubjects(scq);
        assertEquals(2, all.n());
        assertEquals(4.5, all.mean()[0], 1e-12);
        assertEquals(Math.sqrt(4.5), all.std()[0], 1e-12);
        assertEquals(16, all.mean()[1], 1e-12);
        assertEquals(Math.sqrt(32), all.std()[1], 1e-12);
        assertEquals(0.35, all.mean()[4], 1e-12);
        assertEquals(0, EvaluationTables.ofSlices(scq.subList(2, 3)).std()[0], "one item: std 0, not NaN");
    }

    @Test
    void reportJsonIsMethodComparisonsSummaryAndAgreesWithTheTables() {
        // The ROWS' scq at ar 4 again, as maps: a ground truth of 100 ms and estimates 2, 4 (subject a) and 6 % (b) above
        // it for T1, 10, 14 and 20 % for T2; no true maps, no labels.
        MethodComparison c = new MethodComparison(Map.of(), 0);
        List<Evaluation.Row> rows = new ArrayList<>();
        String[] subject = {"a", "a", "b"};
        int[] slice = {0, 1, 0};
        double[][] errPct = {{2, 10}, {4, 14}, {6, 20}};
        for (int i = 0; i < 3; i++) {
            float[] gt = filled(100);
            c.addReference(new MethodComparison.Reference(subject[i], slice[i], 8, 8, null, gt, gt, null, null, null));
            var q = c.add(new MethodComparison.Estimate("scq", 4, subject[i], slice[i], filled(100 + errPct[i][0]),
                    filled(100 + errPct[i][1]), 0.1 + 0.2 * i));
            rows.add(Evaluation.row("scq", 4, subject[i], slice[i], q));
        }
        var e = Evaluation.summary(c).get("scq").get("ar4");
        List<String> keys = List.of("t1_err_pct", "t1_err_std_pct", "t2_err_pct", "t2_err_std_pct", "t1_err_pct_true", "t1_err_std_pct_true",
                "t2_err_pct_true", "t2_err_std_pct_true", "seconds_per_slice");
        assertEquals(keys, e.keySet().stream().filter(keys::contains).toList(), "the keys report.json has always had, in their order");
        assertEquals(4.5, e.get("t1_err_pct"), 1e-6, "float maps");
        assertEquals(Math.sqrt(4.5), e.get("t1_err_std_pct"), 1e-6);
        assertEquals(16, e.get("t2_err_pct"), 1e-5);
        assertEquals(0.35, e.get("seconds_per_slice"), 1e-12);
        assertTrue(Double.isNaN(e.get("t1_err_pct_true")), "no true maps");
        assertEquals(0.0, e.get(MethodComparison.HEADLINE_WITHOUT_CSF), "no labels: over the whole mask");
        // The tables aggregate the same rows the same way: report.json and the overall rows agree to the last digit.
        EvaluationTables.Stat t = EvaluationTables.ofSubjects(rows);
        assertEquals(t.mean()[0], e.get("t1_err_pct"), 0.0);
        assertEquals(t.std()[0], e.get("t1_err_std_pct"), 0.0);
        assertEquals(t.mean()[1], e.get("t2_err_pct"), 0.0);
        assertEquals(t.mean()[4], e.get("seconds_per_slice"), 0.0);
    }

    private static float[] filled(double v) {
        float[] m = new float[64];
        Arrays.fill(m, (float) v);
        return m;
    }

    @Test
    void tablesHaveOneRowPerSubjectAndAnOverallRow() {
        List<String> t1 = EvaluationTables.table1(ROWS).lines().toList();
        assertEquals("method,ar,subject,n,t1_err_pct_mean,t1_err_pct_std,t2_err_pct_mean,t2_err_pct_std,t1_err_pct_true_mean,"
                + "t1_err_pct_true_std,t2_err_pct_true_mean,t2_err_pct_true_std,seconds_per_slice_mean,seconds_per_slice_std", t1.get(0));
        assertEquals("scq,4,a,2,3.0000,1.4142,12.0000,2.8284,4.0000,1.4142,13.0000,2.8284,0.2000,0.1414", t1.get(1));
        assertEquals("scq,4,b,1,6.0000,0.0000,20.0000,0.0000,7.0000,0.0000,21.0000,0.0000,0.5000,0.0000", t1.get(2));
        assertEquals("scq,4,overall,2,4.5000,2.1213,16.0000,5.6569,5.5000,2.1213,17.0000,5.6569,0.3500,0.2121", t1.get(3));
        assertEquals("dm,4,overall,2,2.0000,1.4142,2.0000,1.4142,3.0000,1.4142,3.0000,1.4142,2.0000,1.4142", t1.get(6));
        assertEquals(List.of("method,ar,subjects,seconds_per_slice_mean,seconds_per_slice_std", "scq,4,2,0.35000,0.21213",
                "dm,4,2,2.00000,1.41421"), EvaluationTables.table2(ROWS).lines().limit(3).toList());
        List<String> steps = EvaluationTables.ablation(EvaluationTables.STEPS, ROWS).lines().toList();
        assertEquals(3, steps.size(), "header, dm, scq (fe_only and sq_only were not run): " + steps);
        assertTrue(steps.get(1).startsWith("dm,dictionary matching without learning,4,2,2.0000,"), steps.get(1));
        assertTrue(steps.get(2).startsWith("scq,learned FE + U-Net (steps 1 and 2),4,2,4.5000,2.1213,"), steps.get(2));
        assertEquals(List.of("scq"), EvaluationTables.present(EvaluationTables.FE, ROWS), "scq_s_d8 is the sweep, not Table IV's scq_s");
    }

    @Test
    void sweepPointsByMethodAndAscendingD() {
        List<String> csv = EvaluationTables.errorVsD(EvaluationTables.sweep(ROWS)).lines().toList();
        assertEquals(List.of("method,d,ar,subjects,t1_err_pct_mean,t1_err_pct_std,t2_err_pct_mean,t2_err_pct_std",
                "scq,8,4,2,6.0000,1.4142,8.0000,1.4142", "scq,16,4,1,4.0000,0.0000,6.0000,0.0000",
                "scq_s,8,4,1,9.0000,0.0000,9.0000,0.0000"), csv);
        var series = EvaluationTables.series(EvaluationTables.sweep(ROWS));
        assertEquals(List.of("SCQ", "SCQ_S"), series.stream().map(s -> s.label()).toList());
        assertArrayEquals(new int[]{8, 16}, series.get(0).d());
        assertArrayEquals(new double[]{8, 6}, series.get(0).t2ErrPct(), 1e-12);
    }
}
