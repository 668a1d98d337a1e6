package org.mrf.scq.io;

import io.jhdf.checksum.ChecksumUtils;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Makes room for a user block in front of an HDF5 file written without one (as jhdf writes):
 * HDF5 file addresses are relative to the superblock's base address, so prepending N bytes only
 * needs the base address set to N, the end-of-file address moved by N (libhdf5 counts it from
 * the start of the file; checked against h5py/libhdf5 1.14) and, for superblock versions 2 and
 * 3, the superblock checksum recomputed. MATLAB v7.3 MAT-files are HDF5 with a 512-byte user block.
 */
final class Hdf5UserBlock {
    /** Enough leading bytes to hold any superblock version's fixed fields. */
    static final int SUPERBLOCK_BYTES = 96;

    private Hdf5UserBlock() {
    }

    /**
     * A copy of {@code hdf} (the file, or at least its first {@link #SUPERBLOCK_BYTES} bytes, starting
     * with the HDF5 signature) whose superblock is moved behind a user block of {@code userBlockSize}.
     */
    static byte[] relocate(byte[] hdf, int userBlockSize) {
        if (userBlockSize < 512 || Integer.bitCount(userBlockSize) != 1) {
            throw new IllegalArgumentException("an HDF5 user block is 0 or a power of two of at least 512 bytes");
        }
        byte[] out = Arrays.copyOf(hdf, hdf.length);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int version = out[8];
        switch (version) {
            case 0, 1 -> {
                int sizeOfOffsets = out[13];
                if (sizeOfOffsets != 8) throw new IllegalStateException("HDF5 offsets of " + sizeOfOffsets + " bytes");
                int baseAt = version == 0 ? 24 : 28;
                b.putLong(baseAt, userBlockSize);
                b.putLong(baseAt + 16, b.getLong(baseAt + 16) + userBlockSize); // end-of-file address
            }
            case 2, 3 -> {
                int sizeOfOffsets = out[9];
                if (sizeOfOffsets != 8) throw new IllegalStateException("HDF5 offsets of " + sizeOfOffsets + " bytes");
                b.putLong(12, userBlockSize);
                b.putLong(28, b.getLong(28) + userBlockSize); // end-of-file address, counted from byte 0 as libhdf5 does
                int checksumAt = 12 + 4 * 8;
                b.putInt(checksumAt, ChecksumUtils.checksum(Arrays.copyOf(out, checksumAt)));
            }
            default -> throw new IllegalStateException("HDF5 superblock version " + version);
        }
        return out;
    }
}
