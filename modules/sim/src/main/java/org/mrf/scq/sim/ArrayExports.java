package org.mrf.scq.sim;

import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared by the NIfTI and MAT writers: slice arrays as {@link NdArray}s, one file per role, written atomically. */
final class ArrayExports {
    private ArrayExports() {
    }

    /** The roles every writer produces, in manifest order. */
    static final List<String> ROLES = List.of("series", "t1_ms", "t2_ms", "pd", "mask", "labels");

    /** The arrays of one slice by role, named after the role (the MAT variable name); arrays are not copied. */
    static Map<String, NdArray> arrays(ComplexSeries series, SubjectMaps maps) {
        int h = maps.height(), w = maps.width();
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("series", NdArray.complex("series", series.re(), series.im(), series.timepoints(), series.height(), series.width()));
        m.put("t1_ms", NdArray.real("t1_ms", maps.t1Ms(), h, w));
        m.put("t2_ms", NdArray.real("t2_ms", maps.t2Ms(), h, w));
        m.put("pd", NdArray.real("pd", maps.pd(), h, w));
        m.put("mask", NdArray.of("mask", NdArray.ElementType.UINT8, unsigned(maps.mask()), null, h, w));
        m.put("labels", NdArray.of("labels", NdArray.ElementType.UINT8, unsigned(maps.labels()), null, h, w));
        return m;
    }

    static float[] unsigned(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i] & 0xff;
        return f;
    }

    /**
     * Writes every role to {@code <sliceName>_<role><extension>} through {@link ArrayFiles} (the
     * extension picks the format), under a temporary name renamed when complete.
     */
    static Map<String, String> write(Path dir, String sliceName, String extension, ComplexSeries series, SubjectMaps maps,
                                     ArrayFiles.WriteOptions options) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, NdArray> e : arrays(series, maps).entrySet()) {
            String name = sliceName + "_" + e.getKey() + extension;
            Path tmp = dir.resolve("." + name + ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                ArrayFiles.write(out, name, List.of(e.getValue()), options);
            }
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            files.put(e.getKey(), name);
        }
        return files;
    }
}
