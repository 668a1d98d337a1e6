package org.mrf.scq.io.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;

/**
 * Coverage-guided fuzzing of the MATLAB v7.3 / plain HDF5 reader (jhdf underneath), as
 * {@link MatV5FuzzTest} does for v5; the seeds are v7.3 and plain HDF5 files.
 */
class MatV73FuzzTest {
    @FuzzTest
    void readMatV73(byte[] bytes) throws IOException {
        MatV5FuzzTest.readMat(bytes, "fuzz/input.mat");
    }
}
