package org.mrf.scq.core.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SharpnessTest {
    private static final int N = 64;

    /** DC + a coarse wave + {@code fine} times a wave of 20 cycles across (0.3125 cycles/pixel). */
    private static float[] waves(double coarse, double fine) {
        float[] m = new float[N * N];
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                m[r * N + c] = (float) (1000 + coarse * 100 * Math.cos(2 * Math.PI * 3 * r / N)
                        + fine * 40 * Math.sin(2 * Math.PI * 20 * c / N + 0.3));
            }
        }
        return m;
    }

    @Test
    void gaussianBlurOfASinusoidLosesTheClosedFormEnergy() {
        double sigma = 1.0, nu = 20.0 / N;
        double gain = Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * nu * nu);
        float[] ref = waves(1, 1);
        float[] blurredClosedForm = waves(Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * 9.0 / (N * N)), gain);
        assertEquals(gain * gain, Sharpness.highFrequencyEnergyRatio(blurredClosedForm, ref, null, N, N, 0.25), 1e-4 * gain * gain);
        assertEquals(1.0, Sharpness.highFrequencyEnergyRatio(ref, ref, null, N, N, 0.25), 1e-12);

        // the same blur done as a circular convolution with a sampled Gaussian kernel, in the image domain
        float[] convolved = blur(ref, sigma);
        assertEquals(gain * gain, Sharpness.highFrequencyEnergyRatio(convolved, ref, null, N, N, 0.25), 0.01 * gain * gain);

        // restricting the sum to half the image keeps the ratio of a blurred stationary pattern
        float[] half = new float[N * N];
        for (int p = 0; p < N * N / 2; p++) half[p] = 1;
        assertEquals(gain * gain, Sharpness.highFrequencyEnergyRatio(blurredClosedForm, ref, half, N, N, 0.25), 1e-3 * gain * gain);
    }

    @Test
    void cutOffIsRadial() {
        // a diagonal wave of (10, 10) cycles: 0.156 cycles/pixel per axis, 0.221 radially, below a 0.25 cut-off
        float[] low = new float[N * N], high = new float[N * N];
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                low[r * N + c] = (float) Math.cos(2 * Math.PI * 10 * (r + c) / N);
                high[r * N + c] = (float) Math.cos(2 * Math.PI * 12 * (r + c) / N); // 0.265 radially
            }
        }
        assertEquals(0, Sharpness.highFrequencyEnergy(low, null, N, N, 0.25), 1e-9);
        // all of a unit cosine's energy, N^2 / 2, lies above the cut-off
        assertEquals(N * N / 2.0, Sharpness.highFrequencyEnergy(high, null, N, N, 0.25), 1e-3, "float pixels");
        assertTrue(Double.isNaN(Sharpness.highFrequencyEnergyRatio(high, new float[N * N], null, N, N, 0.25)), "no reference detail");
        assertThrows(IllegalArgumentException.class, () -> Sharpness.highFrequencyEnergy(low, null, N, N + 1, 0.25));
    }

    private static float[] blur(float[] img, double sigma) {
        int rad = (int) Math.ceil(6 * sigma);
        double[] k = new double[2 * rad + 1];
        double sum = 0;
        for (int i = -rad; i <= rad; i++) sum += k[i + rad] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        float[] tmp = new float[N * N], out = new float[N * N];
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                double s = 0;
                for (int i = -rad; i <= rad; i++) s += k[i + rad] * img[r * N + Math.floorMod(c + i, N)];
                tmp[r * N + c] = (float) s;
            }
        }
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                double s = 0;
                for (int i = -rad; i <= rad; i++) s += k[i + rad] * tmp[Math.floorMod(r + i, N) * N + c];
                out[r * N + c] = (float) s;
            }
        }
        return out;
    }
}
