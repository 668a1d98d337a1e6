package org.mrf.scq.core.nufft;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Unnormalised 2D complex FFT on an interleaved row-major {@code rows x cols} array, done as 1D
 * passes so that a caller can prune: when only some columns of the input are non-zero (a
 * zero-padded image) the column pass can skip the others, and when only some columns of the
 * output are wanted (a cropped image) the second pass can skip the rest.
 *
 * <p>Forward is sum x e^{-2 pi i k n / N}, inverse sum X e^{+2 pi i k n / N} without 1/N.
 * JTransforms 1D transforms of these lengths run single-threaded, so one instance per thread
 * (and parallelism outside) gives predictable scaling. Not thread-safe (owns a column buffer).
 */
public final class Fft2D {
    private final int rows, cols;
    private final DoubleFFT_1D rowFft, colFft;
    private final double[] column;

    public Fft2D(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.rowFft = new DoubleFFT_1D(cols);
        this.colFft = rows == cols ? rowFft : new DoubleFFT_1D(rows);
        this.column = new double[2 * rows];
    }

    public int rows() { return rows; }
    public int cols() { return cols; }

    /** In-place forward FFT of the full array. */
    public void forward(double[] a) {
        forward(a, null);
    }

    /**
     * In-place forward FFT; {@code nonZeroCols} (or null for all) lists the only columns that can
     * be non-zero on input, so the column pass runs on those alone (the rest transform to zero).
     */
    public void forward(double[] a, int[] nonZeroCols) {
        if (nonZeroCols == null) {
            for (int c = 0; c < cols; c++) columnPass(a, c, false);
        } else {
            for (int c : nonZeroCols) columnPass(a, c, false);
        }
        for (int r = 0; r < rows; r++) rowFft.complexForward(a, 2 * r * cols);
    }

    /** In-place unnormalised inverse FFT of the full array. */
    public void inverse(double[] a) {
        for (int r = 0; r < rows; r++) rowFft.complexInverse(a, 2 * r * cols, false);
        for (int c = 0; c < cols; c++) columnPass(a, c, true);
    }

    /**
     * Unnormalised inverse FFT of which only the columns {@code wantedCols} of the result are
     * computed correctly (the others hold row-pass intermediates): saves the column passes that a
     * crop would throw away.
     */
    public void inverse(double[] a, int[] wantedCols) {
        for (int r = 0; r < rows; r++) rowFft.complexInverse(a, 2 * r * cols, false);
        for (int c : wantedCols) columnPass(a, c, true);
    }

    private void columnPass(double[] a, int c, boolean inverse) {
        double[] col = column;
        for (int r = 0, i = 2 * c; r < rows; r++, i += 2 * cols) {
            col[2 * r] = a[i];
            col[2 * r + 1] = a[i + 1];
        }
        if (inverse) colFft.complexInverse(col, false);
        else colFft.complexForward(col);
        for (int r = 0, i = 2 * c; r < rows; r++, i += 2 * cols) {
            a[i] = col[2 * r];
            a[i + 1] = col[2 * r + 1];
        }
    }
}
