package org.mrf.scq.core.recon;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.nufft.ComplexVectors;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class GriddingReconstructionTest {

    @Test
    void theReconstructionKernelIsAsAccurateAsTheNufftDefault() {
        // The 1.25x grid with a width-9 kernel against the exact adjoint sum on random points, next to
        // the NUFFT's default (2x grid, width 6): the smaller grid must not cost accuracy.
        int n = 32, m = 800;
        Random r = new Random(7);
        double[] ky = new double[m], kx = new double[m], y = new double[2 * m];
        for (int j = 0; j < m; j++) {
            ky[j] = (r.nextDouble() - 0.5) * n;
            kx[j] = (r.nextDouble() - 0.5) * n;
        }
        for (int i = 0; i < y.length; i++) y[i] = r.nextGaussian();
        double[] exact = new double[2 * n * n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                double re = 0, im = 0;
                for (int j = 0; j < m; j++) {
                    double ph = 2 * Math.PI * (ky[j] * (iy - n / 2) + kx[j] * (ix - n / 2)) / n;
                    re += y[2 * j] * Math.cos(ph) - y[2 * j + 1] * Math.sin(ph);
                    im += y[2 * j] * Math.sin(ph) + y[2 * j + 1] * Math.cos(ph);
                }
                exact[2 * (iy * n + ix)] = re;
                exact[2 * (iy * n + ix) + 1] = im;
            }
        }
        double recon = ComplexVectors.relativeError(new NufftOperator(n, n, ky, kx,
                GriddingReconstruction.Options.defaults().kernel()).adjoint(y), exact);
        double nufft = ComplexVectors.relativeError(new NufftOperator(n, n, ky, kx).adjoint(y), exact);
        assertTrue(recon < 1e-5 && recon <= nufft, "reconstruction kernel " + recon + ", NUFFT default " + nufft);
    }

    @Test
    void computedWeightsOfAFullCartesianGridAreOneOverNSquared() {
        // Every sample covers one Nyquist cell (area 1), so D = 1 / N^2 and A^H D A = identity.
        int n = 16;
        double[][] k = NufftOperator.cartesianGrid(n);
        double[][] w = GriddingReconstruction.densityWeights(n, new double[][]{k[0]}, new double[][]{k[1]},
                new KaiserBesselKernel(6, 2.0));
        for (double v : w[0]) assertEquals(1.0 / (n * n), v, 1e-3 / (n * n));
    }

    @Test
    void computedWeightsOfAFullSpiralSumToTheDiskArea() {
        // The weights are area elements over N^2: their sum is the covered disk over N^2, whose radius
        // lies between k_max and k_max plus half the Nyquist ring spacing (1 cycle/FOV) at the edge.
        int n = 32;
        SpiralTrajectory s = SpiralTrajectory.mrfDefault(n);
        double[][] ky = new double[s.interleaves()][], kx = new double[s.interleaves()][];
        for (int j = 0; j < ky.length; j++) {
            ky[j] = s.ky(j);
            kx[j] = s.kx(j);
        }
        double[][] w = GriddingReconstruction.densityWeights(n, ky, kx, new KaiserBesselKernel(6, 2.0));
        double sum = 0;
        for (double[] r : w) for (double v : r) sum += v;
        double inner = Math.PI * s.kMax() * s.kMax() / (n * n);
        double outer = Math.PI * (s.kMax() + 0.5) * (s.kMax() + 0.5) / (n * n);
        assertTrue(sum > inner && sum < outer, inner + " < " + sum + " < " + outer);
    }

    @Test
    void oneCoilFullCartesianFramesComeBackExactly() {
        // A^H D A = I on a full grid and one coil combines to itself: each frame is returned as it was.
        int n = 12, frames = 3;
        double[][] k = NufftOperator.cartesianGrid(n);
        NufftOperator op = new NufftOperator(n, n, k[0], k[1]);
        Random rnd = new Random(1);
        double[][] x = new double[frames][2 * n * n];
        float[][][] data = new float[frames][1][];
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < x[t].length; i++) x[t][i] = rnd.nextGaussian();
            double[] y = op.forward(x[t]);
            data[t][0] = new float[y.length];
            for (int i = 0; i < y.length; i++) data[t][0][i] = (float) y[i];
        }
        double[] w = new double[n * n];
        java.util.Arrays.fill(w, 1.0 / (n * n));
        RawSeries s = new RawSeries(n, new double[][]{k[0]}, new double[][]{k[1]}, new double[][]{w}, new int[frames], data);
        float[][] out = GriddingReconstruction.reconstruct(s, GriddingReconstruction.Options.defaults().withThreads(2));
        // One coil is returned as gridded (no combination), phase included.
        for (int t = 0; t < frames; t++) {
            for (int p = 0; p < n * n; p++) {
                assertEquals(x[t][2 * p], out[t][2 * p], 5e-4);
                assertEquals(x[t][2 * p + 1], out[t][2 * p + 1], 5e-4);
            }
        }
    }

    @Test
    void compressingToAllCoilsChangesNothingButTheBasis() {
        // With K = coils the projection is unitary, and the Walsh combination is invariant to a
        // unitary change of coil basis (up to the phase reference): the magnitudes agree.
        int n = 16, coils = 3, frames = 4;
        SpiralTrajectory sp = SpiralTrajectory.variableDensity(n, 4, 2.0, 0.5);
        double[][] ky = new double[4][], kx = new double[4][];
        for (int j = 0; j < 4; j++) {
            ky[j] = sp.ky(j);
            kx[j] = sp.kx(j);
        }
        // Coil data of random images seen through smooth sensitivities, so that each pixel's coil covariance has
        // one dominant eigenvector (for white noise in every coil the Walsh weights would be ill-conditioned, and
        // float rounding alone could turn them).
        Random rnd = new Random(3);
        float[][][] data = new float[frames][coils][];
        int[] ft = new int[frames];
        for (int t = 0; t < frames; t++) {
            ft[t] = t % 4;
            double[] x = new double[2 * n * n];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
            NufftOperator op = new NufftOperator(n, n, ky[ft[t]], kx[ft[t]]);
            for (int c = 0; c < coils; c++) {
                double[] sx = new double[2 * n * n];
                for (int iy = 0; iy < n; iy++) {
                    for (int ix = 0; ix < n; ix++) {
                        int p = iy * n + ix;
                        double mag = Math.exp(-Math.pow((ix - n / 2.0) / n - 0.4 * Math.cos(2 * Math.PI * c / coils), 2)
                                - Math.pow((iy - n / 2.0) / n - 0.4 * Math.sin(2 * Math.PI * c / coils), 2)), ph = 2.0 * c;
                        sx[2 * p] = mag * (Math.cos(ph) * x[2 * p] - Math.sin(ph) * x[2 * p + 1]);
                        sx[2 * p + 1] = mag * (Math.cos(ph) * x[2 * p + 1] + Math.sin(ph) * x[2 * p]);
                    }
                }
                double[] y = op.forward(sx);
                data[t][c] = new float[y.length];
                for (int i = 0; i < y.length; i++) data[t][c][i] = (float) y[i];
            }
        }
        RawSeries s = new RawSeries(n, ky, kx, null, ft, data);
        GriddingReconstruction.Options o = GriddingReconstruction.Options.defaults().withThreads(1);
        float[][] a = GriddingReconstruction.reconstruct(s, o);
        float[][] b = GriddingReconstruction.reconstruct(s, o.withCoilsCompress(coils - 1));
        float[][] c = GriddingReconstruction.reconstruct(new RawSeries(n, ky, kx, null, ft,
                GriddingReconstruction.compressCoils(data, coils)), o);
        double[] ma = new double[n * n * frames], mc = new double[n * n * frames], mb = new double[n * n * frames];
        for (int t = 0; t < frames; t++) {
            for (int p = 0; p < n * n; p++) {
                ma[t * n * n + p] = Math.hypot(a[t][2 * p], a[t][2 * p + 1]);
                mb[t * n * n + p] = Math.hypot(b[t][2 * p], b[t][2 * p + 1]);
                mc[t * n * n + p] = Math.hypot(c[t][2 * p], c[t][2 * p + 1]);
            }
        }
        assertTrue(ComplexVectors.relativeError(mc, ma) < 1e-4, "unitary compression " + ComplexVectors.relativeError(mc, ma));
        // Dropping a coil of random data loses energy: the compressed reconstruction must differ.
        assertTrue(ComplexVectors.relativeError(mb, ma) > 1e-3);
    }
}
