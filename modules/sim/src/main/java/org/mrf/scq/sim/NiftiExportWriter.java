package org.mrf.scq.sim;

import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.Nifti;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * NIfTI-1 export: {@code <slice>_series.nii.gz} complex64 4D {@code [W, H, 1, T]} (our (T, H, W)),
 * float32 {@code [W, H]} maps and uint8 mask / labels, one file per role (layout mapping:
 * {@link Nifti}). {@code gzip = false} writes plain {@code .nii}. The header's pixel size comes
 * from {@link #withFov}; the default is the simulator's 300 mm FOV.
 */
public final class NiftiExportWriter implements ExportWriter {
    private final boolean gzip;
    private final double fovMm;

    public NiftiExportWriter() {
        this(true, 300.0);
    }

    public NiftiExportWriter(boolean gzip, double fovMm) {
        this.gzip = gzip;
        this.fovMm = fovMm;
    }

    public NiftiExportWriter withFov(double mm) {
        return new NiftiExportWriter(gzip, mm);
    }

    @Override
    public String format() {
        return gzip ? "nifti" : "nii";
    }

    @Override
    public Map<String, String> writeSlice(Path dir, String sliceName, ComplexSeries series, SubjectMaps maps) throws IOException {
        Nifti.Options n = Nifti.Options.fov(fovMm, fovMm);
        n.description = "mrf-scq simulated cohort";
        return ArrayExports.write(dir, sliceName, gzip ? ".nii.gz" : ".nii", series, maps,
                ArrayFiles.WriteOptions.defaults().nifti(n));
    }
}
