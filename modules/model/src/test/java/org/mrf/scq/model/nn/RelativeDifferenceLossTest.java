package org.mrf.scq.model.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

class RelativeDifferenceLossTest {
    private final RelativeDifferenceLoss loss = new RelativeDifferenceLoss();

    @Test
    void scoreIsMaskedMeanOfRelativeDifference() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1.0}, {2.0}, {4.0}, {0.0}});
        INDArray yHat = Nd4j.createFromArray(new double[][]{{1.5}, {1.0}, {4.0}, {9.0}});
        INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {1}, {1}, {0}});
        double s = loss.computeScore(y, yHat, new ActivationIdentity(), mask, true);
        assertEquals((0.5 + 0.5 + 0.0) / 3, s, 1e-12);
        assertEquals(s, loss.computeScoreArray(y, yHat, new ActivationIdentity(), mask).sumNumber().doubleValue(), 1e-12);
    }

    @Test
    void nonPositiveLabelsAreOutsideTheMask() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1.0}, {2.0}, {0.0}, {0.0}});
        INDArray yHat = Nd4j.createFromArray(new double[][]{{1.5}, {1.0}, {7.0}, {-3.0}});
        assertEquals(0.5, loss.computeScore(y, yHat, new ActivationIdentity(), null, true), 1e-12);
        INDArray g = loss.computeGradient(y, yHat, new ActivationIdentity(), null);
        assertEquals(0.0, g.getDouble(2, 0), 0.0);
        assertEquals(0.0, g.getDouble(3, 0), 0.0);
        assertEquals(0.5 * 1.0 / 1.0, g.getDouble(0, 0), 1e-12);
        assertEquals(0.5 * -1.0 / 2.0, g.getDouble(1, 0), 1e-12);
        // a mask of a shape that does not match the labels (DL4J M2.1's mangled NHWC mask) is ignored
        INDArray odd = Nd4j.ones(DataType.DOUBLE, 2, 2);
        assertEquals(0.5, loss.computeScore(y, yHat, new ActivationIdentity(), odd, true), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(3);
        for (var act : new org.nd4j.linalg.activations.IActivation[]{new ActivationIdentity(), new ActivationSoftPlus()}) {
            INDArray y = Nd4j.rand(DataType.DOUBLE, 20, 1).addi(0.2);
            INDArray pre = Nd4j.rand(DataType.DOUBLE, 20, 1).muli(2);
            INDArray mask = Nd4j.rand(DataType.DOUBLE, 20, 1).gt(0.3).castTo(DataType.DOUBLE);
            INDArray grad = loss.computeGradient(y, pre, act, mask);
            double h = 1e-6;
            for (int i = 0; i < 20; i++) {
                INDArray p1 = pre.dup(), p2 = pre.dup();
                p1.putScalar(i, 0, pre.getDouble(i, 0) + h);
                p2.putScalar(i, 0, pre.getDouble(i, 0) - h);
                double num = (loss.computeScore(y, p1, act, mask, true) - loss.computeScore(y, p2, act, mask, true)) / (2 * h);
                assertEquals(num, grad.getDouble(i, 0), 1e-6, act + " element " + i);
            }
            assertEquals(grad, loss.computeGradientAndScore(y, pre, act, mask, true).getSecond());
        }
    }
}
