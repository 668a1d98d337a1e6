package org.mrf.scq.sim;

import java.util.Random;

/**
 * A smooth, zero-mean, unit-variance random field over the plane, as a sum of random plane waves
 * with wavelengths drawn from [minWavelength, maxWavelength] (mm): band-limited by construction,
 * so it is smooth at any sampling, and it can be evaluated at any point (so it deforms with the
 * subject rather than being tied to a pixel grid). Each wave has variance 1/2, hence the sqrt(2/n).
 */
final class SmoothRandomField {
    private final double[] ky, kx, phase;
    private final double norm;

    SmoothRandomField(Random random, int waves, double minWavelengthMm, double maxWavelengthMm) {
        ky = new double[waves];
        kx = new double[waves];
        phase = new double[waves];
        for (int i = 0; i < waves; i++) {
            double lambda = minWavelengthMm + (maxWavelengthMm - minWavelengthMm) * random.nextDouble();
            double dir = 2 * Math.PI * random.nextDouble();
            ky[i] = 2 * Math.PI / lambda * Math.sin(dir);
            kx[i] = 2 * Math.PI / lambda * Math.cos(dir);
            phase[i] = 2 * Math.PI * random.nextDouble();
        }
        norm = Math.sqrt(2.0 / waves);
    }

    double at(double yMm, double xMm) {
        double s = 0;
        for (int i = 0; i < ky.length; i++) s += Math.cos(ky[i] * yMm + kx[i] * xMm + phase[i]);
        return s * norm;
    }
}
