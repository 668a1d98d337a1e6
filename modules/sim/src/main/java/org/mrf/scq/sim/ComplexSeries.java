package org.mrf.scq.sim;

/**
 * A complex image series, T x H x W in C order (time slowest), float parts: what a scanner's
 * MRF reconstruction exports, and what the ingest stage reads (modules/sim/COHORT-FORMAT.md).
 */
public record ComplexSeries(int timepoints, int height, int width, float[] re, float[] im) {
    public ComplexSeries {
        long n = (long) timepoints * height * width;
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("series " + timepoints + " x " + height + " x " + width + " needs " + n + " values per part");
        }
    }

    public static ComplexSeries zeros(int timepoints, int height, int width) {
        int n = Math.toIntExact((long) timepoints * height * width);
        return new ComplexSeries(timepoints, height, width, new float[n], new float[n]);
    }

    public int index(int t, int row, int col) {
        return (t * height + row) * width + col;
    }

    /** ||this - other|| / ||other|| over the whole series. */
    public double relativeError(ComplexSeries other) {
        double d = 0, n = 0;
        for (int i = 0; i < re.length; i++) {
            double a = re[i] - other.re[i], b = im[i] - other.im[i];
            d += a * a + b * b;
            n += (double) other.re[i] * other.re[i] + (double) other.im[i] * other.im[i];
        }
        return Math.sqrt(d / n);
    }
}
