package org.mrf.scq.sim;

import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.MatFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * MATLAB export: one {@code <slice>_<role>.mat} per role holding one variable named after the
 * role ({@code series}: complex single {@code [H W T]}; {@code t1_ms}, {@code t2_ms}, {@code pd}:
 * single {@code [H W]}; {@code mask}, {@code labels}: uint8 {@code [H W]}), MAT v5 (what
 * {@code save -v7} reads back; 2 GB per variable at most) or v7.3 (HDF5). Layout mapping:
 * {@link MatFiles}.
 */
public final class MatExportWriter implements ExportWriter {
    private final MatFiles.Version version;

    public MatExportWriter(MatFiles.Version version) {
        this.version = version;
    }

    /** MAT v5. */
    public MatExportWriter() {
        this(MatFiles.Version.V5);
    }

    @Override
    public String format() {
        return version == MatFiles.Version.V73 ? "mat73" : "mat";
    }

    @Override
    public Map<String, String> writeSlice(Path dir, String sliceName, ComplexSeries series, SubjectMaps maps) throws IOException {
        return ArrayExports.write(dir, sliceName, ".mat", series, maps, ArrayFiles.WriteOptions.defaults().mat(version));
    }
}
