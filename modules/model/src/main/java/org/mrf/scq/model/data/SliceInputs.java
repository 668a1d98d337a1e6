package org.mrf.scq.model.data;

import org.mrf.scq.core.util.MrfInputException;

/**
 * Network inputs of a slice: each pixel's evolution over the first T time points is normalised to unit
 * energy (sum over t of re^2 + im^2 = 1; all-zero pixels stay zero). Complex input has 2T channels
 * [re_0..re_{T-1}, im_0..im_{T-1}]; magnitude input (SCQ_M) has T channels |x_t|. Layout NHWC
 * (pixel-major, channels last), C order.
 */
public final class SliceInputs {
    /** Written to model metadata: how inputs and targets were made. */
    public static final String NORMALISATION = "per-pixel unit energy over the first T time points; channels re_0..re_{T-1}, im_0..im_{T-1} "
            + "(magnitude |x_t| for SCQ_M); NHWC; targets T1/5000, T2/500";

    private SliceInputs() {
    }

    public static int channels(int t, boolean magnitude) {
        return magnitude ? t : 2 * t;
    }

    /** 1/sqrt(energy) per pixel over the first {@code t} points (0 for zero-energy pixels). */
    public static float[] inverseNorms(TrainingSlice s, int t) {
        requireT(s, t);
        int hw = s.pixels();
        double[] e = new double[hw];
        for (int k = 0; k < t; k++) {
            int off = k * hw;
            for (int p = 0; p < hw; p++) {
                double a = s.re()[off + p], b = s.im()[off + p];
                e[p] += a * a + b * b;
            }
        }
        float[] inv = new float[hw];
        for (int p = 0; p < hw; p++) {
            inv[p] = e[p] > 0 ? (float) (1.0 / Math.sqrt(e[p])) : 0f;
        }
        return inv;
    }

    static void requireT(TrainingSlice s, int t) {
        if (s.t() < t) {
            throw new MrfInputException("slice " + s.subject() + "/" + s.slice() + " has " + s.t()
                    + " time points, the model needs the first " + t);
        }
    }

    /** The whole slice as NHWC [H, W, C] values (C order). */
    public static float[] nhwc(TrainingSlice s, int t, boolean magnitude) {
        int hw = s.pixels();
        int c = channels(t, magnitude);
        float[] inv = inverseNorms(s, t);
        float[] out = new float[hw * c];
        for (int k = 0; k < t; k++) {
            int off = k * hw;
            for (int p = 0; p < hw; p++) {
                float a = s.re()[off + p] * inv[p], b = s.im()[off + p] * inv[p];
                if (magnitude) {
                    out[p * c + k] = (float) Math.sqrt(a * a + b * b);
                } else {
                    out[p * c + k] = a;
                    out[p * c + t + k] = b;
                }
            }
        }
        return out;
    }
}
