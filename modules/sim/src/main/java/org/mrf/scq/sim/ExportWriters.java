package org.mrf.scq.sim;

import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MatFiles;

import java.util.List;
import java.util.Locale;

/** Export writers by format name, for {@code --format}. */
public final class ExportWriters {
    /** Accepted names: npy (NumPy), nifti (.nii.gz), nii (uncompressed NIfTI), mat (MAT v5), mat73 (MAT v7.3 / HDF5). */
    public static final List<String> NAMES = List.of("npy", "nifti", "nii", "mat", "mat73");

    private ExportWriters() {
    }

    public static ExportWriter forName(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "npy" -> new NpyExportWriter();
            case "nifti", "nii.gz" -> new NiftiExportWriter(true, 300.0);
            case "nii" -> new NiftiExportWriter(false, 300.0);
            case "mat", "mat5", "mat-v5" -> new MatExportWriter(MatFiles.Version.V5);
            case "mat73", "mat-v7.3", "mat7.3" -> new MatExportWriter(MatFiles.Version.V73);
            default -> throw new MrfInputException("export format '" + name + "' is unknown: use one of " + String.join(", ", NAMES)
                    + " (npy = NumPy .npy, nifti = .nii.gz, nii = uncompressed NIfTI, mat = MATLAB v5, mat73 = MATLAB v7.3).");
        };
    }
}
