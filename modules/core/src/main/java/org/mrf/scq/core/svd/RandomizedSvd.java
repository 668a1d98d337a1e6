package org.mrf.scq.core.svd;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.util.MrfInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Randomized SVD (Halko, Martinsson and Tropp 2011, algorithm 4.4 "randomized subspace iteration";
 * used for MRF dictionaries by Yang et al. 2018) of a complex matrix D (rows x T), returning its
 * leading right singular vectors as an {@link SvdBasis}.
 *
 * <p>With l = rank + oversampling: Y = D Omega (Omega Gaussian, T x l), Q = orth(Y); then
 * {@code powerIterations} times Z = orth(D^H Q), Q = orth(D Z); finally W = D^H Q (T x l), whose
 * Gram matrix W^H W = B B^H (B = Q^H D) is eigen-decomposed in double: sigma_j^2 and U, and
 * V = W U Sigma^{-1}. The large products run as float GEMMs through ND4J (four real GEMMs per
 * complex product); every orthonormalisation is done in double, by eigen-decomposing the l x l Gram
 * matrix (Q = Y U Lambda^{-1/2}, twice, dropping directions below 1e-13 of the largest), so the
 * ill-conditioning that power iterations bring is harmless.
 */
public final class RandomizedSvd {
    public static final int DEFAULT_RANK = 200;
    public static final int DEFAULT_OVERSAMPLING = 40;
    public static final int DEFAULT_POWER_ITERATIONS = 3;
    public static final long DEFAULT_SEED = 20180101L;

    private RandomizedSvd() {
    }

    /**
     * SVD of the dictionary after normalising every entry to unit energy over its T time points (as
     * matching does), with the default rank (200), oversampling, power iterations and seed.
     */
    public static SvdBasis ofDictionary(Dictionary dict) {
        return ofDictionary(dict, DEFAULT_RANK, DEFAULT_OVERSAMPLING, DEFAULT_POWER_ITERATIONS, DEFAULT_SEED);
    }

    public static SvdBasis ofDictionary(Dictionary dict, int rank, int oversampling, int powerIterations, long seed) {
        int n = dict.size(), t = dict.timepoints();
        float[] re = dict.re().clone(), im = dict.im().clone();
        normaliseRows(re, im, n, t);
        return compute(re, im, n, t, rank, oversampling, powerIterations, seed);
    }

    /** Scales each row of (re, im) (rows x cols, row-major) to unit energy in place; zero rows stay zero. */
    public static void normaliseRows(float[] re, float[] im, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double e = 0;
            int off = r * cols;
            for (int c = 0; c < cols; c++) e += (double) re[off + c] * re[off + c] + (double) im[off + c] * im[off + c];
            if (e == 0) continue;
            float s = (float) (1.0 / Math.sqrt(e));
            for (int c = 0; c < cols; c++) {
                re[off + c] *= s;
                im[off + c] *= s;
            }
        }
    }

    /**
     * @param re              row-major (rows x cols) real parts of D
     * @param im              row-major imaginary parts
     * @param rank            K, the number of singular triplets to return (capped at min(rows, cols)
     *                        and at the numerical rank of D)
     * @param oversampling    extra random directions (10-50; accuracy of the trailing values)
     * @param powerIterations subspace iterations (2-4 for the fast-decaying spectra of MRF dictionaries)
     */
    public static SvdBasis compute(float[] re, float[] im, int rows, int cols, int rank, int oversampling,
                                   int powerIterations, long seed) {
        if (rows < 1 || cols < 1 || re.length != (long) rows * cols || im.length != re.length) {
            throw new IllegalArgumentException("need rows x cols = " + rows + " x " + cols + " values, got "
                    + re.length + " / " + im.length);
        }
        if (rank < 1 || oversampling < 0 || powerIterations < 0) {
            throw new IllegalArgumentException("rank " + rank + ", oversampling " + oversampling
                    + ", power iterations " + powerIterations);
        }
        double total = 0;
        for (int i = 0; i < re.length; i++) {
            float a = re[i], b = im[i];
            if (!Float.isFinite(a) || !Float.isFinite(b)) {
                throw new MrfInputException("SVD input: row " + (i / cols) + ", column " + (i % cols)
                        + " is not finite (" + a + ", " + b + "); the dictionary is corrupt, re-simulate it.");
            }
            total += (double) a * a + (double) b * b;
        }
        int full = Math.min(rows, cols);
        int l = Math.min(full, rank + oversampling);
        rank = Math.min(rank, l);

        ComplexMatrix d = ComplexMatrix.ofFloats(re, im, rows, cols);
        Random rnd = new Random(seed);
        float[] omega = new float[cols * l];
        for (int i = 0; i < omega.length; i++) omega[i] = (float) rnd.nextGaussian();
        INDArray om = Nd4j.create(omega, new long[]{cols, l}, 'c');
        ComplexMatrix y = new ComplexMatrix(d.re.mmul(om), d.im.mmul(om));
        ComplexMatrix q = orthonormalise(y);
        for (int it = 0; it < powerIterations; it++) {
            ComplexMatrix z = orthonormalise(ComplexMatrix.mmul(d, true, q));
            q = orthonormalise(ComplexMatrix.mmul(d, false, z));
        }
        ComplexMatrix w = conjTransposeTimesInDouble(re, im, rows, cols, q); // T x l' = B^H, in double
        HermitianEigen eig = HermitianEigen.of(ComplexMatrix.gram(w));
        int lq = eig.n;
        double floor = Math.max(eig.values[0], 0) * 1e-14;
        int k = 0;
        while (k < Math.min(rank, lq) && eig.values[k] > floor) k++;
        if (k == 0) {
            throw new MrfInputException("SVD input: the matrix (" + rows + " x " + cols + ") is zero; nothing to decompose.");
        }
        double[] cr = new double[lq * k], ci = new double[lq * k];
        float[] sv = new float[k];
        for (int j = 0; j < k; j++) {
            double sigma = Math.sqrt(eig.values[j]);
            sv[j] = (float) sigma;
            for (int i = 0; i < lq; i++) {
                cr[i * k + j] = eig.vecRe[i * lq + j] / sigma;
                ci[i * k + j] = eig.vecIm[i * lq + j] / sigma;
            }
        }
        for (int j = 1; j < k; j++) sv[j] = Math.min(sv[j], sv[j - 1]); // float rounding must not break the order
        ComplexMatrix c = new ComplexMatrix(Nd4j.create(cr, new long[]{lq, k}, 'c'), Nd4j.create(ci, new long[]{lq, k}, 'c'));
        ComplexMatrix v = symmetricOrthonormalise(ComplexMatrix.mmul(w, false, c)).cast(DataType.FLOAT);
        return SvdBasis.fromArrays(cols, k, v.re.dup('c').data().asFloat(), v.im.dup('c').data().asFloat(), sv, total);
    }

    /**
     * Loewdin orthonormalisation V (V^H V)^{-1/2} in double: the orthonormal matrix closest to V,
     * so column j stays the vector of singular value j. It repairs the orthogonality W U Sigma^{-1}
     * loses for singular values far below the largest (Gram eigenvalues carry errors of about
     * 1e-16 of the largest).
     */
    static ComplexMatrix symmetricOrthonormalise(ComplexMatrix v) {
        HermitianEigen eig = HermitianEigen.of(ComplexMatrix.gram(v));
        int k = eig.n;
        double[] ar = new double[k * k], ai = new double[k * k]; // U Lambda^{-1/2}
        for (int j = 0; j < k; j++) {
            double s = 1.0 / Math.sqrt(Math.max(eig.values[j], 1e-300));
            for (int i = 0; i < k; i++) {
                ar[i * k + j] = eig.vecRe[i * k + j] * s;
                ai[i * k + j] = eig.vecIm[i * k + j] * s;
            }
        }
        double[] ur = new double[k * k], ui = new double[k * k];
        System.arraycopy(eig.vecRe, 0, ur, 0, k * k);
        System.arraycopy(eig.vecIm, 0, ui, 0, k * k);
        ComplexMatrix a = new ComplexMatrix(Nd4j.create(ar, new long[]{k, k}, 'c'), Nd4j.create(ai, new long[]{k, k}, 'c'));
        ComplexMatrix u = new ComplexMatrix(Nd4j.create(ur, new long[]{k, k}, 'c'), Nd4j.create(ui, new long[]{k, k}, 'c'));
        // (V^H V)^{-1/2} = A U^H with A = U Lambda^{-1/2}: Re = Ar Ur^T + Ai Ui^T, Im = Ai Ur^T - Ar Ui^T.
        ComplexMatrix inv = ComplexMatrix.zeros(DataType.DOUBLE, k, k);
        Nd4j.gemm(a.re, u.re, inv.re, false, true, 1.0, 0.0);
        Nd4j.gemm(a.im, u.im, inv.re, false, true, 1.0, 1.0);
        Nd4j.gemm(a.im, u.re, inv.im, false, true, 1.0, 0.0);
        Nd4j.gemm(a.re, u.im, inv.im, false, true, -1.0, 1.0);
        return ComplexMatrix.mmul(v, false, inv);
    }

    /**
     * D^H Q in double, D converted block by block (2048 rows at a time) so that memory stays
     * bounded: the right singular vectors come out orthonormal to double precision and the small
     * singular values are not drowned by float rounding of the large ones.
     */
    static ComplexMatrix conjTransposeTimesInDouble(float[] re, float[] im, int rows, int cols, ComplexMatrix q) {
        ComplexMatrix qd = q.cast(DataType.DOUBLE);
        ComplexMatrix w = ComplexMatrix.zeros(DataType.DOUBLE, cols, qd.cols());
        int block = 2048;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block), nr = r1 - r0;
            double[] br = new double[nr * cols], bi = new double[nr * cols];
            for (int x = 0; x < nr * cols; x++) {
                br[x] = re[r0 * cols + x];
                bi[x] = im[r0 * cols + x];
            }
            ComplexMatrix db = new ComplexMatrix(Nd4j.create(br, new long[]{nr, cols}, 'c'), Nd4j.create(bi, new long[]{nr, cols}, 'c'));
            ComplexMatrix qb = new ComplexMatrix(
                    qd.re.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r0, r1), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'),
                    qd.im.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r0, r1), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'));
            ComplexMatrix part = ComplexMatrix.mmul(db, true, qb);
            w.re.addi(part.re);
            w.im.addi(part.im);
        }
        return w;
    }

    /**
     * An orthonormal basis (float, rows x l', l' <= l) of the column space of y, computed in double:
     * twice Q = Y U Lambda^{-1/2} with Y^H Y = U Lambda U^H, keeping eigenvalues above 1e-13 of the
     * largest (the second pass restores orthogonality lost to the conditioning of the first).
     */
    static ComplexMatrix orthonormalise(ComplexMatrix y) {
        ComplexMatrix q = y.cast(DataType.DOUBLE);
        for (int pass = 0; pass < 2; pass++) {
            HermitianEigen eig = HermitianEigen.of(ComplexMatrix.gram(q));
            int n = eig.n;
            double floor = Math.max(eig.values[0], 0) * 1e-13;
            int k = 0;
            while (k < n && eig.values[k] > floor) k++;
            if (k == 0) {
                throw new MrfInputException("SVD input: the matrix is zero; nothing to decompose.");
            }
            double[] cr = new double[n * k], ci = new double[n * k];
            for (int j = 0; j < k; j++) {
                double s = 1.0 / Math.sqrt(eig.values[j]);
                for (int i = 0; i < n; i++) {
                    cr[i * k + j] = eig.vecRe[i * n + j] * s;
                    ci[i * k + j] = eig.vecIm[i * n + j] * s;
                }
            }
            ComplexMatrix c = new ComplexMatrix(Nd4j.create(cr, new long[]{n, k}, 'c'), Nd4j.create(ci, new long[]{n, k}, 'c'));
            q = ComplexMatrix.mmul(q, false, c);
        }
        return q.cast(DataType.FLOAT);
    }
}
