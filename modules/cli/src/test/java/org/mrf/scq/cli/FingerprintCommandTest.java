package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FingerprintCommandTest {
    @Test
    void writesOneRowPerTimePointWithTheClosedFormFirstSample(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("wm.csv");
        int rc = Mrf.execute("fingerprint", "--t1", "1000", "--t2", "80", "--out", out.toString());
        assertEquals(0, rc);
        List<String> lines = Files.readAllLines(out);
        assertEquals("n,real,imag,magnitude", lines.get(0));
        assertEquals(2305, lines.size());
        String[] first = lines.get(1).split(",");
        double expected = Math.sin(Math.toRadians(5)) * (1 - 2 * Math.exp(-18 / 1000.0)) * Math.exp(-2 / 80.0);
        assertEquals(expected, Double.parseDouble(first[1]), 1e-9);
        assertEquals(Math.abs(expected), Double.parseDouble(first[3]), 1e-9);
    }

    @Test
    void jiangScheduleWithItsTeAndBadInputExitCodes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("gm.csv");
        assertEquals(0, Mrf.execute("fingerprint", "--schedule", "jiang2015-fisp-1000", "--te-ms", "1.908",
                "--inversion-ms", "18", "--t1", "1400", "--t2", "110", "--out", out.toString()));
        assertEquals(1001, Files.readAllLines(out).size());
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "flip_deg,tr_ms\n10,5\n10,-1\n");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(buf, true));
            rc = new picocli.CommandLine(new Mrf()).setErr(new java.io.PrintWriter(buf, true)).execute("fingerprint");
            assertNotEquals(0, rc, "missing required options");
            rc = Mrf.execute("fingerprint", "--schedule", bad.toString(), "--t1", "100", "--t2", "10", "--out",
                    dir.resolve("x.csv").toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(2, rc);
        assertFalse(Files.exists(dir.resolve("x.csv")), "nothing written on bad input");
    }
}
