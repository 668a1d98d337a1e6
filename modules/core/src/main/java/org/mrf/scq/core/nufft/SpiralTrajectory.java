package org.mrf.scq.core.nufft;

/**
 * Variable-density spiral with {@code interleaves} rotated copies of one arm; interleaf j is the
 * base arm rotated by 2 pi j / interleaves. k is in cycles per FOV (Nyquist box [-N/2, N/2)).
 *
 * <p>Design: an arm advances in radius by dr/dtheta = interleaves / (2 pi alpha(r)), so adjacent
 * arms of the full set are 1 / alpha(r) apart radially: alpha(r) = 1 is Nyquist for the FOV, and
 * the density factor alpha falls linearly from {@code centreDensity} at k = 0 to 1 at k_max =
 * N/2. With all interleaves the whole disk is therefore sampled at or above Nyquist ("full
 * coverage"); the centre is oversampled, as in MRF's variable-density spirals, which makes the
 * aliasing of one interleaf incoherent. Along the arm samples are equally spaced in arc length
 * ({@code sampleSpacing} cycles/FOV, <= 0.5 is twice Nyquist along the readout), like a readout at
 * constant gradient amplitude (slew limits near the centre are ignored).
 */
public final class SpiralTrajectory {
    private final int matrix, interleaves;
    private final double[] armKy, armKx;
    private final double kMax;

    private SpiralTrajectory(int matrix, int interleaves, double[] armKy, double[] armKx, double kMax) {
        this.matrix = matrix;
        this.interleaves = interleaves;
        this.armKy = armKy;
        this.armKx = armKx;
        this.kMax = kMax;
    }

    /** The project's default: 48 interleaves, centre density 2, 0.5 cycles/FOV sample spacing. */
    public static SpiralTrajectory mrfDefault(int matrix) {
        return variableDensity(matrix, 48, 2.0, 0.5);
    }

    public static SpiralTrajectory variableDensity(int matrix, int interleaves, double centreDensity, double sampleSpacing) {
        // Stay a hair inside the Nyquist box so that no sample lands exactly on its periodic edge.
        return variableDensity(matrix, interleaves, centreDensity, sampleSpacing, matrix / 2.0 * (1 - 1e-6));
    }

    /**
     * A spiral out to radius {@code kMax} (cycles/FOV). Beyond N/2 the samples lie outside the
     * Nyquist box; for an image defined on the N x N grid, k-space is periodic with period N, so they
     * sample the box's corners (the NUFFT wraps them): at kMax >= N / sqrt(2) the whole box, not only
     * its inscribed disk, is covered, and a gridding reconstruction of a grid-defined image has no
     * truncation (Gibbs) error. See {@link DensityCompensation#coveredArea}.
     */
    public static SpiralTrajectory variableDensity(int matrix, int interleaves, double centreDensity, double sampleSpacing,
                                                   double kMax) {
        if (matrix < 4 || interleaves < 1 || !(centreDensity >= 1) || !(sampleSpacing > 0) || !(kMax > 0)) {
            throw new IllegalArgumentException("bad spiral parameters: matrix " + matrix + ", interleaves " + interleaves
                    + ", centre density " + centreDensity + ", spacing " + sampleSpacing + ", k max " + kMax);
        }
        java.util.List<double[]> pts = new java.util.ArrayList<>();
        double r = 0, theta = 0, s = 0, nextS = 0;
        // Fine steps in theta; the finest needed is near the edge where r dtheta ~ arc length.
        double dTheta = Math.min(1e-3, sampleSpacing / (20 * kMax));
        while (r <= kMax) {
            if (s >= nextS) {
                pts.add(new double[]{r * Math.sin(theta), r * Math.cos(theta)});
                nextS += sampleSpacing;
            }
            double alpha = 1 + (centreDensity - 1) * (1 - r / kMax);
            double dr = interleaves / (2 * Math.PI * alpha) * dTheta;
            s += Math.hypot(dr, r * dTheta);
            r += dr;
            theta += dTheta;
        }
        double[] ky = new double[pts.size()], kx = new double[pts.size()];
        for (int i = 0; i < ky.length; i++) {
            ky[i] = pts.get(i)[0];
            kx[i] = pts.get(i)[1];
        }
        return new SpiralTrajectory(matrix, interleaves, ky, kx, kMax);
    }

    public int matrix() { return matrix; }
    public int interleaves() { return interleaves; }
    public int samplesPerInterleaf() { return armKy.length; }
    public int totalSamples() { return armKy.length * interleaves; }
    public double kMax() { return kMax; }

    /** ky of interleaf j (any integer; taken modulo the interleaf count). */
    public double[] ky(int j) {
        return rotated(j, true);
    }

    public double[] kx(int j) {
        return rotated(j, false);
    }

    private double[] rotated(int j, boolean yPart) {
        double phi = 2 * Math.PI * Math.floorMod(j, interleaves) / interleaves;
        double c = Math.cos(phi), s = Math.sin(phi);
        double[] out = new double[armKy.length];
        for (int i = 0; i < out.length; i++) {
            // rotation of (kx, ky) by phi: kx' = c kx - s ky, ky' = s kx + c ky
            out[i] = yPart ? s * armKx[i] + c * armKy[i] : c * armKx[i] - s * armKy[i];
        }
        return out;
    }

    /** All interleaves concatenated (interleaf 0 first): the fully sampled trajectory. */
    public double[] allKy() {
        return concat(true);
    }

    public double[] allKx() {
        return concat(false);
    }

    private double[] concat(boolean yPart) {
        int n = armKy.length;
        double[] out = new double[n * interleaves];
        for (int j = 0; j < interleaves; j++) System.arraycopy(rotated(j, yPart), 0, out, j * n, n);
        return out;
    }
}
