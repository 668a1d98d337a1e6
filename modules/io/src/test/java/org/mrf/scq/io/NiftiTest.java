package org.mrf.scq.io;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class NiftiTest {
    static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i * 37 % 101) * scale - 3.5f;
        return v;
    }

    static byte[] write(NdArray a, Nifti.Options o) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Nifti.write(a, out, o);
        return out.toByteArray();
    }

    static NdArray read(byte[] b, String src) throws IOException {
        return Nifti.read(new ByteArrayInputStream(b), src);
    }

    @Test
    void largeFileRoundTripsThroughAFileStream(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        // Over 1 MB, so the reader takes the stream's remaining length as its buffer size.
        int t = 40, h = 64, w = 64, n = t * h * w;
        float[] re = new float[n], im = new float[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            re[i] = (float) r.nextGaussian();
            im[i] = (float) r.nextGaussian();
        }
        java.nio.file.Path f = dir.resolve("series.nii");
        ArrayFiles.write(f, NdArray.complex("series", re, im, t, h, w));
        assertTrue(java.nio.file.Files.size(f) > 1 << 20);
        NdArray back = ArrayFiles.read(f);
        assertArrayEquals(new int[]{t, h, w}, back.shape());
        assertArrayEquals(re, back.re());
        assertArrayEquals(im, back.im());
    }

    @Test
    void seriesRoundTripIsIdenticalAndUsesStandardLayout() throws IOException {
        int t = 5, h = 3, w = 4;
        NdArray a = NdArray.complex("series", ramp(t * h * w, 0.25f), ramp(t * h * w, -0.5f), t, h, w);
        byte[] b = write(a, Nifti.Options.fov(240, 120));
        assertEquals(352 + t * h * w * 8, b.length);
        Nifti.Header hd = Nifti.parseHeader(b, "s.nii");
        assertArrayEquals(new int[]{4, w, h, 1, t, 1, 1, 1}, hd.dim(), "x = W fastest, y = H, one slice, t = T");
        assertEquals(Nifti.DT_COMPLEX64, hd.datatype());
        assertEquals(64, hd.bitpix());
        assertEquals(60f, hd.pixdim()[1], 1e-6, "240 mm / 4 columns");
        assertEquals(40f, hd.pixdim()[2], 1e-6, "120 mm / 3 rows");
        assertEquals(352f, hd.voxOffset());
        NdArray back = read(b, "s.nii");
        assertArrayEquals(new int[]{t, h, w}, back.shape());
        assertTrue(a.sameValues(back));
        // voxel (x=w, y=h, t) of the file is element (t, h, w): first voxel of frame 2, row 1, column 3
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int xyIndex = 3 + w * (1 + h * (0 + 1 * 2));
        assertEquals(a.get(2, 1, 3), bb.getFloat(352 + 8 * xyIndex));
        assertEquals(a.getImag(2, 1, 3), bb.getFloat(352 + 8 * xyIndex + 4));
    }

    @Test
    void mapIsXFastest2dAndRoundTrips() throws IOException {
        float[] v = {1, 2, 3, 4, 5, 6}; // (H=2, W=3)
        NdArray a = NdArray.real("t1", v, 2, 3);
        byte[] b = write(a, new Nifti.Options());
        Nifti.Header hd = Nifti.parseHeader(b, "t1.nii");
        assertArrayEquals(new int[]{2, 3, 2, 1, 1, 1, 1, 1}, hd.dim());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) assertEquals(v[i], bb.getFloat(352 + 4 * i), "row-major bytes unchanged");
        NdArray back = read(b, "t1.nii");
        assertEquals(a, back);
    }

    @Test
    void rank3AsVolumeAndSingleFrameKeepTheirShape() throws IOException {
        NdArray vol = NdArray.real("vol", ramp(24, 1), 2, 3, 4);
        byte[] b = write(vol, new Nifti.Options().volume());
        assertArrayEquals(new int[]{3, 4, 3, 2, 1, 1, 1, 1}, Nifti.parseHeader(b, "v").dim());
        assertTrue(vol.sameValues(read(b, "v.nii")));
        NdArray one = NdArray.real("one", ramp(12, 1), 1, 3, 4);
        NdArray back = read(write(one, new Nifti.Options()), "one.nii");
        assertArrayEquals(new int[]{1, 3, 4}, back.shape());
        NdArray four = NdArray.real("four", ramp(2 * 3 * 4 * 5, 1), 2, 3, 4, 5);
        assertTrue(four.sameValues(read(write(four, new Nifti.Options()), "four.nii")));
    }

    @Test
    void uint8AndInt16RoundTripAndNanIsKeptInFloat() throws IOException {
        float[] m = {0, 1, 255, 7, 0, 1};
        NdArray mask = NdArray.of("mask", NdArray.ElementType.UINT8, m, null, 2, 3);
        byte[] b = write(mask, new Nifti.Options());
        assertEquals(352 + 6, b.length);
        assertEquals(Nifti.DT_UINT8, Nifti.parseHeader(b, "m").datatype());
        assertEquals(mask, read(b, "mask.nii"));
        float[] s = {-32768, -1, 0, 1, 1200, 32767};
        NdArray i16 = NdArray.of("s", NdArray.ElementType.INT16, s, null, 3, 2);
        assertEquals(i16, read(write(i16, new Nifti.Options()), "s.nii"));
        float[] f = {Float.NaN, 1, Float.POSITIVE_INFINITY, -0f};
        NdArray nan = NdArray.real("nan", f, 2, 2);
        NdArray back = read(write(nan, new Nifti.Options()), "nan.nii");
        assertTrue(Float.isNaN(back.re()[0]));
        assertEquals(nan, back, "NaN and infinities read faithfully");
    }

    @Test
    void gzipRoundTrip() throws IOException {
        NdArray a = NdArray.real("g", ramp(64 * 64, 0.1f), 64, 64);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Nifti.writeGzip(a, out, new Nifti.Options());
        byte[] gz = out.toByteArray();
        assertEquals(0x1f, gz[0] & 0xff);
        assertEquals(0x8b, gz[1] & 0xff);
        assertEquals(a, Nifti.read(new ByteArrayInputStream(gz), "g.nii.gz"));
    }

    /** A header built field by field (big-endian, float64, scaled) as another tool would write it. */
    static byte[] handMadeBigEndianFloat64() {
        ByteBuffer b = ByteBuffer.allocate(352 + 6 * 8).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0, 348);
        short[] dim = {2, 3, 2, 1, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
        b.putShort(70, (short) 64).putShort(72, (short) 64);
        b.putFloat(76, 1).putFloat(80, 1.5f).putFloat(84, 1.5f).putFloat(88, 4f);
        b.putFloat(108, 352f);
        b.putFloat(112, 2f).putFloat(116, 10f); // value = 2 * stored + 10
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        double[] v = {0, 1, 2, 3.5, -4, Double.NaN};
        for (int i = 0; i < 6; i++) b.putDouble(352 + 8 * i, v[i]);
        return b.array();
    }

    @Test
    void readsHandMadeBigEndianFloat64WithScaling() throws IOException {
        byte[] b = handMadeBigEndianFloat64();
        Nifti.Header h = Nifti.parseHeader(b, "be.nii");
        assertEquals(ByteOrder.BIG_ENDIAN, h.order());
        NdArray a = read(b, "be.nii");
        assertArrayEquals(new int[]{2, 3}, a.shape());
        assertEquals(10f, a.get(0, 0));
        assertEquals(12f, a.get(0, 1));
        assertEquals(17f, a.get(1, 0));
        assertEquals(2f, a.get(1, 1));
        assertTrue(Float.isNaN(a.get(1, 2)));
    }

    @Test
    void readsExtensionsComplex128AndInt32() throws IOException {
        // little-endian complex128 (T=2, H=1, W=2) with a 16-byte extension: vox_offset 368
        ByteBuffer b = ByteBuffer.allocate(368 + 4 * 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        short[] dim = {4, 2, 1, 1, 2, 1, 1, 1};
        for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
        b.putShort(70, (short) 1792).putShort(72, (short) 128);
        b.putFloat(108, 368f);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        b.putInt(348, 1); // extension flag
        b.putInt(352, 16).putInt(356, 0); // esize, ecode
        for (int i = 0; i < 4; i++) b.putDouble(368 + 16 * i, i + 0.5).putDouble(368 + 16 * i + 8, -i);
        NdArray a = read(b.array(), "c128.nii");
        assertEquals(NdArray.ElementType.COMPLEX128, a.elementType());
        assertArrayEquals(new int[]{2, 1, 2}, a.shape());
        assertEquals(2.5f, a.get(1, 0, 0));
        assertEquals(-3f, a.getImag(1, 0, 1));
        // int32 3D volume
        ByteBuffer c = ByteBuffer.allocate(352 + 4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        c.putInt(0, 348);
        short[] d3 = {3, 2, 2, 2, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) c.putShort(40 + 2 * i, d3[i]);
        c.putShort(70, (short) 8).putShort(72, (short) 32).putFloat(108, 352f);
        c.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        for (int i = 0; i < 8; i++) c.putInt(352 + 4 * i, -100000 * i);
        NdArray v = read(c.array(), "i32.nii");
        assertEquals(NdArray.ElementType.INT32, v.elementType());
        assertArrayEquals(new int[]{2, 2, 2}, v.shape());
        assertEquals(-700000f, v.get(1, 1, 1));
    }

    @Test
    void writtenHeaderFieldsMatchTheStandard() throws IOException {
        NdArray a = NdArray.real("m", new float[256 * 256], 256, 256);
        byte[] b = write(a, new Nifti.Options());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(348, bb.getInt(0));
        assertEquals("n+1\0", new String(b, 344, 4, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(0, bb.getInt(348), "no extensions");
        assertEquals(352f, bb.getFloat(108));
        assertEquals(16, bb.getShort(70));
        assertEquals(32, bb.getShort(72));
        assertEquals(300f / 256, bb.getFloat(80), 1e-6);
        assertEquals(1, bb.getShort(252));
        assertEquals(1, bb.getShort(254));
        assertEquals(0f, bb.getFloat(256));
        assertEquals(18, b[123], "mm and ms units");
        assertEquals(300f / 256, bb.getFloat(280), 1e-6, "srow_x[0] = dx");
        assertEquals(-255 * 300f / 256 / 2, bb.getFloat(292), 1e-3, "centred");
        assertEquals(1f, bb.getFloat(112), "scl_slope 1");
    }

    @Test
    void fixtureFromNumpyReadsAsExpected() throws IOException {
        // written by numpy: tests/resources .../series_tHW_c64.nii: (T=3, H=2, W=4) complex64, re = arange, im = -arange
        try (var in = getClass().getResourceAsStream("series_thw_c64.nii")) {
            assertNotNull(in);
            NdArray a = Nifti.read(in, "series_thw_c64.nii");
            assertArrayEquals(new int[]{3, 2, 4}, a.shape());
            for (int i = 0; i < 24; i++) {
                assertEquals(i, a.re()[i]);
                assertEquals(-i, a.im()[i]);
            }
        }
    }

    // --------------------------------------------------------- errors

    static void assertInputError(byte[] b, String src, String... parts) {
        MrfInputException e = assertThrows(MrfInputException.class, () -> read(b, src));
        assertTrue(e.getMessage().contains(src), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void badMagicIsReported() throws IOException {
        byte[] b = write(NdArray.real("x", new float[4], 2, 2), new Nifti.Options());
        b[345] = 'i';
        assertInputError(b, "scans/x.nii", "magic", "n+1");
        byte[] garbage = new byte[400];
        assertInputError(garbage, "scans/y.nii", "not a NIfTI-1 file", "sizeof_hdr");
        byte[] two = write(NdArray.real("x", new float[4], 2, 2), new Nifti.Options());
        two[344] = 'n';
        two[345] = 'i';
        two[346] = '1';
        assertInputError(two, "scans/z.nii", "two-file");
    }

    @Test
    void truncatedHeaderAndDataAreReported() throws IOException {
        byte[] b = write(NdArray.real("x", new float[16], 4, 4), new Nifti.Options());
        assertInputError(Arrays.copyOf(b, 200), "cut.nii", "truncated NIfTI header");
        assertInputError(Arrays.copyOf(b, b.length - 3), "cut.nii", "truncated NIfTI data", "64 bytes");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(b);
        }
        byte[] cutGz = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
        assertInputError(cutGz, "cut.nii.gz", "gzip");
    }

    @Test
    void unsupportedDatatypeAndDimMismatchAreReported() throws IOException {
        byte[] b = write(NdArray.real("x", new float[4], 2, 2), new Nifti.Options());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(70, (short) 128); // rgb24
        assertInputError(b, "rgb.nii", "datatype 128", "rgb24", "float32");
        bb.putShort(70, (short) 16).putShort(72, (short) 64);
        assertInputError(b, "bitpix.nii", "bitpix 64");
        bb.putShort(72, (short) 32).putShort(40, (short) 9);
        assertInputError(b, "dims.nii", "dim[0] = 9");
        bb.putShort(40, (short) 2).putShort(44, (short) 0);
        assertInputError(b, "dims.nii", "dim[2] = 0");
        bb.putShort(44, (short) 3); // claims 2 x 3 but holds 4 values
        assertInputError(b, "dims.nii", "truncated NIfTI data", "[2, 3]");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 540);
        assertInputError(b, "v2.nii", "NIfTI-2");
    }
}
