package org.mrf.scq.io.ismrmrd;

import org.bytedeco.hdf5.H5O_info2_t;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

import static org.bytedeco.hdf5.global.hdf5.*;

/**
 * A dataset's datatype message, read from its object header in Java before libhdf5 decodes it (HDF5 File Format
 * Specification 3.0: IV.A.1 object headers, versions 1 and 2, with continuation blocks; IV.A.2.d the datatype
 * message).
 *
 * <p>libhdf5 1.12.1 divides by the sizes of a compound's member types when it copies a decoded type
 * ({@code H5T__complete_copy}), so a datatype message declaring a member type of size 0 raises SIGFPE inside
 * {@code H5Dopen2} and aborts the JVM (fuzzing run 6 found one). Every type reachable from the message is walked here,
 * and a type of size 0, an array dimension of 0, a compound member reaching past its compound, or a
 * variable-length string whose characters are not 1 byte (libhdf5 sizes its buffers by them: gigabytes) is refused. What this
 * walk does not understand (a shared datatype, an unknown class or version, a message that ends early) is left to
 * libhdf5: only definite damage is refused, so a valid file is never refused here.
 */
final class DatatypeMessages {
    private static final int DATATYPE = 0x0003, CONTINUATION = 0x0010;
    private static final int MAX_BLOCKS = 64, MAX_DEPTH = 32;

    /** Raised inside the walk when the bytes cannot be followed further; the check then leaves the type to libhdf5. */
    private static final class Unreadable extends RuntimeException {
        Unreadable() {
            super(null, null, false, false);
        }
    }

    private final Path file;
    private final long fileBytes, base;
    private final int lengthSize;

    DatatypeMessages(Path file, long fileBytes, long base, int lengthSize) {
        this.file = file;
        this.fileBytes = fileBytes;
        this.base = base;
        this.lengthSize = lengthSize;
    }

    /** Refuses {@code dataset} (a path in open file {@code f}) if its datatype message declares definite damage. */
    void check(long f, String dataset) throws IOException {
        long address;
        H5O_info2_t info = new H5O_info2_t();
        try {
            // The basic information only tests which messages exist; it decodes none of them.
            if (H5Oget_info_by_name3(f, dataset, info, H5O_INFO_BASIC, 0) < 0) return;
            address = 0;
            for (int k = 7; k >= 0; k--) address = address << 8 | (info.token().__data(k) & 0xff);
        } finally {
            info.close();
        }
        ByteBuffer message;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            message = datatypeMessage(ch, address);
        }
        if (message == null) return;
        String damage;
        try {
            damage = damage(message, 0, 0);
        } catch (Unreadable | IndexOutOfBoundsException e) {
            return;
        }
        if (damage != null) {
            throw new MrfInputException(file + ": " + dataset + "'s datatype declares " + damage + "; the dataset header is "
                    + "damaged. Copy the file again from its source.");
        }
    }

    /** The datatype message's data in the object header at {@code address}, or null where it cannot be found. */
    private ByteBuffer datatypeMessage(FileChannel ch, long address) throws IOException {
        long start = base + address;
        if (Long.compareUnsigned(start, fileBytes - 16) > 0) return null;
        ByteBuffer prefix = GlobalHeaps.read(ch, start, 48);
        Deque<long[]> blocks = new ArrayDeque<>();   // {file position, length, kind: 1 version-1 block, 2 OHDR chunk 0, 3 OCHK}
        int headerFlags = 0;
        if (prefix.get(0) == 1) {
            blocks.add(new long[]{start + 16, prefix.getInt(8) & 0xffffffffL, 1});
        } else if (prefix.getInt(0) == 0x5244484f) {   // "OHDR"
            headerFlags = prefix.get(5) & 0xff;
            int p = 6 + ((headerFlags & 0x20) != 0 ? 16 : 0) + ((headerFlags & 0x10) != 0 ? 4 : 0);
            int sizeBytes = 1 << (headerFlags & 3);
            long chunk0 = 0;
            for (int k = sizeBytes - 1; k >= 0; k--) chunk0 = chunk0 << 8 | (prefix.get(p + k) & 0xff);
            blocks.add(new long[]{start + p + sizeBytes, chunk0, 2});
        } else {
            return null;
        }
        boolean v1 = blocks.peek()[2] == 1;
        int messageHeader = v1 ? 8 : 4 + ((headerFlags & 0x04) != 0 ? 2 : 0);
        for (int seen = 0; !blocks.isEmpty() && seen < MAX_BLOCKS; seen++) {
            long[] block = blocks.poll();
            long at = block[0], length = block[1];
            if (length <= 0 || length > Integer.MAX_VALUE || Long.compareUnsigned(at, fileBytes) > 0 || length > fileBytes - at) {
                return null;
            }
            ByteBuffer b = GlobalHeaps.read(ch, at, (int) length);
            int p = 0, end = (int) length;
            if (block[2] == 3) {
                if (b.getInt(0) != 0x4b48434f) return null;   // "OCHK", then the messages and a checksum
                p = 4;
                end -= 4;
            }
            while (p + messageHeader <= end) {
                int type = v1 ? b.getShort(p) & 0xffff : b.get(p) & 0xff;
                int size = b.getShort(p + (v1 ? 2 : 1)) & 0xffff;
                int flags = b.get(p + (v1 ? 4 : 3)) & 0xff;
                int data = p + messageHeader;
                if (size > end - data) return null;
                if (type == DATATYPE) {
                    if ((flags & 0x02) != 0) return null;   // shared: stored elsewhere
                    return b.slice(data, size).order(ByteOrder.LITTLE_ENDIAN);
                }
                if (type == CONTINUATION && size >= 8 + lengthSize) {
                    long offset = b.getLong(data), len = 0;
                    for (int k = lengthSize - 1; k >= 0; k--) len = len << 8 | (b.get(data + 8 + k) & 0xff);
                    blocks.add(new long[]{base + offset, len, v1 ? 1 : 3});
                }
                p = data + size;
            }
        }
        return null;
    }

    /**
     * Walks the type encoded at {@code at} and those nested in it: a description of the first definite damage, or null.
     * The end of each type's encoding is found as libhdf5's decoder finds it.
     */
    private static String damage(ByteBuffer b, int at, int depth) {
        int[] end = {0};
        return walk(b, at, depth, end);
    }

    private static String walk(ByteBuffer b, int at, int depth, int[] end) {
        if (depth > MAX_DEPTH) throw new Unreadable();
        int classVersion = b.get(at) & 0xff, cls = classVersion & 0x0f, version = classVersion >> 4;
        int bits = (b.get(at + 1) & 0xff) | (b.get(at + 2) & 0xff) << 8 | (b.get(at + 3) & 0xff) << 16;
        long size = b.getInt(at + 4) & 0xffffffffL;
        if (size == 0) return "a type of size 0 (class " + cls + ")";
        int p = at + 8;
        switch (cls) {
            case 0, 4 -> p += 4;    // fixed-point, bitfield: bit offset and precision
            case 1 -> p += 12;      // floating-point
            case 2 -> p += 2;       // time
            case 3 -> {             // string: no properties
            }
            case 5 -> p += bits & 0xff;   // opaque: the tag, NUL-padded
            case 6 -> {
                int members = bits & 0xffff;
                for (int i = 0; i < members; i++) {
                    p = afterName(b, p, version);
                    long offset;
                    if (version == 1) {
                        offset = b.getInt(p) & 0xffffffffL;
                        if (b.get(p + 4) != 0) throw new Unreadable();   // version-1 array members: not walked
                        p += 4 + 28;
                    } else if (version == 2) {
                        offset = b.getInt(p) & 0xffffffffL;
                        p += 4;
                    } else if (version == 3) {
                        int k = size < 1L << 8 ? 1 : size < 1L << 16 ? 2 : size < 1L << 24 ? 3 : 4;
                        offset = 0;
                        for (int j = k - 1; j >= 0; j--) offset = offset << 8 | (b.get(p + j) & 0xff);
                        p += k;
                    } else {
                        throw new Unreadable();
                    }
                    long memberSize = b.getInt(p + 4) & 0xffffffffL;
                    String inner = walk(b, p, depth + 1, end);
                    if (inner != null) return "in member " + i + ", " + inner;
                    if (offset + memberSize > size) {
                        return "member " + i + " at byte " + offset + " of " + memberSize + " bytes, past its " + size + "-byte compound";
                    }
                    p = end[0];
                }
            }
            case 7 -> {
                if (version >= 4) throw new Unreadable();
            }
            case 8 -> {
                int members = bits & 0xffff;
                long baseSize = b.getInt(p + 4) & 0xffffffffL;
                String inner = walk(b, p, depth + 1, end);
                if (inner != null) return "in its base type, " + inner;
                p = end[0];
                for (int i = 0; i < members; i++) p = afterName(b, p, version);
                p += (int) Math.min(Integer.MAX_VALUE, members * baseSize);
            }
            case 9 -> {
                long baseSize = b.getInt(p + 4) & 0xffffffffL;
                String inner = walk(b, p, depth + 1, end);
                if (inner != null) return "in its base type, " + inner;
                // libhdf5 sizes a string's buffer by its length times the character size it finds here
                if ((bits & 0x0f) == 1 && baseSize != 1) return "a variable-length string of " + baseSize + "-byte characters";
                p = end[0];
            }
            case 10 -> {
                int dims = b.get(p) & 0xff;
                p += version == 2 ? 4 : version == 3 ? 1 : -1_000_000;
                if (p < 0) throw new Unreadable();
                for (int d = 0; d < dims; d++) {
                    if (b.getInt(p + 4 * d) == 0) return "an array dimension of 0";
                }
                p += 4 * dims * (version == 2 ? 2 : 1);
                String inner = walk(b, p, depth + 1, end);
                if (inner != null) return "in its base type, " + inner;
                p = end[0];
            }
            default -> throw new Unreadable();
        }
        end[0] = p;
        return null;
    }

    /** Where a member name at {@code p} ends: NUL-terminated, padded to 8 bytes before version 3. */
    private static int afterName(ByteBuffer b, int p, int version) {
        int name = p;
        while (b.get(p) != 0) p++;
        int nameBytes = p - name + 1;
        return name + (version < 3 ? (nameBytes + 7) & ~7 : nameBytes);
    }
}
