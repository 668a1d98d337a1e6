package org.mrf.scq.core.nufft;

/** Small helpers on interleaved complex double arrays (see {@link LinearOperator}). */
public final class ComplexVectors {
    private ComplexVectors() {}

    /** {@code <a, b> = sum conj(a_i) b_i} as {re, im}. */
    public static double[] dot(double[] a, double[] b) {
        double re = 0, im = 0;
        for (int i = 0; i < a.length; i += 2) {
            re += a[i] * b[i] + a[i + 1] * b[i + 1];
            im += a[i] * b[i + 1] - a[i + 1] * b[i];
        }
        return new double[]{re, im};
    }

    public static double norm(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }

    /** ||a - b|| / ||b||. */
    public static double relativeError(double[] a, double[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            double e = a[i] - b[i];
            d += e * e;
            n += b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }
}
