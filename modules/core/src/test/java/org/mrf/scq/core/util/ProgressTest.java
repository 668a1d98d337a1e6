package org.mrf.scq.core.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    @Test
    void linesShowPercentRateEtaAndOneClosingLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress("job", 10, "items", new PrintStream(buf, true));
        p.advance(5);
        p.advance(5);
        p.finish();
        p.finish();
        String[] lines = buf.toString().strip().split("\n");
        assertEquals(2, lines.length, buf.toString());
        assertTrue(lines[0].contains("50.0%") && lines[0].contains("5/10 items") && lines[0].contains("items/s")
                && lines[0].contains("ETA"), lines[0]);
        assertTrue(lines[1].contains("100.0%") && lines[1].contains(" in "), lines[1]);
    }

    @Test
    void totalsDiscoveredLaterExtendTheJob() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress("spark", 1, "tasks", new PrintStream(buf, true));
        p.addTotal(4);
        p.advance(2);
        p.addTotal(4);
        assertTrue(p.line().contains("2/8 tasks"), p.line());
    }
}
