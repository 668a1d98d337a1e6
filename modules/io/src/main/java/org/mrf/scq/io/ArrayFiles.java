package org.mrf.scq.io;

import org.mrf.scq.core.util.MrfInputException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One way to load and save an array export, whatever its format, chosen by the file name's
 * extension: {@code .npy} (NumPy), {@code .nii} / {@code .nii.gz} (NIfTI-1), {@code .mat}
 * (MATLAB v5/v7 or v7.3, detected from the header) and {@code .h5} / {@code .hdf5} (plain HDF5 read
 * with the MATLAB v7.3 conventions). Every reader returns {@link NdArray}s in C order with the
 * canonical MRF layout: a series is {@code (T, H, W)}, a map {@code (H, W)}; see {@link Nifti} and
 * {@link MatFiles} for how each format's own layout maps onto it.
 *
 * <p>Streams are taken as they are (for Hadoop FileSystem streams) and not closed; the
 * {@code source}/{@code target} string names the file in every error, and its extension picks
 * the format. Bad input always ends in {@link MrfInputException} whose message names the file,
 * the problem and what to do.
 */
public final class ArrayFiles {
    /** The formats, by extension. */
    public enum Format {
        NPY(".npy"), NIFTI(".nii"), NIFTI_GZ(".nii.gz"), MAT(".mat"), HDF5(".h5");

        public final String extension;

        Format(String extension) {
            this.extension = extension;
        }
    }

    /** Writer settings; the defaults suit MRF series and maps. */
    public static final class WriteOptions {
        /** NIfTI header settings (FOV, slice thickness, frame time, on-disk type). */
        public Nifti.Options nifti = new Nifti.Options();
        /** MAT-file flavour for .mat (v5 by default; v7.3 for variables beyond v5's 2 GB limit). */
        public MatFiles.Version matVersion = MatFiles.Version.V5;

        public static WriteOptions defaults() {
            return new WriteOptions();
        }

        public WriteOptions nifti(Nifti.Options o) {
            this.nifti = o;
            return this;
        }

        public WriteOptions mat(MatFiles.Version v) {
            this.matVersion = v;
            return this;
        }
    }

    private ArrayFiles() {
    }

    /** The format a file name stands for. */
    public static Format formatOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".npy")) return Format.NPY;
        if (n.endsWith(".nii.gz")) return Format.NIFTI_GZ;
        if (n.endsWith(".nii")) return Format.NIFTI;
        if (n.endsWith(".mat")) return Format.MAT;
        if (n.endsWith(".h5") || n.endsWith(".hdf5")) return Format.HDF5;
        throw new MrfInputException(name + ": unknown array file type; use one of .npy, .nii, .nii.gz, .mat (MATLAB v5/v7/"
                + "v7.3) or .h5 (name the file with its format's extension).");
    }

    // ------------------------------------------------------------------ reading

    /** Reads the only array of a file (for .mat: the only numeric variable). */
    public static NdArray read(Path path) throws IOException {
        return read(path, null);
    }

    /** Reads an array; {@code variable} picks a MAT/HDF5 variable and may be null when there is one (ignored otherwise). */
    public static NdArray read(Path path, String variable) throws IOException {
        try (InputStream in = open(path)) {
            return read(in, path.toString(), variable);
        }
    }

    /**
     * Reads an array from a stream; {@code source} (the file name or URI) selects the format by its
     * extension and names the file in errors. For .npy and NIfTI the array is named after the
     * file ({@code maps/t1.nii.gz} gives {@code t1}); for MAT/HDF5 after the variable.
     */
    public static NdArray read(InputStream in, String source, String variable) throws IOException {
        Format f = formatOf(source);
        return switch (f) {
            case NPY -> NdArray.fromNpy(Nifti.baseName(source), NpyArray.read(in, source));
            case NIFTI, NIFTI_GZ -> Nifti.read(in, source);
            case MAT, HDF5 -> MatFiles.read(in, source, variable);
        };
    }

    /** Every array of a file by name (one entry for .npy/NIfTI; every numeric variable for MAT/HDF5). */
    public static Map<String, NdArray> readAll(InputStream in, String source) throws IOException {
        Format f = formatOf(source);
        if (f == Format.MAT || f == Format.HDF5) return MatFiles.readAll(in, source);
        NdArray a = read(in, source, null);
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put(a.name(), a);
        return m;
    }

    public static Map<String, NdArray> readAll(Path path) throws IOException {
        try (InputStream in = open(path)) {
            return readAll(in, path.toString());
        }
    }

    private static InputStream open(Path path) throws IOException {
        try {
            return new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new MrfInputException(path + ": no such file; check the path (and that the export finished).", e);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes one array to a file whose extension picks the format. */
    public static void write(Path path, NdArray array) throws IOException {
        write(path, List.of(array), WriteOptions.defaults());
    }

    /** Writes arrays to a file (several only for .mat); the parent directory is created if missing. */
    public static void write(Path path, List<NdArray> arrays, WriteOptions opt) throws IOException {
        formatOf(path.toString());
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
            write(out, path.toString(), arrays, opt);
        }
    }

    /** Writes arrays to a stream (not closed); {@code target}'s extension picks the format. */
    public static void write(OutputStream out, String target, List<NdArray> arrays, WriteOptions opt) throws IOException {
        Format f = formatOf(target);
        if (arrays.isEmpty()) throw new IllegalArgumentException(target + ": nothing to write");
        if (f != Format.MAT && arrays.size() > 1) {
            throw new MrfInputException(target + ": " + f.extension + " holds one array, " + arrays.size() + " were given ("
                    + String.join(", ", arrays.stream().map(NdArray::name).toList()) + "); write them to separate files or to "
                    + "one .mat file.");
        }
        NdArray a = arrays.get(0);
        switch (f) {
            case NPY -> a.toNpy().write(out);
            case NIFTI -> Nifti.write(a, out, opt.nifti);
            case NIFTI_GZ -> Nifti.writeGzip(a, out, opt.nifti);
            case MAT -> MatFiles.write(arrays, out, target, opt.matVersion);
            case HDF5 -> MatFiles.write(arrays, out, target, MatFiles.Version.V73);
        }
        out.flush();
    }

    // ------------------------------------------------------------------ checks for callers

    /**
     * Checks an array's shape: {@code expected} gives one entry per axis, -1 for "any size".
     * {@code layout} names the axes for the message, e.g. {@code "(T, H, W)"}.
     */
    public static NdArray requireShape(NdArray a, String source, String layout, int... expected) {
        boolean ok = a.rank() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) ok = expected[i] < 0 || expected[i] == a.dim(i);
        if (!ok) {
            String want = Arrays.toString(Arrays.stream(expected).mapToObj(v -> v < 0 ? "*" : Integer.toString(v)).toArray());
            throw new MrfInputException(source + ": array '" + a.name() + "' has shape " + Arrays.toString(a.shape())
                    + " but " + want + " " + layout + " is expected. Re-export it in that layout (a MATLAB series is "
                    + "[H W T], NIfTI [W H 1 T] (x fastest), NumPy (T, H, W) C order).");
        }
        return a;
    }

    /** Checks that an array is complex (an MRF image series must be). */
    public static NdArray requireComplex(NdArray a, String source) {
        if (!a.isComplex()) {
            throw new MrfInputException(source + ": array '" + a.name() + "' is real (" + a.elementType() + ") but a complex "
                    + "MRF image series is expected. Export the complex images (not magnitudes), e.g. complex64.");
        }
        return a;
    }
}
