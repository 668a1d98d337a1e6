package org.mrf.scq.model.drone;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Real DL4J training of DRONE on a small EPG dictionary (T = 96 of the paper's schedule, coarse grid). */
class DroneTest {
    static final int T = 96;
    static FispSequence seq;
    static Dictionary dict;
    static DroneModel model;

    @BeforeAll
    static void train() {
        seq = Schedules.paperDefault(2.0, 18.0).truncate(T);
        dict = Dictionary.simulate(seq, DictionaryGrid.fromRanges(List.of("200:2000:50"), List.of("20:200:10"), true, "test"), 1e-5);
        long t0 = System.nanoTime();
        model = DroneTrainer.train(dict, 2304.0 / T, new DroneSettings(300, 100, 64, 1e-3, 30, 50, 7L));
        System.out.printf("DRONE trained on %d entries in %.1f s%n", dict.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Pixel-major series of the given atoms, each scaled by its own gain (the network must not care). */
    private static float[][] series(Dictionary d, int seriesT) {
        int n = d.size();
        float[] re = new float[n * seriesT], im = new float[n * seriesT];
        for (int e = 0; e < n; e++) {
            float gain = 0.3f + e % 7;
            for (int k = 0; k < seriesT; k++) {
                re[e * seriesT + k] = gain * d.re()[e * d.timepoints() + k];
                im[e * seriesT + k] = gain * d.im()[e * d.timepoints() + k];
            }
        }
        return new float[][]{re, im};
    }

    /** Mean relative error (%) and RMSE (ms) of T1 and T2 over the atoms of {@code d}, each atom as one pixel. */
    private static double[] errors(DroneModel m, Dictionary d) {
        float[][] s = series(d, d.timepoints());
        DroneModel.Maps maps = m.apply(s[0], s[1], d.timepoints());
        double r1 = 0, r2 = 0, q1 = 0, q2 = 0;
        for (int e = 0; e < d.size(); e++) {
            double a = maps.t1Ms()[e] - d.t1(e), b = maps.t2Ms()[e] - d.t2(e);
            r1 += Math.abs(a) / d.t1(e);
            r2 += Math.abs(b) / d.t2(e);
            q1 += a * a;
            q2 += b * b;
        }
        int n = d.size();
        return new double[]{100 * r1 / n, 100 * r2 / n, Math.sqrt(q1 / n), Math.sqrt(q2 / n)};
    }

    @Test
    void recoversNoiseFreeAtomsOnAndOffTheTrainingGrid() {
        double[] on = errors(model, dict);
        // atoms halfway between the training grid's nodes: never seen in training
        Dictionary off = Dictionary.simulate(seq, DictionaryGrid.fromRanges(List.of("225:1975:100"), List.of("25:195:20"), true, "off-grid"), 1e-5);
        double[] between = errors(model, off);
        System.out.printf("DRONE noise-free atoms: grid T1 %.2f %% (RMSE %.1f ms), T2 %.2f %% (%.1f ms); off-grid T1 %.2f %% (%.1f ms), "
                + "T2 %.2f %% (%.1f ms)%n", on[0], on[2], on[1], on[3], between[0], between[2], between[1], between[3]);
        // tolerances: T1 within 3 %, T2 within 10 % on average (the MSE loss on T2 / 500 ms weighs short T2 little)
        for (double[] e : new double[][]{on, between}) {
            assertTrue(e[0] < 3 && e[1] < 10, "T1 " + e[0] + " %, T2 " + e[1] + " %");
        }
    }

    /**
     * Measured fingerprints carry their subject's phase, which differs from pixel to pixel; the dictionary's entries
     * the network learnt from are real. Turned by any phase, a fingerprint gives the same maps.
     */
    @Test
    void aPhaseOnEachPixelDoesNotChangeTheMaps() {
        float[][] s = series(dict, T);
        DroneModel.Maps plain = model.apply(s[0], s[1], T);
        float[] re = new float[s[0].length], im = new float[s[1].length];
        for (int e = 0; e < dict.size(); e++) {
            double phi = 0.37 + 1.3 * e;
            double c = Math.cos(phi), sn = Math.sin(phi);
            for (int k = 0; k < T; k++) {
                int i = e * T + k;
                re[i] = (float) (s[0][i] * c - s[1][i] * sn);
                im[i] = (float) (s[0][i] * sn + s[1][i] * c);
            }
        }
        DroneModel.Maps turned = model.apply(re, im, T);
        for (int e = 0; e < dict.size(); e++) {
            assertEquals(plain.t1Ms()[e], turned.t1Ms()[e], 1e-3 * plain.t1Ms()[e], "T1 of atom " + e);
            assertEquals(plain.t2Ms()[e], turned.t2Ms()[e], 1e-3 * plain.t2Ms()[e], "T2 of atom " + e);
        }
    }

    @Test
    void usesTheFirstTPointsOfALongerSeriesAndLeavesEmptyPixelsZero() {
        Dictionary longer = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0).truncate(2 * T),
                DictionaryGrid.of(new float[]{900, 1400}, new float[]{60, 110}), 1e-5);
        float[][] s = series(longer, 2 * T);
        float[][] sT = series(longer.truncate(T), T);
        DroneModel.Maps a = model.apply(s[0], s[1], 2 * T), b = model.apply(sT[0], sT[1], T);
        assertArrayEquals(b.t1Ms(), a.t1Ms());
        assertArrayEquals(b.t2Ms(), a.t2Ms());
        DroneModel.Maps zero = model.apply(new float[T], new float[T], T);
        assertEquals(0f, zero.t1Ms()[0]);
        assertEquals(0f, zero.t2Ms()[0]);
        MrfInputException ex = assertThrows(MrfInputException.class, () -> model.apply(new float[T / 2], new float[T / 2], T / 2));
        assertTrue(ex.getMessage().contains("needs the first " + T), ex.getMessage());
    }

    @Test
    void aTimeMajorSeriesGivesThePixelMajorMaps() {
        Dictionary longer = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0).truncate(2 * T),
                DictionaryGrid.of(new float[]{900, 1400}, new float[]{60, 110}), 1e-5);
        int seriesT = 2 * T, pixels = longer.size();
        float[][] s = series(longer, seriesT);
        float[] re = new float[seriesT * pixels], im = new float[seriesT * pixels];
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < seriesT; k++) {
                re[k * pixels + p] = s[0][p * seriesT + k];
                im[k * pixels + p] = s[1][p * seriesT + k];
            }
        }
        DroneModel.Maps a = model.applyTimeMajor(re, im, seriesT, pixels), b = model.apply(s[0], s[1], seriesT);
        assertArrayEquals(b.t1Ms(), a.t1Ms());
        assertArrayEquals(b.t2Ms(), a.t2Ms());
        assertThrows(MrfInputException.class, () -> model.applyTimeMajor(new float[T / 2], new float[T / 2], T / 2, 1));
    }

    @Test
    void saveAndLoadGiveBitIdenticalMapsAndTheMetadata(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("drone");
        model.save(m);
        assertEquals(List.of("metadata.json", "model.zip"), Files.list(m).map(p -> p.getFileName().toString()).sorted().toList());
        assertThrows(MrfInputException.class, () -> model.save(m), "an existing model is not replaced");
        DroneModel back = DroneModel.load(m);
        float[][] s = series(dict, T);
        DroneModel.Maps a = model.apply(s[0], s[1], T), b = back.apply(s[0], s[1], T);
        assertArrayEquals(a.t1Ms(), b.t1Ms());
        assertArrayEquals(a.t2Ms(), b.t2Ms());
        DroneMetadata md = back.metadata();
        assertEquals(T, md.t());
        assertEquals(24.0, md.ar());
        assertEquals(seq.hash(), md.scheduleHash());
        assertEquals(dict.size(), md.dictionaryEntries());
        assertEquals(model.metadata().settings(), md.settings());

        Files.writeString(m.resolve("metadata.json"), Files.readString(m.resolve("metadata.json")).replace("\"t\" : " + T, "\"t\" : 7"));
        MrfInputException ex = assertThrows(MrfInputException.class, () -> DroneModel.load(m));
        assertTrue(ex.getMessage().contains("metadata says 2T = 14"), ex.getMessage());
        assertThrows(MrfInputException.class, () -> DroneModel.load(dir.resolve("missing")));
    }

    @Test
    void noiseHasTheRequestedSnr() {
        int c = 4000;
        float[] clean = new float[c];
        clean[0] = (float) Math.sqrt(c);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        DroneSettings s = new DroneSettings(8, 1, 1, 1e-3, 20, 20, 1);
        float[] out = new float[c];
        DroneTrainer.noisy(clean, 0, c, s, rnd, out, 0);
        double e = 0, noise = 0;
        for (int k = 0; k < c; k++) e += out[k] * out[k];
        for (int k = 1; k < c; k++) noise += out[k] * out[k];
        assertEquals(c, e, 1e-3 * c, "energy 2T after the noise, as the network's inputs");
        // noise energy 10^(-20/10) = 1 % of the signal's, then both rescaled by 1 / sqrt(1.01) (+- the noise's spread)
        assertEquals(0.01 / 1.01, noise / c, 0.001);
    }
}
