package org.mrf.scq.model.nn;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The paper's relative-difference loss: sum over masked pixels of |(y_hat - y) / y|, divided by the
 * number of masked pixels in the minibatch.
 * <p>
 * The mask: a pixel counts when its label is positive (targets T1/5000, T2/500 are always positive, so
 * example cutters write 0 outside the tissue mask) and, where DL4J hands in a label mask of the labels'
 * shape or a [rows, 1] column, when that mask is non-zero. Why labels carry the mask: measured on
 * DL4J 1.0.0-M2.1, CnnLossLayer in NHWC format reshapes a [n, h, w, 1] label mask as if it were NCHW
 * (it arrives as [n*w, h]), i.e. on the wrong pixels, and background labels of 0 then blow the gradient
 * up by 1/eps. Masks of any other shape are therefore ignored here, and {@code PatchExamples} puts no
 * DL4J mask on its DataSets.
 * <p>
 * Scaling note: the score ignores {@code average} and is always the masked mean over the whole array
 * handed in. DL4J's CnnLossLayer then divides the score, and the updater the gradient, by the number of
 * examples (patches or pixels) in the minibatch: the reported network score is loss / minibatch size,
 * which Adam's scale invariance makes harmless. Trainers report {@code score * minibatch}.
 */
public class RelativeDifferenceLoss implements ILossFunction {
    public static final double EPS = 1e-6;

    /** The effective 0/1 mask: label > 0, times a DL4J mask when it has a trustworthy shape. */
    private INDArray maskFor(INDArray labels, INDArray mask) {
        INDArray m = labels.gt(0).castTo(labels.dataType());
        if (mask == null) {
            return m;
        }
        if (mask.equalShapes(labels)) {
            return m.muli(mask.castTo(labels.dataType()));
        }
        if (mask.rank() == 2 && mask.size(0) == labels.size(0) && mask.size(1) == 1) {
            return m.muli(mask.castTo(labels.dataType()).broadcast(labels.shape()));
        }
        return m; // e.g. the NHWC mask DL4J M2.1's CnnLossLayer mangles (see the class comment)
    }

    private static INDArray denominator(INDArray labels) {
        return Transforms.max(Transforms.abs(labels, true), EPS, false);
    }

    /** Per element |(y_hat - y)/y| * mask / count. */
    private INDArray elementScores(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        INDArray rel = out.subi(labels).divi(denominator(labels));
        Transforms.abs(rel, false);
        INDArray m = maskFor(labels, mask);
        rel.muli(m);
        return rel.divi(Math.max(m.sumNumber().doubleValue(), 1.0));
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return elementScores(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray e = elementScores(labels, preOutput, activationFn, mask);
        return e.reshape(e.size(0), -1).sum(1);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray out = activationFn.getActivation(preOutput.dup(), true);
        INDArray denom = denominator(labels);
        INDArray dLdOut = Transforms.sign(out.sub(labels), false).divi(denom);
        INDArray m = maskFor(labels, mask);
        dLdOut.muli(m);
        dLdOut.divi(Math.max(m.sumNumber().doubleValue(), 1.0));
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "RelativeDifferenceLoss";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelativeDifferenceLoss;
    }

    @Override
    public int hashCode() {
        return 17;
    }

    @Override
    public String toString() {
        return "RelativeDifferenceLoss()";
    }
}
