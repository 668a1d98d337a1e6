package org.mrf.scq.core.nufft;

/**
 * Sampling density compensation weights for gridding reconstructions.
 *
 * <p>Pipe and Menon (MRM 1999): iterate w <- w / (C * w) where C * w is the kernel-weighted sum
 * of neighbouring weights, evaluated at each sample (spread onto the grid, interpolate back, the
 * same KB kernel as the NUFFT). At the fixed point the convolved density is flat, which is what
 * makes A^H D A close to the identity on the sampled region.
 *
 * <p>Scale: the weights are then scaled so that they sum to (covered k-space area) / (ny nx).
 * Why: A^H D A applied to a centred delta gives sum_j w_j at the centre, and a continuous
 * reconstruction over the covered region gives area / (ny nx) there (the sample weights are
 * the k-space area elements in units where the full Nyquist box has area ny nx). So a fully
 * sampled Cartesian trajectory gets w = 1 / (ny nx) and A^H D A = identity.
 */
public final class DensityCompensation {
    private DensityCompensation() {}

    /** Pipe-Menon weights for all samples of {@code op}, scaled to sum to {@code coveredArea / (ny nx)}. */
    public static double[] pipeMenon(NufftOperator op, int iterations, double coveredArea) {
        int m = op.samples();
        double[] w = new double[2 * m];
        double[] conv = new double[2 * m];
        double[] grid = new double[2 * op.gridRows() * op.gridCols()];
        for (int j = 0; j < m; j++) w[2 * j] = 1;
        for (int it = 0; it < iterations; it++) {
            java.util.Arrays.fill(grid, 0);
            op.spread(w, grid);
            op.interpolate(grid, conv);
            for (int j = 0; j < m; j++) {
                double c = conv[2 * j];
                w[2 * j] = c > 0 ? w[2 * j] / c : 0;
            }
        }
        double[] out = new double[m];
        double sum = 0;
        for (int j = 0; j < m; j++) {
            out[j] = w[2 * j];
            sum += out[j];
        }
        int[] shape = op.inputShape();
        double scale = coveredArea / ((double) shape[0] * shape[1]) / sum;
        for (int j = 0; j < m; j++) out[j] *= scale;
        return out;
    }

    /** Weights for a full spiral: Pipe-Menon (20 iterations) scaled to the k-space area it covers. */
    public static double[] spiral(SpiralTrajectory traj, NufftOperator fullOperator) {
        return pipeMenon(fullOperator, 20, coveredArea(traj.matrix(), traj.kMax()));
    }

    /**
     * Area (cycles/FOV squared) of the Nyquist box [-N/2, N/2)^2 covered by a disk of radius
     * {@code kMax} folded periodically (period N, as k-space is for an image on the N x N grid):
     * pi kMax^2 up to N/2, N^2 from N / sqrt(2) on; in between the disk's four caps beyond the box fold
     * onto parts the disk already covers, so the area is the disk's intersection with the box.
     */
    public static double coveredArea(int matrix, double kMax) {
        double h = matrix / 2.0;
        if (kMax <= h) return Math.PI * kMax * kMax;
        if (kMax >= h * Math.sqrt(2)) return (double) matrix * matrix;
        // Disk minus the four circular segments beyond |k| = h: segment area r^2 acos(h/r) - h sqrt(r^2 - h^2).
        double seg = kMax * kMax * Math.acos(h / kMax) - h * Math.sqrt(kMax * kMax - h * h);
        return Math.PI * kMax * kMax - 4 * seg;
    }
}
