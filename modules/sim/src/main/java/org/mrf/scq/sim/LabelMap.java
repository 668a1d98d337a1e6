package org.mrf.scq.sim;

import org.mrf.scq.core.util.MrfInputException;

/** A 2D tissue label map (uint8 {@link Tissue} codes), row-major, with its pixel size in mm. */
public record LabelMap(String name, int height, int width, double pixelMm, byte[] labels) {
    public static final java.util.List<String> BUNDLED = java.util.List.of("axial", "coronal", "sagittal");

    public LabelMap {
        if (labels.length != height * width) throw new IllegalArgumentException("label map size mismatch");
    }

    /** One of the bundled BrainWeb-derived slices (0.5 mm pixels): axial, coronal or sagittal. */
    public static LabelMap bundled(String name) {
        if (!BUNDLED.contains(name)) {
            throw new MrfInputException("label map '" + name + "': no such bundled phantom; use one of " + BUNDLED);
        }
        BundledNpy a = BundledNpy.resource(name + ".npy");
        float[] v = a.values();
        byte[] labels = new byte[v.length];
        for (int i = 0; i < v.length; i++) labels[i] = (byte) Math.round(v[i]);
        return new LabelMap(name, a.rows(), a.cols(), 0.5, labels);
    }

    public int label(int row, int col) {
        return labels[row * width + col] & 0xff;
    }
}
