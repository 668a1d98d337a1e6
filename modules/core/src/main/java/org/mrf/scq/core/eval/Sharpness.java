package org.mrf.scq.core.eval;

import org.mrf.scq.core.nufft.Fft2D;

/**
 * Sharpness of an estimated map against its reference: the high-frequency energy ratio
 * E_hf(estimate) / E_hf(reference), where E_hf(x) = sum over the mask of (H x)^2 and H is the ideal radial
 * high-pass that keeps the 2D DFT components of spatial frequency |nu| &gt; cut-off (nu in cycles per pixel,
 * Nyquist 0.5). 1 means as much fine detail as the reference, below 1 blurred (a Gaussian blur of width sigma
 * pixels scales a component of frequency nu by exp(-2 pi^2 sigma^2 nu^2), its energy by the square), above 1
 * noisier or with ringing. The paper (Fang et al., IEEE TMI 2019) reports blurring at high acceleration; this
 * puts a number on it.
 *
 * <p>The filter runs on the whole map (periodic DFT) and only the sum is restricted to the mask, so the mask's
 * own edge adds no energy. The brain's outer boundary is an edge of the maps themselves and does count: pass an
 * eroded mask to measure the interior alone. The ratio scales with the square of a global gain of the estimate,
 * so it is read beside the error, not instead of it.
 */
public final class Sharpness {
    /** Half the Nyquist frequency: detail finer than 4 pixels a period. */
    public static final double DEFAULT_CUTOFF = 0.25;

    private Sharpness() {
    }

    /** E_hf(estimate) / E_hf(reference); NaN when the reference has no energy above the cut-off in the mask. */
    public static double highFrequencyEnergyRatio(float[] estimate, float[] reference, float[] mask, int height, int width,
                                                  double cutoff) {
        double ref = highFrequencyEnergy(reference, mask, height, width, cutoff);
        return ref > 0 ? highFrequencyEnergy(estimate, mask, height, width, cutoff) / ref : Double.NaN;
    }

    /** Sum over the mask (pixels &gt; 0; null for all) of the squared high-passed map. */
    public static double highFrequencyEnergy(float[] map, float[] mask, int height, int width, double cutoff) {
        int n = height * width;
        if (map.length != n || (mask != null && mask.length != n)) {
            throw new IllegalArgumentException("map of " + map.length + " pixels" + (mask == null ? "" : ", mask of " + mask.length)
                    + " for a " + height + " x " + width + " image");
        }
        if (!(cutoff >= 0 && cutoff < Math.sqrt(0.5))) {
            throw new IllegalArgumentException("cut-off " + cutoff + " cycles/pixel is outside [0, sqrt(1/2))");
        }
        double[] a = new double[2 * n];
        for (int p = 0; p < n; p++) a[2 * p] = map[p];
        Fft2D fft = new Fft2D(height, width);
        fft.forward(a);
        for (int r = 0; r < height; r++) {
            double fy = frequency(r, height);
            for (int c = 0; c < width; c++) {
                double fx = frequency(c, width);
                if (fx * fx + fy * fy <= cutoff * cutoff) {
                    a[2 * (r * width + c)] = 0;
                    a[2 * (r * width + c) + 1] = 0;
                }
            }
        }
        fft.inverse(a);
        double e = 0, scale = 1.0 / n;
        for (int p = 0; p < n; p++) {
            if (mask == null || mask[p] > 0) {
                double h = a[2 * p] * scale;
                e += h * h;
            }
        }
        return e;
    }

    /** Signed frequency of DFT index k of an n-point axis, in cycles per pixel (in [-1/2, 1/2)). */
    private static double frequency(int k, int n) {
        return (k < (n + 1) / 2 ? k : k - n) / (double) n;
    }
}
