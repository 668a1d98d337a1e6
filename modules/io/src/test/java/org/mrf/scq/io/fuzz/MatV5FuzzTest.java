package org.mrf.scq.io.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.MatFiles;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the MATLAB v5/v7 MAT-file reader (mfl-core underneath): listing the
 * variables and reading every numeric one either succeeds with well-formed arrays or ends in one
 * {@link MrfInputException}. The seeds are v5 files, so most inputs stay on the v5 path.
 */
class MatV5FuzzTest {
    @FuzzTest
    void readMatV5(byte[] bytes) throws IOException {
        readMat(bytes, "fuzz/input.mat");
    }

    static void readMat(byte[] bytes, String source) throws IOException {
        try {
            MatFiles.list(bytes, source);
            ReaderChecks.wellFormed(ArrayFiles.readAll(new ByteArrayInputStream(bytes), source));
        } catch (MrfInputException expected) {
            // the reader's own error for bad input
        }
        try {
            ReaderChecks.wellFormed(ArrayFiles.read(new ByteArrayInputStream(bytes), source, null));
        } catch (MrfInputException expected) {
            // also when the file holds no or several numeric variables
        }
    }
}
