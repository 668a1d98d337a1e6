package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** dictionary -> svd -> match through the command line, on a small grid and a short schedule. */
class MatchCommandTest {
    static final String[] GRID = {"-Dmrf.dictionary.t1-ranges=[\"200:2000:100\"]", "-Dmrf.dictionary.t2-ranges=[\"20:200:20\"]"};

    @Test
    void dmAndSdmRecoverTheEntriesASeriesWasMadeOf(@TempDir Path dir) throws Exception {
        String dict = dir.resolve("dict").toString();
        int t = 160;
        assertEquals(0, Mrf.execute(concat(new String[]{"dictionary", "--out", dict, "--timepoints", String.valueOf(t),
                "-Dmrf.spark.master=local[2]"}, GRID)));
        assertTrue(Files.exists(dir.resolve("dict/_basis/svd.json")));
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(t);
        Dictionary d = Dictionary.simulate(seq, DictionaryGrid.fromRanges(List.of("200:2000:100"), List.of("20:200:20"),
                true, "test"), 1e-5);
        // The Spark-free reader `mrf match` uses returns the simulated entries, in grid order, and their first t.
        for (int tr : new int[]{0, 40}) {
            Dictionary read = org.mrf.scq.spark.store.DictionaryStore.read(dict, new org.apache.hadoop.conf.Configuration(), tr);
            Dictionary want = tr == 0 ? d : d.truncate(tr);
            assertArrayEquals(want.t1Values(), read.t1Values());
            assertArrayEquals(want.t2Values(), read.t2Values());
            assertArrayEquals(want.re(), read.re(), 1e-6f);
            assertArrayEquals(want.im(), read.im(), 1e-6f);
        }
        // A 4 x 5 image: pixel p holds entry 3p, scaled by PD = 0.5 + p/40; pixel 19 is background.
        int h = 4, w = 5, px = h * w;
        float[] re = new float[t * px], im = new float[t * px];
        for (int p = 0; p < px - 1; p++) {
            float pd = 0.5f + p / 40f;
            for (int k = 0; k < t; k++) {
                re[k * px + p] = pd * d.re()[3 * p * t + k];
                im[k * px + p] = pd * d.im()[3 * p * t + k];
            }
        }
        Path series = dir.resolve("series.npy");
        ArrayFiles.write(series, NdArray.complex("series", re, im, t, h, w));
        for (String method : new String[]{"dm", "sdm"}) {
            Path out = dir.resolve("maps-" + method);
            assertEquals(0, Mrf.execute("match", "--dictionary", dict, "--input", series.toString(), "--out", out.toString(),
                    "--method", method, "--energy", "0.999999", "-Dmrf.spark.master=local[2]"));
            float[] t1 = ArrayFiles.read(out.resolve("t1_ms.npy")).re(), t2 = ArrayFiles.read(out.resolve("t2_ms.npy")).re();
            float[] pd = ArrayFiles.read(out.resolve("pd.npy")).re();
            for (int p = 0; p < px - 1; p++) {
                assertEquals(d.t1(3 * p), t1[p], method + " T1 at pixel " + p);
                assertEquals(d.t2(3 * p), t2[p], method + " T2 at pixel " + p);
                assertEquals(0.5f + p / 40f, pd[p], 1e-3, method + " PD at pixel " + p);
            }
            assertEquals(0f, t1[px - 1], "background pixel");
            assertTrue(Files.exists(out.resolve("t1_ms.nii")));
        }
        // Acceleration: the first 40 time points still identify noiseless entries.
        Path ar4 = dir.resolve("ar4");
        assertEquals(0, Mrf.execute("match", "--dictionary", dict, "--input", series.toString(), "--out", ar4.toString(),
                "--timepoints", "40", "-Dmrf.spark.master=local[2]"));
        assertEquals(d.t1(9), ArrayFiles.read(ar4.resolve("t1_ms.npy")).re()[3]);
        // Bad input: more time points than the dictionary, an existing output, NaN.
        assertEquals(2, Mrf.execute("match", "--dictionary", dict, "--input", series.toString(), "--out",
                dir.resolve("x").toString(), "--timepoints", "161"));
        assertEquals(2, Mrf.execute("match", "--dictionary", dict, "--input", series.toString(), "--out", ar4.toString()));
        re[5] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        ArrayFiles.write(nan, NdArray.complex("series", re, im, t, h, w));
        assertEquals(2, Mrf.execute("match", "--dictionary", dict, "--input", nan.toString(), "--out",
                dir.resolve("y").toString(), "-Dmrf.spark.master=local[2]"));
        assertFalse(Files.exists(dir.resolve("y")));
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
