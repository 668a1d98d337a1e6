package org.mrf.scq.io.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the NIfTI-1 reader (.nii, and .nii.gz: gzip is detected from the
 * bytes): any bytes either give a well-formed array or one {@link MrfInputException}.
 */
class NiftiFuzzTest {
    @FuzzTest
    void readNifti(byte[] bytes) throws IOException {
        try {
            ReaderChecks.wellFormed(ArrayFiles.read(new ByteArrayInputStream(bytes), "fuzz/input.nii.gz", null));
        } catch (MrfInputException expected) {
            // the reader's own error for bad input
        }
    }
}
