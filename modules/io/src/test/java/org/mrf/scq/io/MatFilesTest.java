package org.mrf.scq.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MatFilesTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = MatFilesTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    /** Fixtures hold MATLAB [H=3 W=4 T=2] with A(h,w,t) = 100 t + 10 h + w (0-based) - i (same). */
    static void assertFixtureSeries(NdArray a, float imScale) {
        assertArrayEquals(new int[]{2, 3, 4}, a.shape(), "[H W T] -> (T, H, W)");
        for (int t = 0; t < 2; t++)
            for (int h = 0; h < 3; h++)
                for (int w = 0; w < 4; w++) {
                    assertEquals(100 * t + 10 * h + w, a.get(t, h, w), "re at " + t + "," + h + "," + w);
                    assertEquals(-imScale * (100 * t + 10 * h + w), a.getImag(t, h, w), 0f);
                }
    }

    static NdArray series() {
        int t = 3, h = 4, w = 5;
        float[] re = new float[t * h * w], im = new float[re.length];
        for (int i = 0; i < re.length; i++) {
            re[i] = i * 0.5f - 7;
            im[i] = (float) Math.sin(i);
        }
        re[7] = Float.NaN;
        return NdArray.complex("series", re, im, t, h, w);
    }

    static byte[] write(List<NdArray> arrays, MatFiles.Version v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MatFiles.write(arrays, out, "out.mat", v);
        return out.toByteArray();
    }

    @Test
    void layoutMappingOfDims() {
        assertArrayEquals(new int[]{5, 3, 4}, MatFiles.cShapeOf(new int[]{3, 4, 5}));
        assertArrayEquals(new int[]{3, 4, 5}, MatFiles.matlabDimsOf(new int[]{5, 3, 4}));
        assertArrayEquals(new int[]{6, 5, 3, 4}, MatFiles.cShapeOf(new int[]{3, 4, 5, 6}));
        assertArrayEquals(new int[]{3, 4, 5, 6}, MatFiles.matlabDimsOf(new int[]{6, 5, 3, 4}));
        assertArrayEquals(new int[]{1, 7}, MatFiles.matlabDimsOf(new int[]{7}));
    }

    @Test
    void readsScipyV5Fixture() throws IOException {
        byte[] b = resource("mrf_v5.mat");
        NdArray s = MatFiles.read(b, "mrf_v5.mat", "series");
        assertEquals(NdArray.ElementType.COMPLEX64, s.elementType());
        assertFixtureSeries(s, 1);
        NdArray t1 = MatFiles.read(b, "mrf_v5.mat", "t1");
        assertEquals(NdArray.ElementType.FLOAT64, t1.elementType());
        assertArrayEquals(new int[]{3, 4}, t1.shape());
        assertEquals(1000 + 10 * 2 + 3, t1.get(2, 3));
        assertTrue(Float.isNaN(t1.get(0, 1)), "NaN read faithfully");
        NdArray mask = MatFiles.read(b, "mrf_v5.mat", "mask");
        assertEquals(NdArray.ElementType.UINT8, mask.elementType());
        assertEquals((1 + 2) % 2, mask.get(1, 2));
        assertFixtureSeries(MatFiles.read(resource("mrf_v5_compressed.mat"), "c.mat", null), 1);
        List<MatFiles.VariableInfo> vars = MatFiles.list(b, "mrf_v5.mat");
        assertEquals(4, vars.size());
        assertFalse(vars.stream().filter(v -> v.name().equals("note")).findFirst().orElseThrow().numeric());
        Map<String, NdArray> all = MatFiles.readAll(new ByteArrayInputStream(b), "mrf_v5.mat");
        assertEquals(List.of("series", "t1", "mask"), List.copyOf(all.keySet()));
    }

    @Test
    void readsH5pyV73FixtureWithUserBlockAndCompoundComplex() throws IOException {
        byte[] b = resource("mrf_v73.mat");
        NdArray s = MatFiles.read(b, "mrf_v73.mat", "series");
        assertEquals(NdArray.ElementType.COMPLEX64, s.elementType());
        assertFixtureSeries(s, 1);
        NdArray t1 = MatFiles.read(b, "mrf_v73.mat", "t1");
        assertArrayEquals(new int[]{3, 4}, t1.shape());
        assertEquals(1023, t1.get(2, 3));
        assertTrue(Float.isNaN(t1.get(0, 1)));
        NdArray mask = MatFiles.read(b, "mrf_v73.mat", "mask");
        assertEquals(NdArray.ElementType.UINT8, mask.elementType());
        assertEquals(1, mask.get(1, 2));
        MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(b, "mrf_v73.mat", "note"));
        assertTrue(e.getMessage().contains("'note' is char"), e.getMessage());
        // plain HDF5 (no user block), complex double
        NdArray x = MatFiles.read(resource("plain_c128.h5"), "plain_c128.h5", null);
        assertEquals(NdArray.ElementType.COMPLEX128, x.elementType());
        assertFixtureSeries(x, -2);
    }

    @Test
    void readsChunkedDeflateV73AndListsEmptyAndStructVariables() throws IOException {
        byte[] b = resource("mrf_v73_deflate.mat");
        List<MatFiles.VariableInfo> vars = MatFiles.list(b, "d.mat");
        assertEquals(List.of("info", "nothing", "series", "t1"), vars.stream().map(MatFiles.VariableInfo::name).sorted().toList());
        NdArray s = MatFiles.read(b, "d.mat", "series");
        assertEquals("series", s.name());
        assertFixtureSeries(s, 1);
        NdArray t1 = MatFiles.read(b, "d.mat", "t1");
        assertEquals(1023, t1.get(2, 3));
        assertTrue(Float.isNaN(t1.get(0, 1)));
        for (String name : List.of("info", "nothing")) {
            MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(b, "d.mat", name));
            assertTrue(e.getMessage().contains("d.mat") && e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
        MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(b, "d.mat", "nothing"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(MrfInputException.class, () -> MatFiles.read(b, "d.mat", "info"));
        assertTrue(e.getMessage().contains("struct"), e.getMessage());
    }

    @Test
    void v5RoundTripsEveryType() throws IOException {
        NdArray s = series();
        NdArray dbl = NdArray.of("t1", NdArray.ElementType.FLOAT64, new float[]{1.5f, 2, 3, Float.NaN, 5, 6}, null, 2, 3);
        NdArray u8 = NdArray.of("mask", NdArray.ElementType.UINT8, new float[]{0, 1, 1, 0, 255, 1}, null, 3, 2);
        NdArray i16 = NdArray.of("lab", NdArray.ElementType.INT16, new float[]{-3, 0, 7, 32767}, null, 2, 2);
        NdArray f32 = NdArray.real("pd", new float[]{0.25f, -1, Float.POSITIVE_INFINITY, 4, 5, 6, 7, 8}, 2, 2, 2);
        NdArray c128 = NdArray.of("z", NdArray.ElementType.COMPLEX128, new float[]{1, 2}, new float[]{3, 4}, 1, 2);
        NdArray four = NdArray.real("vol4", NiftiTest.ramp(2 * 3 * 4 * 5, 1), 2, 3, 4, 5);
        List<NdArray> all = List.of(s, dbl, u8, i16, f32, c128, four);
        byte[] b = write(all, MatFiles.Version.V5);
        assertEquals("MATLAB 5.0 MAT-file", new String(b, 0, 19, StandardCharsets.US_ASCII));
        Map<String, NdArray> back = MatFiles.readAll(new ByteArrayInputStream(b), "out.mat");
        for (NdArray a : all) assertEquals(a, back.get(a.name()), a.name());
        // MATLAB sees series as [H W T] = [4 5 3]
        MatFiles.VariableInfo info = MatFiles.list(b, "out.mat").get(0);
        assertArrayEquals(new int[]{4, 5, 3}, info.matlabDims());
        assertEquals("single", info.matlabClass());
        assertTrue(info.complex());
    }

    @Test
    void v73RoundTripsEveryTypeAndLooksLikeMatlab() throws IOException {
        NdArray f32 = NdArray.real("mag", NiftiTest.ramp(3 * 4 * 5, 0.5f), 3, 4, 5);
        f32.re()[3] = Float.NaN;
        NdArray dbl = NdArray.of("t1", NdArray.ElementType.FLOAT64, new float[]{1.5f, 2, 3, 4, 5, 6}, null, 2, 3);
        NdArray u8 = NdArray.of("mask", NdArray.ElementType.UINT8, new float[]{0, 1, 1, 0, 255, 1}, null, 3, 2);
        NdArray i16 = NdArray.of("lab", NdArray.ElementType.INT16, new float[]{-3, 0, 7, 32767}, null, 2, 2);
        NdArray c128 = NdArray.of("z", NdArray.ElementType.COMPLEX128, new float[]{1, 2}, new float[]{3, Float.NaN}, 1, 2);
        NdArray four = NdArray.real("vol4", NiftiTest.ramp(2 * 3 * 4 * 5, 1), 2, 3, 4, 5);
        List<NdArray> all = List.of(series(), f32, dbl, u8, i16, c128, four);
        byte[] b = write(all, MatFiles.Version.V73);
        assertEquals("MATLAB 7.3 MAT-file", new String(b, 0, 19, StandardCharsets.US_ASCII));
        assertEquals(0x00, b[124]);
        assertEquals(0x02, b[125]);
        assertEquals('I', b[126]);
        assertEquals('M', b[127]);
        assertEquals((byte) 0x89, b[512]);
        assertEquals('H', b[513]);
        java.nio.ByteBuffer sb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b[512 + 8], "superblock version 0");
        assertEquals(512L, sb.getLong(512 + 24), "base address = user block size");
        assertEquals(b.length, sb.getLong(512 + 40), "end-of-file address counted from byte 0, as libhdf5 writes it");
        Map<String, NdArray> back = MatFiles.readAll(new ByteArrayInputStream(b), "out.mat");
        assertEquals(all.size(), back.size());
        for (NdArray a : all) assertEquals(a, back.get(a.name()), a.name());
        try (HdfFile h = HdfFile.fromBytes(b)) {
            assertEquals(512, h.getUserBlockSize());
            Dataset d = h.getDatasetByPath("mag");
            assertArrayEquals(new int[]{3, 5, 4}, d.getDimensions(), "HDF5 dims are MATLAB's [4 5 3] reversed");
            assertEquals("single", d.getAttribute("MATLAB_class").getData());
            Dataset s = h.getDatasetByPath("series");
            assertTrue(s.isCompound());
            assertArrayEquals(new int[]{3, 5, 4}, s.getDimensions());
            // HDF5 element (t=1, w=2, h=3) is our (t=1, h=3, w=2)
            @SuppressWarnings("unchecked")
            Map<String, Object> parts = (Map<String, Object>) s.getDataFlat();
            float[] re = (float[]) parts.get("real");
            assertEquals(series().get(1, 3, 2), re[(1 * 5 + 2) * 4 + 3]);
        }
    }

    @Test
    void v73WithManyVariablesKeepsThemAll() throws IOException {
        List<NdArray> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) many.add(NdArray.real("v" + (char) ('z' - i) + i, new float[]{i, -i}, 1, 2));
        byte[] b = write(many, MatFiles.Version.V73);
        Map<String, NdArray> back = MatFiles.readAll(new ByteArrayInputStream(b), "many.mat");
        assertEquals(20, back.size());
        for (NdArray a : many) assertEquals(a, back.get(a.name()), a.name());
    }

    @Test
    void duplicateNamesAreRefused() {
        NdArray a = NdArray.real("x", new float[1], 1, 1);
        for (MatFiles.Version v : MatFiles.Version.values()) {
            MrfInputException e = assertThrows(MrfInputException.class, () -> write(List.of(a, a), v));
            assertTrue(e.getMessage().contains("out.mat") && e.getMessage().contains("'x'"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ errors

    static void assertInputError(byte[] b, String src, String var, String... parts) {
        MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(b, src, var));
        assertTrue(e.getMessage().contains(src), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void severalVariablesNeedANameAndTheErrorListsThem() throws IOException {
        byte[] b = resource("mrf_v5.mat");
        assertInputError(b, "exp/mrf_v5.mat", null, "3 numeric variables", "series (3x4x2 complex single)", "t1 (3x4 double)",
                "mask", "note");
        assertInputError(b, "exp/mrf_v5.mat", "img", "no variable 'img'", "series", "t1");
        assertInputError(b, "exp/mrf_v5.mat", "note", "'note' is char");
        byte[] h = resource("mrf_v73.mat");
        assertInputError(h, "exp/mrf_v73.mat", null, "3 numeric variables", "series (3x4x2 complex single)", "t1 (3x4 double)");
        assertInputError(h, "exp/mrf_v73.mat", "nope", "no variable 'nope'", "mask");
    }

    @Test
    void corruptAndTruncatedFilesAreReported() throws IOException {
        assertInputError(new byte[50], "a.mat", null, "truncated MAT-file");
        byte[] v4 = new byte[300];
        assertInputError(v4, "old.mat", null, "not a MATLAB v5/v7/v7.3 MAT-file");
        byte[] v5 = resource("mrf_v5.mat");
        assertInputError(Arrays.copyOf(v5, v5.length - 100), "cut5.mat", "series", "corrupt or truncated MATLAB v5");
        byte[] v73 = resource("mrf_v73.mat");
        assertInputError(Arrays.copyOf(v73, 600), "cut73.mat", "series", "corrupt or truncated");
        assertInputError(Arrays.copyOf(v73, 300), "cut73b.mat", "series", "HDF5 signature");
        byte[] zeroed = v73.clone();
        Arrays.fill(zeroed, 1200, zeroed.length, (byte) 0);
        MrfInputException e = assertThrows(MrfInputException.class, () -> MatFiles.read(zeroed, "zero.mat", "series"));
        assertTrue(e.getMessage().contains("zero.mat"), e.getMessage());
    }

    @Test
    void badVariableNamesAreRefusedOnWrite() {
        NdArray a = NdArray.real("1bad-name", new float[1], 1, 1);
        MrfInputException e = assertThrows(MrfInputException.class, () -> write(List.of(a), MatFiles.Version.V5));
        assertTrue(e.getMessage().contains("not a valid MATLAB variable name"));
    }
}
