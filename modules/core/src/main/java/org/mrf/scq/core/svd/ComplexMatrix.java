package org.mrf.scq.core.svd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A complex matrix held as two real ND4J matrices of the same shape and data type (float or
 * double); every product goes through real BLAS GEMMs (four per complex product, or three with
 * the Gauss trick in {@link #conjProductGauss}). Shapes are (rows, cols) in C order.
 */
public final class ComplexMatrix {
    public final INDArray re;
    public final INDArray im;

    public ComplexMatrix(INDArray re, INDArray im) {
        if (!java.util.Arrays.equals(re.shape(), im.shape()) || re.dataType() != im.dataType()) {
            throw new IllegalArgumentException("real and imaginary parts disagree: " + java.util.Arrays.toString(re.shape())
                    + " " + re.dataType() + " vs " + java.util.Arrays.toString(im.shape()) + " " + im.dataType());
        }
        this.re = re;
        this.im = im;
    }

    /** Wraps row-major float arrays (copied into ND4J memory). */
    public static ComplexMatrix ofFloats(float[] re, float[] im, int rows, int cols) {
        return new ComplexMatrix(Nd4j.create(re, new long[]{rows, cols}, 'c'), Nd4j.create(im, new long[]{rows, cols}, 'c'));
    }

    public static ComplexMatrix zeros(DataType type, long rows, long cols) {
        return new ComplexMatrix(Nd4j.create(type, new long[]{rows, cols}, 'c'), Nd4j.create(type, new long[]{rows, cols}, 'c'));
    }

    public long rows() { return re.rows(); }
    public long cols() { return re.columns(); }

    public ComplexMatrix cast(DataType type) {
        if (re.dataType() == type) return this;
        return new ComplexMatrix(re.castTo(type), im.castTo(type));
    }

    /** Contiguous C-order copies of columns [from, to). */
    public ComplexMatrix columns(int from, int to) {
        return new ComplexMatrix(re.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup('c'),
                im.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup('c'));
    }

    /**
     * op(a) * b where op(a) = a^H (conjugate transpose) if {@code conjTransposeA} else a; four real
     * GEMMs: (Ar + iAi)(Br + iBi) = (ArBr - AiBi) + i(ArBi + AiBr), and
     * (Ar^T - iAi^T)(Br + iBi) = (Ar^T Br + Ai^T Bi) + i(Ar^T Bi - Ai^T Br).
     */
    public static ComplexMatrix mmul(ComplexMatrix a, boolean conjTransposeA, ComplexMatrix b) {
        long m = conjTransposeA ? a.cols() : a.rows();
        long k = conjTransposeA ? a.rows() : a.cols();
        if (k != b.rows()) {
            throw new IllegalArgumentException("inner dimensions disagree: " + k + " vs " + b.rows());
        }
        ComplexMatrix c = zeros(a.re.dataType(), m, b.cols());
        boolean t = conjTransposeA;
        double s = conjTransposeA ? -1.0 : 1.0;
        Nd4j.gemm(a.re, b.re, c.re, t, false, 1.0, 0.0);
        Nd4j.gemm(a.im, b.im, c.re, t, false, -s, 1.0);
        Nd4j.gemm(a.re, b.im, c.im, t, false, 1.0, 0.0);
        Nd4j.gemm(a.im, b.re, c.im, t, false, s, 1.0);
        return c;
    }

    /** The Hermitian Gram matrix a^H a (cols x cols). */
    public static ComplexMatrix gram(ComplexMatrix a) {
        return mmul(a, true, a);
    }

    /** True if the imaginary part is exactly zero everywhere. */
    public boolean isReal() {
        return im.amaxNumber().doubleValue() == 0.0;
    }

    /**
     * The real operands that {@link #conjProduct} uses for the rows of E: (Er) alone if E is real
     * (two GEMMs per product), else (Er - Ei, Er, Ei) for the Gauss three-multiplication trick.
     */
    public static INDArray[] rowOperands(ComplexMatrix e) {
        if (e.isReal()) return new INDArray[]{e.re.dup('c')};
        return new INDArray[]{e.re.sub(e.im), e.re.dup('c'), e.im.dup('c')};
    }

    /** Whether signals must be given as (Xr, Xi) (real E) or as (Xr, Xi - Xr, Xr + Xi) (complex E). */
    public static boolean realOperands(INDArray[] e) {
        return e.length == 1;
    }

    /**
     * S = X * conj(E)^T, i.e. S[p, n] = sum_t X[p, t] conj(E[n, t]) = <E_n, X_p>.
     * Complex E (Gauss): with k1 = Xr (Er - Ei)^T, k2 = (Xi - Xr) Er^T, k3 = (Xr + Xi) Ei^T,
     * Re S = k1 + k3 and Im S = k1 + k2 (three GEMMs); real E: Re S = Xr Er^T, Im S = Xi Er^T.
     *
     * @param x       (Xr, Xi) for real E, (Xr, Xi - Xr, Xr + Xi) for complex E; each p x t, or
     *                t x p if {@code xTimeMajor} (read transposed by the GEMM, no copy)
     * @param e       from {@link #rowOperands} of E (n x t)
     * @param outRe   receives Re S (p x n)
     * @param outIm   receives Im S (p x n)
     */
    public static void conjProduct(INDArray[] x, boolean xTimeMajor, INDArray[] e, INDArray outRe, INDArray outIm) {
        if (realOperands(e)) {
            Nd4j.gemm(x[0], e[0], outRe, xTimeMajor, true, 1.0, 0.0);
            Nd4j.gemm(x[1], e[0], outIm, xTimeMajor, true, 1.0, 0.0);
            return;
        }
        Nd4j.gemm(x[0], e[0], outRe, xTimeMajor, true, 1.0, 0.0);
        Nd4j.gemm(x[1], e[1], outIm, xTimeMajor, true, 1.0, 0.0);
        outIm.addi(outRe);
        Nd4j.gemm(x[2], e[2], outRe, xTimeMajor, true, 1.0, 1.0);
    }
}
