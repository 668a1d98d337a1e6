package org.mrf.scq.core.eval;

/**
 * The paper's error measure: mean relative absolute error over the brain mask, in percent,
 * 100 * mean_p |est_p - ref_p| / ref_p over pixels with mask_p > 0 and ref_p > 0 (a reference of 0
 * has no relative error; such pixels are outside tissue).
 */
public final class MapErrors {
    private MapErrors() {
    }

    public static double meanRelativeErrorPct(float[] estimate, float[] reference, float[] mask) {
        double sum = 0;
        long n = 0;
        for (int p = 0; p < reference.length; p++) {
            if ((mask == null || mask[p] > 0) && reference[p] > 0) {
                sum += Math.abs(estimate[p] - reference[p]) / reference[p];
                n++;
            }
        }
        return n == 0 ? Double.NaN : 100 * sum / n;
    }

    /** Per-pixel relative error map (0 outside the mask), for error figures. */
    public static float[] relativeErrorMap(float[] estimate, float[] reference, float[] mask) {
        float[] e = new float[reference.length];
        for (int p = 0; p < e.length; p++) {
            if ((mask == null || mask[p] > 0) && reference[p] > 0) e[p] = Math.abs(estimate[p] - reference[p]) / reference[p];
        }
        return e;
    }

    /** Mean and sample standard deviation, for "mean +- std" tables. */
    public static double[] meanStd(double[] v) {
        double m = 0;
        for (double x : v) m += x;
        m /= v.length;
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return new double[]{m, v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0};
    }
}
