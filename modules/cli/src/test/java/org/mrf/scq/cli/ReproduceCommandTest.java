package org.mrf.scq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.io.NpyArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mrf reproduce} continues a run whose stages are all complete: it skips each of them (no Spark job runs) and
 * builds the report from the folds' evaluations.
 */
class ReproduceCommandTest {
    private static final int N = 8;

    private static void npy(Path p, float value) throws IOException {
        Files.createDirectories(p.getParent());
        float[] v = new float[N * N];
        Arrays.fill(v, value);
        try (OutputStream o = Files.newOutputStream(p)) {
            NpyArray.ofFloat(v, N, N).write(o);
        }
    }

    /** An evaluation at ar 4 of {@code subjects}: ground truth T1 1000 / T2 100 ms, each method off by its factors. */
    private static void evaluation(Path e, List<String> subjects, Map<String, float[]> factors) throws IOException {
        StringBuilder csv = new StringBuilder("method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,t2_err_pct_true,seconds_per_slice\n");
        for (String subject : subjects) {
            Path slice = e.resolve("maps/" + subject + "/slice-000");
            npy(slice.resolve("gt_t1_ms.npy"), 1000);
            npy(slice.resolve("gt_t2_ms.npy"), 100);
            for (var m : factors.entrySet()) {
                npy(slice.resolve(m.getKey() + "_ar4_t1_ms.npy"), 1000 * m.getValue()[0]);
                npy(slice.resolve(m.getKey() + "_ar4_t2_ms.npy"), 100 * m.getValue()[1]);
                csv.append(m.getKey()).append(",4,").append(subject).append(",0,NaN,NaN,NaN,NaN,0.25\n");
            }
        }
        Files.createDirectories(e.resolve("tables"));
        Files.writeString(e.resolve("tables/errors.csv"), csv);
    }

    /**
     * A run whose stages are complete for sub-000 and sub-001 at ar 4: DM (one evaluation of both subjects, as for every
     * method that learns nothing from subjects) off by 10 % (T1) and 5 % (T2); per fold, FE-only off by 5 % and 3 %, SCQ by
     * {@code scqT1[subject]} and 1 %.
     */
    private static Path completeRun(Path dir, float... scqT1) throws IOException {
        Path work = dir.resolve("work");
        for (String stage : new String[]{"cohort/sub-000", "cohort/sub-001", "slices", "dictionary", "ground-truth"}) {
            Files.createDirectories(work.resolve(stage));
        }
        evaluation(work.resolve("evaluation/ar4/" + ReproduceCommand.ALL_SUBJECTS), List.of("sub-000", "sub-001"),
                Map.of("dm", new float[]{1.10f, 1.05f}));
        for (int s = 0; s < 2; s++) {
            String subject = "sub-00" + s;
            Map<String, float[]> fold = new LinkedHashMap<>();
            fold.put("fe_only", new float[]{1.05f, 1.03f});
            fold.put("scq", new float[]{scqT1[s], 1.01f});
            evaluation(work.resolve("evaluation/ar4/" + subject), List.of(subject), fold);
        }
        return work;
    }

    @Test
    void aRerunSkipsCompleteStagesAndReportsEveryFold(@TempDir Path dir) throws Exception {
        Path work = completeRun(dir, 1.02f, 1.03f);
        // the ablations: SQ-only off by 4 % and 2 %, SCQ_M by 3 % and 1 %
        for (String subject : new String[]{"sub-000", "sub-001"}) {
            evaluation(work.resolve("ablations/ar4/" + subject), List.of(subject), Map.of("sq_only", new float[]{1.04f, 1.02f},
                    "scq_m", new float[]{1.03f, 1.01f}));
        }
        assertEquals(0, Mrf.execute("reproduce", "--out", dir.toString(), "--ars", "4", "--seed", "9", "--methods", "dm,fe_only,scq",
                "--ablations"));
        JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals(10.0, r.at("/dm/ar4/t1_err_pct").asDouble(), 1e-4);
        assertEquals(2.5, r.at("/scq/ar4/t1_err_pct").asDouble(), 1e-4, "mean over the two folds' subjects");
        assertEquals(Math.sqrt(0.5), r.at("/scq/ar4/t1_err_pct_std").asDouble(), 1e-4, "sample std of 2 and 3");
        assertEquals(-7.5, r.at("/paired/scq_vs_dm/ar4/t1/mean_diff").asDouble(), 1e-4);
        assertEquals(0.5, r.at("/paired/scq_vs_dm/ar4/t1/p").asDouble(), 1e-12, "two subjects of one sign: 2/4");
        assertEquals(-1.5, r.at("/paired/scq_vs_sq_only/ar4/t1/mean_diff").asDouble(), 1e-4, "the ablations are compared like every method");
        assertEquals(9, r.at("/protocol/seed").asLong());
        assertEquals(2, r.at("/protocol/folds").size());
        assertEquals("demo", r.at("/protocol/selections/0/chosen").asText());
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| scq | 4 | 2.50 +- 0.71 |"), md);
        assertTrue(md.contains("**The claim at ar 4** (SCQ's 95 % CI against FE-only and against DM entirely below zero, T1 and T2): "
                + "**holds on this cohort**"), md);
        assertTrue(md.contains("## Table III") && md.contains("| sq_only | 4.00 +- 0.00 |"), md);
        assertTrue(md.contains("## Table IV") && md.contains("| scq_m | 3.00 +- 0.00 |"), md);
        assertTrue(Files.exists(dir.resolve("figures/maps/sub-001_slice-000_ar4.png")));
        assertTrue(Files.readString(dir.resolve("tables/error_vs_ar.csv")).contains("scq,4,2,2.5000,"));

        OverwriteKillTest.ByteArrayErr err = new OverwriteKillTest.ByteArrayErr();
        assertEquals(2, err.run(() -> Mrf.execute("reproduce", "--out", dir.toString(), "--scale", "huge")));
        assertTrue(err.text().contains("--scale huge"), err.text());
    }

    @Test
    void theClaimDoesNotHoldWhenScqIsNotBetterOnEverySubject(@TempDir Path dir) throws Exception {
        // SCQ better than FE-only on sub-000 (T1 2 % against 5 %), worse on sub-001 (8 %): the interval spans zero
        completeRun(dir, 1.02f, 1.08f);
        assertEquals(0, Mrf.execute("reproduce", "--out", dir.toString(), "--ars", "4", "--seed", "9", "--methods", "dm,fe_only,scq"));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("**does not hold on this cohort**"), md);
        assertTrue(md.contains("0.00 points, 95 % CI [-3.00, 3.00], p 1.0000: not entirely below zero"), md);
        assertFalse(md.contains("## Table IV"), "scq_m did not run: no Table IV");
    }
}
