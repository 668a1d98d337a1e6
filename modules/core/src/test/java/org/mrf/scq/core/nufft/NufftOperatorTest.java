package org.mrf.scq.core.nufft;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class NufftOperatorTest {

    private static double[] randomComplex(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[2 * n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return v;
    }

    /** The direct sum the NUFFT approximates (same centring convention). */
    private static double[] ndft(double[] x, int ny, int nx, double[] ky, double[] kx) {
        double[] y = new double[2 * ky.length];
        for (int j = 0; j < ky.length; j++) {
            double re = 0, im = 0;
            for (int iy = 0; iy < ny; iy++) {
                for (int ix = 0; ix < nx; ix++) {
                    double ph = -2 * Math.PI * (ky[j] * (iy - ny / 2) / ny + kx[j] * (ix - nx / 2) / nx);
                    double c = Math.cos(ph), s = Math.sin(ph);
                    int p = 2 * (iy * nx + ix);
                    re += x[p] * c - x[p + 1] * s;
                    im += x[p] * s + x[p + 1] * c;
                }
            }
            y[2 * j] = re;
            y[2 * j + 1] = im;
        }
        return y;
    }

    @Test
    void forwardMatchesDirectNdftOnRandomPoints() {
        int ny = 16, nx = 20;
        Random r = new Random(7);
        int m = 300;
        double[] ky = new double[m], kx = new double[m];
        for (int j = 0; j < m; j++) {
            ky[j] = (r.nextDouble() - 0.5) * ny;
            kx[j] = (r.nextDouble() - 0.5) * nx;
        }
        double[] x = randomComplex(ny * nx, 3);
        double[] exact = ndft(x, ny, nx, ky, kx);
        NufftOperator op = new NufftOperator(ny, nx, ky, kx);
        double err = ComplexVectors.relativeError(op.forward(x), exact);
        assertTrue(err < 1e-4, "width-6 NUFFT relative error " + err);
        // A narrower kernel is less accurate but must still meet the 1e-3 contract.
        NufftOperator narrow = new NufftOperator(ny, nx, ky, kx, new KaiserBesselKernel(4, 2.0));
        double errNarrow = ComplexVectors.relativeError(narrow.forward(x), exact);
        assertTrue(errNarrow < 1e-3, "width-4 NUFFT relative error " + errNarrow);
        assertTrue(errNarrow > err, "a wider kernel should be more accurate");
        // The adjoint also approximates the direct adjoint sum.
        double[] y = randomComplex(m, 5);
        double[] adjExact = new double[2 * ny * nx];
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                double re = 0, im = 0;
                for (int j = 0; j < m; j++) {
                    double ph = 2 * Math.PI * (ky[j] * (iy - ny / 2) / ny + kx[j] * (ix - nx / 2) / nx);
                    double c = Math.cos(ph), s = Math.sin(ph);
                    re += y[2 * j] * c - y[2 * j + 1] * s;
                    im += y[2 * j] * s + y[2 * j + 1] * c;
                }
                adjExact[2 * (iy * nx + ix)] = re;
                adjExact[2 * (iy * nx + ix) + 1] = im;
            }
        }
        assertTrue(ComplexVectors.relativeError(op.adjoint(y), adjExact) < 1e-4);
    }

    @Test
    void adjointIdentityHolds() {
        SpiralTrajectory traj = SpiralTrajectory.variableDensity(32, 8, 2.0, 0.5);
        NufftOperator op = new NufftOperator(32, 32, traj.allKy(), traj.allKx());
        double[] x = randomComplex(32 * 32, 11);
        double[] y = randomComplex(op.samples(), 12);
        double[] lhs = ComplexVectors.dot(op.forward(x), y);
        double[] rhs = ComplexVectors.dot(x, op.adjoint(y));
        double scale = Math.hypot(lhs[0], lhs[1]);
        assertEquals(lhs[0], rhs[0], 1e-10 * scale);
        assertEquals(lhs[1], rhs[1], 1e-10 * scale);
        // Composition keeps the identity: (D A)^H = A^H D.
        double[] dcf = DensityCompensation.spiral(traj, op);
        LinearOperator da = LinearOperator.diagonal(dcf, op.samples()).compose(op);
        double[] l2 = ComplexVectors.dot(da.forward(x), y);
        double[] r2 = ComplexVectors.dot(x, da.adjoint(y));
        assertEquals(l2[0], r2[0], 1e-10 * Math.hypot(l2[0], l2[1]));
        assertEquals(l2[1], r2[1], 1e-10 * Math.hypot(l2[0], l2[1]));
        // The gridding reconstruction A^H D as an operator: image shape out, sample shape in.
        LinearOperator gridding = op.adjointOperator().compose(LinearOperator.diagonal(dcf, op.samples()));
        assertArrayEquals(new int[]{32, 32}, gridding.outputShape());
        assertArrayEquals(da.adjoint(y), gridding.forward(y));
        assertThrows(IllegalArgumentException.class, () -> op.compose(op));
    }

    @Test
    void fullySampledCartesianLimitReproducesTheImage() {
        int n = 24;
        double[][] k = NufftOperator.cartesianGrid(n);
        NufftOperator op = new NufftOperator(n, n, k[0], k[1]);
        CartesianFft fft = new CartesianFft(n, n);
        double[] x = randomComplex(n * n, 21);
        // On the Cartesian grid the NUFFT is the (unnormalised) centred DFT.
        double[] viaFft = fft.forward(x);
        for (int i = 0; i < viaFft.length; i++) viaFft[i] *= n;
        assertTrue(ComplexVectors.relativeError(op.forward(x), viaFft) < 1e-4);
        // Orthonormal FFT round trip is exact; Cartesian DCF (1 / N^2, from Pipe-Menon) recovers x.
        assertTrue(ComplexVectors.relativeError(fft.adjoint(fft.forward(x)), x) < 1e-12);
        double[] dcf = DensityCompensation.pipeMenon(op, 5, (double) n * n);
        for (double w : dcf) assertEquals(1.0 / (n * n), w, 1e-9);
        double[] recon = LinearOperator.diagonal(dcf, op.samples()).compose(op).forward(x);
        assertTrue(ComplexVectors.relativeError(op.adjoint(recon), x) < 1e-4);
    }

    @Test
    void dcfWeightedAdjointOfFullSpiralReconstructsASmoothImage() {
        int n = 64;
        SpiralTrajectory traj = SpiralTrajectory.mrfDefault(n);
        assertEquals(48, traj.interleaves());
        NufftOperator op = new NufftOperator(n, n, traj.allKy(), traj.allKx());
        double[] dcf = DensityCompensation.spiral(traj, op);
        // Smooth object: a Gaussian blob (band-limited well inside the sampled disk) with a phase ramp.
        double[] x = new double[2 * n * n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                double dy = iy - n / 2 - 3, dx = ix - n / 2 + 5;
                double a = Math.exp(-(dy * dy + dx * dx) / (2 * 8.0 * 8.0));
                double ph = 0.3 * dx / n;
                x[2 * (iy * n + ix)] = a * Math.cos(ph);
                x[2 * (iy * n + ix) + 1] = a * Math.sin(ph);
            }
        }
        double[] y = op.forward(x);
        for (int j = 0; j < op.samples(); j++) {
            y[2 * j] *= dcf[j];
            y[2 * j + 1] *= dcf[j];
        }
        double[] recon = op.adjoint(y);
        double err = ComplexVectors.relativeError(recon, x);
        assertTrue(err < 0.05, "gridding reconstruction of a smooth image, relative error " + err);
        // One interleaf alone (weights x 48) is a visibly aliased image of the same object.
        int per = traj.samplesPerInterleaf();
        NufftOperator one = op.subset(0, per);
        double[] y1 = one.forward(x);
        for (int j = 0; j < per; j++) {
            y1[2 * j] *= 48 * dcf[j];
            y1[2 * j + 1] *= 48 * dcf[j];
        }
        double err1 = ComplexVectors.relativeError(one.adjoint(y1), x);
        assertTrue(err1 > 3 * err, "one interleaf should alias: " + err1 + " vs " + err);
    }

    @Test
    void spiralHasTheDocumentedGeometry() {
        SpiralTrajectory traj = SpiralTrajectory.mrfDefault(64);
        double[] ky0 = traj.ky(0), kx0 = traj.kx(0), ky1 = traj.ky(1), kx1 = traj.kx(1);
        double maxR = 0;
        for (int i = 0; i < ky0.length; i++) {
            double r0 = Math.hypot(ky0[i], kx0[i]);
            assertEquals(r0, Math.hypot(ky1[i], kx1[i]), 1e-9, "rotation keeps radius");
            maxR = Math.max(maxR, r0);
            if (r0 > 1) {
                double dphi = Math.atan2(ky1[i], kx1[i]) - Math.atan2(ky0[i], kx0[i]);
                double wrapped = Math.IEEEremainder(dphi, 2 * Math.PI);
                assertEquals(2 * Math.PI / 48, wrapped, 1e-9, "interleaf 1 is interleaf 0 rotated by 360/48 deg");
            }
        }
        assertTrue(maxR <= 32 && maxR > 31.5, "arm reaches k_max = N/2: " + maxR);
        assertArrayEquals(traj.ky(0), traj.ky(48), "interleaf index is periodic");
    }
}
