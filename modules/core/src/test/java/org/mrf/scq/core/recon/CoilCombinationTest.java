package org.mrf.scq.core.recon;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CoilCombinationTest {

    private static double[] randomImage(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[2 * n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        return x;
    }

    /**
     * Smooth complex sensitivities normalised to sum_c |S_c|^2 = 1 at every pixel; coil 0 is real
     * and the strongest, so it is the reference coil and the combination carries no extra phase.
     */
    private static double[][] sensitivities(int nc, int ny, int nx) {
        double[][] s = new double[nc][2 * ny * nx];
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                int p = iy * nx + ix;
                double norm = 0;
                for (int c = 0; c < nc; c++) {
                    double cy = ny / 2.0 + 0.6 * ny * Math.sin(2 * Math.PI * c / nc);
                    double cx = nx / 2.0 + 0.6 * nx * Math.cos(2 * Math.PI * c / nc);
                    double d2 = ((iy - cy) * (iy - cy) + (ix - cx) * (ix - cx)) / (ny * nx);
                    double mag = (c == 0 ? 3.0 : 1.0) * Math.exp(-d2);
                    double ph = c == 0 ? 0 : 0.8 * c + 1.5 * (iy - ny / 2.0) / ny * Math.cos(c) + 1.1 * (ix - nx / 2.0) / nx;
                    s[c][2 * p] = mag * Math.cos(ph);
                    s[c][2 * p + 1] = mag * Math.sin(ph);
                    norm += mag * mag;
                }
                double inv = 1 / Math.sqrt(norm);
                for (int c = 0; c < nc; c++) {
                    s[c][2 * p] *= inv;
                    s[c][2 * p + 1] *= inv;
                }
            }
        }
        return s;
    }

    private static double[][] coilImages(double[][] s, double[] x) {
        double[][] out = new double[s.length][x.length];
        for (int c = 0; c < s.length; c++) {
            for (int p = 0; p < x.length / 2; p++) {
                double sr = s[c][2 * p], si = s[c][2 * p + 1], xr = x[2 * p], xi = x[2 * p + 1];
                out[c][2 * p] = sr * xr - si * xi;
                out[c][2 * p + 1] = sr * xi + si * xr;
            }
        }
        return out;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void oneCoilIsTheIdentity() {
        int ny = 12, nx = 10;
        double[] x = randomImage(ny * nx, 1);
        CoilCombination cc = CoilCombination.fromReference(new double[][]{x}, ny, nx, 2);
        assertEquals(0, cc.referenceCoil());
        assertTrue(maxAbsDiff(cc.combine(new double[][]{x}), x) < 1e-12);
        // The weight is 1: the eigenvector of a 1 x 1 covariance, with its phase made real.
        double[] w = cc.weights(3, 4);
        assertEquals(1.0, w[0], 1e-12);
        assertEquals(0.0, w[1], 1e-12);
    }

    @Test
    void pixelWindowRecoversTheImageExactlyFromKnownSensitivities() {
        // With a 1 x 1 window, R = s s^H has rank 1: v = S / |S| with coil 0's phase removed, so
        // v^H S x = |S| x = x for sum |S|^2 = 1 and a real reference coil, at every pixel.
        int ny = 16, nx = 14, nc = 6;
        double[][] s = sensitivities(nc, ny, nx);
        double[] x = randomImage(ny * nx, 2);
        double[][] coils = coilImages(s, x);
        CoilCombination cc = CoilCombination.fromReference(coils, ny, nx, 0);
        assertEquals(0, cc.referenceCoil());
        assertTrue(maxAbsDiff(cc.combine(coils), x) < 1e-10);
        // The weights are the sensitivities themselves.
        double[] w = cc.weights(5, 7);
        int p = 5 * nx + 7;
        for (int c = 0; c < nc; c++) {
            assertEquals(s[c][2 * p], w[2 * c], 1e-10);
            assertEquals(s[c][2 * p + 1], w[2 * c + 1], 1e-10);
        }
    }

    @Test
    void sharedSpatialProfileGivesTheCoilVectorForAnyWindow() {
        // S_c(r) = a_c g(r) e^{i phi(r)}: R = (window sum |x|^2 g^2) a a^H has eigenvector a exactly,
        // so the result is e^{i arg a_ref} g e^{i phi} x with a_ref the largest |a_c|.
        int ny = 20, nx = 18, nc = 4;
        double[] aRe = {0.3, -0.5, 0.6, 0.1}, aIm = {0.2, 0.1, -0.3, 0.4};
        double na = 0;
        for (int c = 0; c < nc; c++) na += aRe[c] * aRe[c] + aIm[c] * aIm[c];
        double[] x = randomImage(ny * nx, 3);
        double[][] s = new double[nc][2 * ny * nx];
        double[] expected = new double[2 * ny * nx];
        double refPhase = Math.atan2(aIm[2], aRe[2]);   // coil 2 has the largest |a_c|
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                int p = iy * nx + ix;
                double g = (1 + 0.5 * Math.cos(0.3 * iy) * Math.sin(0.2 * ix)) / Math.sqrt(na);
                double phi = 0.4 * iy - 0.25 * ix;
                for (int c = 0; c < nc; c++) {
                    s[c][2 * p] = g * (aRe[c] * Math.cos(phi) - aIm[c] * Math.sin(phi));
                    s[c][2 * p + 1] = g * (aRe[c] * Math.sin(phi) + aIm[c] * Math.cos(phi));
                }
                double ph = refPhase + phi, mag = g * Math.sqrt(na);
                expected[2 * p] = mag * (x[2 * p] * Math.cos(ph) - x[2 * p + 1] * Math.sin(ph));
                expected[2 * p + 1] = mag * (x[2 * p] * Math.sin(ph) + x[2 * p + 1] * Math.cos(ph));
            }
        }
        double[][] coils = coilImages(s, x);
        CoilCombination cc = CoilCombination.fromReference(coils, ny, nx, 3);
        assertEquals(2, cc.referenceCoil());
        assertTrue(maxAbsDiff(cc.combine(coils), expected) < 1e-9);
    }

    @Test
    void magnitudeIsInvariantUnderAUnitaryMixingOfTheCoils() {
        // R' = U R U^H has eigenvector U v, and (U v)^H (U s) = v^H s up to the per-pixel phase
        // normalisation: the Walsh combination does not depend on the coil basis.
        int ny = 16, nx = 16, nc = 3;
        double[][] s = sensitivities(nc, ny, nx);
        double[] x = randomImage(ny * nx, 4);
        double[][] coils = coilImages(s, x);
        Random r = new Random(9);
        for (int i = 0; i < coils.length; i++) for (int j = 0; j < coils[i].length; j++) coils[i][j] += 0.05 * r.nextGaussian();
        // A unitary 3 x 3: a real rotation times a diagonal of phases.
        double t = 0.7, q = 1.1;
        double[][] rot = {{Math.cos(t), -Math.sin(t), 0}, {Math.sin(t) * Math.cos(q), Math.cos(t) * Math.cos(q), -Math.sin(q)},
                {Math.sin(t) * Math.sin(q), Math.cos(t) * Math.sin(q), Math.cos(q)}};
        double[] phase = {0.3, -1.2, 2.0};
        double[][] mixed = new double[nc][2 * ny * nx];
        for (int a = 0; a < nc; a++) {
            double cr = Math.cos(phase[a]), ci = Math.sin(phase[a]);
            for (int p = 0; p < ny * nx; p++) {
                double re = 0, im = 0;
                for (int b = 0; b < nc; b++) {
                    re += rot[a][b] * coils[b][2 * p];
                    im += rot[a][b] * coils[b][2 * p + 1];
                }
                mixed[a][2 * p] = cr * re - ci * im;
                mixed[a][2 * p + 1] = cr * im + ci * re;
            }
        }
        double[] y1 = CoilCombination.fromReference(coils, ny, nx, 2).combine(coils);
        double[] y2 = CoilCombination.fromReference(mixed, ny, nx, 2).combine(mixed);
        for (int p = 0; p < ny * nx; p++) {
            assertEquals(Math.hypot(y1[2 * p], y1[2 * p + 1]), Math.hypot(y2[2 * p], y2[2 * p + 1]), 1e-9, "pixel " + p);
        }
    }

    @Test
    void smoothSensitivitiesOverAWindowGiveTheImageClosely() {
        // The window assumes S constant over 5 x 5 pixels; for sensitivities that vary over the whole
        // field of view the eigenvector is S / |S| to first order and the image comes back closely.
        int ny = 64, nx = 64, nc = 8;
        double[][] s = sensitivities(nc, ny, nx);
        double[] x = new double[2 * ny * nx];
        for (int p = 0; p < ny * nx; p++) x[2 * p] = 1;   // a flat object: R's rank-1 model is exact only if S is locally constant
        double[][] coils = coilImages(s, x);
        double[] y = CoilCombination.fromReference(coils, ny, nx, CoilCombination.DEFAULT_HALF_WINDOW).combine(coils);
        // Inside, the window is symmetric and the first-order variation of S cancels: the error is of
        // order (h |grad S|)^2, about 1e-3 here. At the border the window is clipped to one side and
        // the error is first order.
        double interior = 0, worst = 0;
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                int p = iy * nx + ix;
                double e = Math.hypot(y[2 * p] - x[2 * p], y[2 * p + 1] - x[2 * p + 1]);
                worst = Math.max(worst, e);
                boolean inside = iy >= 2 && iy < ny - 2 && ix >= 2 && ix < nx - 2;
                if (inside) interior = Math.max(interior, e);
            }
        }
        assertTrue(interior < 1e-3, "worst interior pixel error " + interior);
        assertTrue(worst < 5e-2, "worst border pixel error " + worst);
        assertTrue(interior > 0, "a varying S over a window is not exactly rank 1");
    }

    @Test
    void zeroSignalGivesTheReferenceCoilAndNoNaN() {
        int ny = 6, nx = 6;
        double[][] coils = new double[2][2 * ny * nx];
        coils[1][2 * (3 * nx + 3)] = 1;   // one bright pixel on coil 1; the far corner has no signal in its window
        CoilCombination cc = CoilCombination.fromReference(coils, ny, nx, 1);
        double[] out = cc.combine(coils);
        for (double v : out) assertFalse(Double.isNaN(v));
        assertEquals(1.0, out[2 * (3 * nx + 3)], 1e-12);
    }
}
