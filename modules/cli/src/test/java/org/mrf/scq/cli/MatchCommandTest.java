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

    @Test
    void csmrFromRawDataRecoversTheTissuesOfAPhantom(@TempDir Path dir) throws Exception {
        // Two tissues on the dictionary's grid, noise-free ideal acquisition (k-space by the simulator's NUFFT, 8 coils
        // would only slow this down): CSMR from the ISMRMRD file must name the right entry in each tissue's interior.
        String dict = dir.resolve("dict").toString();
        int t = 300, n = 32;
        assertEquals(0, Mrf.execute(concat(new String[]{"dictionary", "--out", dict, "--timepoints", String.valueOf(t),
                "-Dmrf.spark.master=local[2]"}, GRID)));
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(t);
        float[] t1 = new float[n * n], t2 = new float[n * n], pd = new float[n * n];
        byte[] mask = new byte[n * n], labels = new byte[n * n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                double r = Math.hypot(iy - n / 2.0, ix - n / 2.0);
                int i = iy * n + ix;
                if (r > 12) continue;
                boolean inner = r < 5;
                t1[i] = inner ? 1500 : 800;
                t2[i] = inner ? 160 : 60;
                pd[i] = 1;
                mask[i] = 1;
                labels[i] = (byte) (inner ? 2 : 1);
            }
        }
        org.mrf.scq.sim.SubjectMaps maps = new org.mrf.scq.sim.SubjectMaps(n, n, t1, t2, pd, mask, labels);
        var acq = new org.mrf.scq.sim.SliceAcquisition(seq, n, org.mrf.scq.sim.SliceAcquisition.Options.ideal().withThreads(2));
        Path raw = dir.resolve("slice.h5");
        org.mrf.scq.io.ismrmrd.IsmrmrdRaw.write(raw, acq.kSpace(maps, 3), 200.0, seq);
        Path out = dir.resolve("maps-csmr");
        assertEquals(0, Mrf.execute("match", "--dictionary", dict, "--method", "csmr", "--raw", raw.toString(), "--out",
                out.toString()));
        float[] m1 = ArrayFiles.read(out.resolve("t1_ms.npy")).re(), m2 = ArrayFiles.read(out.resolve("t2_ms.npy")).re();
        // Pixels at least 2 from either boundary: CSMR names the true entry in most of them (CsmrTest: 80 % of an
        // object at 16-fold undersampling). The rest are not all near: some ring pixels fall to the grid's lowest T2.
        int exact = 0, count = 0;
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                double r = Math.hypot(iy - n / 2.0, ix - n / 2.0);
                if (!(r < 3 || (r > 7 && r < 10))) continue;
                int i = iy * n + ix;
                count++;
                if (m1[i] == t1[i] && m2[i] == t2[i]) exact++;
            }
        }
        assertTrue(exact >= 0.8 * count, "CSMR exact in " + exact + " of " + count + " interior pixels");
        // evaluate --methods csmr needs the raw folder, said before any work.
        assertEquals(2, Mrf.execute("evaluate", "--slices", dir.toString(), "--ground-truth", dir.toString(), "--dictionary", dict,
                "--out", dir.resolve("e").toString(), "--methods", "dm,csmr"));
        // csmr reads k-space: an image series instead is refused with the option to use.
        assertEquals(2, Mrf.execute("match", "--dictionary", dict, "--method", "csmr", "--input", raw.toString(), "--out",
                dir.resolve("z").toString()));
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
