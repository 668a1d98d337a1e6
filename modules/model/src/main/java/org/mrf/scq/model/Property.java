package org.mrf.scq.model;

/** The tissue property one network predicts, with the scale its target is divided by (T1/5000, T2/500). */
public enum Property {
    T1(5000.0), T2(500.0);

    private final double scaleMs;

    Property(double scaleMs) { this.scaleMs = scaleMs; }

    /** Targets are {@code value_ms / scaleMs}; predictions are multiplied back by it. */
    public double scaleMs() { return scaleMs; }
}
