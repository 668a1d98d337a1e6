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
}
