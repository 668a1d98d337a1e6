package org.mrf.scq.io.ismrmrd;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.bytedeco.hdf5.global.hdf5.*;

/**
 * The global heap objects that libhdf5 reads for a dataset's variable-length values, checked before it reads them
 * (HDF5 File Format Specification 3.0, section III.E, "Global Heap": a collection is "GCOL", version 1, its size,
 * then objects of index, reference count, size and data padded to 8 bytes; a variable-length value is stored as a
 * 4-byte sequence length and a heap ID, the collection's address and a 4-byte object index).
 *
 * <p>libhdf5 1.12 trusts a collection when it loads one: it walks the objects by their sizes without checking progress
 * (an object of size 0 loops forever) or bounds, and copies an object whole into a buffer sized by the value's
 * sequence length. So every collection a dataset's values refer to must tile exactly, and every value must be exactly
 * its object. Only referenced collections are walked: freed file space is not cleared, so a valid file can hold stale
 * bytes that look like a damaged collection, which libhdf5 never reads.
 *
 * <p>Values are located in the stored bytes: chunked storage, uncompressed or deflated, for compounds with
 * variable-length members (/dataset/data), and contiguous storage for one variable-length string (/dataset/xml).
 * Files with 8-byte addresses only (every writer's default); other layouts are left to libhdf5.
 */
final class GlobalHeaps {
    private static final byte[] SIGNATURE = {'G', 'C', 'O', 'L', 1};
    /** A variable-length value on disk with 8-byte addresses: sequence length, collection address, object index. */
    private static final int VALUE_BYTES = 16;

    /** One stored variable-length value: {@code bytes} = sequence length x element size. */
    private record Value(long collection, long index, long bytes, String what) {
    }

    private final Path file;
    private final long fileBytes;
    /** Where address 0 is in the file (after a user block). */
    private final long base;
    private final int lengthSize;
    private final boolean checkable;

    /** Reads the file's address and length sizes and user block from its creation properties. */
    GlobalHeaps(long f, Path file, long fileBytes) {
        this.file = file;
        this.fileBytes = fileBytes;
        long fcpl = H5Fget_create_plist(f);
        try (SizeTPointer addr = new SizeTPointer(1); SizeTPointer len = new SizeTPointer(1)) {
            long[] userBlock = {0};
            boolean ok = fcpl >= 0 && H5Pget_sizes(fcpl, addr, len) >= 0 && H5Pget_userblock(fcpl, userBlock) >= 0;
            this.lengthSize = ok ? (int) len.get() : 8;
            this.base = ok ? userBlock[0] : 0;
            this.checkable = ok && addr.get() == 8;
        } finally {
            if (fcpl >= 0) H5Pclose(fcpl);
        }
        if (lengthSize != 2 && lengthSize != 4 && lengthSize != 8) {
            throw new MrfInputException(file + ": the HDF5 superblock declares " + lengthSize + "-byte lengths; the file is "
                    + "damaged. Copy it again from its source.");
        }
    }

    /** Refuses {@code dataset}, a path in open file {@code f}, if its stored datatype message is definitely damaged. */
    void checkDatatype(long f, String dataset) throws IOException {
        if (checkable) new DatatypeMessages(file, fileBytes, base, lengthSize).check(f, dataset);
    }

    /** Checks the heap objects of a dataset holding one variable-length string in contiguous storage. */
    void checkString(long dataset, String name) throws IOException {
        long at = H5Dget_offset(dataset);   // all ones unless the storage is contiguous
        if (!checkable || at == -1) return;
        try (FileChannel ch = open()) {
            ByteBuffer v = read(ch, base + at, VALUE_BYTES);
            check(ch, name, List.of(value(v, 0, 1, name + "'s string")));
        }
    }

    /**
     * Checks the heap objects of the first {@code records} records of a chunked one-dimensional dataset of compound
     * {@code fileType}, whose top-level variable-length members are the values.
     */
    void checkCompound(long dataset, long fileType, long records, String name) throws IOException {
        if (!checkable || records <= 0) return;
        long recordBytes = H5Tget_size(fileType);
        List<long[]> members = new ArrayList<>();   // {offset, element bytes}
        List<String> names = new ArrayList<>();
        int n = H5Tget_nmembers(fileType);
        for (int i = 0; i < n; i++) {
            long m = H5Tget_member_type(fileType, i);
            try {
                if (H5Tget_class(m) != H5T_VLEN) continue;
                long sup = H5Tget_super(m);
                members.add(new long[]{H5Tget_member_offset(fileType, i), H5Tget_size(sup)});
                H5Tclose(sup);
                BytePointer s = H5Tget_member_name(fileType, i);
                names.add(s == null ? "member " + i : s.getString());
                if (s != null) H5free_memory(s);
            } finally {
                H5Tclose(m);
            }
        }
        if (members.isEmpty()) return;
        long dcpl = H5Dget_create_plist(dataset);
        long[] chunk = {0};
        boolean deflated;
        try {
            if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, chunk) != 1 || chunk[0] <= 0) return;
            int filters = H5Pget_nfilters(dcpl);
            if (filters > 1) return;
            try (SizeTPointer values = new SizeTPointer(1)) {   // freed here, not left to the collector per file
                for (int i = 0; i < filters; i++) {
                    if (H5Pget_filter2(dcpl, i, new int[1], values.put(0L), new int[0], 0, new byte[0], new int[1])
                            != H5Z_FILTER_DEFLATE) {
                        return;
                    }
                }
            }
            deflated = filters == 1;
        } finally {
            H5Pclose(dcpl);
        }
        long raw = chunk[0] * recordBytes;
        if (raw > Integer.MAX_VALUE) return;
        long[] chunks = {0};
        if (H5Dget_num_chunks(dataset, H5S_ALL(), chunks) < 0) return;
        List<Value> values = new ArrayList<>();
        try (FileChannel ch = open()) {
            for (long c = 0; c < chunks[0]; c++) {
                long[] offset = {0}, addr = {0}, size = {0};
                int[] mask = {0};
                if (H5Dget_chunk_info(dataset, H5S_ALL(), c, offset, mask, addr, size) < 0) return;
                if (size[0] < 0 || Long.compareUnsigned(base + addr[0], fileBytes) > 0 || size[0] > fileBytes - base - addr[0]) {
                    throw new MrfInputException(file + ": " + name + " stores a chunk of " + size[0] + " bytes at byte "
                            + Long.toUnsignedString(base + addr[0]) + ", past the end of the file (" + fileBytes + " bytes); "
                            + "the file is damaged. Copy it again from its source.");
                }
                ByteBuffer b = read(ch, base + addr[0], (int) size[0]);
                if (deflated && (mask[0] & 1) == 0) b = inflate(b, (int) raw, name);
                if (b.limit() != raw) {
                    throw new MrfInputException(file + ": " + name + "'s chunk at record " + offset[0] + " holds " + b.limit()
                            + " bytes, not the " + raw + " of " + chunk[0] + " records of " + recordBytes + " bytes; the file "
                            + "is damaged. Copy it again from its source.");
                }
                for (long r = 0; r < chunk[0] && offset[0] + r < records; r++) {
                    for (int k = 0; k < members.size(); k++) {
                        long[] m = members.get(k);
                        values.add(value(b, (int) (r * recordBytes + m[0]), m[1],
                                name + " record " + (offset[0] + r) + "'s " + names.get(k)));
                    }
                }
            }
            check(ch, name, values);
        }
    }

    private Value value(ByteBuffer b, int at, long elementBytes, String what) {
        long length = b.getInt(at) & 0xffffffffL;
        return new Value(b.getLong(at + 4), b.getInt(at + 12) & 0xffffffffL, length * elementBytes, what);
    }

    private ByteBuffer inflate(ByteBuffer b, int raw, String name) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(b);
            ByteBuffer out = ByteBuffer.allocate(raw).order(ByteOrder.LITTLE_ENDIAN);
            inf.inflate(out);
            if (!inf.finished()) throw new DataFormatException("more than " + raw + " bytes");
            out.flip();
            return out;
        } catch (DataFormatException e) {
            throw new MrfInputException(file + ": " + name + " has a deflated chunk that does not inflate to " + raw
                    + " bytes (" + e.getMessage() + "); the file is damaged. Copy it again from its source.");
        } finally {
            inf.end();
        }
    }

    /** Walks every collection the values refer to once, then matches each value to its object. */
    private void check(FileChannel ch, String name, List<Value> values) throws IOException {
        Map<Long, List<Value>> byCollection = new LinkedHashMap<>();
        for (Value v : values) {
            if (v.bytes() == 0) continue;   // an empty sequence refers to no object
            byCollection.computeIfAbsent(v.collection(), k -> new ArrayList<>()).add(v);
        }
        for (Map.Entry<Long, List<Value>> e : byCollection.entrySet()) {
            Map<Long, Long> objects = objects(ch, e.getKey(), e.getValue().get(0).what());
            for (Value v : e.getValue()) {
                Long size = objects.get(v.index());
                if (size == null || size != v.bytes()) {
                    throw new MrfInputException(file + ": " + v.what() + " declares " + v.bytes() + " bytes in global heap "
                            + "object " + v.index() + " of the collection at byte " + Long.toUnsignedString(base + v.collection())
                            + ", which " + (size == null ? "has no such object" : "holds " + size + " bytes") + "; the file "
                            + "is damaged. Copy it again from its source.");
                }
            }
        }
    }

    /** The objects (index to size) of the collection at {@code address}, which must tile it exactly. */
    private Map<Long, Long> objects(FileChannel ch, long address, String what) throws IOException {
        long start = base + address;
        int header = 8 + lengthSize, objectHeader = 8 + lengthSize;
        ByteBuffer h = Long.compareUnsigned(start, fileBytes - header) <= 0 ? read(ch, start, header) : null;
        long size = h == null ? 0 : length(h, 8);
        if (h == null || !signature(h) || size < header || size > fileBytes - start || size > Integer.MAX_VALUE) {
            throw new MrfInputException(file + ": " + what + " refers to a global heap collection at byte "
                    + Long.toUnsignedString(start) + " that is not one, or does not fit the file (" + fileBytes + " bytes); "
                    + "the file is damaged. Copy it again from its source.");
        }
        ByteBuffer c = read(ch, start, (int) size);
        Map<Long, Long> objects = new HashMap<>();
        for (long p = header; p < size && p + objectHeader <= size; ) {
            int index = c.getShort((int) p) & 0xffff;
            long objectSize = length(c, (int) p + 8);
            long need = index > 0 ? objectHeader + ((objectSize + 7) & ~7L) : objectSize;
            if (need <= 0 || Long.compareUnsigned(objectSize, size) > 0 || need > size - p) {
                throw new MrfInputException(file + ": the global heap collection at byte " + start + " (which holds the "
                        + "XML header and the variable-length samples) declares an object of " + Long.toUnsignedString(objectSize)
                        + " bytes at byte " + (start + p) + " that does not fit its " + size + " bytes; the file is "
                        + "damaged. Copy it again from its source.");
            }
            if (index > 0) objects.put((long) index, objectSize);
            p += need;
        }
        return objects;
    }

    private static boolean signature(ByteBuffer b) {
        for (int k = 0; k < SIGNATURE.length; k++) if (b.get(k) != SIGNATURE[k]) return false;
        return true;
    }

    /** An unsigned little-endian length of the file's length size at {@code at}. */
    private long length(ByteBuffer b, int at) {
        long v = 0;
        for (int k = lengthSize - 1; k >= 0; k--) v = v << 8 | (b.get(at + k) & 0xff);
        return v;
    }

    private FileChannel open() throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** {@code bytes} bytes at {@code at}, little-endian; bytes past the end of the file read as 0. */
    static ByteBuffer read(FileChannel ch, long at, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // positional reads until full or at the end of the file
        }
        b.clear();
        return b;
    }
}
