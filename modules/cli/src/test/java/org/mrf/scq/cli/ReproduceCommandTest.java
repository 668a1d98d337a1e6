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

    @Test
    void aRerunSkipsCompleteStagesAndReportsEveryFold(@TempDir Path dir) throws Exception {
        Path work = dir.resolve("work");
        for (String stage : new String[]{"cohort/sub-000", "cohort/sub-001", "slices", "dictionary", "ground-truth"}) {
            Files.createDirectories(work.resolve(stage));
        }
        // each fold's evaluation at ar 4: ground truth T1 1000 / T2 100 ms; DM off by 10 %, SCQ by (2 + subject) %
        for (int s = 0; s < 2; s++) {
            String subject = "sub-00" + s;
            Path e = work.resolve("evaluation/ar4/" + subject), slice = e.resolve("maps/" + subject + "/slice-000");
            npy(slice.resolve("gt_t1_ms.npy"), 1000);
            npy(slice.resolve("gt_t2_ms.npy"), 100);
            npy(slice.resolve("dm_ar4_t1_ms.npy"), 1100);
            npy(slice.resolve("dm_ar4_t2_ms.npy"), 100);
            npy(slice.resolve("scq_ar4_t1_ms.npy"), 1000 * (1.02f + s / 100f));
            npy(slice.resolve("scq_ar4_t2_ms.npy"), 100);
            Files.createDirectories(e.resolve("tables"));
            Files.writeString(e.resolve("tables/errors.csv"), "method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,t2_err_pct_true,"
                    + "seconds_per_slice\ndm,4," + subject + ",0,10,0,NaN,NaN,0.5\nscq,4," + subject + ",0,2,0,NaN,NaN,0.25\n");
        }
        assertEquals(0, Mrf.execute("reproduce", "--out", dir.toString(), "--ars", "4", "--seed", "9"));
        JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals(10.0, r.at("/dm/ar4/t1_err_pct").asDouble(), 1e-4);
        assertEquals(2.5, r.at("/scq/ar4/t1_err_pct").asDouble(), 1e-4, "mean over the two folds' subjects");
        assertEquals(-7.5, r.at("/paired/scq_vs_dm/ar4/t1/mean_diff").asDouble(), 1e-4);
        assertEquals(0.5, r.at("/paired/scq_vs_dm/ar4/t1/p").asDouble(), 1e-12, "two subjects of one sign: 2/4");
        assertEquals(9, r.at("/protocol/seed").asLong());
        assertEquals(2, r.at("/protocol/folds").size());
        assertEquals("quick", r.at("/protocol/selections/0/chosen").asText());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("| scq | 4 | 2.50 +- 0.71 |"));
        assertTrue(Files.exists(dir.resolve("figures/maps/sub-001_slice-000_ar4.png")));
        assertTrue(Files.readString(dir.resolve("tables/error_vs_ar.csv")).contains("scq,4,2,2.5000,"));

        OverwriteKillTest.ByteArrayErr err = new OverwriteKillTest.ByteArrayErr();
        assertEquals(2, err.run(() -> Mrf.execute("reproduce", "--out", dir.toString(), "--scale", "huge")));
        assertTrue(err.text().contains("--scale huge"), err.text());
    }
}
