package org.mrf.scq.core.recon;

/**
 * One slice's multi-coil non-Cartesian k-space time series, as {@link GriddingReconstruction}
 * takes it: distinct readout trajectories (k in cycles per FOV, Nyquist box [-N/2, N/2), the
 * {@link org.mrf.scq.core.nufft.NufftOperator} convention) with optional density weights, and per
 * time frame the index of its trajectory and its samples per coil.
 *
 * @param matrix     image size N (N x N reconstruction)
 * @param ky         per trajectory r: ky[r][j] in cycles per FOV
 * @param kx         per trajectory r: kx[r][j]
 * @param weights    per trajectory r: density weights (A^H D A ~ identity scale, see
 *                   {@link org.mrf.scq.core.nufft.DensityCompensation}), or null when the
 *                   whole array is null: then they are computed from the union of the trajectories
 * @param frameTrajectory per frame t: the index r of its trajectory
 * @param data       per frame t and coil c: interleaved complex samples, length 2 * ky[r].length
 */
public record RawSeries(int matrix, double[][] ky, double[][] kx, double[][] weights, int[] frameTrajectory,
                        float[][][] data) {
    public RawSeries {
        if (matrix < 2 || matrix % 2 != 0) throw new IllegalArgumentException("matrix must be even and >= 2, got " + matrix);
        if (ky.length != kx.length || ky.length == 0) throw new IllegalArgumentException("need as many ky as kx trajectories, at least one");
        if (weights != null && weights.length != ky.length) throw new IllegalArgumentException("one weight array per trajectory");
        if (frameTrajectory.length != data.length || data.length == 0) throw new IllegalArgumentException("one trajectory index per frame, at least one frame");
        int coils = data[0].length;
        for (int t = 0; t < data.length; t++) {
            int r = frameTrajectory[t];
            if (r < 0 || r >= ky.length) throw new IllegalArgumentException("frame " + t + " names trajectory " + r);
            if (data[t].length != coils) throw new IllegalArgumentException("frame " + t + " has " + data[t].length + " coils, frame 0 " + coils);
            for (float[] d : data[t]) {
                if (d.length != 2 * ky[r].length) {
                    throw new IllegalArgumentException("frame " + t + " has " + d.length / 2 + " samples, its trajectory " + ky[r].length);
                }
            }
        }
    }

    /** The first {@code t} frames (an accelerated acquisition reads only them); shares the arrays. */
    public RawSeries truncate(int t) {
        if (t == frames()) return this;
        if (t < 1 || t > frames()) throw new IllegalArgumentException("cannot take " + t + " frames of a series of " + frames());
        return new RawSeries(matrix, ky, kx, weights, java.util.Arrays.copyOf(frameTrajectory, t), java.util.Arrays.copyOf(data, t));
    }

    public int frames() { return data.length; }
    public int coils() { return data[0].length; }
    public int trajectories() { return ky.length; }
}
