package org.mrf.scq.io;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.eval.MethodComparison;
import org.mrf.scq.core.eval.TissueErrors.Region;
import org.mrf.scq.core.util.MrfInputException;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EvaluationStatisticsTest {
    private static final Map<Integer, Region> CODES = Map.of(23, Region.CSF, 46, Region.GREY_MATTER, 70, Region.WHITE_MATTER,
            240, Region.LESION);
    private static final int H = 8, W = 8;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static void npy(Path p, float[] v) throws IOException {
        Files.createDirectories(p.getParent());
        try (OutputStream o = Files.newOutputStream(p)) {
            NpyArray.ofFloat(v, H, W).write(o);
        }
    }

    private static float[] constant(float v) {
        float[] a = new float[H * W];
        Arrays.fill(a, v);
        return a;
    }

    /**
     * Two subjects, one slice each, left half WM and right half CSF (labels 70 and 23), ground truth T1 1000 / T2 100 ms.
     * DM is off by 10 % in WM and 50 % in CSF; SCQ by (2 + subject) % everywhere.
     */
    private static Path evaluation(Path dir, boolean labels) throws IOException {
        StringBuilder csv = new StringBuilder("method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,t2_err_pct_true,seconds_per_slice\n");
        for (int s = 0; s < 2; s++) {
            Path slice = dir.resolve("maps/sub-00" + s + "/slice-000");
            npy(slice.resolve("gt_t1_ms.npy"), constant(1000));
            npy(slice.resolve("gt_t2_ms.npy"), constant(100));
            float[] dm = new float[H * W], lab = new float[H * W];
            for (int p = 0; p < dm.length; p++) {
                boolean wm = p % W < W / 2;
                dm[p] = wm ? 1100 : 500;
                lab[p] = wm ? 70 : 23;
            }
            if (labels) {
                try (OutputStream o = Files.newOutputStream(slice.resolve("labels.npy"))) {
                    byte[] b = new byte[lab.length];
                    for (int p = 0; p < b.length; p++) b[p] = (byte) lab[p];
                    NpyArray.ofBytes(b, H, W).write(o);
                }
            }
            npy(slice.resolve("dm_ar4_t1_ms.npy"), dm);
            npy(slice.resolve("dm_ar4_t2_ms.npy"), constant(100));
            npy(slice.resolve("scq_ar4_t1_ms.npy"), constant(1000 * (1.02f + s / 100f)));
            npy(slice.resolve("scq_ar4_t2_ms.npy"), constant(100));
            csv.append("dm,4,sub-00").append(s).append(",0,0,0,NaN,NaN,0.5\n");
            csv.append("scq,4,sub-00").append(s).append(",0,0,0,NaN,NaN,0.25\n");
        }
        Files.createDirectories(dir.resolve("tables"));
        Files.writeString(dir.resolve("tables/errors.csv"), csv.toString());
        return dir;
    }

    @Test
    void scoresAnEvaluationsMapsPerTissueInItsMethodOrder(@TempDir Path tmp) throws IOException {
        MethodComparison c = EvaluationStatistics.read(evaluation(tmp, true), CODES, 5);
        assertEquals(List.of("dm", "scq"), c.methods(), "the order of tables/errors.csv");
        Map<String, Double> f = MethodComparison.flatten(c.report());
        assertEquals(10.0, f.get("dm.ar4.t1_err_pct"), 1e-4, "the headline leaves CSF out");
        assertEquals(50.0, f.get("dm.ar4.t1_err_pct_csf"), 1e-4);
        assertEquals(30.0, f.get("dm.ar4.t1_err_pct_brain"), 1e-4, "what the evaluation reports over the whole mask");
        assertEquals(2.5, f.get("scq.ar4.t1_err_pct"), 1e-4, "mean of 2 % and 3 %");
        assertEquals(0.25, f.get("scq.ar4.seconds_per_slice"), 1e-12);
        assertEquals(-7.5, f.get("paired.scq_vs_dm.ar4.t1.mean_diff"), 1e-4);
        assertEquals(0.5, f.get("paired.scq_vs_dm.ar4.t1.p"), 1e-12, "two subjects of one sign: 2/4");
        assertTrue(Double.isNaN(f.get("dm.ar4.t1_err_pct_true")), "no true maps on disk");

        MethodComparison unlabelled = EvaluationStatistics.read(evaluation(tmp.resolve("u"), false), CODES, 5);
        assertEquals(30.0, unlabelled.summary("dm", 4, "t1_err_pct").mean(), 1e-4, "without labels: the whole mask, as the evaluation");
        // the same labels found in the simulated cohort instead of beside the maps
        Path cohort = tmp.resolve("cohort");
        for (String subject : new String[]{"sub-000", "sub-001"}) {
            Files.createDirectories(cohort.resolve(subject));
            Files.copy(tmp.resolve("maps/" + subject + "/slice-000/labels.npy"), cohort.resolve(subject + "/slice-000_labels.npy"));
        }
        MethodComparison fromCohort = EvaluationStatistics.read(List.of(tmp.resolve("u")), cohort, CODES, 5);
        assertEquals(10.0, fromCohort.summary("dm", 4, "t1_err_pct").mean(), 1e-4, "labels from the cohort: CSF left out");
    }

    @Test
    void writesOneReadableFigurePerSliceAndAr(@TempDir Path tmp) throws IOException {
        List<Path> files = EvaluationStatistics.writeFigures(evaluation(tmp, true), tmp.resolve("figures"));
        assertEquals(2, files.size());
        var img = ImageIO.read(files.get(0).toFile());
        int panelW = ComparisonFigure.MIN_PANEL + MapImages.GAP + MapImages.BAR_WIDTH + 44;
        assertEquals(3 * panelW + MapImages.GAP, img.getWidth(), "ground truth, DM and SCQ at 256 px");
        assertTrue(files.get(0).getFileName().toString().equals("sub-000_slice-000_ar4.png"));
    }

    @Test
    void incompleteEvaluationsAreNamed(@TempDir Path tmp) throws IOException {
        evaluation(tmp, true);
        Files.delete(tmp.resolve("maps/sub-001/slice-000/scq_ar4_t2_ms.npy"));
        MrfInputException e = assertThrows(MrfInputException.class, () -> EvaluationStatistics.read(tmp, CODES, 5));
        assertTrue(e.getMessage().contains("scq_ar4_t2_ms.npy is missing"), e.getMessage());
        Files.writeString(tmp.resolve("tables/errors.csv"), "a,b\n1,2\n");
        e = assertThrows(MrfInputException.class, () -> EvaluationStatistics.read(tmp, CODES, 5));
        assertTrue(e.getMessage().contains("errors.csv"), e.getMessage());
    }
}
