package org.mrf.scq.spark.store;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.LocalSparkTest;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SliceStoreTest extends LocalSparkTest {

    static MrfSlice random(String subject, int slice, int t, int h, int w, long seed, boolean maps) {
        Random r = new Random(seed);
        float[] re = new float[t * h * w], im = new float[re.length];
        for (int i = 0; i < re.length; i++) {
            re[i] = (float) r.nextGaussian();
            im[i] = (float) r.nextGaussian();
        }
        float[] m = maps ? new float[h * w] : null, t1 = maps ? new float[h * w] : null;
        if (maps) {
            for (int i = 0; i < h * w; i++) {
                m[i] = r.nextBoolean() ? 1 : 0;
                t1[i] = 500 + r.nextInt(2000);
            }
        }
        return new MrfSlice(subject, slice, h, w, t, re, im, m, t1, t1, null, "test");
    }

    @Test
    void blocksRoundTripThroughParquetAndTruncate(@TempDir Path dir) {
        // T x W large enough that one slice spans several blocks.
        int t = 150, h = 13, w = 20;
        long blockBytes = 8L * t * w * 4;
        assertEquals(4, SliceStore.blockRows(t, w, blockBytes));
        List<MrfSlice> in = List.of(random("s01", 0, t, h, w, 1, true), random("s02", 3, t, h, w, 2, false));
        String out = dir.resolve("slices").toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SliceStore.toDataFrame(spark, jsc.parallelize(in, 2).flatMap(s -> SliceStore.toBlocks(s, blockBytes).iterator()))
                .write().partitionBy("subject").parquet(out);
        List<MrfSlice> back = SliceStore.slices(spark, out, 0).collect().stream()
                .sorted(Comparator.comparing(MrfSlice::subject)).toList();
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            MrfSlice a = in.get(i), b = back.get(i);
            assertEquals(a.subject(), b.subject());
            assertEquals(a.slice(), b.slice());
            assertArrayEquals(a.re(), b.re());
            assertArrayEquals(a.im(), b.im());
            assertArrayEquals(a.mask(), b.mask());
            assertArrayEquals(a.t1Ms(), b.t1Ms());
            assertNull(b.pd());
        }
        MrfSlice cut = SliceStore.slices(spark, out, 100).collect().stream()
                .filter(s -> s.subject().equals("s01")).findFirst().orElseThrow();
        assertEquals(100, cut.timepoints());
        assertArrayEquals(in.get(0).truncate(100).re(), cut.re());
    }

    /** Signed zeros, subnormals, the extremes, NaN payloads, then random bit patterns, time-major t x h x w. */
    static MrfSlice oddBits(int t, int h, int w) {
        int n = t * h * w;
        float[] re = new float[n], im = new float[n];
        float[] special = {-0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffa00000), Float.POSITIVE_INFINITY, 1f / 3};
        Random r = new Random(7);
        for (int i = 0; i < n; i++) {
            re[i] = i < special.length ? special[i] : Float.intBitsToFloat(r.nextInt());
            im[i] = Float.intBitsToFloat(r.nextInt());
        }
        return new MrfSlice("s01", 0, h, w, t, re, im, null, null, null, null, "test");
    }

    @Test
    void storedSeriesRoundTripBitForBit(@TempDir Path dir) {
        // The stored encoding (little-endian float32 bytes, PLAIN, uncompressed) must give back every bit, also in a
        // truncated read. The slice is built on the executor, as ingest reads it there: shipping it from the driver
        // would pass it through Spark's serializer, which writes NaNs in canonical form.
        int t = 7, h = 3, w = 5;
        MrfSlice in = oddBits(t, h, w);
        long blockBytes = 8L * t * w;
        List<SliceBlock> written = SliceStore.toBlocks(in, blockBytes);
        String out = dir.resolve("slices").toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SliceStore.toDataFrame(spark, jsc.parallelize(List.of(t), 1).flatMap(k -> SliceStore.toBlocks(oddBits(k, h, w), blockBytes)
                        .iterator())).write().options(SliceStore.WRITE_OPTIONS).partitionBy("subject").parquet(out);
        // The blocks as stored (SliceStore.slices regroups them through a shuffle, whose serializer is not the subject here).
        for (int cut : new int[]{0, 4}) {
            List<SliceBlock> back = SliceStore.blocks(spark, out, cut).collectAsList().stream()
                    .sorted(Comparator.comparingInt(SliceBlock::getY0)).toList();
            assertEquals(written.size(), back.size());
            for (int b = 0; b < back.size(); b++) {
                SliceBlock x = written.get(b), y = back.get(b);
                int m = (cut == 0 ? t : cut) * x.pixels();
                assertEquals(m, y.getRe().length);
                assertEquals(m, y.getIm().length);
                for (int i = 0; i < m; i++) {
                    assertEquals(Float.floatToRawIntBits(x.getRe()[i]), Float.floatToRawIntBits(y.getRe()[i]), "block " + b + " re " + i);
                    assertEquals(Float.floatToRawIntBits(x.getIm()[i]), Float.floatToRawIntBits(y.getIm()[i]), "block " + b + " im " + i);
                }
            }
        }
    }

    @Test
    void subjectIdsThatCouldEscapeAreRefused() {
        for (String bad : new String[]{"../etc", "a/b", "..", "", "x y", "s\u00e9"}) {
            MrfInputException e = assertThrows(MrfInputException.class, () -> MrfSlice.validSubjectId(bad, "manifest.json"));
            assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("not allowed"), e.getMessage());
        }
        assertEquals("sub-01_a.b", MrfSlice.validSubjectId("sub-01_a.b", "m"));
    }

    @Test
    void missingDatasetIsAClearError(@TempDir Path dir) {
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> SliceStore.blocks(spark, dir.resolve("none").toString(), 0));
        assertTrue(e.getMessage().contains("mrf ingest"), e.getMessage());
    }
}
