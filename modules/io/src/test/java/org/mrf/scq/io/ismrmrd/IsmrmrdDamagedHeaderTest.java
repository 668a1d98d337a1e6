package org.mrf.scq.io.ismrmrd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongConsumer;

import static org.bytedeco.hdf5.global.hdf5.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged dataset headers in an otherwise valid ISMRMRD file, forged with libhdf5 itself: the reader refuses each
 * from its header fields with one {@link MrfInputException} naming the file and the dataset, before libhdf5 reads
 * anything. Without the checks, H5Dread converts the fill value of every declared element of never-written storage
 * (2^40 strings into a one-pointer buffer: a hang that fuzzing found, and a heap overrun).
 */
class IsmrmrdDamagedHeaderTest {
    private static final Duration QUICK = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A valid small file of the project's writer, then {@code damage} applied to it, opened read-write. */
    private Path damaged(String name, LongConsumer damage) throws Exception {
        Path f = dir.resolve(name + ".h5");
        IsmrmrdRaw.write(f, IsmrmrdRawTest.spiralSeries(8, 1, 4, false, 1), 220.0, IsmrmrdRawTest.schedule(4));
        synchronized (IsmrmrdFile.LOCK) {
            long h = H5Fopen(f.toString(), H5F_ACC_RDWR(), 0);
            assertTrue(h >= 0);
            try {
                damage.accept(h);
            } finally {
                H5Fclose(h);
            }
        }
        return f;
    }

    /**
     * Replaces /dataset/xml by a dataset of string type {@code type} over {@code dims}, never written. The type is made
     * inside, while the file is open: the reader closes libhdf5 after each file, which invalidates every id.
     */
    private static LongConsumer xml(java.util.function.LongSupplier makeType, long... dims) {
        return h -> {
            long type = makeType.getAsLong();
            assertTrue(H5Ldelete(h, "/dataset/xml", 0) >= 0);
            long space = H5Screate_simple(dims.length, dims, null);
            long d = H5Dcreate2(h, "/dataset/xml", type, space, 0, 0, 0);
            assertTrue(d >= 0);
            H5Dclose(d);
            H5Sclose(space);
            H5Tclose(type);
        };
    }

    private static long variableString() {
        long s = H5Tcopy(H5T_C_S1_g());
        H5Tset_size(s, H5T_VARIABLE());
        return s;
    }

    private void refused(Path f, String field) {
        MrfInputException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(MrfInputException.class,
                () -> IsmrmrdRaw.plan(f, Counter.REPETITION)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void anXmlDatasetOfTwoToTheFortyStringsIsRefusedBeforeReading() throws Exception {
        refused(damaged("xml-2e40", xml(IsmrmrdDamagedHeaderTest::variableString, 1L << 40)), "/dataset/xml");
    }

    @Test
    void anXmlDatasetOfRankTwoIsRefused() throws Exception {
        refused(damaged("xml-rank2", xml(IsmrmrdDamagedHeaderTest::variableString, 1, 1)), "/dataset/xml");
    }

    @Test
    void aFixedLengthXmlStringOfAGigabyteIsRefused() throws Exception {
        refused(damaged("xml-1g", xml(() -> {
            long s = H5Tcopy(H5T_C_S1_g());
            H5Tset_size(s, 1L << 30);
            return s;
        }, 1)), "/dataset/xml");
    }

    @Test
    void anXmlStringNeverWrittenIsRefused() throws Exception {
        refused(damaged("xml-unwritten", xml(IsmrmrdDamagedHeaderTest::variableString, 1)), "/dataset/xml");
    }

    @Test
    void acquisitionsBeyondTheStoredDataAreRefused() throws Exception {
        refused(damaged("data-2e30", h -> {
            long d = H5Dopen2(h, "/dataset/data", 0);
            assertTrue(H5Dset_extent(d, new long[]{1L << 30}) >= 0);
            H5Dclose(d);
        }), "/dataset/data");
    }

    /**
     * The free-space object that closes the global heap collection of the XML header and the samples, given size 0:
     * libhdf5 1.12 would walk the collection forever (what both fuzzing hangs were).
     */
    @Test
    void aGlobalHeapObjectOfSizeZeroIsRefusedBeforeLibhdf5LoopsOnIt() throws Exception {
        Path f = damaged("heap-size-0", h -> {
        });
        byte[] b = java.nio.file.Files.readAllBytes(f);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int start = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("GCOL");
        assertTrue(start >= 0, "the writer's file has a global heap");
        long size = bb.getLong(start + 8), p = 16;
        while (bb.getShort((int) (start + p)) != 0) p += 16 + ((bb.getLong((int) (start + p + 8)) + 7) & ~7L);
        assertTrue(p < size, "a free-space object closes the collection");
        bb.putLong((int) (start + p + 8), 0);
        java.nio.file.Files.write(f, b);
        refused(f, "global heap");
    }

    /**
     * The XML header as a scalar string is valid HDF5 and reads: libhdf5 1.12.1's H5Dvlen_get_buf_size corrupts the C
     * heap on a scalar dataspace (fuzzing run 5 aborted the JVM on a file whose damaged dataspace had become scalar).
     */
    @Test
    void aScalarXmlStringReads() throws Exception {
        Path f = damaged("xml-scalar", h -> {
        });
        String xml = IsmrmrdFile.readHeads(f).xml();
        synchronized (IsmrmrdFile.LOCK) {
            long h = H5Fopen(f.toString(), H5F_ACC_RDWR(), 0);
            assertTrue(h >= 0);
            try {
                assertTrue(H5Ldelete(h, "/dataset/xml", 0) >= 0);
                long s = variableString(), space = H5Screate(H5S_SCALAR);
                long d = H5Dcreate2(h, "/dataset/xml", s, space, 0, 0, 0);
                try (org.bytedeco.javacpp.BytePointer text = new org.bytedeco.javacpp.BytePointer(xml, java.nio.charset.StandardCharsets.UTF_8);
                     org.bytedeco.javacpp.PointerPointer<org.bytedeco.javacpp.BytePointer> buf = new org.bytedeco.javacpp.PointerPointer<>(1)) {
                    buf.put(0, text);
                    assertTrue(H5Dwrite(d, s, 0, 0, 0, buf) >= 0);
                }
                H5Dclose(d);
                H5Sclose(space);
                H5Tclose(s);
            } finally {
                H5Fclose(h);
            }
        }
        assertEquals(xml, IsmrmrdFile.readHeads(f).xml());
        assertEquals(4, IsmrmrdRaw.plan(f, Counter.REPETITION).frames());
    }

    @Test
    void theUndamagedFileReads() throws Exception {
        Path f = damaged("intact", h -> {
        });
        assertEquals(4, IsmrmrdRaw.plan(f, Counter.REPETITION).frames());
    }

    /**
     * Freed file space is not cleared, so a valid file can hold bytes that look like a damaged global heap collection
     * (a scanner's export did, after libhdf5 reused the space): no value refers to them, libhdf5 never reads them, and
     * the file reads as it did without them.
     */
    @Test
    void bytesThatLookLikeABrokenHeapCollectionButAreNotReferencedRead() throws Exception {
        Path f = damaged("stale-collection", h -> {
        });
        IsmrmrdFile.Contents intact = IsmrmrdFile.read(f);
        java.nio.ByteBuffer stale = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        stale.put(new byte[]{'G', 'C', 'O', 'L', 1, 0, 0, 0}).putLong(64).putShort((short) 1).putShort((short) 0).putInt(0)
                .putLong(13L << 32);
        java.nio.file.Files.write(f, stale.array(), java.nio.file.StandardOpenOption.APPEND);
        IsmrmrdFile.Contents read = IsmrmrdFile.read(f);
        assertEquals(intact.xml(), read.xml());
        assertEquals(intact.acquisitions().size(), read.acquisitions().size());
        for (int i = 0; i < read.acquisitions().size(); i++) {
            assertArrayEquals(intact.acquisitions().get(i).data(), read.acquisitions().get(i).data(), "acquisition " + i);
            assertArrayEquals(intact.acquisitions().get(i).traj(), read.acquisitions().get(i).traj(), "acquisition " + i);
        }
    }

    /**
     * A record whose sample count is one more than its heap object holds: libhdf5 would copy the whole object into a
     * buffer sized by the count, or read past the object. Refused, naming the record and the member.
     */
    @Test
    void aSampleCountThatDisagreesWithItsHeapObjectIsRefused() throws Exception {
        Path f = damaged("vlen-length", h -> {
        });
        long chunkAddress;
        synchronized (IsmrmrdFile.LOCK) {
            long h = H5Fopen(f.toString(), H5F_ACC_RDONLY(), 0);
            long d = H5Dopen2(h, "/dataset/data", 0);
            long[] offset = {0}, addr = {0}, size = {0};
            assertTrue(H5Dget_chunk_info(d, H5S_ALL(), 0, offset, new int[1], addr, size) >= 0);
            assertEquals(0, offset[0], "the first chunk starts at record 0");
            chunkAddress = addr[0];
            H5Dclose(d);
            H5Fclose(h);
        }
        byte[] b = java.nio.file.Files.readAllBytes(f);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int lengthField = (int) chunkAddress + 360;   // record 0's data: 4-byte sequence length, then the heap ID
        bb.putInt(lengthField, bb.getInt(lengthField) + 1);
        java.nio.file.Files.write(f, b);
        MrfInputException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(MrfInputException.class,
                () -> IsmrmrdFile.read(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("/dataset/data record 0's data"),
                e.getMessage());
    }

    /**
     * Fuzzing run 6's input: a member of /dataset/data's record type is an array type declaring size 0. libhdf5 1.12.1
     * divides by it while opening the dataset (SIGFPE, the JVM aborts), so the datatype message is walked first.
     */
    @Test
    void aDatatypeWithAMemberTypeOfSizeZeroIsRefusedBeforeLibhdf5OpensTheDataset() throws Exception {
        Path f = dir.resolve("sigfpe.h5");
        try (var in = getClass().getResourceAsStream("IsmrmrdFuzzTestInputs/readIsmrmrd/crash-sigfpe-array-member-of-size-0")) {
            assertNotNull(in, "the fuzzing input is a test resource");
            java.nio.file.Files.copy(in, f);
        }
        MrfInputException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(MrfInputException.class,
                () -> IsmrmrdFile.read(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("/dataset/data's datatype")
                && e.getMessage().contains("size 0"), e.getMessage());
    }
}
