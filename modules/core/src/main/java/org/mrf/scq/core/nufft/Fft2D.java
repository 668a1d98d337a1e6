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
    /**
     * Columns are transformed in blocks: gathering adjacent columns row by row reads contiguous memory. 16 columns of
     * complex doubles are 4 cache lines a row (docs/RAW-DATA.md, Speed).
     */
    private static final int BLOCK = 16;
    private final double[][] block;
    private final int[] allCols;

    public Fft2D(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.rowFft = new DoubleFFT_1D(cols);
        this.colFft = rows == cols ? rowFft : new DoubleFFT_1D(rows);
        this.block = new double[BLOCK][2 * rows];
        this.allCols = java.util.stream.IntStream.range(0, cols).toArray();
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
        columnPasses(a, nonZeroCols == null ? allCols : nonZeroCols, false);
        for (int r = 0; r < rows; r++) rowFft.complexForward(a, 2 * r * cols);
    }

    /** In-place unnormalised inverse FFT of the full array. */
    public void inverse(double[] a) {
        for (int r = 0; r < rows; r++) rowFft.complexInverse(a, 2 * r * cols, false);
        columnPasses(a, allCols, true);
    }

    /**
     * Unnormalised inverse FFT of which only the columns {@code wantedCols} of the result are
     * computed correctly (the others hold row-pass intermediates): saves the column passes that a
     * crop would throw away.
     */
    public void inverse(double[] a, int[] wantedCols) {
        for (int r = 0; r < rows; r++) rowFft.complexInverse(a, 2 * r * cols, false);
        columnPasses(a, wantedCols, true);
    }

    private void columnPasses(double[] a, int[] which, boolean inverse) {
        for (int s = 0; s < which.length; s += BLOCK) {
            int nb = Math.min(BLOCK, which.length - s);
            for (int r = 0; r < rows; r++) {
                int base = 2 * r * cols;
                for (int b = 0; b < nb; b++) {
                    int i = base + 2 * which[s + b];
                    block[b][2 * r] = a[i];
                    block[b][2 * r + 1] = a[i + 1];
                }
            }
            for (int b = 0; b < nb; b++) {
                if (inverse) colFft.complexInverse(block[b], false);
                else colFft.complexForward(block[b]);
            }
            for (int r = 0; r < rows; r++) {
                int base = 2 * r * cols;
                for (int b = 0; b < nb; b++) {
                    int i = base + 2 * which[s + b];
                    a[i] = block[b][2 * r];
                    a[i + 1] = block[b][2 * r + 1];
                }
            }
        }
    }
}
