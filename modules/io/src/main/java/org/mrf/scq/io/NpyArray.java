package org.mrf.scq.io;

import org.mrf.scq.core.util.MrfInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy .npy array (format 1.0-3.0, C order) held as raw little-endian bytes plus dtype and
 * shape. Reading never evaluates the header (it is parsed, not executed) and refuses Fortran
 * order, object arrays and big-endian data with a message that says how to re-save the file.
 */
public final class NpyArray {
    /** The element types MRF exports use. */
    public enum DType {
        UINT8("|u1", 1), INT16("<i2", 2), INT32("<i4", 4), INT64("<i8", 8), FLOAT32("<f4", 4), FLOAT64("<f8", 8),
        COMPLEX64("<c8", 8), COMPLEX128("<c16", 16);

        public final String descr;
        public final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        static DType parse(String d) {
            String norm = d.replace("=", "<");
            if (norm.equals("<u1")) return UINT8;
            for (DType t : values()) {
                if (t.descr.equals(norm)) return t;
            }
            return null;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final DType dtype;
    private final int[] shape;
    private final ByteBuffer data;

    private NpyArray(DType dtype, int[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() { return dtype; }
    public int[] shape() { return shape.clone(); }

    public long elements() {
        return NdArray.count(shape);
    }

    public static NpyArray ofFloat(float[] values, int... shape) {
        check(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new NpyArray(DType.FLOAT32, shape.clone(), b);
    }

    public static NpyArray ofBytes(byte[] values, int... shape) {
        check(values.length, shape);
        return new NpyArray(DType.UINT8, shape.clone(), ByteBuffer.wrap(values.clone()));
    }

    public static NpyArray ofShorts(short[] values, int... shape) {
        check(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(values);
        return new NpyArray(DType.INT16, shape.clone(), b);
    }

    public static NpyArray ofDouble(double[] values, int... shape) {
        check(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new NpyArray(DType.FLOAT64, shape.clone(), b);
    }

    /** Interleaved complex64 from separate real and imaginary parts. */
    public static NpyArray ofComplex(float[] re, float[] im, int... shape) {
        check(re.length, shape);
        if (im.length != re.length) throw new IllegalArgumentException("re and im differ in length");
        ByteBuffer b = ByteBuffer.allocate(re.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < re.length; i++) b.putFloat(re[i]).putFloat(im[i]);
        b.flip();
        return new NpyArray(DType.COMPLEX64, shape.clone(), b);
    }

    private static void check(int n, int[] shape) {
        long e = 1;
        for (int s : shape) e *= s;
        if (e != n) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + e + " values, not " + n);
    }

    /** Values as float (real part for complex), converting integer and double types. */
    public float[] toFloat() {
        int n = Math.toIntExact(elements());
        float[] out = new float[n];
        if (dtype == DType.FLOAT32) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        if (dtype == DType.COMPLEX64) {
            complex64Parts(out, null);
            return out;
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case UINT8 -> b.get(i) & 0xff;
                case INT16 -> b.getShort(2 * i);
                case INT32 -> b.getInt(4 * i);
                case INT64 -> b.getLong(8 * i);
                case FLOAT32 -> b.getFloat(4 * i);
                case FLOAT64 -> (float) b.getDouble(8 * i);
                case COMPLEX64 -> b.getFloat(8 * i);
                case COMPLEX128 -> (float) b.getDouble(16 * i);
            };
        }
        return out;
    }

    /** Imaginary parts (zeros for real types). */
    public float[] imagToFloat() {
        int n = Math.toIntExact(elements());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.COMPLEX64) {
            complex64Parts(null, out);
        } else if (dtype == DType.COMPLEX128) {
            for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(16 * i + 8);
        }
        return out;
    }

    /**
     * Real and imaginary parts of a complex64 array, either may be null; one pass over the interleaved data,
     * in chunks on all cores (a paper slice is 1.2 GB).
     */
    public void complex64Parts(float[] re, float[] im) {
        if (dtype != DType.COMPLEX64) throw new IllegalStateException("not complex64: " + dtype);
        int n = Math.toIntExact(elements()), chunk = 1 << 20;
        java.nio.FloatBuffer all = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        java.util.stream.IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(c -> {
            int i0 = c * chunk, i1 = Math.min(n, i0 + chunk);
            float[] buf = new float[2 * (i1 - i0)];
            all.duplicate().position(2 * i0).get(buf);
            for (int i = i0, j = 0; i < i1; i++, j += 2) {
                if (re != null) re[i] = buf[j];
                if (im != null) im[i] = buf[j + 1];
            }
        });
    }

    public boolean isComplex() {
        return dtype == DType.COMPLEX64 || dtype == DType.COMPLEX128;
    }

    /**
     * The .npy format 1.0 header (C order) of an array of {@code dtype} and {@code shape}, padded
     * so the data start on a 64-byte boundary: for writers that stream the data after it.
     */
    public static byte[] header(DType dtype, int... shape) {
        StringBuilder sh = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sh.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': (" + sh + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC, 0, MAGIC.length);
        head.write(1);
        head.write(0);
        head.write(header.length() & 0xff);
        head.write((header.length() >> 8) & 0xff);
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        head.write(text, 0, text.length);
        return head.toByteArray();
    }

    /**
     * Reads a whole .npy stream; {@code source} names the file in error messages. The data are read into one
     * buffer of exactly the size the header gives (no intermediate copies: a paper slice is 1.2 GB).
     */
    public static NpyArray read(InputStream in, String source) throws IOException {
        byte[] prefix = in.readNBytes(12);
        if (prefix.length < 10 || !Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
            throw new MrfInputException(source + ": not a NumPy .npy file (bad magic). Save it with numpy.save().");
        }
        ByteBuffer p = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
        int major = prefix[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = p.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (prefix.length < 12) throw new MrfInputException(source + ": truncated .npy header.");
            headerLen = p.getInt(8);
            start = 12;
        } else {
            throw new MrfInputException(source + ": unsupported .npy format version " + major + ".");
        }
        if (headerLen < 0 || headerLen > 1 << 20) {
            throw new MrfInputException(source + ": .npy header length " + headerLen + " is not plausible (numpy writes a few "
                    + "hundred bytes); the file is damaged or not a .npy file. Save it again with numpy.save().");
        }
        byte[] head = new byte[headerLen];
        int have = Math.min(headerLen, prefix.length - start);
        System.arraycopy(prefix, start, head, 0, have);
        if (have < headerLen && in.readNBytes(head, have, headerLen - have) < headerLen - have) {
            throw new MrfInputException(source + ": truncated .npy header (the header says " + headerLen + " bytes).");
        }
        String header = new String(head, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new MrfInputException(source + ": malformed .npy header '" + header.strip() + "'.");
        }
        DType dtype = DType.parse(d.group(1));
        if (dtype == null) {
            throw new MrfInputException(source + ": dtype '" + d.group(1) + "' is not supported; use one of float32 "
                    + "(<f4), complex64 (<c8), float64, complex128, uint8, int16/32/64, little-endian.");
        }
        if (f.group(1).equals("True")) {
            throw new MrfInputException(source + ": Fortran-ordered array; save it C-ordered "
                    + "(numpy.save(path, numpy.ascontiguousarray(a))).");
        }
        String[] dims = s.group(1).split(",");
        int[] shape = Arrays.stream(dims).map(String::strip).filter(x -> !x.isEmpty()).mapToInt(x -> {
            try {
                return Integer.parseInt(x.replace("L", ""));
            } catch (NumberFormatException e) {
                throw new MrfInputException(source + ": bad shape entry '" + x + "' in .npy header.");
            }
        }).toArray();
        for (int v : shape) {
            if (v < 0) throw new MrfInputException(source + ": negative dimension in shape.");
        }
        long bytes = NdArray.saturatingProduct(NdArray.count(shape), dtype.bytes);
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new MrfInputException(source + ": shape " + Arrays.toString(shape) + " of " + d.group(1) + " is " + bytes
                    + " bytes, more than one array here can hold (2 GB); export one slice per file.");
        }
        // A file stream knows what is left (available()): then the data go straight into one exact buffer.
        // Otherwise the buffer grows with what arrives, so a header claiming gigabytes allocates nothing unread.
        int need = (int) bytes, got;
        byte[] data = new byte[in.available() >= need ? need : Math.min(need, 16 << 20)];
        got = in.readNBytes(data, 0, data.length);
        while (got == data.length && got < need) {
            data = Arrays.copyOf(data, (int) Math.min(need, 2L * data.length));
            got += in.readNBytes(data, got, data.length - got);
        }
        if (got < need) {
            throw new MrfInputException(source + ": truncated .npy data: shape " + Arrays.toString(shape) + " of "
                    + d.group(1) + " needs " + bytes + " bytes, the file has " + got + ".");
        }
        return new NpyArray(dtype, shape, ByteBuffer.wrap(data));
    }

    public void write(OutputStream out) throws IOException {
        out.write(header(dtype, shape));
        ByteBuffer d = data.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        out.write(bytes);
    }
}
