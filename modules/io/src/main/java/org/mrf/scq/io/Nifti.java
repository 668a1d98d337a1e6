package org.mrf.scq.io;

import org.mrf.scq.core.util.MrfInputException;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * NIfTI-1 single-file images ({@code .nii}, and {@code .nii.gz} through gzip) read and written.
 *
 * <h2>Layout mapping (C-order arrays &lt;-&gt; NIfTI)</h2>
 * NIfTI stores voxels with x fastest, then y, z, t. Our arrays are C order (last axis fastest),
 * so the NIfTI dims are our shape reversed and the voxel bytes are in the same order: no
 * transposition ever happens, and a write followed by a read gives identical arrays.
 * <ul>
 *   <li>2D map {@code (H, W)} &lt;-&gt; {@code dim = [2, W, H]}: x = column w, y = row h.</li>
 *   <li>MRF series {@code (T, H, W)} &lt;-&gt; 4D {@code dim = [4, W, H, 1, T]} (x = w, y = h, one
 *       slice, t = time point), the standard NIfTI layout of a single-slice time series. This is
 *       the default for rank-3 arrays ({@link Options#rank3AsSeries}); with it off a rank-3
 *       array {@code (D, H, W)} is written as the 3D volume {@code dim = [3, W, H, D]}.</li>
 *   <li>Rank 4 {@code (T, D, H, W)} &lt;-&gt; {@code dim = [4, W, H, D, T]}.</li>
 *   <li>Reading: {@code dim[0] = n}; a 4D image with {@code nz = 1} becomes {@code (T, H, W)};
 *       otherwise the shape is the dims reversed ({@code (nz, ny, nx)}, {@code (nt, nz, ny, nx)},
 *       up to 7D). Trailing singleton dims are kept as written, so {@code (1, H, W)} round-trips.
 *       The only lossy case: a rank-4 {@code (T, 1, H, W)} reads back as {@code (T, H, W)}.</li>
 * </ul>
 * Row h of the array is voxel index j = h (no flip); the written qform/sform map voxel (i, j, k)
 * to scanner millimetres {@code x = (i - (nx-1)/2) dx}, {@code y = (j - (ny-1)/2) dy},
 * {@code z = k dz} (identity rotation, image centred on the isocentre).
 *
 * <h2>Types</h2>
 * Read: uint8 (2), int16 (4), int32 (8), float32 (16), complex64 (32), float64 (64),
 * complex128 (1792), either byte order; {@code scl_slope}/{@code scl_inter} are applied to real
 * types when {@code scl_slope} is neither 0 nor (1, 0). Written (little-endian, vox_offset 352,
 * magic {@code n+1}): uint8, int16, float32, complex64 (chosen from
 * {@link NdArray#elementType()} unless {@link Options#type} overrides it; float64 is written as
 * float32). Integer types are rounded and clamped; NaN becomes 0 there.
 */
public final class Nifti {
    public static final int HEADER_SIZE = 348;
    public static final int VOX_OFFSET = 352;

    public static final short DT_UINT8 = 2, DT_INT16 = 4, DT_INT32 = 8, DT_FLOAT32 = 16, DT_COMPLEX64 = 32,
            DT_FLOAT64 = 64, DT_COMPLEX128 = 1792;

    private Nifti() {
    }

    /** What the writer puts in the header besides the data. */
    public static final class Options {
        /** Field of view along x (columns, W) and y (rows, H) in millimetres; pixdim = FOV / matrix. */
        public double fovXmm = 300.0, fovYmm = 300.0;
        /** Slice thickness (pixdim[3]) in millimetres. */
        public double sliceThicknessMm = 5.0;
        /** Time between frames (pixdim[4]) in milliseconds. */
        public double frameMs = 1.0;
        /** Write a rank-3 array (T, H, W) as a 4D series [W, H, 1, T] (default) rather than a 3D volume. */
        public boolean rank3AsSeries = true;
        /** On-disk type; null: from the array's element type. */
        public NdArray.ElementType type;
        /** Free text (80 bytes at most, ASCII) for the descrip field. */
        public String description = "mrf-scq";

        public static Options fov(double xMm, double yMm) {
            Options o = new Options();
            o.fovXmm = xMm;
            o.fovYmm = yMm;
            return o;
        }

        public Options type(NdArray.ElementType t) {
            this.type = t;
            return this;
        }

        public Options volume() {
            this.rank3AsSeries = false;
            return this;
        }
    }

    /** A parsed header (the fields this package uses). */
    public record Header(ByteOrder order, int[] dim, short datatype, short bitpix, float[] pixdim, float voxOffset,
                         float sclSlope, float sclInter, short qformCode, short sformCode, String magic,
                         String description) {
        public int rank() { return dim[0]; }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a .nii or .nii.gz (gzip is detected from its magic bytes, not the name). */
    public static NdArray read(InputStream in, String source) throws IOException {
        return read(in, source, baseName(source));
    }

    /** As {@link #read(InputStream, String)}, naming the array {@code name}. */
    public static NdArray read(InputStream in, String source, String name) throws IOException {
        byte[] all = readMaybeGzip(in, source);
        return decode(all, source, name);
    }

    static byte[] readMaybeGzip(InputStream in, String source) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in);
        b.mark(2);
        int m0 = b.read(), m1 = b.read();
        b.reset();
        if (m0 == 0x1f && m1 == 0x8b) {
            try (GZIPInputStream gz = new GZIPInputStream(b, 1 << 16)) {
                return gz.readAllBytes();
            } catch (java.io.EOFException | java.util.zip.ZipException e) {
                throw new MrfInputException(source + ": the gzip stream is corrupt or truncated (" + e.getMessage()
                        + "); re-export or re-compress the file (gzip -t " + source + " checks it).", e);
            }
        }
        // A file stream knows what is left: read into one buffer of that size (readAllBytes would hold the data
        // twice while it assembles its result, 2.4 GB for a paper slice).
        int avail = b.available();
        if (avail > 1 << 20) {
            byte[] all = new byte[avail];
            int got = b.readNBytes(all, 0, avail);
            byte[] rest = b.readAllBytes();
            if (got == avail && rest.length == 0) return all;
            byte[] joined = java.util.Arrays.copyOf(all, got + rest.length);
            System.arraycopy(rest, 0, joined, got, rest.length);
            return joined;
        }
        return b.readAllBytes();
    }

    /** Parses and checks the 348-byte header at the start of {@code bytes}. */
    public static Header parseHeader(byte[] bytes, String source) {
        if (bytes.length < HEADER_SIZE) {
            throw new MrfInputException(source + ": truncated NIfTI header: " + bytes.length + " bytes, a NIfTI-1 header "
                    + "needs " + HEADER_SIZE + ". The file is cut short; copy or export it again.");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int le = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int be = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        ByteOrder order;
        if (le == HEADER_SIZE) order = ByteOrder.LITTLE_ENDIAN;
        else if (be == HEADER_SIZE) order = ByteOrder.BIG_ENDIAN;
        else if (le == 540 || be == 540) {
            throw new MrfInputException(source + ": this is a NIfTI-2 file (sizeof_hdr 540); only NIfTI-1 is read. Convert "
                    + "it to NIfTI-1 (e.g. nibabel: nib.save(nib.Nifti1Image(img.get_fdata(), img.affine), 'out.nii')).");
        } else {
            throw new MrfInputException(source + ": not a NIfTI-1 file: sizeof_hdr is " + le + ", expected 348 (bad magic). "
                    + "Check the file type; .nii/.nii.gz must be single-file NIfTI-1.");
        }
        b.order(order);
        String magic = new String(bytes, 344, 4, StandardCharsets.ISO_8859_1);
        if (magic.startsWith("ni1")) {
            throw new MrfInputException(source + ": magic 'ni1' is a two-file NIfTI (.hdr/.img) header; save the image as a "
                    + "single .nii file (magic 'n+1').");
        }
        if (!magic.equals("n+1\0")) {
            throw new MrfInputException(source + ": bad NIfTI magic '" + printable(magic) + "' at byte 344, expected 'n+1'. "
                    + "The file is not single-file NIfTI-1 (an ANALYZE 7.5 .hdr is not accepted); re-save it as NIfTI-1.");
        }
        int[] dim = new int[8];
        for (int i = 0; i < 8; i++) dim[i] = b.getShort(40 + 2 * i);
        if (dim[0] < 1 || dim[0] > 7) {
            throw new MrfInputException(source + ": NIfTI field dim[0] = " + dim[0] + " is not a rank between 1 and 7; the "
                    + "header is corrupt.");
        }
        for (int i = 1; i <= dim[0]; i++) {
            if (dim[i] < 1) {
                throw new MrfInputException(source + ": NIfTI field dim[" + i + "] = " + dim[i] + " must be at least 1; "
                        + "the header is corrupt.");
            }
        }
        float[] pixdim = new float[8];
        for (int i = 0; i < 8; i++) pixdim[i] = b.getFloat(76 + 4 * i);
        short datatype = b.getShort(70);
        short bitpix = b.getShort(72);
        float vox = b.getFloat(108);
        String descr = cString(bytes, 148, 80);
        return new Header(order, dim, datatype, bitpix, pixdim, vox, b.getFloat(112), b.getFloat(116), b.getShort(252),
                b.getShort(254), magic, descr);
    }

    static NdArray decode(byte[] all, String source, String name) {
        Header h = parseHeader(all, source);
        int bytesPer = switch (h.datatype()) {
            case DT_UINT8 -> 1;
            case DT_INT16 -> 2;
            case DT_INT32, DT_FLOAT32 -> 4;
            case DT_FLOAT64, DT_COMPLEX64 -> 8;
            case DT_COMPLEX128 -> 16;
            default -> throw new MrfInputException(source + ": NIfTI datatype " + h.datatype() + " (" + typeName(h.datatype())
                    + ") is not supported; re-save the image as float32 (16), complex64 (32), float64 (64), int16 (4) or "
                    + "uint8 (2).");
        };
        if (h.bitpix() != bytesPer * 8) {
            throw new MrfInputException(source + ": NIfTI bitpix " + h.bitpix() + " does not match datatype " + h.datatype()
                    + " (" + typeName(h.datatype()) + ", " + bytesPer * 8 + " bits); the header is inconsistent, re-save it.");
        }
        int rank = h.rank();
        int[] d = Arrays.copyOfRange(h.dim(), 1, rank + 1);
        int[] shape;
        if (rank == 4 && d[2] == 1) shape = new int[]{d[3], d[1], d[0]};
        else {
            shape = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = d[rank - 1 - i];
        }
        long n = NdArray.count(shape);
        long off = (long) h.voxOffset();
        if (h.voxOffset() < HEADER_SIZE || h.voxOffset() != off) {
            throw new MrfInputException(source + ": NIfTI vox_offset " + h.voxOffset() + " must be an integer of at least 352 "
                    + "for a single-file image; the header is corrupt.");
        }
        long need = NdArray.saturatingProduct(n, bytesPer);
        if (need > Integer.MAX_VALUE - 16) {
            throw new MrfInputException(source + ": NIfTI dims " + Arrays.toString(d) + " of " + typeName(h.datatype())
                    + " are too large to load at once (2 GB at most); split the image (e.g. per slice) before ingest.");
        }
        if (all.length - off < need) {
            throw new MrfInputException(source + ": truncated NIfTI data: dims " + Arrays.toString(d) + " of "
                    + typeName(h.datatype()) + " need " + need + " bytes after vox_offset " + off + ", the file has "
                    + Math.max(0, all.length - off) + ". Copy or export the file again.");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(h.order());
        int count = (int) n;
        float[] re = new float[count];
        float[] im = null;
        int o = (int) off;
        NdArray.ElementType type;
        switch (h.datatype()) {
            case DT_UINT8 -> {
                for (int i = 0; i < count; i++) re[i] = all[o + i] & 0xff;
                type = NdArray.ElementType.UINT8;
            }
            case DT_INT16 -> {
                for (int i = 0; i < count; i++) re[i] = b.getShort(o + 2 * i);
                type = NdArray.ElementType.INT16;
            }
            case DT_INT32 -> {
                for (int i = 0; i < count; i++) re[i] = b.getInt(o + 4 * i);
                type = NdArray.ElementType.INT32;
            }
            case DT_FLOAT32 -> {
                b.position(o);
                b.slice().order(h.order()).asFloatBuffer().get(re, 0, count);
                type = NdArray.ElementType.FLOAT32;
            }
            case DT_FLOAT64 -> {
                for (int i = 0; i < count; i++) re[i] = (float) b.getDouble(o + 8 * i);
                type = NdArray.ElementType.FLOAT64;
            }
            case DT_COMPLEX64 -> {
                im = new float[count];
                for (int i = 0; i < count; i++) {
                    re[i] = b.getFloat(o + 8 * i);
                    im[i] = b.getFloat(o + 8 * i + 4);
                }
                type = NdArray.ElementType.COMPLEX64;
            }
            default -> { // complex128
                im = new float[count];
                for (int i = 0; i < count; i++) {
                    re[i] = (float) b.getDouble(o + 16 * i);
                    im[i] = (float) b.getDouble(o + 16 * i + 8);
                }
                type = NdArray.ElementType.COMPLEX128;
            }
        }
        float slope = h.sclSlope(), inter = h.sclInter();
        if (im == null && slope != 0f && Float.isFinite(slope) && Float.isFinite(inter) && !(slope == 1f && inter == 0f)) {
            for (int i = 0; i < count; i++) re[i] = re[i] * slope + inter;
            type = NdArray.ElementType.FLOAT32;
        }
        return NdArray.of(name, type, re, im, shape);
    }

    // ---------------------------------------------------------------- writing

    /** Writes a single-file NIfTI-1 (.nii) with default {@link Options}. */
    public static void write(NdArray a, OutputStream out) throws IOException {
        write(a, out, new Options());
    }

    /** Writes a single-file NIfTI-1 (.nii). Wrap {@code out} yourself or use {@link #writeGzip} for .nii.gz. */
    public static void write(NdArray a, OutputStream out, Options opt) throws IOException {
        NdArray.ElementType t = opt.type != null ? opt.type : a.elementType();
        short datatype;
        int bytesPer;
        if (a.isComplex()) {
            if (t != NdArray.ElementType.COMPLEX64 && t != NdArray.ElementType.COMPLEX128) {
                throw new IllegalArgumentException("complex array " + a.name() + " cannot be written as " + t);
            }
            datatype = DT_COMPLEX64;
            bytesPer = 8;
        } else {
            switch (t) {
                case UINT8 -> { datatype = DT_UINT8; bytesPer = 1; }
                case INT16 -> { datatype = DT_INT16; bytesPer = 2; }
                case FLOAT32, FLOAT64, INT32 -> { datatype = DT_FLOAT32; bytesPer = 4; }
                default -> throw new IllegalArgumentException("real array " + a.name() + " cannot be written as " + t);
            }
        }
        int[] s = a.shape();
        int[] dims; // x, y, z, t ...
        if (s.length == 0) dims = new int[]{1};
        else if (s.length == 3 && opt.rank3AsSeries) dims = new int[]{s[2], s[1], 1, s[0]};
        else {
            if (s.length > 7) throw new IllegalArgumentException("NIfTI holds at most 7 dimensions, not " + s.length);
            dims = new int[s.length];
            for (int i = 0; i < s.length; i++) dims[i] = s[s.length - 1 - i];
        }
        for (int v : dims) {
            if (v > Short.MAX_VALUE) throw new IllegalArgumentException("dimension " + v + " exceeds NIfTI-1's 32767");
        }
        out.write(header(dims, datatype, (short) (bytesPer * 8), opt));
        int n = a.size();
        float[] re = a.re(), im = a.im();
        int chunk = 1 << 14;
        ByteBuffer buf = ByteBuffer.allocate(chunk * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < n; start += chunk) {
            int end = Math.min(n, start + chunk);
            buf.clear();
            for (int i = start; i < end; i++) {
                switch (datatype) {
                    case DT_UINT8 -> buf.put((byte) NdArray.clampRound(re[i], 0, 255));
                    case DT_INT16 -> buf.putShort((short) NdArray.clampRound(re[i], Short.MIN_VALUE, Short.MAX_VALUE));
                    case DT_FLOAT32 -> buf.putFloat(re[i]);
                    default -> buf.putFloat(re[i]).putFloat(im[i]);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
        out.flush();
    }

    /** Writes a gzip-compressed single-file NIfTI-1 (.nii.gz). {@code out} is finished, not closed. */
    public static void writeGzip(NdArray a, OutputStream out, Options opt) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(new NonClosing(out), 1 << 16) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED); // float noise barely compresses; favour speed
            }
        };
        write(a, gz, opt);
        gz.finish();
        gz.flush();
    }

    /** The 352 bytes before the voxel data: the 348-byte header plus an empty extension flag. */
    static byte[] header(int[] dims, short datatype, short bitpix, Options opt) {
        ByteBuffer b = ByteBuffer.allocate(VOX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, HEADER_SIZE);
        b.put(38, (byte) 'r'); // regular
        b.putShort(40, (short) dims.length);
        for (int i = 0; i < 7; i++) b.putShort(42 + 2 * i, (short) (i < dims.length ? dims[i] : 1));
        b.putShort(70, datatype);
        b.putShort(72, bitpix);
        int nx = dims[0], ny = dims.length > 1 ? dims[1] : 1;
        float dx = (float) (opt.fovXmm / nx), dy = (float) (opt.fovYmm / ny), dz = (float) opt.sliceThicknessMm;
        float[] pix = {1f, dx, dy, dz, (float) opt.frameMs, 1f, 1f, 1f};
        for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, pix[i]);
        b.putFloat(108, VOX_OFFSET);
        b.putFloat(112, 1f); // scl_slope
        b.putFloat(116, 0f); // scl_inter
        b.put(123, (byte) (2 | 16)); // xyzt_units: NIFTI_UNITS_MM | NIFTI_UNITS_MSEC
        byte[] d = opt.description == null ? new byte[0] : opt.description.getBytes(StandardCharsets.US_ASCII);
        b.put(148, d, 0, Math.min(79, d.length));
        float ox = -(nx - 1) * dx / 2f, oy = -(ny - 1) * dy / 2f, oz = 0f;
        b.putShort(252, (short) 1); // qform_code: NIFTI_XFORM_SCANNER_ANAT
        b.putShort(254, (short) 1); // sform_code
        // quatern_b/c/d = 0: identity rotation
        b.putFloat(268, ox).putFloat(272, oy).putFloat(276, oz);
        float[] srow = {dx, 0, 0, ox, 0, dy, 0, oy, 0, 0, dz, oz};
        for (int i = 0; i < 12; i++) b.putFloat(280 + 4 * i, srow[i]);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        // bytes 348..351: extension flag 0 (no extensions)
        return b.array();
    }

    // ---------------------------------------------------------------- helpers

    static String typeName(short dt) {
        return switch (dt) {
            case 0 -> "unknown";
            case 1 -> "binary";
            case DT_UINT8 -> "uint8";
            case DT_INT16 -> "int16";
            case DT_INT32 -> "int32";
            case DT_FLOAT32 -> "float32";
            case DT_COMPLEX64 -> "complex64";
            case DT_FLOAT64 -> "float64";
            case 128 -> "rgb24";
            case 256 -> "int8";
            case 512 -> "uint16";
            case 768 -> "uint32";
            case 1024 -> "int64";
            case 1280 -> "uint64";
            case 1536 -> "float128";
            case DT_COMPLEX128 -> "complex128";
            case 2048 -> "complex256";
            case 2304 -> "rgba32";
            default -> "not a NIfTI datatype code";
        };
    }

    static String baseName(String source) {
        String s = source.replace('\\', '/');
        s = s.substring(s.lastIndexOf('/') + 1);
        for (String ext : new String[]{".nii.gz", ".nii", ".npy", ".mat"}) {
            if (s.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) return s.substring(0, s.length() - ext.length());
        }
        return s;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 32 && c < 127) sb.append(c);
            else sb.append(String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    /** Decodes a byte array already in memory (gzip detected). */
    public static NdArray read(byte[] bytes, String source) throws IOException {
        return read(new ByteArrayInputStream(bytes), source);
    }

    /** Keeps a wrapping stream's close() from closing the caller's stream. */
    static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
