package org.mrf.scq.sim;

import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader for the bundled 2D phantoms. They are stored Fortran-ordered (column-major), which the
 * general {@code NpyArray} reader rejects for scanner exports on purpose; here the layout is known,
 * so the arrays are transposed to C order on load. Only {@code |u1} and {@code <f4} are needed.
 */
record BundledNpy(int rows, int cols, float[] values) {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)");

    static BundledNpy resource(String file) {
        String path = "/org/mrf/scq/sim/phantoms/" + file;
        try (InputStream in = BundledNpy.class.getResourceAsStream(path)) {
            if (in == null) throw new MrfInputException("bundled phantom " + file + " is missing from the mrf-sim jar; rebuild mrf-sim");
            return parse(in.readAllBytes(), file);
        } catch (IOException e) {
            throw new MrfInputException("bundled phantom " + file + ": " + e.getMessage(), e);
        }
    }

    static BundledNpy parse(byte[] all, String file) {
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 12 || all[0] != (byte) 0x93 || all[1] != 'N') throw new MrfInputException(file + ": not a .npy file");
        int major = all[6];
        int headerLen = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new MrfInputException(file + ": expected a 2D .npy header, got " + header.trim());
        int rows = Integer.parseInt(s.group(1)), cols = Integer.parseInt(s.group(2));
        boolean fortran = f.group(1).equals("True");
        int data = start + headerLen, n = rows * cols;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Element i of the file is (r, c) = (i % rows, i / rows) when Fortran-ordered.
            int dst = fortran ? (i % rows) * cols + i / rows : i;
            v[dst] = switch (d.group(1)) {
                case "|u1" -> all[data + i] & 0xff;
                case "<f4" -> b.getFloat(data + 4 * i);
                default -> throw new MrfInputException(file + ": dtype " + d.group(1) + " not supported for bundled phantoms");
            };
        }
        return new BundledNpy(rows, cols, v);
    }
}
