package org.mrf.scq.io.fuzz;

import org.mrf.scq.io.NdArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every array a reader hands back must satisfy, whatever bytes it was given. */
final class ReaderChecks {
    private ReaderChecks() {
    }

    static void wellFormed(NdArray a) {
        long n = 1;
        for (int s : a.shape()) {
            assertTrue(s >= 0, "negative dimension in " + a);
            n *= s;
        }
        assertEquals(n, a.size(), "shape product of " + a);
        if (a.isComplex()) assertEquals(a.size(), a.im().length, "imaginary part of " + a);
        assertEquals(a.isComplex(), a.elementType().complex, "element type of " + a);
    }

    static void wellFormed(Map<String, NdArray> all) {
        all.forEach((name, a) -> {
            assertEquals(name, a.name());
            wellFormed(a);
        });
    }
}
