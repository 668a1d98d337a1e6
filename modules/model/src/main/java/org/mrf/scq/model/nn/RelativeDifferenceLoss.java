package org.mrf.scq.model.nn;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The paper's relative-difference loss: sum over masked pixels of |(y_hat - y) / y|, divided by the
 * number of masked pixels in the minibatch. The mask comes from DL4J label masks (shape of the
 * labels, or a column that broadcasts over them); without a mask every element counts. Labels are
 * positive targets (T1/5000, T2/500); |y| is clamped below at {@link #EPS} so unmasked zeros stay finite.
 * <p>
 * Scaling note: the score ignores {@code average} and is always the masked mean over the whole array
 * handed in. DL4J's CnnLossLayer then divides the score, and the updater the gradient, by the number of
 * examples (patches or pixels) in the minibatch: the reported network score is loss / minibatch size,
 * which Adam's scale invariance makes harmless. Trainers report {@code score * minibatch}.
 */
public class RelativeDifferenceLoss implements ILossFunction {
    public static final double EPS = 1e-6;

    private INDArray maskFor(INDArray labels, INDArray mask) {
        if (mask == null) {
            return null;
        }
        if (mask.rank() == labels.rank() && mask.equalShapes(labels)) {
            return mask.castTo(labels.dataType());
        }
        if (mask.rank() == 2 && mask.size(0) == labels.size(0) && mask.size(1) == 1) {
            return mask.castTo(labels.dataType()).broadcast(labels.shape());
        }
        if (mask.length() == labels.length()) {
            return mask.castTo(labels.dataType()).reshape(labels.shape());
        }
        throw new IllegalArgumentException("label mask shape " + java.util.Arrays.toString(mask.shape())
                + " does not fit labels " + java.util.Arrays.toString(labels.shape()));
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
        double count;
        if (m != null) {
            rel.muli(m);
            count = m.sumNumber().doubleValue();
        } else {
            count = labels.length();
        }
        return rel.divi(Math.max(count, 1.0));
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
        double count = labels.length();
        if (m != null) {
            dLdOut.muli(m);
            count = m.sumNumber().doubleValue();
        }
        dLdOut.divi(Math.max(count, 1.0));
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
