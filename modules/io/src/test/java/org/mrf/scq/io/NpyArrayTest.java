package org.mrf.scq.io;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class NpyArrayTest {
    @Test
    void complexRoundTripKeepsShapeAndValues() throws IOException {
        float[] re = {1, 2, 3, 4, 5, 6}, im = {-1, -2, -3, -4, -5, Float.MIN_VALUE};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.ofComplex(re, im, 3, 2).write(out);
        byte[] bytes = out.toByteArray();
        assertEquals(0, (bytes.length - 6 * 8) % 64, "header padded to 64 bytes as numpy does");
        NpyArray back = NpyArray.read(new ByteArrayInputStream(bytes), "x.npy");
        assertArrayEquals(new int[]{3, 2}, back.shape());
        assertEquals(NpyArray.DType.COMPLEX64, back.dtype());
        assertArrayEquals(re, back.toFloat());
        assertArrayEquals(im, back.imagToFloat());
    }

    @Test
    void truncatedDataIsAClearError() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.ofFloat(new float[16], 4, 4).write(out);
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 5);
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> NpyArray.read(new ByteArrayInputStream(cut), "maps/t1.npy"));
        assertTrue(e.getMessage().contains("maps/t1.npy") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongDtypeFromNumpyIsAClearError() throws IOException {
        try (var in = getClass().getResourceAsStream("big_endian.npy")) {
            assertNotNull(in);
            MrfInputException e = assertThrows(MrfInputException.class, () -> NpyArray.read(in, "exp/big_endian.npy"));
            assertTrue(e.getMessage().contains("exp/big_endian.npy") && e.getMessage().contains("'>f4'")
                    && e.getMessage().contains("little-endian"), e.getMessage());
        }
    }

    @Test
    void shortAndDoubleArraysRoundTrip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.ofShorts(new short[]{-5, 0, 32767, -32768}, 2, 2).write(out);
        NpyArray s = NpyArray.read(new ByteArrayInputStream(out.toByteArray()), "s.npy");
        assertEquals(NpyArray.DType.INT16, s.dtype());
        assertArrayEquals(new float[]{-5, 0, 32767, -32768}, s.toFloat());
        out.reset();
        NpyArray.ofDouble(new double[]{1.25, Double.NaN}, 2).write(out);
        NpyArray d = NpyArray.read(new ByteArrayInputStream(out.toByteArray()), "d.npy");
        assertEquals(NpyArray.DType.FLOAT64, d.dtype());
        assertArrayEquals(new int[]{2}, d.shape());
        assertEquals(1.25f, d.toFloat()[0]);
        assertTrue(Float.isNaN(d.toFloat()[1]));
    }
}
