package org.mrf.scq.io.ismrmrd;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MatFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.*;

/**
 * ISMRMRD 1.x HDF5 files (ismrmrd.org; the layout of libismrmrd's dataset.c): a group
 * {@code /dataset} holding {@code xml}, the XML header as one variable-length string, and
 * {@code data}, a chunked one-dimensional dataset of compound records {head, traj, data}: the
 * AcquisitionHeader, the trajectory as variable-length float and the samples as variable-length
 * float (real, imaginary pairs; libismrmrd 1.8 and its Debian package write this). Other versions
 * store the samples as variable-length compound {real, imag}; both are read.
 *
 * <p>Uses libhdf5 through the bytedeco preset: variable-length members inside a compound are what
 * the pure-Java HDF5 libraries on the classpath cannot write. The record layout written is the one
 * libismrmrd writes (its C structs, 2-byte packed header), so the reference library and h5py see
 * the same types as in their own files; reading converts by member name, so any layout reads.
 * libhdf5 calls are serialised on one lock (the preset's build is not thread-safe).
 */
public final class IsmrmrdFile {
    static final Object LOCK = new Object();
    private static final int HEAD_SIZE = 340, COUNTERS_SIZE = 34;
    private static final int TRAJ_OFFSET = 344, DATA_OFFSET = 360, RECORD_SIZE = 376;   // hvl_t {size_t len; void *p}
    private static final int READ_BLOCK = 256;
    private static final long DEFAULT = 0, ALL = 0;
    private static final long UNLIMITED = -1;
    /** Largest XML header read: ISMRMRD headers are kilobytes; a larger declared size is a damaged header field. */
    static final long MAX_XML_BYTES = 16L << 20;

    private IsmrmrdFile() {
    }

    /** The XML header and all acquisitions of a file. */
    public record Contents(String xml, List<IsmrmrdAcquisition> acquisitions) {
    }

    private interface LibraryCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs {@code call} on libhdf5 under the lock, then closes the library. libhdf5 1.12.1 keeps about 70-100 kB of
     * type-conversion state for every file whose compound records it converts, and frees it only when the library
     * closes; without this a process reading a cohort (or a fuzzer) grows without bound. Reopening costs milliseconds.
     */
    private static <T> T onLibrary(LibraryCall<T> call) throws IOException {
        synchronized (LOCK) {
            try {
                H5open();
                H5Eset_auto2(H5E_DEFAULT(), null, null);   // errors become exceptions here, not stack dumps on stderr
                return call.call();
            } finally {
                H5close();
            }
        }
    }

    /**
     * The compound AcquisitionHeader type with libismrmrd's offsets (ismrmrd.h, pragma pack 2): all
     * members for writing; for reading only those the project uses, so that headers of other
     * library versions (some name the uid " measurement_uid") convert.
     */
    private static long headType(boolean all) {
        long u16 = H5T_NATIVE_UINT16_g(), u32 = H5T_NATIVE_UINT32_g(), u64 = H5T_NATIVE_UINT64_g();
        long i32 = H5T_NATIVE_INT32_g(), f32 = H5T_NATIVE_FLOAT_g();
        long counters = H5Tcreate(H5T_COMPOUND, COUNTERS_SIZE);
        String[] names = {"kspace_encode_step_1", "kspace_encode_step_2", "average", "slice", "contrast", "phase",
                "repetition", "set", "segment"};
        for (int i = 0; i < names.length; i++) H5Tinsert(counters, names[i], 2L * i, u16);
        long user16 = H5Tarray_create2(u16, 1, new long[]{8});
        if (all) H5Tinsert(counters, "user", 18, user16);
        long t = H5Tcreate(H5T_COMPOUND, HEAD_SIZE);
        long phys = H5Tarray_create2(u32, 1, new long[]{3});
        long mask = H5Tarray_create2(u64, 1, new long[]{16});
        long vec3 = H5Tarray_create2(f32, 1, new long[]{3});
        long userInt = H5Tarray_create2(i32, 1, new long[]{8});
        long userFloat = H5Tarray_create2(f32, 1, new long[]{8});
        H5Tinsert(t, "version", 0, u16);
        H5Tinsert(t, "flags", 2, u64);
        H5Tinsert(t, "scan_counter", 14, u32);
        H5Tinsert(t, "number_of_samples", 34, u16);
        H5Tinsert(t, "active_channels", 38, u16);
        H5Tinsert(t, "discard_pre", 168, u16);
        H5Tinsert(t, "discard_post", 170, u16);
        H5Tinsert(t, "center_sample", 172, u16);
        H5Tinsert(t, "trajectory_dimensions", 176, u16);
        H5Tinsert(t, "idx", 242, counters);
        if (all) {
            H5Tinsert(t, "measurement_uid", 10, u32);
            H5Tinsert(t, "acquisition_time_stamp", 18, u32);
            H5Tinsert(t, "physiology_time_stamp", 22, phys);
            H5Tinsert(t, "available_channels", 36, u16);
            H5Tinsert(t, "channel_mask", 40, mask);
            H5Tinsert(t, "encoding_space_ref", 174, u16);
            H5Tinsert(t, "sample_time_us", 178, f32);
            H5Tinsert(t, "position", 182, vec3);
            H5Tinsert(t, "read_dir", 194, vec3);
            H5Tinsert(t, "phase_dir", 206, vec3);
            H5Tinsert(t, "slice_dir", 218, vec3);
            H5Tinsert(t, "patient_table_position", 230, vec3);
            H5Tinsert(t, "user_int", 276, userInt);
            H5Tinsert(t, "user_float", 308, userFloat);
        }
        for (long x : new long[]{counters, user16, phys, mask, vec3, userInt, userFloat}) H5Tclose(x);
        return t;
    }

    private static long complexType() {
        long c = H5Tcreate(H5T_COMPOUND, 8);
        H5Tinsert(c, "real", 0, H5T_NATIVE_FLOAT_g());
        H5Tinsert(c, "imag", 4, H5T_NATIVE_FLOAT_g());
        return c;
    }

    /**
     * {head, traj, data} with data as vlen float pairs (what libismrmrd 1.8 writes) when
     * {@code floatPairs}, else as vlen complex {real, imag}; the full header when {@code all}.
     */
    private static long acquisitionType(boolean floatPairs, boolean all) {
        long head = headType(all);
        long trajV = H5Tvlen_create(H5T_NATIVE_FLOAT_g());
        long cplx = complexType();
        long dataV = H5Tvlen_create(floatPairs ? H5T_NATIVE_FLOAT_g() : cplx);
        long t = H5Tcreate(H5T_COMPOUND, RECORD_SIZE);
        H5Tinsert(t, "head", 0, head);
        H5Tinsert(t, "traj", TRAJ_OFFSET, trajV);
        H5Tinsert(t, "data", DATA_OFFSET, dataV);
        for (long x : new long[]{head, trajV, cplx, dataV}) H5Tclose(x);
        return t;
    }

    private static long stringType() {
        long s = H5Tcopy(H5T_C_S1_g());
        H5Tset_size(s, H5T_VARIABLE());
        return s;
    }

    private static void check(long status, String what, Path file) throws IOException {
        if (status < 0) throw new IOException(file + ": libhdf5 failed to " + what);
    }

    /**
     * Writes {@code xml} and the acquisitions to a new file (replaced if present), under a
     * temporary name renamed when complete, so a failed write leaves no partial file.
     */
    public static void write(Path file, String xml, List<IsmrmrdAcquisition> acquisitions) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            onLibrary(() -> {
                writeLocked(tmp, xml, acquisitions);
                return null;
            });
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeLocked(Path file, String xml, List<IsmrmrdAcquisition> acqs) throws IOException {
        long f = H5Fcreate(file.toString(), H5F_ACC_TRUNC(), DEFAULT, DEFAULT);
        check(f, "create", file);
        try {
            long g = H5Gcreate2(f, "/dataset", DEFAULT, DEFAULT, DEFAULT);
            check(g, "create group /dataset", file);
            H5Gclose(g);
            long st = stringType();
            long one = H5Screate_simple(1, new long[]{1}, null);
            long xd = H5Dcreate2(f, "/dataset/xml", st, one, DEFAULT, DEFAULT, DEFAULT);
            check(xd, "create /dataset/xml", file);
            try (BytePointer text = new BytePointer(xml, StandardCharsets.UTF_8); PointerPointer<BytePointer> buf = new PointerPointer<>(1)) {
                buf.put(0, text);
                check(H5Dwrite(xd, st, ALL, ALL, DEFAULT, buf), "write /dataset/xml", file);
            }
            H5Dclose(xd);
            H5Sclose(one);
            H5Tclose(st);

            int n = acqs.size();
            long type = acquisitionType(true, true);
            long space = H5Screate_simple(1, new long[]{n}, new long[]{UNLIMITED});
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            H5Pset_chunk(dcpl, 1, new long[]{Math.max(1, Math.min(n, 64))});
            long dd = H5Dcreate2(f, "/dataset/data", type, space, DEFAULT, dcpl, DEFAULT);
            check(dd, "create /dataset/data", file);
            long floats = 0;
            for (IsmrmrdAcquisition a : acqs) floats += a.traj().length + a.data().length;
            try (BytePointer records = new BytePointer((long) RECORD_SIZE * Math.max(1, n));
                 BytePointer payload = new BytePointer(4 * Math.max(1, floats))) {
                ByteBuffer r = records.asByteBuffer().order(ByteOrder.nativeOrder());
                ByteBuffer p = payload.asByteBuffer().order(ByteOrder.nativeOrder());
                long at = 0;
                for (int i = 0; i < n; i++) {
                    IsmrmrdAcquisition a = acqs.get(i);
                    putHead(r, i * RECORD_SIZE, a);
                    r.putLong(i * RECORD_SIZE + TRAJ_OFFSET, a.traj().length);
                    r.putLong(i * RECORD_SIZE + TRAJ_OFFSET + 8, payload.address() + 4 * at);
                    for (float v : a.traj()) p.putFloat((int) (4 * at++), v);
                    r.putLong(i * RECORD_SIZE + DATA_OFFSET, a.data().length);   // vlen float: two per sample
                    r.putLong(i * RECORD_SIZE + DATA_OFFSET + 8, payload.address() + 4 * at);
                    for (float v : a.data()) p.putFloat((int) (4 * at++), v);
                }
                check(H5Dwrite(dd, type, ALL, ALL, DEFAULT, records), "write /dataset/data", file);
            }
            H5Dclose(dd);
            H5Pclose(dcpl);
            H5Sclose(space);
            H5Tclose(type);
        } finally {
            check(H5Fclose(f), "close", file);
        }
    }

    private static void putHead(ByteBuffer b, int o, IsmrmrdAcquisition a) {
        b.putShort(o, (short) 1);
        b.putLong(o + 2, a.flags());
        b.putInt(o + 14, a.scanCounter());
        b.putShort(o + 34, (short) a.samples());
        b.putShort(o + 36, (short) a.channels());
        b.putShort(o + 38, (short) a.channels());
        for (int c = 0; c < a.channels(); c++) {
            int word = o + 40 + 8 * (c / 64);
            b.putLong(word, b.getLong(word) | (1L << (c % 64)));
        }
        b.putShort(o + 168, (short) a.discardPre());
        b.putShort(o + 170, (short) a.discardPost());
        b.putShort(o + 172, (short) a.centerSample());
        b.putShort(o + 176, (short) a.trajectoryDimensions());
        b.putFloat(o + 194, 1f);          // read_dir = x
        b.putFloat(o + 206 + 4, 1f);      // phase_dir = y
        b.putFloat(o + 218 + 8, 1f);      // slice_dir = z
        for (int i = 0; i < 9; i++) b.putShort(o + 242 + 2 * i, (short) a.counters()[i]);
    }

    /** Reads the header and every acquisition; a file that is not ISMRMRD gets one clear error. */
    public static Contents read(Path file) throws IOException {
        return onLibrary(() -> readLocked(file, true));
    }

    /** The header and the acquisition heads only (traj and data left empty): cheap, for planning. */
    public static Contents readHeads(Path file) throws IOException {
        return onLibrary(() -> readLocked(file, false));
    }

    private static Contents readLocked(Path file, boolean payload) throws IOException {
        if (!Files.isRegularFile(file)) throw new MrfInputException(file + ": no such ISMRMRD file.");
        // Strong close: H5Fclose also closes what an error path left open, so a refused file leaves no descriptor.
        long fapl = H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g());
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
        long f = H5Fopen(file.toString(), H5F_ACC_RDONLY(), fapl);
        H5Pclose(fapl);
        if (f < 0) {
            throw new MrfInputException(file + ": not a readable HDF5 file (truncated or not HDF5, " + Files.size(file)
                    + " bytes). Copy it again from its source, or convert the raw data with siemens_to_ismrmrd.");
        }
        try {
            GlobalHeaps heaps = new GlobalHeaps(f, file, Files.size(file));
            for (String path : new String[]{"/dataset", "/dataset/xml", "/dataset/data"}) {
                if (H5Lexists(f, path, DEFAULT) <= 0) {
                    throw new MrfInputException(file + ": no " + path + " in the HDF5 file; an ISMRMRD file holds the "
                            + "XML header in /dataset/xml and the acquisitions in /dataset/data.");
                }
            }
            // libhdf5 decodes a dataset's datatype when it opens it, and aborts the process on some damaged ones.
            heaps.checkDatatype(f, "/dataset/xml");
            heaps.checkDatatype(f, "/dataset/data");
            String xml = readXml(f, file, heaps);
            long dd = H5Dopen2(f, "/dataset/data", DEFAULT);
            long fileType = H5Dget_type(dd);
            boolean floatPairs = dataIsFloatPairs(fileType);
            long fileRecord = H5Tget_size(fileType);
            if (!membersFit(fileType)) {
                H5Tclose(fileType);
                throw new MrfInputException(file + ": /dataset/data's record type has a member outside the record (damaged "
                        + "type header). Copy the file again from its source.");
            }
            long type = payload ? acquisitionType(floatPairs, false) : headOnlyType();
            long fspace = H5Dget_space(dd);
            long n = H5Sget_simple_extent_npoints(fspace);
            if (dd < 0 || fspace < 0 || n < 0 || n > Integer.MAX_VALUE) {
                throw new MrfInputException(file + ": /dataset/data cannot be opened as a list of acquisitions (damaged HDF5 "
                        + "dataset, or not an ISMRMRD file). Copy the file again from its source.");
            }
            long stored = H5Dget_storage_size(dd);
            // Records the file cannot hold are fill values of never-written storage: a damaged extent, refused before
            // libhdf5 converts them one by one. A record holds at least the AcquisitionHeader.
            if (n > 0 && (stored <= 0 || stored > Files.size(file) || fileRecord < HEAD_SIZE
                    || (double) n * fileRecord > (double) expansion(dd) * stored)) {
                throw new MrfInputException(file + ": /dataset/data declares " + n + " acquisitions of " + fileRecord + " bytes, "
                        + "but " + stored + " bytes are stored (file: " + Files.size(file) + " bytes); the dataset header is "
                        + "damaged. Copy the file again from its source.");
            }
            try {
                if (payload) heaps.checkCompound(dd, fileType, n, "/dataset/data");
            } finally {
                H5Tclose(fileType);
            }
            int recSize = payload ? RECORD_SIZE : HEAD_SIZE;
            List<IsmrmrdAcquisition> out = new ArrayList<>((int) n);
            try (BytePointer buf = new BytePointer((long) recSize * READ_BLOCK)) {
                for (long start = 0; start < n; start += READ_BLOCK) {
                    long count = Math.min(READ_BLOCK, n - start);
                    long mspace = H5Screate_simple(1, new long[]{count}, null);
                    H5Sselect_hyperslab(fspace, 0, new long[]{start}, null, new long[]{count}, null);
                    buf.zero();
                    if (H5Dread(dd, type, mspace, fspace, DEFAULT, buf) < 0) {
                        H5Sclose(mspace);
                        throw new MrfInputException(file + ": /dataset/data records " + start + ".." + (start + count - 1)
                                + " cannot be read (truncated file, or not the ISMRMRD acquisition type). Copy the file again "
                                + "from its source.");
                    }
                    ByteBuffer b = buf.asByteBuffer().order(ByteOrder.nativeOrder());
                    for (int i = 0; i < count; i++) out.add(parse(b, i * recSize, payload, floatPairs ? 1 : 2));
                    if (payload) H5Treclaim(type, mspace, DEFAULT, buf);
                    H5Sclose(mspace);
                }
            }
            H5Sclose(fspace);
            H5Tclose(type);
            H5Dclose(dd);
            return new Contents(xml, out);
        } finally {
            H5Fclose(f);
        }
    }

    /** How many times its stored bytes a dataset may hold: deflate's largest ratio when it has filters, else 1. */
    private static long expansion(long dataset) {
        long dcpl = H5Dget_create_plist(dataset);
        try {
            return H5Pget_nfilters(dcpl) == 0 ? 1 : MatFiles.MAX_COMPRESSION_RATIO;
        } finally {
            H5Pclose(dcpl);
        }
    }

    /** Every member of a compound type (nested ones too) lies within it: libhdf5 converts by these offsets unchecked. */
    private static boolean membersFit(long type) {
        if (H5Tget_class(type) != H5T_COMPOUND) return true;
        long size = H5Tget_size(type);
        int n = H5Tget_nmembers(type);
        if (n < 0) return false;
        for (int i = 0; i < n; i++) {
            long member = H5Tget_member_type(type, i);
            if (member < 0) return false;
            try {
                long offset = H5Tget_member_offset(type, i), bytes = H5Tget_size(member);
                if (offset < 0 || bytes <= 0 || offset > size - bytes || !membersFit(member)) return false;
            } finally {
                H5Tclose(member);
            }
        }
        return true;
    }

    private static long headOnlyType() {
        long head = headType(false);
        long t = H5Tcreate(H5T_COMPOUND, HEAD_SIZE);
        H5Tinsert(t, "head", 0, head);
        H5Tclose(head);
        return t;
    }

    private static boolean dataIsFloatPairs(long fileType) {
        int idx = H5Tget_member_index(fileType, "data");
        if (idx < 0) return false;
        long member = H5Tget_member_type(fileType, idx);
        long base = H5Tget_super(member);
        boolean floats = H5Tget_class(base) == H5T_FLOAT;
        H5Tclose(base);
        H5Tclose(member);
        return floats;
    }

    /**
     * The XML header, read only after its dataset's header fields are found plausible: libhdf5 trusts them, and a
     * damaged file can otherwise make H5Dread convert an unbounded number of strings (fill values of never-written
     * storage) into a one-pointer buffer, or size a string from a corrupt length. What libismrmrd writes (and any
     * sane writer): one string, as a scalar or a one-element dataset, of a few kilobytes, stored within the file.
     */
    private static String readXml(long f, Path file, GlobalHeaps heaps) throws IOException {
        long xd = H5Dopen2(f, "/dataset/xml", DEFAULT);
        if (xd < 0) throw damaged(file, "/dataset/xml", "cannot be opened");
        long ft = H5Dget_type(xd), space = H5Dget_space(xd);
        try {
            if (ft < 0 || space < 0) throw damaged(file, "/dataset/xml", "has an unreadable type or dataspace");
            if (H5Tget_class(ft) != H5T_STRING) {
                throw new MrfInputException(file + ": /dataset/xml is not a string; it must hold the ISMRMRD XML header.");
            }
            int kind = H5Sget_simple_extent_type(space), rank = H5Sget_simple_extent_ndims(space);
            long n = H5Sget_simple_extent_npoints(space);
            if (!(kind == H5S_SCALAR || kind == H5S_SIMPLE && rank == 1) || n != 1) {
                throw new MrfInputException(file + ": /dataset/xml holds " + n + " strings (rank " + rank + "); an ISMRMRD "
                        + "file holds the XML header as exactly one string. The file is damaged or not ISMRMRD: copy it again "
                        + "from its source.");
            }
            long fileBytes = Files.size(file), stored = H5Dget_storage_size(xd);
            boolean variable = H5Tis_variable_str(ft) > 0;
            long bytes = variable ? 16 : H5Tget_size(ft);   // a variable-length string is stored as a 16-byte heap reference
            if (stored <= 0 || stored > fileBytes || bytes < 1 || bytes > MAX_XML_BYTES
                    || bytes > expansion(xd) * stored) {
                throw new MrfInputException(file + ": /dataset/xml declares a " + bytes + "-byte string with " + stored
                        + " bytes stored (file: " + fileBytes + " bytes, header at most " + MAX_XML_BYTES + "); the dataset "
                        + "header is damaged. Copy the file again from its source.");
            }
            long at = H5Dget_offset(xd);   // contiguous storage only; undefined (all ones) otherwise
            if (at != -1 && Long.compareUnsigned(at, fileBytes - stored) > 0) {
                throw new MrfInputException(file + ": /dataset/xml's string is stored at byte " + Long.toUnsignedString(at)
                        + ", past the end of the file (" + fileBytes + " bytes); the dataset header is damaged. Copy the "
                        + "file again from its source.");
            }
            if (variable) {
                heaps.checkString(xd, "/dataset/xml");
                long st = stringType();
                try (PointerPointer<BytePointer> buf = new PointerPointer<>(1)) {
                    long[] need = {0};
                    // libhdf5 1.12.1's H5Dvlen_get_buf_size writes past its point-selection buffer on a scalar dataspace
                    // (H5S_select_elements at rank 0: heap corruption, JVM abort), so only the one-element dataspace
                    // libismrmrd writes is measured first; a scalar string is read directly, its heap object bounded by
                    // GlobalHeaps.
                    if (kind == H5S_SIMPLE && (H5Dvlen_get_buf_size(xd, st, space, need) < 0
                            || need[0] > Math.min(fileBytes, MAX_XML_BYTES))) {
                        throw new MrfInputException(file + ": /dataset/xml's string is " + need[0] + " bytes long, more than the "
                                + "file holds, or cannot be located; the file is damaged. Copy it again from its source.");
                    }
                    if (H5Dread(xd, st, ALL, ALL, DEFAULT, buf) < 0) {
                        throw new MrfInputException(file + ": /dataset/xml cannot be read (truncated file?).");
                    }
                    BytePointer s = buf.get(BytePointer.class, 0);
                    String xml = s == null ? "" : s.getString(StandardCharsets.UTF_8);
                    H5Treclaim(st, space, DEFAULT, buf);
                    return xml;
                } finally {
                    H5Tclose(st);
                }
            }
            try (BytePointer buf = new BytePointer(bytes + 1)) {
                buf.zero();
                if (H5Dread(xd, ft, ALL, ALL, DEFAULT, buf) < 0) {
                    throw new MrfInputException(file + ": /dataset/xml cannot be read (truncated file?).");
                }
                return buf.getString(StandardCharsets.UTF_8);
            }
        } finally {
            if (space >= 0) H5Sclose(space);
            if (ft >= 0) H5Tclose(ft);
            H5Dclose(xd);
        }
    }

    private static MrfInputException damaged(Path file, String dataset, String what) {
        return new MrfInputException(file + ": " + dataset + " " + what + " (damaged HDF5 object, or not an ISMRMRD file). "
                + "Copy the file again from its source.");
    }

    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    private static float[] floats(long address, long count) {
        float[] v = new float[(int) count];
        if (count > 0) new org.bytedeco.javacpp.FloatPointer(new Address(address)).capacity(count).get(v);
        return v;
    }

    /** {@code floatsPerElement}: 2 for vlen complex samples, 1 for vlen float pairs. */
    private static IsmrmrdAcquisition parse(ByteBuffer b, int o, boolean payload, int floatsPerElement) {
        long flags = b.getLong(o + 2);
        int scan = b.getInt(o + 14);
        int samples = b.getShort(o + 34) & 0xffff;
        int channels = b.getShort(o + 38) & 0xffff;
        int pre = b.getShort(o + 168) & 0xffff, post = b.getShort(o + 170) & 0xffff, centre = b.getShort(o + 172) & 0xffff;
        int dims = b.getShort(o + 176) & 0xffff;
        int[] counters = new int[9];
        for (int i = 0; i < 9; i++) counters[i] = b.getShort(o + 242 + 2 * i) & 0xffff;
        float[] traj = new float[0], data = new float[0];
        if (payload) {
            traj = floats(b.getLong(o + TRAJ_OFFSET + 8), b.getLong(o + TRAJ_OFFSET));
            data = floats(b.getLong(o + DATA_OFFSET + 8), floatsPerElement * b.getLong(o + DATA_OFFSET));
        }
        return new IsmrmrdAcquisition(flags, scan, counters, samples, channels, dims, pre, post, centre, traj, data);
    }
}
