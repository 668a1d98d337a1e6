package org.mrf.scq.cli.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * notebooks/: the sample generator writes the demo report layout, and report.ipynb executes on it
 * without a failing cell. Needs the system Python with numpy (and nbconvert, ipykernel, pandas,
 * matplotlib for the notebook: Debian packages python3-numpy python3-pandas python3-matplotlib
 * python3-nbconvert python3-ipykernel jupyter-nbconvert); skipped where they are missing.
 */
class NotebookReportTest {
    static final String PYTHON = System.getenv().getOrDefault("MRF_PYTHON", "/usr/bin/python3");

    @Test
    void sampleReportHasTheDemoLayout(@TempDir Path tmp) throws Exception {
        assumeTrue(OpsScripts.available(List.of(PYTHON, "-c", "import numpy")), PYTHON + " with numpy is not installed");
        Path root = OpsScripts.repositoryRoot();
        Path out = tmp.resolve("report");
        var r = OpsScripts.run(root, 300, List.of(PYTHON, "notebooks/make_sample_report.py", out.toString(),
                "--subjects", "2", "--slices", "1", "--size", "32"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(Files.isRegularFile(out.resolve("report.md")));
        String json = Files.readString(out.resolve("report.json"));
        for (String key : List.of("\"scq\"", "\"ar4\"", "\"t1_err_pct\"", "\"t2_err_pct_true\"", "\"seconds_per_slice\"")) {
            assertTrue(json.contains(key), "report.json lacks " + key);
        }
        List<String> csv = Files.readAllLines(out.resolve("tables/errors.csv"));
        assertEquals("method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,t2_err_pct_true,seconds_per_slice", csv.get(0));
        assertEquals(1 + 2 * 4 * 4, csv.size(), "2 subjects x 1 slice x 4 methods x 4 ar");
        Path slice = out.resolve("maps/sub-01/slice-000");
        for (String f : List.of("true_t1_ms", "true_t2_ms", "gt_t1_ms", "gt_t2_ms", "scq_ar4_t1_ms", "fe_only_ar16_t2_ms")) {
            assertNpy(slice.resolve(f + ".npy"), "<f4", 32);
        }
        assertNpy(slice.resolve("mask.npy"), "|u1", 32);
        assertNpy(slice.resolve("labels.npy"), "|u1", 32);
    }

    /** Checks a NumPy .npy header: dtype and an (n, n) C-order shape. */
    static void assertNpy(Path file, String dtype, int n) throws Exception {
        assertTrue(Files.isRegularFile(file), file.toString());
        byte[] b = Files.readAllBytes(file);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, java.nio.charset.StandardCharsets.US_ASCII));
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, headerLen, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '" + dtype + "'"), file + ": " + header);
        assertTrue(header.contains("'fortran_order': False"), file + ": " + header);
        assertTrue(header.contains("'shape': (" + n + ", " + n + ")"), file + ": " + header);
        int itemSize = dtype.endsWith("4") ? 4 : 1;
        assertEquals(10 + headerLen + (long) n * n * itemSize, b.length, file.toString());
    }

    @Test
    void notebookExecutesOnTheSampleReport(@TempDir Path tmp) throws Exception {
        assumeTrue(OpsScripts.available(List.of(PYTHON, "-c", "import nbconvert, ipykernel, numpy, pandas, matplotlib")),
                PYTHON + " lacks nbconvert/ipykernel/numpy/pandas/matplotlib");
        Path root = OpsScripts.repositoryRoot();
        var r = OpsScripts.run(root, 900, List.of("bash", "notebooks/run.sh", "--sample", tmp.toString()));
        assertEquals(0, r.exitCode(), r.output());
        String executed = Files.readString(tmp.resolve("report.ipynb"));
        assertFalse(executed.contains("\"output_type\": \"error\""), "a cell failed");
        assertTrue(executed.contains("image/png"), "no figures in the executed notebook");
        assertTrue(Files.size(tmp.resolve("report.html")) > 0);
    }
}
