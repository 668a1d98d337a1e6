package org.mrf.scq.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A minimal HDF5 writer for MATLAB v7.3 MAT-files: one root group holding contiguous,
 * uncompressed datasets (float32, float64, uint8, int16, or a {@code real}/{@code imag} compound of
 * float32 or float64 for complex data) with a fixed-length string attribute {@code MATLAB_class},
 * behind an optional user block. It uses the original ("version 0") file format: superblock
 * version 0, version 1 object headers, a symbol-table root group (one v1 B-tree node, one local
 * heap, one symbol table node), which every HDF5 reader (libhdf5 1.4 and later, MATLAB, h5py,
 * jhdf) understands. Written sequentially to a stream: nothing is held besides one slab of data.
 */
final class Hdf5Writer {
    static final long UNDEF = -1L;
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final int SUPERBLOCK = 96;
    private static final int ROOT_HEADER = 16 + 8 + 16;
    private static final int GROUP_INTERNAL_K = 16;
    private static final int BTREE = 24 + (2 * GROUP_INTERNAL_K) * 8 + (2 * GROUP_INTERNAL_K + 1) * 8;
    private static final int HEAP_HEADER = 32;

    /** Element types written. */
    enum Type {
        FLOAT32(4), FLOAT64(8), UINT8(1), INT16(2), COMPLEX64(8), COMPLEX128(16);

        final int size;

        Type(int size) {
            this.size = size;
        }
    }

    /**
     * A dataset: HDF5 dims (C order, slowest first) and values already in that order, sliced as
     * slabs of {@code slab} elements produced on demand (so big arrays are not copied whole).
     */
    record Dataset(String name, Type type, long[] dims, String matlabClass, SlabSource data) {
    }

    /** Fills {@code re} (and {@code im} for complex) with elements [start, start + re.length) in file order. */
    interface SlabSource {
        int slabLength();

        void slab(int index, float[] re, float[] im);
    }

    private Hdf5Writer() {
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    static void write(OutputStream out, byte[] userBlock, List<Dataset> datasets) throws IOException {
        if (datasets.isEmpty()) throw new IllegalArgumentException("no datasets");
        List<Dataset> sorted = new ArrayList<>(datasets);
        sorted.sort(Comparator.comparing(d -> d.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        int n = sorted.size();
        int leafK = Math.max(4, (n + 1) / 2);
        int snodSize = 8 + 2 * leafK * 40;

        // local heap data: "" at 0, then names, each null-terminated and padded to 8
        int[] nameOffset = new int[n];
        int heapData = 8;
        for (int i = 0; i < n; i++) {
            nameOffset[i] = heapData;
            heapData += pad8(sorted.get(i).name().getBytes(StandardCharsets.UTF_8).length + 1);
        }
        // one 16-byte free block at the end, as libhdf5 leaves it (libhdf5 refuses an undefined free-list head)
        int freeBlock = heapData;
        heapData += 16;
        long rootHeader = SUPERBLOCK;
        long btree = rootHeader + ROOT_HEADER;
        long heap = btree + BTREE;
        long heapDataAddr = heap + HEAP_HEADER;
        long snod = heapDataAddr + heapData;
        long next = snod + snodSize;
        long[] headerAddr = new long[n], dataAddr = new long[n];
        byte[][] headers = new byte[n][];
        for (int i = 0; i < n; i++) {
            Dataset d = sorted.get(i);
            headerAddr[i] = next;
            // header size does not depend on the data address
            int hs = objectHeader(d, 0).length;
            dataAddr[i] = next + hs;
            headers[i] = objectHeader(d, dataAddr[i]);
            next = dataAddr[i] + count(d.dims()) * d.type().size;
        }
        long base = userBlock == null ? 0 : userBlock.length;
        long eof = base + next;

        if (userBlock != null) out.write(userBlock);
        ByteBuffer b = le(SUPERBLOCK + ROOT_HEADER + BTREE + HEAP_HEADER + heapData + snodSize);
        // superblock v0
        b.put(SIGNATURE).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 8).put((byte) 8)
                .put((byte) 0).putShort((short) leafK).putShort((short) GROUP_INTERNAL_K).putInt(0)
                .putLong(base).putLong(UNDEF).putLong(eof).putLong(UNDEF);
        // root group symbol table entry: cached B-tree and heap addresses
        b.putLong(0).putLong(rootHeader).putInt(1).putInt(0).putLong(btree).putLong(heap);
        // root object header (v1): one symbol table message
        b.put((byte) 1).put((byte) 0).putShort((short) 1).putInt(1).putInt(8 + 16).putInt(0);
        b.putShort((short) 0x11).putShort((short) 16).put((byte) 0).put(new byte[3]).putLong(btree).putLong(heap);
        // v1 B-tree, group node, leaf level, one child (the symbol table node)
        int bt = b.position();
        b.put("TREE".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0).putShort((short) 1)
                .putLong(UNDEF).putLong(UNDEF).putLong(0).putLong(snod).putLong(nameOffset[n - 1]);
        b.position(bt + BTREE);
        // local heap
        b.put("HEAP".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(new byte[3]).putLong(heapData).putLong(freeBlock)
                .putLong(heapDataAddr);
        int hd = b.position();
        for (int i = 0; i < n; i++) {
            b.position(hd + nameOffset[i]);
            b.put(sorted.get(i).name().getBytes(StandardCharsets.UTF_8));
        }
        b.position(hd + freeBlock);
        b.putLong(1).putLong(16); // free block: next = 1 (end of list), size 16
        b.position(hd + heapData);
        // symbol table node
        int sn = b.position();
        b.put("SNOD".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) n);
        for (int i = 0; i < n; i++) b.putLong(nameOffset[i]).putLong(headerAddr[i]).putInt(0).putInt(0).putLong(0).putLong(0);
        b.position(sn + snodSize);
        out.write(b.array(), 0, b.position());

        for (int i = 0; i < n; i++) {
            out.write(headers[i]);
            writeData(out, sorted.get(i));
        }
        out.flush();
    }

    static long count(long[] dims) {
        long c = 1;
        for (long d : dims) c *= d;
        return c;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] datatype(Type t) {
        return switch (t) {
            case FLOAT32 -> floatType(4);
            case FLOAT64 -> floatType(8);
            case UINT8 -> le(12).put((byte) 0x10).put((byte) 0).put((byte) 0).put((byte) 0).putInt(1)
                    .putShort((short) 0).putShort((short) 8).array();
            case INT16 -> le(12).put((byte) 0x10).put((byte) 0x08).put((byte) 0).put((byte) 0).putInt(2)
                    .putShort((short) 0).putShort((short) 16).array();
            case COMPLEX64 -> compound(4);
            case COMPLEX128 -> compound(8);
        };
    }

    /** IEEE little-endian float of 4 or 8 bytes. */
    private static byte[] floatType(int size) {
        ByteBuffer b = le(20);
        b.put((byte) 0x11).put((byte) 0x20).put((byte) (size == 4 ? 31 : 63)).put((byte) 0).putInt(size);
        if (size == 4) b.putShort((short) 0).putShort((short) 32).put((byte) 23).put((byte) 8).put((byte) 0).put((byte) 23).putInt(127);
        else b.putShort((short) 0).putShort((short) 64).put((byte) 52).put((byte) 11).put((byte) 0).put((byte) 52).putInt(1023);
        return b.array();
    }

    /** Version 1 compound {real, imag} of two floats of {@code part} bytes each. */
    private static byte[] compound(int part) {
        byte[] f = floatType(part);
        ByteBuffer b = le(8 + 2 * (8 + 32 + f.length));
        b.put((byte) 0x16).put((byte) 2).put((byte) 0).put((byte) 0).putInt(2 * part);
        String[] names = {"real", "imag"};
        for (int m = 0; m < 2; m++) {
            byte[] nm = Arrays.copyOf(names[m].getBytes(StandardCharsets.US_ASCII), 8);
            b.put(nm).putInt(m * part).put((byte) 0).put(new byte[3]).putInt(0).putInt(0).put(new byte[16]).put(f);
        }
        return b.array();
    }

    private static byte[] objectHeader(Dataset d, long dataAddr) {
        List<byte[]> msgs = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        List<Integer> flags = new ArrayList<>();
        // dataspace v1, no max dims
        ByteBuffer ds = le(8 + 8 * d.dims().length);
        ds.put((byte) 1).put((byte) d.dims().length).put((byte) 0).put((byte) 0).putInt(0);
        for (long v : d.dims()) ds.putLong(v);
        msgs.add(ds.array());
        types.add(0x1);
        flags.add(0);
        msgs.add(datatype(d.type()));
        types.add(0x3);
        flags.add(1);
        // fill value v2: allocation late, write if set, defined with the default (size 0)
        msgs.add(new byte[]{2, 2, 2, 1, 0, 0, 0, 0});
        types.add(0x5);
        flags.add(1);
        // layout v3, contiguous
        msgs.add(le(18).put((byte) 3).put((byte) 1).putLong(dataAddr).putLong(count(d.dims()) * d.type().size).array());
        types.add(0x8);
        flags.add(0);
        if (d.matlabClass() != null) {
            byte[] value = d.matlabClass().getBytes(StandardCharsets.US_ASCII);
            byte[] name = "MATLAB_class".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer a = le(8 + pad8(name.length + 1) + 8 + 8 + pad8(value.length));
            a.put((byte) 1).put((byte) 0).putShort((short) (name.length + 1)).putShort((short) 8).putShort((short) 8);
            a.put(Arrays.copyOf(name, pad8(name.length + 1)));
            a.put((byte) 0x13).put((byte) 0x01).put((byte) 0).put((byte) 0).putInt(value.length); // fixed string, null pad, ASCII
            a.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0); // scalar dataspace
            a.put(value);
            msgs.add(a.array());
            types.add(0xC);
            flags.add(0);
        }
        int size = 0;
        for (byte[] m : msgs) size += 8 + pad8(m.length);
        ByteBuffer h = le(16 + size);
        h.put((byte) 1).put((byte) 0).putShort((short) msgs.size()).putInt(1).putInt(size).putInt(0);
        for (int i = 0; i < msgs.size(); i++) {
            byte[] m = msgs.get(i);
            h.putShort(types.get(i).shortValue()).putShort((short) pad8(m.length)).put(flags.get(i).byteValue()).put(new byte[3]);
            h.put(m);
            h.position(h.position() + pad8(m.length) - m.length);
        }
        return h.array();
    }

    private static void writeData(OutputStream out, Dataset d) throws IOException {
        long total = count(d.dims());
        if (total == 0) return;
        int slab = d.data().slabLength();
        boolean complex = d.type() == Type.COMPLEX64 || d.type() == Type.COMPLEX128;
        float[] re = new float[slab], im = complex ? new float[slab] : null;
        ByteBuffer b = le(slab * d.type().size);
        long slabs = total / slab;
        for (int s = 0; s < slabs; s++) {
            d.data().slab(s, re, im);
            b.clear();
            for (int i = 0; i < slab; i++) {
                switch (d.type()) {
                    case FLOAT32 -> b.putFloat(re[i]);
                    case FLOAT64 -> b.putDouble(re[i]);
                    case UINT8 -> b.put((byte) NdArray.clampRound(re[i], 0, 255));
                    case INT16 -> b.putShort((short) NdArray.clampRound(re[i], Short.MIN_VALUE, Short.MAX_VALUE));
                    case COMPLEX64 -> b.putFloat(re[i]).putFloat(im[i]);
                    case COMPLEX128 -> b.putDouble(re[i]).putDouble(im[i]);
                }
            }
            out.write(b.array(), 0, b.position());
        }
    }
}
