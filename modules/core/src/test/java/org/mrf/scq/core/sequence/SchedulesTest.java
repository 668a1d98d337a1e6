package org.mrf.scq.core.sequence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mrf.scq.core.util.MrfInputException;

import static org.junit.jupiter.api.Assertions.*;

class SchedulesTest {
    @Test
    void paperDefaultFollowsTheDesignFormula() {
        FispSequence s = Schedules.paperDefault(2.0, 18.0);
        assertEquals(2304, s.length());
        assertEquals(5.0, s.flipDeg(0), 1e-12);
        // Lobe k = 1 (a = 0.55) at its peak m = 230: 5 + 7 * 0.55 * sin(pi * 230 / 461).
        assertEquals(5 + 7 * 0.55 * Math.sin(Math.PI * 230 / 461), s.flipDeg(461 + 230), 1e-12);
        double max = 0, min = 180;
        for (int i = 0; i < s.length(); i++) {
            max = Math.max(max, s.flipDeg(i));
            min = Math.min(min, s.flipDeg(i));
            assertEquals(7.0, s.trMs(i));
            assertEquals(2.0, s.teMs(i));
        }
        assertTrue(min >= 5 && max <= 12 && max > 11.99, min + " .. " + max);
        assertEquals(18.0, s.inversionMs());
    }

    @Test
    void bundledJiangScheduleAndCsvRoundTrip() {
        FispSequence j = Schedules.load(Schedules.JIANG2015, 1.908, 18);
        assertEquals(1000, j.length());
        assertEquals(5.94, j.flipDeg(0), 1e-12);
        assertEquals(13.17382, j.trMs(0), 1e-12);
        assertEquals(1.908, j.teMs(999), 1e-12);
        FispSequence back = Schedules.parse("x.csv", j.toCsv(), 99, 18);
        assertEquals(j.hash(), back.hash(), "te_ms and phase_deg columns carry everything");
        assertNotEquals(j.hash(), j.withTiming(2.0, null).hash());
        assertEquals(j.truncate(10).hash(), back.truncate(10).hash());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "non-numeric cell | 'flip_deg,tr_ms\n10,abc\n' | line 2, column tr_ms: 'abc' is not a number",
            "missing column   | 'flip_deg\n10\n' | missing required column 'tr_ms'",
            "unknown column   | 'flip_deg,tr_ms,speed\n10,5,1\n' | unknown column 'speed'",
            "TR zero          | 'flip_deg,tr_ms\n10,0\n' | line 2: tr_ms=0.0 must be > 0",
            "TE at TR         | 'flip_deg,tr_ms,te_ms\n10,5,5\n' | line 2: TE=5.0 ms must satisfy 0 <= TE < TR",
            "flip too large   | 'flip_deg,tr_ms\n190,5\n' | line 2: flip_deg=190.0 is outside 0-180",
            "negative flip    | 'flip_deg,tr_ms\n-1,5\n' | outside 0-180",
            "NaN              | 'flip_deg,tr_ms\nNaN,5\n' | line 2, column flip_deg: NaN is not finite",
            "infinite         | 'flip_deg,tr_ms\n10,Infinity\n' | not finite",
            "empty file       | '' | the file is empty",
            "header only      | 'flip_deg,tr_ms\n' | no data rows",
            "ragged row       | 'flip_deg,tr_ms\n10,5,3\n' | line 2: 3 cells, but the header has 2",
            "duplicate column | 'flip_deg,tr_ms,tr_ms\n10,5,5\n' | appears twice"})
    void malformedSchedulesNameFileLineAndFix(String what, String csv, String expected) {
        MrfInputException e = assertThrows(MrfInputException.class, () -> Schedules.parse("sched.csv", csv, 2.0, 18.0));
        assertTrue(e.getMessage().contains("sched.csv"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
    }

    @Test
    void teDefaultMustFitTheTr() {
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> Schedules.parse("s.csv", "flip_deg,tr_ms\n10,1.5\n", 2.0, 18));
        assertTrue(e.getMessage().contains("--te-ms"), e.getMessage());
        assertThrows(MrfInputException.class, () -> Schedules.load("/no/such/file.csv", 2, 18));
        assertThrows(MrfInputException.class, () -> Schedules.parse("s.csv", "flip_deg,tr_ms\n10,5\n", 2, Double.NaN));
    }
}
