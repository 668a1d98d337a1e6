package org.mrf.scq.core.nufft;

import java.util.Arrays;

/**
 * A linear map between complex arrays, SigPy-style: it knows its input and output shapes and
 * offers the forward map and its adjoint, and operators compose into an acquisition model.
 *
 * <p>Complex arrays are interleaved doubles ({@code re0, im0, re1, im1, ...}, C order over the
 * shape), the layout JTransforms works in, so no operator needs to split or merge parts. The
 * {@code out} array is always overwritten, never accumulated into.
 */
public interface LinearOperator {
    /** Shape of the input, in complex elements (e.g. {@code {ny, nx}}). */
    int[] inputShape();

    /** Shape of the output, in complex elements. */
    int[] outputShape();

    /** {@code out = A in}; {@code in} has 2 x inputSize doubles, {@code out} 2 x outputSize. */
    void forward(double[] in, double[] out);

    /** {@code out = A^H in}; {@code in} has 2 x outputSize doubles, {@code out} 2 x inputSize. */
    void adjoint(double[] in, double[] out);

    default int inputSize() {
        return sizeOf(inputShape());
    }

    default int outputSize() {
        return sizeOf(outputShape());
    }

    default double[] forward(double[] in) {
        double[] out = new double[2 * outputSize()];
        forward(in, out);
        return out;
    }

    default double[] adjoint(double[] in) {
        double[] out = new double[2 * inputSize()];
        adjoint(in, out);
        return out;
    }

    /** {@code this o inner}: apply {@code inner} first. Its output shape must equal this input shape. */
    default LinearOperator compose(LinearOperator inner) {
        LinearOperator outer = this;
        if (!Arrays.equals(inner.outputShape(), outer.inputShape())) {
            throw new IllegalArgumentException("cannot compose: inner output " + Arrays.toString(inner.outputShape())
                    + " differs from outer input " + Arrays.toString(outer.inputShape()));
        }
        return new LinearOperator() {
            @Override public int[] inputShape() { return inner.inputShape(); }
            @Override public int[] outputShape() { return outer.outputShape(); }
            @Override public void forward(double[] in, double[] out) { outer.forward(inner.forward(in), out); }
            @Override public void adjoint(double[] in, double[] out) { inner.adjoint(outer.adjoint(in), out); }
        };
    }

    /** The adjoint as an operator of its own (SigPy's {@code A.H}): forward and adjoint swapped. */
    default LinearOperator adjointOperator() {
        LinearOperator a = this;
        return new LinearOperator() {
            @Override public int[] inputShape() { return a.outputShape(); }
            @Override public int[] outputShape() { return a.inputShape(); }
            @Override public void forward(double[] in, double[] out) { a.adjoint(in, out); }
            @Override public void adjoint(double[] in, double[] out) { a.forward(in, out); }
            @Override public LinearOperator adjointOperator() { return a; }
        };
    }

    /** Diagonal (element-wise) real weighting, e.g. density compensation; self-adjoint. */
    static LinearOperator diagonal(double[] weights, int... shape) {
        int n = sizeOf(shape);
        if (weights.length != n) {
            throw new IllegalArgumentException("diagonal weights: " + weights.length + " values for shape " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        return new LinearOperator() {
            @Override public int[] inputShape() { return s.clone(); }
            @Override public int[] outputShape() { return s.clone(); }
            @Override public void forward(double[] in, double[] out) {
                for (int i = 0; i < n; i++) {
                    out[2 * i] = in[2 * i] * weights[i];
                    out[2 * i + 1] = in[2 * i + 1] * weights[i];
                }
            }
            @Override public void adjoint(double[] in, double[] out) { forward(in, out); }
        };
    }

    static int sizeOf(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return Math.toIntExact(n);
    }

    /** Interleaved complex from float parts (the simulator's storage type). */
    static double[] interleave(float[] re, float[] im) {
        double[] out = new double[2 * re.length];
        for (int i = 0; i < re.length; i++) {
            out[2 * i] = re[i];
            out[2 * i + 1] = im == null ? 0 : im[i];
        }
        return out;
    }
}
