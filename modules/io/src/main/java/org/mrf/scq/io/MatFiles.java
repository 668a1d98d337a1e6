package org.mrf.scq.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import org.mrf.scq.core.util.MrfInputException;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sinks;
import us.hebi.matlab.mat.types.Sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * MATLAB MAT-files: version 5 (what {@code save -v6/-v7} writes; read and written through
 * mfl-core) and version 7.3 (HDF5 with a 512-byte user block; read and written through jhdf).
 *
 * <h2>Layout mapping (MATLAB column-major &lt;-&gt; our C order)</h2>
 * A MATLAB variable of size {@code [d1 d2 d3 ... dn]} (d1 rows, d2 columns) becomes the C-order
 * array of shape {@code (dn, ..., d3, d1, d2)} with {@code A(i1, i2, i3, ..., in)} (1-based in
 * MATLAB) at index {@code (in-1, ..., i3-1, i1-1, i2-1)}. Thus the usual MRF series
 * {@code [H W T]} is our {@code (T, H, W)}, a map {@code [H W]} is {@code (H, W)} (MATLAB rows are
 * our rows), and {@code [H W D T]} is {@code (T, D, H, W)}. Writing applies the inverse, so a
 * round trip gives identical arrays. Edge cases: MATLAB has no rank below 2, so a rank-1 array
 * {@code (N)} is written as the row vector {@code [1 N]} and reads back as {@code (1, N)}, and a
 * scalar as {@code [1 1]}; MATLAB itself drops trailing singleton dims ({@code (1, H, W)} saved
 * from MATLAB reads back as {@code (H, W)}; our own writer keeps them).
 *
 * <p>In a v7.3 file MATLAB stores the column-major data as an HDF5 dataset whose dims are the
 * MATLAB dims reversed ({@code [H W T]} appears in HDF5 as {@code (T, W, H)}); the reader applies
 * that, and so does the writer. Every .mat file, v5 or v7.3 (or plain HDF5 without the user
 * block), is read with this MATLAB convention.
 *
 * <h2>Types</h2>
 * Read: single, double, logical, int8/uint8, int16/uint16, int32/uint32, int64/uint64, real or
 * complex (v7.3 complex: a compound of {@code real} and {@code imag}), converted to float;
 * {@link NdArray#elementType()} records single (FLOAT32/COMPLEX64), double (FLOAT64/COMPLEX128),
 * uint8/logical (UINT8), int16 (INT16), other integers (INT32). Cells, structs, char arrays,
 * sparse and objects are listed but not read. Written, v5 and v7.3 alike: single (FLOAT32 and
 * INT32 arrays), double, uint8, int16, complex single and complex double.
 *
 * <p><b>v7.3 writing</b>: jhdf 0.9.x can write plain HDF5 (primitive arrays, groups, attributes)
 * but neither compound types (MATLAB's complex layout) nor a user block, so v7.3 files are
 * written by the small {@link Hdf5Writer} of this package (original HDF5 file format, contiguous
 * uncompressed datasets, 512-byte MATLAB header, {@code MATLAB_class} attributes); jhdf reads.
 */
public final class MatFiles {
    /** MAT-file flavours this class writes. */
    public enum Version { V5, V73 }

    /** A variable in a MAT-file: name, MATLAB class, MATLAB dims, complex flag, and whether {@link #read} can load it. */
    public record VariableInfo(String name, String matlabClass, int[] matlabDims, boolean complex, boolean numeric) {
        @Override
        public String toString() {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < matlabDims.length; i++) d.append(i == 0 ? "" : "x").append(matlabDims[i]);
            return name + " (" + d + " " + (complex ? "complex " : "") + matlabClass + ")";
        }
    }

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final Pattern MATLAB_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private MatFiles() {
    }

    // =============================================================== reading

    /** Reads one numeric variable; {@code variable} may be null when the file holds exactly one. */
    public static NdArray read(InputStream in, String source, String variable) throws IOException {
        return read(in.readAllBytes(), source, variable);
    }

    /** As {@link #read(InputStream, String, String)} for bytes in memory. */
    public static NdArray read(byte[] bytes, String source, String variable) throws IOException {
        Kind kind = sniff(bytes, source);
        if (kind == Kind.V5) return readV5(bytes, source, variable);
        return readHdf5(bytes, source, variable);
    }

    /** Every numeric variable, in file order (non-numeric ones are skipped; see {@link #list}). */
    public static Map<String, NdArray> readAll(InputStream in, String source) throws IOException {
        byte[] bytes = in.readAllBytes();
        if (sniff(bytes, source) == Kind.V5) return readAllV5(bytes, source);
        Map<String, NdArray> out = new LinkedHashMap<>();
        for (VariableInfo v : list(bytes, source)) {
            if (v.numeric()) out.put(v.name(), read(bytes, source, v.name()));
        }
        return out;
    }

    /** The variables of a MAT-file, numeric or not. */
    public static List<VariableInfo> list(byte[] bytes, String source) throws IOException {
        Kind kind = sniff(bytes, source);
        List<VariableInfo> out = new ArrayList<>();
        if (kind == Kind.V5) {
            try (Mat5File mat = openV5(bytes, source, null)) {
                for (MatFile.Entry e : mat.getEntries()) out.add(infoV5(e.getName(), e.getValue()));
            }
        } else {
            try (HdfFile h = openHdf5(bytes, source)) {
                for (Node n : h) {
                    if (n.getName().startsWith("#")) continue; // #refs#, #subsystem#
                    out.add(infoHdf5(n));
                }
            } catch (MrfInputException e) {
                throw e;
            } catch (RuntimeException e) {
                throw corruptHdf5(source, e);
            }
        }
        return out;
    }

    enum Kind { V5, V73, HDF5 }

    static Kind sniff(byte[] b, String source) {
        if (b.length >= 8 && Arrays.equals(Arrays.copyOf(b, 8), HDF5_SIGNATURE)) return Kind.HDF5;
        if (b.length < 128) {
            throw new MrfInputException(source + ": truncated MAT-file: " + b.length + " bytes, less than the 128-byte "
                    + "MAT-file header. Copy or export the file again.");
        }
        String text = new String(b, 0, 116, StandardCharsets.ISO_8859_1);
        int version = (b[126] == 'I' && b[127] == 'M') ? ((b[125] & 0xff) << 8 | (b[124] & 0xff))
                : (b[126] == 'M' && b[127] == 'I') ? ((b[124] & 0xff) << 8 | (b[125] & 0xff)) : -1;
        if (version == 0x0200 || text.startsWith("MATLAB 7.3")) {
            if (b.length < 520 || !Arrays.equals(Arrays.copyOfRange(b, 512, 520), HDF5_SIGNATURE)) {
                throw new MrfInputException(source + ": MATLAB 7.3 MAT-file without the HDF5 signature at byte 512; the "
                        + "file is truncated or corrupt. Save it again with save(..., '-v7.3').");
            }
            return Kind.V73;
        }
        if (version == 0x0100 && text.startsWith("MATLAB 5.0")) return Kind.V5;
        if (version == 0x0100) return Kind.V5; // other writers sometimes change the text
        throw new MrfInputException(source + ": not a MATLAB v5/v7/v7.3 MAT-file (bad header: no 'MATLAB 5.0'/'MATLAB 7.3' "
                + "text and version/endian marker at bytes 124-127; MATLAB v4 files are not read). Re-save it in MATLAB "
                + "with save(file, vars, '-v7') or '-v7.3', or in Python with scipy.io.savemat.");
    }

    // ---------------------------------------------------------------- v5

    private static Mat5File openV5(byte[] bytes, String source, String only) throws IOException {
        try {
            var reader = Mat5.newReader(Sources.wrap(bytes));
            if (only != null) reader.setEntryFilter(h -> h.getName().equals(only));
            return reader.readMat();
        } catch (IOException | RuntimeException e) {
            throw new MrfInputException(source + ": corrupt or truncated MATLAB v5 MAT-file (" + e.getMessage() + "). "
                    + "Copy the file again or re-save it in MATLAB with save(..., '-v7').", e);
        }
    }

    private static VariableInfo infoV5(String name, Array a) {
        boolean numeric = a instanceof Matrix && a.getType() != MatlabType.Sparse && a.getType() != MatlabType.Character;
        boolean complex = a instanceof Matrix m && m.isComplex();
        String cls = a instanceof Matrix m && m.isLogical() ? "logical" : className(a.getType());
        return new VariableInfo(name, cls, a.getDimensions(), complex, numeric);
    }

    private static String className(MatlabType t) {
        return switch (t) {
            case Cell -> "cell";
            case Structure -> "struct";
            case Object -> "object";
            case Character -> "char";
            case Sparse -> "sparse";
            case Function -> "function_handle";
            case Opaque -> "opaque";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static NdArray readV5(byte[] bytes, String source, String variable) throws IOException {
        try (Mat5File mat = openV5(bytes, source, variable)) {
            List<VariableInfo> infos = new ArrayList<>();
            for (MatFile.Entry e : mat.getEntries()) infos.add(infoV5(e.getName(), e.getValue()));
            String want = variable;
            if (want == null) want = chooseOnly(infos, source);
            for (MatFile.Entry e : mat.getEntries()) {
                if (e.getName().equals(want)) return convertV5(source, e.getName(), e.getValue());
            }
            throw missing(source, want, list(bytes, source)); // the filtered read saw only matches: list them all
        }
    }

    private static Map<String, NdArray> readAllV5(byte[] bytes, String source) throws IOException {
        Map<String, NdArray> out = new LinkedHashMap<>();
        try (Mat5File mat = openV5(bytes, source, null)) {
            for (MatFile.Entry e : mat.getEntries()) {
                if (infoV5(e.getName(), e.getValue()).numeric()) out.put(e.getName(), convertV5(source, e.getName(), e.getValue()));
            }
        }
        return out;
    }

    private static NdArray convertV5(String source, String name, Array a) {
        VariableInfo info = infoV5(name, a);
        if (!info.numeric()) throw notNumeric(source, info);
        Matrix m = (Matrix) a;
        int n = m.getNumElements();
        float[] re = new float[n];
        float[] im = m.isComplex() ? new float[n] : null;
        boolean dbl = m.getType() == MatlabType.Double;
        for (int i = 0; i < n; i++) {
            re[i] = dbl ? (float) m.getDouble(i) : m.getFloat(i);
            if (im != null) im[i] = dbl ? (float) m.getImaginaryDouble(i) : m.getImaginaryFloat(i);
        }
        NdArray.ElementType t = elementType(info.matlabClass(), im != null);
        return fromColumnMajor(name, t, m.getDimensions(), re, im);
    }

    // ---------------------------------------------------------------- v7.3 / HDF5

    private static HdfFile openHdf5(byte[] bytes, String source) {
        try {
            return HdfFile.fromBytes(bytes);
        } catch (RuntimeException e) {
            throw corruptHdf5(source, e);
        }
    }

    /**
     * jhdf parses lazily, while the nodes are walked and read, and a corrupt structure surfaces there as an
     * HdfException or as whatever the JDK's buffers throw (IllegalArgumentException, BufferUnderflowException, ...).
     */
    private static MrfInputException corruptHdf5(String source, RuntimeException e) {
        return new MrfInputException(source + ": corrupt or truncated HDF5 / MATLAB 7.3 MAT-file (" + e + "). Copy the "
                + "file again or re-save it with save(..., '-v7.3').", e);
    }

    /** Deflate, the only compression MATLAB uses (and HDF5's common filter), expands at most about 1032:1. */
    public static final long MAX_COMPRESSION_RATIO = 1032;

    /**
     * Refuses a dataset whose dims ask for more than a Java array holds or than the file could hold (its bytes
     * times deflate's largest ratio), before anything of that size is allocated: the dims are header fields.
     */
    private static void checkDataSize(Dataset ds, String source, String name, long fileBytes) {
        for (int d : ds.getDimensions()) {
            if (d < 0) throw new MrfInputException(source + ": variable '" + name + "' has a negative dimension " + d
                    + "; the file is corrupt.");
        }
        long count = NdArray.count(ds.getDimensions());
        long elementBytes = Math.max(1, ds.getDataType().getSize());
        long bytes = NdArray.saturatingProduct(count, elementBytes);
        if (count > Integer.MAX_VALUE - 16) {
            throw new MrfInputException(source + ": variable '" + name + "' has dims " + Arrays.toString(ds.getDimensions())
                    + ", more elements than one array holds (2^31); split it (e.g. per slice) before ingest.");
        }
        if (bytes > fileBytes * MAX_COMPRESSION_RATIO) {
            throw new MrfInputException(source + ": variable '" + name + "' declares dims " + Arrays.toString(ds.getDimensions())
                    + " (" + bytes + " bytes) but the file has only " + fileBytes + " bytes; the header is corrupt. Copy the "
                    + "file again or re-save it.");
        }
    }

    private static String matlabClass(Node n) {
        Attribute a = n.getAttribute("MATLAB_class");
        if (a == null) return null;
        Object d = a.getData();
        if (d instanceof String s) return s;
        if (d instanceof String[] s && s.length > 0) return s[0];
        return String.valueOf(d);
    }

    private static VariableInfo infoHdf5(Node n) {
        String cls = matlabClass(n);
        if (n.isGroup() || !(n instanceof Dataset ds)) {
            return new VariableInfo(n.getName(), cls == null ? "group" : cls, new int[0], false, false);
        }
        boolean empty = n.getAttribute("MATLAB_empty") != null;
        int[] h = ds.getDimensions();
        int[] mdims = reverse(h.length == 0 ? new int[]{1, 1} : h.length == 1 ? new int[]{h[0], 1} : h);
        boolean complex = ds.isCompound();
        Class<?> jt = complex ? null : ds.getJavaType();
        if (cls == null) { // plain HDF5: infer from the element type
            cls = jt == float.class ? "single" : jt == double.class ? "double" : jt == byte.class ? "uint8"
                    : jt == short.class ? "int16" : jt == int.class ? "int32" : jt == long.class ? "int64"
                    : complex ? compoundClass(ds) : String.valueOf(jt);
        }
        boolean numeric = !empty && isNumericClass(cls) && (complex ? compoundClass(ds) != null : jt != null && jt.isPrimitive());
        return new VariableInfo(n.getName(), empty ? "empty " + cls : cls, empty ? new int[]{0, 0} : mdims, complex, numeric);
    }

    private static String compoundClass(Dataset ds) {
        if (!(ds.getDataType() instanceof io.jhdf.object.datatype.CompoundDataType c)) return null;
        boolean r = false, i = false;
        for (var m : c.getMembers()) {
            if (m.getName().equals("real")) r = true;
            if (m.getName().equals("imag")) i = true;
        }
        return r && i ? "complex" : null;
    }

    private static boolean isNumericClass(String cls) {
        return switch (cls) {
            case "single", "double", "logical", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
                    "complex" -> true;
            default -> false;
        };
    }

    private static NdArray readHdf5(byte[] bytes, String source, String variable) throws IOException {
        try (HdfFile h = openHdf5(bytes, source)) {
            List<VariableInfo> infos = new ArrayList<>();
            for (Node n : h) {
                if (!n.getName().startsWith("#")) infos.add(infoHdf5(n));
            }
            String want = variable != null ? variable : chooseOnly(infos, source);
            VariableInfo info = infos.stream().filter(v -> v.name().equals(want)).findFirst()
                    .orElseThrow(() -> missing(source, want, infos));
            if (!info.numeric()) throw notNumeric(source, info);
            Dataset ds = (Dataset) h.getChild(want);
            checkDataSize(ds, source, want, bytes.length);
            int[] hd = ds.getDimensions();
            int[] mdims = reverse(hd.length == 0 ? new int[]{1, 1} : hd.length == 1 ? new int[]{hd[0], 1} : hd);
            float[] re, im = null;
            try {
                if (ds.isCompound()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> parts = (Map<String, Object>) ds.getDataFlat();
                    re = toFloat(parts.get("real"));
                    im = toFloat(parts.get("imag"));
                } else {
                    re = toFloat(ds.getDataFlat());
                }
            } catch (RuntimeException e) {
                throw new MrfInputException(source + ": variable '" + want + "' cannot be decoded (" + e + "); the file is "
                        + "corrupt or uses an unsupported HDF5 feature. Re-save it with save(..., '-v7').", e);
            }
            if (re.length != NdArray.count(mdims) || (im != null && im.length != re.length)) {
                throw new MrfInputException(source + ": variable '" + want + "' holds " + re.length + " values but its dims "
                        + Arrays.toString(mdims) + " need " + NdArray.count(mdims) + "; the file is corrupt.");
            }
            String cls = info.matlabClass();
            if (cls.equals("complex")) cls = ds.getDataType().getSize() == 16 ? "double" : "single";
            return fromColumnMajor(want, elementType(cls, im != null), mdims, re, im);
        } catch (MrfInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw corruptHdf5(source, e);
        }
    }

    private static float[] toFloat(Object flat) {
        if (flat instanceof float[] f) return f;
        if (flat instanceof double[] d) {
            float[] o = new float[d.length];
            for (int i = 0; i < d.length; i++) o[i] = (float) d[i];
            return o;
        }
        if (flat instanceof byte[] b) {
            float[] o = new float[b.length];
            for (int i = 0; i < b.length; i++) o[i] = b[i] & 0xff; // MATLAB uint8 / logical
            return o;
        }
        if (flat instanceof short[] s) {
            float[] o = new float[s.length];
            for (int i = 0; i < s.length; i++) o[i] = s[i];
            return o;
        }
        if (flat instanceof int[] s) {
            float[] o = new float[s.length];
            for (int i = 0; i < s.length; i++) o[i] = s[i];
            return o;
        }
        if (flat instanceof long[] s) {
            float[] o = new float[s.length];
            for (int i = 0; i < s.length; i++) o[i] = s[i];
            return o;
        }
        throw new IllegalArgumentException("element type " + (flat == null ? "null" : flat.getClass().getSimpleName()));
    }

    // ---------------------------------------------------------------- shared helpers

    private static NdArray.ElementType elementType(String cls, boolean complex) {
        if (complex) return cls.equals("double") ? NdArray.ElementType.COMPLEX128 : NdArray.ElementType.COMPLEX64;
        return switch (cls) {
            case "single" -> NdArray.ElementType.FLOAT32;
            case "double" -> NdArray.ElementType.FLOAT64;
            case "logical", "uint8" -> NdArray.ElementType.UINT8;
            case "int16" -> NdArray.ElementType.INT16;
            default -> NdArray.ElementType.INT32;
        };
    }

    private static String chooseOnly(List<VariableInfo> infos, String source) {
        List<VariableInfo> numeric = infos.stream().filter(VariableInfo::numeric).toList();
        if (numeric.size() == 1) return numeric.get(0).name();
        if (numeric.isEmpty()) {
            throw new MrfInputException(source + ": the MAT-file holds no numeric array (variables: " + describe(infos)
                    + "). Save the image series as a single/double array.");
        }
        throw new MrfInputException(source + ": the MAT-file holds " + numeric.size() + " numeric variables; name the one "
                + "to load. Available: " + describe(infos) + ".");
    }

    private static MrfInputException missing(String source, String want, List<VariableInfo> infos) {
        return new MrfInputException(source + ": no variable '" + want + "' in the MAT-file. Available: "
                + describe(infos) + ". Pass one of these names.");
    }

    private static MrfInputException notNumeric(String source, VariableInfo v) {
        if (v.matlabClass().startsWith("empty")) {
            return new MrfInputException(source + ": variable '" + v.name() + "' is an empty array (" + v.matlabClass()
                    + "); there is nothing to load. Save the variable with its data, or pick another one.");
        }
        return new MrfInputException(source + ": variable '" + v.name() + "' is " + v.matlabClass() + ", not a numeric array"
                + " (single/double/integer/logical). Store the data as a plain numeric array (e.g. x = single(x)).");
    }

    private static String describe(List<VariableInfo> infos) {
        if (infos.isEmpty()) return "none";
        StringBuilder sb = new StringBuilder();
        for (VariableInfo v : infos) sb.append(sb.length() == 0 ? "" : ", ").append(v).append(v.numeric() ? "" : " [not numeric]");
        return sb.toString();
    }

    static int[] reverse(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }

    /** MATLAB dims [d1 d2 d3 .. dn] to our C-order shape (dn, .., d3, d1, d2). */
    public static int[] cShapeOf(int[] matlabDims) {
        int n = matlabDims.length;
        if (n < 2) return matlabDims.clone();
        int[] s = new int[n];
        for (int i = 0; i < n - 2; i++) s[i] = matlabDims[n - 1 - i];
        s[n - 2] = matlabDims[0];
        s[n - 1] = matlabDims[1];
        return s;
    }

    /** Our C-order shape (s0 .. sn-1) to MATLAB dims [sn-2 sn-1 sn-3 .. s0]; rank 1 -> [1 N], rank 0 -> [1 1]. */
    public static int[] matlabDimsOf(int[] cShape) {
        int n = cShape.length;
        if (n == 0) return new int[]{1, 1};
        if (n == 1) return new int[]{1, cShape[0]};
        int[] m = new int[n];
        m[0] = cShape[n - 2];
        m[1] = cShape[n - 1];
        for (int i = 2; i < n; i++) m[i] = cShape[n - 1 - i];
        return m;
    }

    /** Reorders column-major MATLAB data (dims [d1 d2 ...]) into our C-order array. */
    static NdArray fromColumnMajor(String name, NdArray.ElementType t, int[] mdims, float[] re, float[] im) {
        int rows = mdims.length > 0 ? mdims[0] : 1, cols = mdims.length > 1 ? mdims[1] : 1;
        return NdArray.of(name, t, transposeSlabs(re, rows, cols), im == null ? null : transposeSlabs(im, rows, cols),
                cShapeOf(mdims));
    }

    /** Column-major (rows x cols) slabs to row-major slabs; the slab order is unchanged. */
    static float[] transposeSlabs(float[] cm, int rows, int cols) {
        int slab = rows * cols;
        float[] out = new float[cm.length];
        if (slab == 0) return out;
        for (int base = 0; base < cm.length; base += slab) {
            for (int c = 0; c < cols; c++) {
                int src = base + c * rows;
                for (int r = 0; r < rows; r++) out[base + r * cols + c] = cm[src + r];
            }
        }
        return out;
    }

    /** Row-major slabs (rows x cols) to column-major slabs: a row-major rows x cols slab is a column-major cols x rows one. */
    static float[] toColumnMajor(float[] rm, int rows, int cols) {
        return transposeSlabs(rm, cols, rows);
    }

    private static MrfInputException duplicate(String target, String name) {
        return new MrfInputException(target + ": two arrays are named '" + name + "'; MAT-file variable names must be "
                + "unique, rename one.");
    }

    private static void checkName(String name, String target) {
        if (!MATLAB_NAME.matcher(name).matches()) {
            throw new MrfInputException(target + ": '" + name + "' is not a valid MATLAB variable name (a letter, then up to "
                    + "62 letters, digits or underscores); rename the array before writing.");
        }
    }

    // =============================================================== writing

    /** Writes arrays as variables of a MAT-file (named by {@link NdArray#name()}); {@code target} names it in errors. */
    public static void write(List<NdArray> arrays, OutputStream out, String target, Version version) throws IOException {
        if (version == Version.V73) writeV73(arrays, out, target);
        else writeV5(arrays, out, target);
    }

    /** MATLAB v5 (compressed, as {@code save -v7} does). */
    public static void writeV5(List<NdArray> arrays, OutputStream out, String target) throws IOException {
        Mat5File mat = Mat5.newMatFile();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (NdArray a : arrays) {
            checkName(a.name(), target);
            if (!names.add(a.name())) throw duplicate(target, a.name());
            mat.addArray(a.name(), toMatrix(a));
        }
        long size = mat.getUncompressedSerializedSize();
        long cap = size + size / 64 + (1 << 16); // deflate may expand incompressible data slightly
        if (cap > Integer.MAX_VALUE - 16) {
            throw new MrfInputException(target + ": " + size + " bytes is too large for one MATLAB v5 MAT-file written in "
                    + "memory; write MATLAB v7.3 (MatFiles.Version.V73) or .npy/.nii instead, or split the series.");
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) cap);
        Mat5.newWriter(Sinks.wrap(buf)).setDeflateLevel(java.util.zip.Deflater.BEST_SPEED).writeMat(mat);
        out.write(buf.array(), 0, buf.position());
        out.flush();
    }

    private static Matrix toMatrix(NdArray a) {
        int[] dims = matlabDimsOf(a.shape());
        int rows = dims[0], cols = dims[1];
        float[] re = toColumnMajor(a.re(), rows, cols);
        float[] im = a.isComplex() ? toColumnMajor(a.im(), rows, cols) : null;
        MatlabType t = switch (a.elementType()) {
            case FLOAT64, COMPLEX128 -> MatlabType.Double;
            case UINT8 -> MatlabType.UInt8;
            case INT16 -> MatlabType.Int16;
            default -> MatlabType.Single;
        };
        Matrix m = im != null ? Mat5.newComplex(dims, t) : Mat5.newMatrix(dims, t);
        for (int i = 0; i < re.length; i++) {
            switch (t) {
                case Double -> m.setDouble(i, re[i]);
                case UInt8 -> m.setByte(i, (byte) NdArray.clampRound(re[i], 0, 255));
                case Int16 -> m.setShort(i, (short) NdArray.clampRound(re[i], Short.MIN_VALUE, Short.MAX_VALUE));
                default -> m.setFloat(i, re[i]);
            }
            if (im != null) {
                if (t == MatlabType.Double) m.setImaginaryDouble(i, im[i]);
                else m.setImaginaryFloat(i, im[i]);
            }
        }
        return m;
    }

    /**
     * MATLAB v7.3: HDF5 behind the 512-byte MATLAB user block, one dataset per array (HDF5 dims =
     * MATLAB dims reversed) with its {@code MATLAB_class} attribute; complex arrays as the
     * {@code real}/{@code imag} compound MATLAB uses. Written by {@link Hdf5Writer} (jhdf 0.9 writes
     * neither compound types nor user blocks), streamed, no temporary file.
     */
    public static void writeV73(List<NdArray> arrays, OutputStream out, String target) throws IOException {
        List<Hdf5Writer.Dataset> ds = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (NdArray a : arrays) {
            checkName(a.name(), target);
            if (!names.add(a.name())) throw duplicate(target, a.name());
            int[] mdims = matlabDimsOf(a.shape());
            int[] hdims = reverse(mdims);
            long[] dims = Arrays.stream(hdims).asLongStream().toArray();
            Hdf5Writer.Type type;
            String cls;
            switch (a.elementType()) {
                case FLOAT64 -> { type = Hdf5Writer.Type.FLOAT64; cls = "double"; }
                case COMPLEX128 -> { type = Hdf5Writer.Type.COMPLEX128; cls = "double"; }
                case COMPLEX64 -> { type = Hdf5Writer.Type.COMPLEX64; cls = "single"; }
                case UINT8 -> { type = Hdf5Writer.Type.UINT8; cls = "uint8"; }
                case INT16 -> { type = Hdf5Writer.Type.INT16; cls = "int16"; }
                default -> { type = Hdf5Writer.Type.FLOAT32; cls = "single"; }
            }
            int rows = mdims[0], cols = mdims[1];
            float[] re = a.re(), im = a.im();
            Hdf5Writer.SlabSource src = new Hdf5Writer.SlabSource() {
                @Override
                public int slabLength() {
                    return rows * cols;
                }

                @Override
                public void slab(int index, float[] r, float[] i) {
                    int base = index * rows * cols;
                    for (int c = 0; c < cols; c++) {
                        for (int k = 0; k < rows; k++) {
                            r[c * rows + k] = re[base + k * cols + c];
                            if (i != null) i[c * rows + k] = im[base + k * cols + c];
                        }
                    }
                }
            };
            ds.add(new Hdf5Writer.Dataset(a.name(), type, dims, cls, src));
        }
        if (ds.isEmpty()) throw new IllegalArgumentException(target + ": nothing to write");
        Hdf5Writer.write(out, userBlock(), ds);
    }

    /** The 512-byte MATLAB 7.3 header: descriptive text, version 0x0200, endian 'IM', zero padding. */
    static byte[] userBlock() {
        byte[] b = new byte[512];
        String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT));
        String text = "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: " + when + " HDF5 schema 1.00 .";
        Arrays.fill(b, 0, 116, (byte) ' ');
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, 0, Math.min(116, t.length));
        b[124] = 0x00;
        b[125] = 0x02;
        b[126] = 'I';
        b[127] = 'M';
        return b;
    }
}
