package org.mrf.scq.io.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MatFiles;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the MATLAB v7.3 / plain HDF5 reader (jhdf underneath), as
 * {@link MatV5FuzzTest} does for v5; the seeds are v7.3 and plain HDF5 files.
 */
class MatV73FuzzTest {
    @FuzzTest
    void readMatV73(byte[] bytes) throws IOException {
        MatV5FuzzTest.readMat(bytes, "fuzz/input.mat");
    }

    /** A dataspace forged to 2^20 x 2^20 in a 1.8 kB file is refused from the header, before anything is allocated. */
    @Test
    void forgedDimsAreRefusedBeforeReading() throws IOException {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("MatV73FuzzTestInputs/readMatV73/crafted-dims-2e40.mat")) {
            bytes = in.readAllBytes();
        }
        MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(bytes, "exp/forged.mat", null));
        assertTrue(e.getMessage().startsWith("exp/forged.mat: variable 't1' has dims [1048576, 1048576]"), e.getMessage());
    }
}
