package org.mrf.scq.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ArrayFilesTest {
    @TempDir
    Path dir;

    static NdArray series(String name) {
        int t = 4, h = 3, w = 5;
        float[] re = new float[t * h * w], im = new float[re.length];
        for (int i = 0; i < re.length; i++) {
            re[i] = (float) Math.cos(i * 0.3) * 100;
            im[i] = (float) Math.sin(i * 0.3) * 100;
        }
        re[11] = Float.NaN;
        im[12] = Float.NEGATIVE_INFINITY;
        return NdArray.complex(name, re, im, t, h, w);
    }

    @Test
    void formatFromExtension() {
        assertEquals(ArrayFiles.Format.NIFTI_GZ, ArrayFiles.formatOf("hdfs://nn/x/Sub-01.NII.GZ"));
        assertEquals(ArrayFiles.Format.NIFTI, ArrayFiles.formatOf("a.nii"));
        assertEquals(ArrayFiles.Format.NPY, ArrayFiles.formatOf("s3a://b/a.npy"));
        assertEquals(ArrayFiles.Format.MAT, ArrayFiles.formatOf("a.mat"));
        assertEquals(ArrayFiles.Format.HDF5, ArrayFiles.formatOf("a.h5"));
        MrfInputException e = assertThrows(MrfInputException.class, () -> ArrayFiles.formatOf("exports/a.dcm"));
        assertTrue(e.getMessage().contains("exports/a.dcm") && e.getMessage().contains(".nii.gz"), e.getMessage());
    }

    @Test
    void everyFormatRoundTripsASeriesThroughFilesWithNan() throws IOException {
        for (String name : List.of("s.npy", "s.nii", "s.nii.gz", "s.mat")) {
            NdArray a = series("s");
            Path p = dir.resolve("sub/" + name);
            ArrayFiles.write(p, a);
            NdArray back = ArrayFiles.read(p);
            assertTrue(a.sameValues(back), name);
            assertEquals("s", back.name(), name);
            assertEquals(NdArray.ElementType.COMPLEX64, back.elementType(), name);
        }
    }

    @Test
    void everyFormatRoundTripsRealMapsThroughStreams() throws IOException {
        float[] v = new float[6 * 7];
        for (int i = 0; i < v.length; i++) v[i] = i * 13.5f;
        v[3] = Float.NaN;
        NdArray map = NdArray.real("t1", v, 6, 7);
        for (String target : List.of("t1.npy", "t1.nii", "t1.nii.gz", "t1.mat", "t1.h5")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ArrayFiles.WriteOptions o = ArrayFiles.WriteOptions.defaults();
            ArrayFiles.write(out, "hdfs://nn/maps/" + target, List.of(map), o);
            NdArray back = ArrayFiles.read(new ByteArrayInputStream(out.toByteArray()), "hdfs://nn/maps/" + target, null);
            assertEquals(map, back, target);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArrayFiles.write(out, "t1.mat", List.of(map), ArrayFiles.WriteOptions.defaults().mat(MatFiles.Version.V73));
        assertEquals(map, ArrayFiles.read(new ByteArrayInputStream(out.toByteArray()), "t1.mat", "t1"));
    }

    @Test
    void uint8MaskRoundTripsInEveryFormat() throws IOException {
        float[] m = {0, 1, 1, 0, 1, 0};
        NdArray mask = NdArray.of("mask", NdArray.ElementType.UINT8, m, null, 2, 3);
        for (String name : List.of("mask.npy", "mask.nii", "mask.mat")) {
            Path p = dir.resolve(name);
            ArrayFiles.write(p, mask);
            assertEquals(mask, ArrayFiles.read(p), name);
        }
    }

    @Test
    void matWithSeveralVariablesNeedsANameAndListsThem() throws IOException {
        Path p = dir.resolve("exp.mat");
        NdArray t1 = NdArray.real("t1", new float[]{1, 2, 3, 4}, 2, 2);
        ArrayFiles.write(p, List.of(series("img"), t1), ArrayFiles.WriteOptions.defaults());
        MrfInputException e = assertThrows(MrfInputException.class, () -> ArrayFiles.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("img (3x5x4 complex single)")
                && e.getMessage().contains("t1 (2x2 single)"), e.getMessage());
        assertEquals(t1, ArrayFiles.read(p, "t1"));
        Map<String, NdArray> all = ArrayFiles.readAll(p);
        assertEquals(List.of("img", "t1"), List.copyOf(all.keySet()));
        assertTrue(series("img").sameValues(all.get("img")));
    }

    @Test
    void oneArrayFormatsRefuseSeveral() {
        NdArray a = NdArray.real("a", new float[1], 1), b = NdArray.real("b", new float[1], 1);
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> ArrayFiles.write(new ByteArrayOutputStream(), "x.nii", List.of(a, b), ArrayFiles.WriteOptions.defaults()));
        assertTrue(e.getMessage().contains("x.nii") && e.getMessage().contains("a, b"), e.getMessage());
    }

    @Test
    void missingFileAndWrongContentAreInputErrors() throws IOException {
        MrfInputException e = assertThrows(MrfInputException.class, () -> ArrayFiles.read(dir.resolve("none.nii")));
        assertTrue(e.getMessage().contains("none.nii") && e.getMessage().contains("no such file"), e.getMessage());
        Path npyAsNii = dir.resolve("wrong.nii");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyArray.ofFloat(new float[400], 20, 20).write(out);
        Files.write(npyAsNii, out.toByteArray());
        e = assertThrows(MrfInputException.class, () -> ArrayFiles.read(npyAsNii));
        assertTrue(e.getMessage().contains("wrong.nii") && e.getMessage().contains("not a NIfTI-1 file"), e.getMessage());
        Path niiAsMat = dir.resolve("wrong.mat");
        ArrayFiles.write(dir.resolve("x.nii"), NdArray.real("x", new float[400], 20, 20));
        Files.copy(dir.resolve("x.nii"), niiAsMat);
        e = assertThrows(MrfInputException.class, () -> ArrayFiles.read(niiAsMat));
        assertTrue(e.getMessage().contains("wrong.mat") && e.getMessage().contains("not a MATLAB"), e.getMessage());
        Path badNpy = dir.resolve("bad.npy");
        Files.write(badNpy, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        e = assertThrows(MrfInputException.class, () -> ArrayFiles.read(badNpy));
        assertTrue(e.getMessage().contains("bad.npy") && e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void shapeAndDtypeChecksNameTheSource() {
        NdArray s = series("img");
        assertSame(s, ArrayFiles.requireShape(s, "a.mat", "(T, H, W)", -1, 3, 5));
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> ArrayFiles.requireShape(s, "exp/a.mat", "(T, H, W)", -1, 256, 256));
        assertTrue(e.getMessage().contains("exp/a.mat") && e.getMessage().contains("[4, 3, 5]")
                && e.getMessage().contains("[*, 256, 256]"), e.getMessage());
        e = assertThrows(MrfInputException.class, () -> ArrayFiles.requireShape(s, "exp/a.mat", "(H, W)", 3, 5));
        assertTrue(e.getMessage().contains("(H, W)"));
        NdArray real = NdArray.real("mag", new float[4], 1, 2, 2);
        e = assertThrows(MrfInputException.class, () -> ArrayFiles.requireComplex(real, "mag.nii"));
        assertTrue(e.getMessage().contains("mag.nii") && e.getMessage().contains("complex"), e.getMessage());
    }
}
