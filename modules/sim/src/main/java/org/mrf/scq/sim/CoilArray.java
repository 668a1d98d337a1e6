package org.mrf.scq.sim;

/**
 * Receive coil array of a simulated head scan: C circular loops evenly spaced on a ring around the
 * head, and the coil noise covariance.
 *
 * <p>Sensitivity of loop c at a point r of the slice (lengths in FOV units, so the same at any
 * matrix): the on-axis field of a circular loop of radius a at distance d from its centre,
 * |S| = a^3 / (a^2 + d^2)^{3/2} (Biot-Savart; the receive field by reciprocity, Roemer et al.,
 * MRM 16:192 (1990)), times a phase that grows with d (about 0.6 rad over the head, the smooth
 * phase of receive fields at 3 T), plus the coil's position angle. Loops sit on a ring of radius
 * 0.42 FOV (about 126 mm at a 300 mm FOV), radius 0.25 FOV: then the root-sum-of-squares
 * sensitivity at the head's edge is about 2-3x that at its centre, the edge-to-centre SNR gain
 * reported for 8- to 32-channel head arrays against a volume coil (Wiggins et al., MRM 56:216
 * (2006)); smaller loops make the periphery much brighter, and its single-interleaf aliasing then
 * dominates the centre. The sensitivities are scaled so that their root-sum-of-squares averages 1
 * over the brain mask, so SNR keeps its one-coil meaning.
 *
 * <p>Noise: complex Gaussian with covariance Psi_cd = rho^{ring distance(c, d)}, rho the
 * correlation of neighbouring coils (0.1-0.3 in head arrays, Roemer et al. 1990; Wiggins et al.,
 * MRM 56:216 (2006) for a 32-channel array). For rho < 0.5 Psi is strictly diagonally dominant,
 * hence positive definite; samples are L z with L the Cholesky factor and z white.
 */
final class CoilArray {
    static final double RING_RADIUS = 0.42, LOOP_RADIUS = 0.25, PHASE_PER_FOV = 2.0;

    private CoilArray() {}

    /**
     * Sensitivities on an m x m grid over the FOV (pixel (iy, ix) at ((iy - m/2)/m, (ix - m/2)/m)):
     * [coil][2 m m] interleaved complex, normalised with {@code mask} (same grid; all pixels when empty).
     */
    static double[][] sensitivities(int coils, int m, byte[] mask) {
        double[][] s = new double[coils][2 * m * m];
        double a2 = LOOP_RADIUS * LOOP_RADIUS, a3 = a2 * LOOP_RADIUS;
        for (int c = 0; c < coils; c++) {
            double th = 2 * Math.PI * c / coils;
            double cy = RING_RADIUS * Math.sin(th), cx = RING_RADIUS * Math.cos(th);
            for (int iy = 0; iy < m; iy++) {
                for (int ix = 0; ix < m; ix++) {
                    double y = (iy - m / 2) / (double) m, x = (ix - m / 2) / (double) m;
                    double d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
                    double mag = a3 / Math.pow(a2 + d2, 1.5);
                    double ph = th + PHASE_PER_FOV * Math.sqrt(d2);
                    int i = iy * m + ix;
                    s[c][2 * i] = mag * Math.cos(ph);
                    s[c][2 * i + 1] = mag * Math.sin(ph);
                }
            }
        }
        boolean any = false;
        for (byte b : mask) any |= b != 0;
        double sum = 0;
        int n = 0;
        for (int i = 0; i < m * m; i++) {
            if (any && mask[i] == 0) continue;
            double e = 0;
            for (int c = 0; c < coils; c++) e += s[c][2 * i] * s[c][2 * i] + s[c][2 * i + 1] * s[c][2 * i + 1];
            sum += Math.sqrt(e);
            n++;
        }
        double scale = n > 0 && sum > 0 ? n / sum : 1;
        for (double[] sc : s) for (int i = 0; i < sc.length; i++) sc[i] *= scale;
        return s;
    }

    /** Lower Cholesky factor (C x C, row-major) of Psi_cd = rho^{ring distance}. */
    static double[] noiseCholesky(int coils, double rho) {
        double[] psi = new double[coils * coils];
        for (int c = 0; c < coils; c++) {
            for (int d = 0; d < coils; d++) {
                int dist = Math.abs(c - d);
                dist = Math.min(dist, coils - dist);
                psi[c * coils + d] = Math.pow(rho, dist);
            }
        }
        double[] l = new double[coils * coils];
        for (int i = 0; i < coils; i++) {
            for (int j = 0; j <= i; j++) {
                double v = psi[i * coils + j];
                for (int k = 0; k < j; k++) v -= l[i * coils + k] * l[j * coils + k];
                l[i * coils + j] = i == j ? Math.sqrt(v) : v / l[j * coils + j];
            }
        }
        return l;
    }
}
