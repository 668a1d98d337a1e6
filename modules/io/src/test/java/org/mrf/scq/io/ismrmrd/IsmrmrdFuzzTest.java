package org.mrf.scq.io.ismrmrd;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the ISMRMRD reader (libhdf5 underneath; docs/FUZZING.md): any bytes, as a file, are
 * either planned and read into well-formed slices or refused with one {@link MrfInputException}. Regression inputs:
 * {@code IsmrmrdFuzzTestInputs/readIsmrmrd/} (small files of the project's writer, with and without weights, one
 * and two coils; a truncated one; a non-HDF5 one).
 */
class IsmrmrdFuzzTest {
    @FuzzTest
    void readIsmrmrd(byte[] bytes) throws IOException {
        Path f = Files.createTempFile("mrf-fuzz-", ".h5");
        try {
            Files.write(f, bytes);
            IsmrmrdRaw.Plan plan = IsmrmrdRaw.plan(f, Counter.REPETITION);
            for (int slice : plan.slices()) {
                RawSeries s = IsmrmrdRaw.read(f, slice, Counter.REPETITION).series();
                assertEquals(plan.frames(), s.frames(), "frames of slice " + slice);
                assertEquals(plan.matrix(), s.matrix(), "matrix");
                for (int r = 0; r < s.trajectories(); r++) {
                    for (int j = 0; j < s.ky()[r].length; j++) {
                        assertTrue(Math.abs(s.ky()[r][j]) <= s.matrix() / 2.0 * (1 + 1e-3)
                                && Math.abs(s.kx()[r][j]) <= s.matrix() / 2.0 * (1 + 1e-3), "k inside the Nyquist box");
                    }
                }
            }
        } catch (MrfInputException expected) {
            // the reader's own error for bad input
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
