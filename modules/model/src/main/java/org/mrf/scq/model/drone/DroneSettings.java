package org.mrf.scq.model.drone;

/**
 * How a DRONE network is built and trained.
 *
 * @param hidden    units in each of the two hidden layers (300 in Cohen et al., MRM 2018)
 * @param epochs    passes over the dictionary; every pass draws fresh noise
 * @param batch     examples per Adam step
 * @param lr        Adam learning rate
 * @param snrDbMin  lowest SNR of the added noise, dB (signal energy over noise energy of a fingerprint)
 * @param snrDbMax  highest SNR; each example's SNR is drawn uniformly in dB from [min, max]
 * @param seed      seeds the weights, the example order and the noise
 */
public record DroneSettings(int hidden, int epochs, int batch, double lr, double snrDbMin, double snrDbMax, long seed) {
    /** The paper's width; training length and noise range are ours, fixed before any subject was seen. */
    public static DroneSettings defaults(long seed) {
        return new DroneSettings(300, 100, 128, 1e-3, 10, 40, seed);
    }

    public DroneSettings {
        if (hidden < 1) throw new IllegalArgumentException("DRONE hidden units " + hidden + ": need at least 1");
        if (epochs < 1) throw new IllegalArgumentException("DRONE epochs " + epochs + ": need at least 1");
        if (batch < 1) throw new IllegalArgumentException("DRONE batch " + batch + ": need at least 1");
        if (!(lr > 0 && lr < 1)) throw new IllegalArgumentException("DRONE learning rate " + lr + ": need a value in (0, 1)");
        if (!Double.isFinite(snrDbMin) || !Double.isFinite(snrDbMax) || snrDbMin > snrDbMax) {
            throw new IllegalArgumentException("DRONE SNR range [" + snrDbMin + ", " + snrDbMax + "] dB: need finite min <= max");
        }
    }
}
