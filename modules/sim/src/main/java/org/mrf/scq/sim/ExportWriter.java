package org.mrf.scq.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes one simulated slice in some scanner-export format. The cohort simulator only knows this
 * interface, so NIfTI or MATLAB writers can be added without touching it.
 */
public interface ExportWriter {
    /** Short format name recorded in manifests, e.g. {@code "npy"}. */
    String format();

    /**
     * Writes the series and the true maps of one slice into {@code dir}, every file named from
     * {@code sliceName}, and returns the file names (relative to {@code dir}) by role: at least
     * {@code series}, {@code t1_ms}, {@code t2_ms}, {@code pd}, {@code mask}. Each file must appear
     * complete or not at all (write to a temporary name, then rename).
     */
    Map<String, String> writeSlice(Path dir, String sliceName, ComplexSeries series, SubjectMaps maps) throws IOException;
}
