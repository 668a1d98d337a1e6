package org.mrf.scq.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

class NdArrayTest {
    @Test
    void cOrderIndexing() {
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i;
        NdArray a = NdArray.real("x", v, 2, 3, 4);
        assertEquals(1 * 12 + 2 * 4 + 3, a.index(1, 2, 3));
        assertEquals(23f, a.get(1, 2, 3));
        assertEquals(0f, a.getImag(1, 2, 3));
        assertEquals(3, a.rank());
        assertEquals(24, a.size());
        assertThrows(IndexOutOfBoundsException.class, () -> a.get(2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> a.get(0, 0));
        assertArrayEquals(new int[]{6, 4}, a.reshape(6, 4).shape());
    }

    @Test
    void constructionIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> NdArray.real("x", new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> NdArray.complex("x", new float[6], new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> NdArray.of("x", NdArray.ElementType.COMPLEX64, new float[1], null, 1));
        assertThrows(IllegalArgumentException.class, () -> NdArray.of("x", NdArray.ElementType.FLOAT32, new float[1], new float[1], 1));
        assertThrows(IllegalArgumentException.class, () -> NdArray.real("x", new float[0], -1));
        NdArray z = NdArray.zeros("z", NdArray.ElementType.COMPLEX64, 2, 2);
        assertTrue(z.isComplex());
        assertEquals(4, z.im().length);
    }

    @Test
    void equalityIsBitwiseSoNanEqualsNan() {
        NdArray a = NdArray.real("x", new float[]{Float.NaN, 1}, 2);
        NdArray b = NdArray.real("x", new float[]{Float.NaN, 1}, 2);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, b.withName("y"));
        assertTrue(a.sameValues(b.withName("y")));
        assertNotEquals(a, NdArray.real("x", new float[]{Float.NaN, 1}, 1, 2));
    }

    @Test
    void npyConversionsKeepValuesAndTypes() throws IOException {
        NdArray c = NdArray.complex("c", new float[]{1, 2, 3, Float.NaN}, new float[]{-1, 0, 5, 6}, 2, 2);
        NpyArray n = c.toNpy();
        assertEquals(NpyArray.DType.COMPLEX64, n.dtype());
        assertEquals(c, NdArray.fromNpy("c", n));
        NdArray i16 = NdArray.of("s", NdArray.ElementType.INT16, new float[]{-40000, -2, 3.6f, 40000}, null, 4);
        NpyArray ns = i16.toNpy();
        assertEquals(NpyArray.DType.INT16, ns.dtype());
        assertArrayEquals(new float[]{-32768, -2, 4, 32767}, ns.toFloat(), "rounded and clamped");
        NdArray u8 = NdArray.of("m", NdArray.ElementType.UINT8, new float[]{-1, 0.4f, 254.6f, 300, Float.NaN}, null, 5);
        assertArrayEquals(new float[]{0, 0, 255, 255, 0}, u8.toNpy().toFloat());
        // through bytes too, and float64 is read as FLOAT64
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.ofDouble(new double[]{0.1, Double.NaN, 1e300}, 3).write(out);
        NdArray d = NdArray.fromNpy("d", NpyArray.read(new ByteArrayInputStream(out.toByteArray()), "d.npy"));
        assertEquals(NdArray.ElementType.FLOAT64, d.elementType());
        assertEquals(0.1f, d.get(0));
        assertTrue(Float.isNaN(d.get(1)));
        assertEquals(Float.POSITIVE_INFINITY, d.get(2), "beyond float range");
    }

    @Test
    void npyFixtureFromNumpyReads() throws IOException {
        try (var in = getClass().getResourceAsStream("series_thw_c64.npy")) {
            assertNotNull(in);
            NdArray a = NdArray.fromNpy("s", NpyArray.read(in, "series_thw_c64.npy"));
            assertArrayEquals(new int[]{3, 2, 4}, a.shape());
            assertEquals(NdArray.ElementType.COMPLEX64, a.elementType());
            assertEquals(1 * 8 + 1 * 4 + 2, a.get(1, 1, 2));
            assertEquals(-(1 * 8 + 1 * 4 + 2), a.getImag(1, 1, 2));
        }
    }
}
