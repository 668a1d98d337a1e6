package org.mrf.scq.io.ismrmrd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IsmrmrdRawTest {
    @TempDir
    Path dir;

    /** A small spiral series of random k-space data: 4 interleaves cycled over the frames. */
    static RawSeries spiralSeries(int n, int coils, int frames, boolean weights, long seed) {
        SpiralTrajectory sp = SpiralTrajectory.variableDensity(n, 4, 2.0, 0.5);
        double[][] ky = new double[4][], kx = new double[4][], w = new double[4][];
        for (int j = 0; j < 4; j++) {
            ky[j] = sp.ky(j);
            kx[j] = sp.kx(j);
            w[j] = new double[ky[j].length];
            for (int i = 0; i < w[j].length; i++) w[j][i] = 1e-3 * (1 + i % 7);
        }
        Random r = new Random(seed);
        int[] ft = new int[frames];
        float[][][] data = new float[frames][coils][];
        for (int t = 0; t < frames; t++) {
            ft[t] = t % 4;
            for (int c = 0; c < coils; c++) {
                data[t][c] = new float[2 * ky[ft[t]].length];
                for (int i = 0; i < data[t][c].length; i++) data[t][c][i] = (float) r.nextGaussian();
            }
        }
        return new RawSeries(n, ky, kx, weights ? w : null, ft, data);
    }

    static FispSequence schedule(int frames) {
        return Schedules.paperDefault(Schedules.DEFAULT_TE_MS, Schedules.DEFAULT_INVERSION_MS).truncate(frames);
    }

    @Test
    void writtenSeriesReadsBackExactly() throws Exception {
        RawSeries s = spiralSeries(16, 3, 6, true, 1);
        Path f = dir.resolve("a.h5");
        IsmrmrdRaw.write(f, s, 220.0, schedule(6));
        IsmrmrdRaw.Plan plan = IsmrmrdRaw.plan(f, Counter.REPETITION);
        assertEquals(List.of(0), plan.slices());
        assertEquals(6, plan.frames());
        assertEquals(3, plan.channels());
        assertEquals(16, plan.matrix());
        IsmrmrdRaw.Slice back = IsmrmrdRaw.read(f, 0, Counter.REPETITION);
        RawSeries b = back.series();
        assertEquals(220.0, back.fovMm(), 1e-6);
        assertEquals(4, b.trajectories());
        assertEquals(schedule(6).hash(), back.header().userString(IsmrmrdHeader.SCHEDULE_HASH));
        assertEquals(schedule(6).name(), IsmrmrdRaw.schedule(back.header(), f, null, 6).name());
        for (int t = 0; t < 6; t++) {
            int r = b.frameTrajectory()[t];
            int r0 = s.frameTrajectory()[t];
            for (int j = 0; j < s.ky()[r0].length; j++) {
                // stored as float32 k / N: exact to float rounding
                assertEquals(s.ky()[r0][j], b.ky()[r][j], 1e-6 * 16);
                assertEquals(s.kx()[r0][j], b.kx()[r][j], 1e-6 * 16);
                assertEquals(s.weights()[r0][j], b.weights()[r][j], 1e-9);
            }
            for (int c = 0; c < 3; c++) assertArrayEquals(s.data()[t][c], b.data()[t][c]);
        }
    }

    /** A sum of complex Gaussian blobs: its image and its continuous Fourier transform in closed form. */
    record Blobs(double[] cy, double[] cx, double[] sigma, double[] re, double[] im) {
        double[] image(int n) {
            double[] x = new double[2 * n * n];
            for (int iy = 0; iy < n; iy++) {
                for (int ix = 0; ix < n; ix++) {
                    for (int b = 0; b < cy.length; b++) {
                        double d2 = (iy - n / 2 - cy[b]) * (iy - n / 2 - cy[b]) + (ix - n / 2 - cx[b]) * (ix - n / 2 - cx[b]);
                        double g = Math.exp(-d2 / (2 * sigma[b] * sigma[b]));
                        x[2 * (iy * n + ix)] += re[b] * g;
                        x[2 * (iy * n + ix) + 1] += im[b] * g;
                    }
                }
            }
            return x;
        }

        /** sum_n x[n] e^{-2 pi i k n / N} for a well-sampled blob = its continuous transform at f = k / N. */
        double[] kspace(int n, double ky, double kx) {
            double fr = 0, fi = 0;
            for (int b = 0; b < cy.length; b++) {
                double f2 = (ky * ky + kx * kx) / ((double) n * n);
                double amp = 2 * Math.PI * sigma[b] * sigma[b] * Math.exp(-2 * Math.PI * Math.PI * sigma[b] * sigma[b] * f2);
                double ph = -2 * Math.PI * (ky * cy[b] + kx * cx[b]) / n;
                double cr = amp * Math.cos(ph), ci = amp * Math.sin(ph);
                fr += re[b] * cr - im[b] * ci;
                fi += re[b] * ci + im[b] * cr;
            }
            return new double[]{fr, fi};
        }
    }

    @Test
    void radialFileOfAnotherWriterReconstructsTheKnownObject() throws Exception {
        // A radial acquisition (not a trajectory the project generates), written as a scanner
        // converter would: no density weights, several spokes per frame, 2x oversampled readout
        // (encoded FOV twice the reconstruction FOV), the frame index in idx.contrast. k-space comes
        // from the closed-form transform of Gaussian blobs, not from the NUFFT.
        int n = 32, spokes = 64, samples = 2 * n, coils = 2, frames = 2;
        Blobs obj = new Blobs(new double[]{-3, 5}, new double[]{4, -2}, new double[]{3.0, 2.0},
                new double[]{1.0, 0.5}, new double[]{0.2, -0.4});
        double[] coilRe = {0.8, 0.36}, coilIm = {0.0, 0.48};   // constant sensitivities, sum |S|^2 = 1, coil 0 real
        List<IsmrmrdAcquisition> acqs = new ArrayList<>();
        int scan = 0;
        for (int t = 0; t < frames; t++) {
            double scale = 1 + t;
            for (int s = 0; s < spokes; s++) {
                double ang = Math.PI * s / spokes;
                float[] traj = new float[2 * samples];
                float[] data = new float[2 * coils * samples];
                for (int j = 0; j < samples; j++) {
                    double k = (j - samples / 2.0) / 2;           // cycles per reconstruction FOV, spacing 0.5
                    double kx = k * Math.cos(ang), ky = k * Math.sin(ang);
                    traj[2 * j] = (float) (kx / n);                // encoded matrix 2n over FOV 2: same k / n
                    traj[2 * j + 1] = (float) (ky / n);
                    double[] v = obj.kspace(n, ky, kx);
                    for (int c = 0; c < coils; c++) {
                        data[2 * (c * samples + j)] = (float) (scale * (coilRe[c] * v[0] - coilIm[c] * v[1]));
                        data[2 * (c * samples + j) + 1] = (float) (scale * (coilRe[c] * v[1] + coilIm[c] * v[0]));
                    }
                }
                int[] counters = new int[9];
                counters[Counter.CONTRAST.ordinal()] = t;
                counters[Counter.KSPACE_ENCODE_STEP_1.ordinal()] = s;
                acqs.add(new IsmrmrdAcquisition(0, scan++, counters, samples, coils, 2, 0, 0, samples / 2, traj, data));
            }
        }
        // One noise readout first, as converters write it: it must be skipped.
        acqs.add(0, new IsmrmrdAcquisition(1L << 18, 999, new int[9], 8, coils, 0, 0, 0, 0, new float[0], new float[2 * coils * 8]));
        IsmrmrdHeader h = new IsmrmrdHeader(new int[]{2 * n, 2 * n, 1}, new double[]{400, 400, 5}, new int[]{n, n, 1},
                new double[]{200, 200, 5}, "radial", coils, Double.NaN, Double.NaN, Double.NaN, Map.of());
        Path f = dir.resolve("radial.h5");
        IsmrmrdFile.write(f, h.toXml(), acqs);

        IsmrmrdRaw.Slice sl = IsmrmrdRaw.read(f, 0, Counter.CONTRAST);
        assertNull(sl.series().weights(), "no weights in the file");
        assertEquals(frames, sl.series().frames());
        assertEquals(1, sl.series().trajectories(), "both frames share the spokes");
        float[][] img = GriddingReconstruction.reconstruct(sl.series(), GriddingReconstruction.Options.defaults().withThreads(1));
        double[] x = obj.image(n);
        // Constant unit-norm sensitivities with coil 0 real: the combination returns the object itself.
        for (int t = 0; t < frames; t++) {
            double num = 0, den = 0, worst = 0;
            for (int p = 0; p < n * n; p++) {
                double er = img[t][2 * p] - (1 + t) * x[2 * p], ei = img[t][2 * p + 1] - (1 + t) * x[2 * p + 1];
                num += er * er + ei * ei;
                den += (1 + t) * (1 + t) * (x[2 * p] * x[2 * p] + x[2 * p + 1] * x[2 * p + 1]);
                worst = Math.max(worst, Math.hypot(er, ei));
            }
            double rel = Math.sqrt(num / den);
            assertTrue(rel < 0.02, "frame " + t + " relative error " + rel);
        }
    }
}
