package org.mrf.scq.model.nn;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate constant for {@code constantEpochs} epochs, then falling linearly over
 * {@code decayEpochs} epochs (pix2pix style: factor 1 - (e + 1 - constant) / (decay + 1)), never below
 * the last step. Epoch-based, so it follows the network's own epoch counter (stored in its JSON).
 */
public class ConstantThenLinearDecay implements ISchedule {
    private final double initialValue;
    private final int constantEpochs;
    private final int decayEpochs;

    public ConstantThenLinearDecay(@JsonProperty("initialValue") double initialValue,
                                   @JsonProperty("constantEpochs") int constantEpochs,
                                   @JsonProperty("decayEpochs") int decayEpochs) {
        this.initialValue = initialValue;
        this.constantEpochs = Math.max(0, constantEpochs);
        this.decayEpochs = Math.max(0, decayEpochs);
    }

    /** Splits {@code totalEpochs} into a constant part and a decay part of {@code decayFraction}. */
    public static ConstantThenLinearDecay of(double lr, int totalEpochs, double decayFraction) {
        int decay = (int) Math.round(totalEpochs * decayFraction);
        return new ConstantThenLinearDecay(lr, totalEpochs - decay, decay);
    }

    public double getInitialValue() { return initialValue; }
    public int getConstantEpochs() { return constantEpochs; }
    public int getDecayEpochs() { return decayEpochs; }

    @Override
    public double valueAt(int iteration, int epoch) {
        int past = Math.min(decayEpochs, Math.max(0, epoch + 1 - constantEpochs));
        return initialValue * (1.0 - past / (double) (decayEpochs + 1));
    }

    @Override
    public ISchedule clone() {
        return new ConstantThenLinearDecay(initialValue, constantEpochs, decayEpochs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantThenLinearDecay c && c.initialValue == initialValue
                && c.constantEpochs == constantEpochs && c.decayEpochs == decayEpochs;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(initialValue) * 31 + constantEpochs * 7 + decayEpochs;
    }
}
