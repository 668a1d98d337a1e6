package org.mrf.scq.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the schedule CSV reader: any text either gives a sequence whose every
 * time point obeys the reader's documented limits, or one {@link MrfInputException}.
 * Regression inputs: {@code ScheduleFuzzTestInputs/} (docs/FUZZING.md).
 */
class ScheduleFuzzTest {
    @FuzzTest
    void parseSchedule(byte[] bytes) {
        FispSequence s;
        try {
            s = Schedules.parse("fuzz/schedule.csv", new String(bytes, StandardCharsets.UTF_8), 2.0, 18.0);
        } catch (MrfInputException expected) {
            return; // the reader's own error for bad input
        }
        assertTrue(s.length() > 0);
        for (int n = 0; n < s.length(); n++) {
            assertTrue(s.flipDeg(n) >= 0 && s.flipDeg(n) <= 180, "flip " + s.flipDeg(n));
            assertTrue(s.trMs(n) > 0 && s.teMs(n) >= 0 && s.teMs(n) < s.trMs(n), "TR/TE at " + n);
            assertTrue(Double.isFinite(s.phaseDeg(n)), "phase at " + n);
        }
    }
}
