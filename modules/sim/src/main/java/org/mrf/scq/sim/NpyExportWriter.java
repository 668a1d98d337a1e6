package org.mrf.scq.sim;

import org.mrf.scq.io.NpyArray;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NumPy export: {@code <slice>_series.npy} complex64 (T, H, W) and float32 / uint8 (H, W) maps,
 * all C order, little-endian (see COHORT-FORMAT.md). The series is streamed (a 256 x 256 x 2304
 * series is 1.2 GB; an in-memory copy would double that), the small maps go through NpyArray.
 */
public final class NpyExportWriter implements ExportWriter {
    @Override
    public String format() {
        return "npy";
    }

    @Override
    public Map<String, String> writeSlice(Path dir, String sliceName, ComplexSeries series, SubjectMaps maps) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> files = new LinkedHashMap<>();
        int h = maps.height(), w = maps.width();
        files.put("series", writeAtomically(dir, sliceName + "_series.npy", out -> writeComplex64(series, out)));
        files.put("t1_ms", writeAtomically(dir, sliceName + "_t1_ms.npy", out -> NpyArray.ofFloat(maps.t1Ms(), h, w).write(out)));
        files.put("t2_ms", writeAtomically(dir, sliceName + "_t2_ms.npy", out -> NpyArray.ofFloat(maps.t2Ms(), h, w).write(out)));
        files.put("pd", writeAtomically(dir, sliceName + "_pd.npy", out -> NpyArray.ofFloat(maps.pd(), h, w).write(out)));
        files.put("mask", writeAtomically(dir, sliceName + "_mask.npy", out -> NpyArray.ofBytes(maps.mask(), h, w).write(out)));
        files.put("labels", writeAtomically(dir, sliceName + "_labels.npy", out -> NpyArray.ofBytes(maps.labels(), h, w).write(out)));
        return files;
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static String writeAtomically(Path dir, String name, Body body) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            body.write(out);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return name;
    }

    /** NPY format 1.0: magic, version, header length, a Python dict literal padded to 64 bytes, raw data. */
    static void writeComplex64(ComplexSeries s, OutputStream out) throws IOException {
        String dict = "{'descr': '<c8', 'fortran_order': False, 'shape': (" + s.timepoints() + ", " + s.height() + ", "
                + s.width() + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        out.write(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = header.length();
        out.write(len & 0xff);
        out.write(len >>> 8);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        float[] re = s.re(), im = s.im();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < re.length; i++) {
            if (buf.remaining() < 8) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(re[i]).putFloat(im[i]);
        }
        out.write(buf.array(), 0, buf.position());
    }
}
