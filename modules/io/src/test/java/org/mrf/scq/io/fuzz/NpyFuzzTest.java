package org.mrf.scq.io.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the NumPy .npy reader: any bytes either give a well-formed array or
 * one {@link MrfInputException}. Regression inputs: {@code NpyFuzzTestInputs/} (docs/FUZZING.md).
 */
class NpyFuzzTest {
    @FuzzTest
    void readNpy(byte[] bytes) throws IOException {
        try {
            ReaderChecks.wellFormed(ArrayFiles.read(new ByteArrayInputStream(bytes), "fuzz/input.npy", null));
        } catch (MrfInputException expected) {
            // the reader's own error for bad input
        }
    }
}
