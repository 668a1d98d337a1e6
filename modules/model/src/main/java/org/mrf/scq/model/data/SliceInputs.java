package org.mrf.scq.model.data;

import org.mrf.scq.core.util.MrfInputException;

/**
 * Network inputs of a slice: each pixel's evolution over the first T time points is normalised to unit energy (sum over
 * t of re^2 + im^2 = 1; all-zero pixels stay zero). Complex input has 2T channels [re_0..re_{T-1}, im_0..im_{T-1}];
 * magnitude input (SCQ_M) has T channels |x_t|. Layout NHWC (pixel-major, channels last), C order.
 * <p>
 * Phase convention ({@link Form#REFERENCED}): a FISP fingerprint with a real flip-angle schedule is real up to one
 * complex factor, the pixel's proton density times its coil-combined phase (Ma et al., "Magnetic resonance
 * fingerprinting", Nature 2013; Jiang et al., "MR fingerprinting using fast imaging with steady state precession
 * (FISP)", MRM 2015). That factor's phase varies from subject to subject and across each image; a network that takes
 * re/im as they are sees it as part of the tissue. So each pixel's series x is first rotated by the unit phasor that
 * makes it as real as possible: the half angle of sum_t x_t^2, which for x = c d with d real is c^2 |d|^2 and so never
 * vanishes, whatever T1 and T2 are (no linear projection has that property: on the default schedule's dictionary at
 * ar 4 the sum of the points and the projection on the first SVD basis vector are each near zero for some entries,
 * see docs/SETTINGS.md). The half angle leaves the sign open; it is fixed so that the first {@value #SIGN_WINDOW}
 * points, where the inversion keeps every fingerprint of the dictionary negative, sum to a negative real part. The
 * rotated series is then |c| d with the dictionary's own phase, and the input is the same, to float rounding, under
 * any phase map multiplying the series.
 */
public final class SliceInputs {
    /** How a slice becomes network input. */
    public enum Form {
        /** 2T channels, re and im as they are. */
        COMPLEX,
        /** 2T channels, each pixel's series first rotated by the phase convention of this class. */
        REFERENCED,
        /** T channels |x_t| (SCQ_M); the phase does not enter. */
        MAGNITUDE;

        public boolean magnitude() {
            return this == MAGNITUDE;
        }
    }

    /**
     * Time points whose sum fixes the sign of the rotated series. After the inversion every fingerprint of the paper's
     * dictionary (T1 >= 60 ms) is negative at the first four points of the default schedule and the first two of
     * jiang2015-fisp-1000; of the windows where it is negative for both, two points give the largest smallest
     * projection over the dictionary (PhaseConventionTest checks both).
     */
    public static final int SIGN_WINDOW = 2;

    private static final String COMMON = "per-pixel unit energy over the first T time points; ";
    private static final String TARGETS = "; NHWC; targets T1/5000, T2/500";

    private SliceInputs() {
    }

    /** Written to model metadata: how inputs and targets were made. */
    public static String normalisation(Form form) {
        return COMMON + switch (form) {
            case COMPLEX -> "channels re_0..re_{T-1}, im_0..im_{T-1} as acquired";
            case REFERENCED -> "each pixel's series rotated so that sum_t x_t^2 is real and positive and the real part of its first "
                    + SIGN_WINDOW + " points sums to <= 0; channels re_0..re_{T-1}, im_0..im_{T-1}";
            case MAGNITUDE -> "magnitude channels |x_0|..|x_{T-1}|";
        } + TARGETS;
    }

    public static int channels(int t, Form form) {
        return form.magnitude() ? t : 2 * t;
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

    /**
     * The unit phasor per pixel (cos, sin interleaved, [2 * H * W]) that the phase convention multiplies the pixel's
     * first {@code t} points by; 1 for a pixel whose sum of squares is zero.
     */
    public static double[] referencePhasors(TrainingSlice s, int t) {
        requireT(s, t);
        int hw = s.pixels();
        double[] sr = new double[hw], si = new double[hw];
        for (int k = 0; k < t; k++) {
            int off = k * hw;
            for (int p = 0; p < hw; p++) {
                double a = s.re()[off + p], b = s.im()[off + p];
                sr[p] += a * a - b * b;
                si[p] += 2 * a * b;
            }
        }
        double[] out = new double[2 * hw];
        for (int p = 0; p < hw; p++) phasor(sr[p], si[p], s.re(), s.im(), p, hw, t, out, 2 * p);
        return out;
    }

    /**
     * The convention's unit phasor for one series whose point k is {@code (re, im)[off + k * stride]}, written as cos,
     * sin at {@code out[at]}: for any input that builds its own series (a per-pixel network), the same phase as
     * {@link #referencePhasors}.
     */
    public static void referencePhasor(float[] re, float[] im, int off, int stride, int t, double[] out, int at) {
        double sr = 0, si = 0;
        for (int k = 0; k < t; k++) {
            double a = re[off + k * stride], b = im[off + k * stride];
            sr += a * a - b * b;
            si += 2 * a * b;
        }
        phasor(sr, si, re, im, off, stride, t, out, at);
    }

    /** Minus half the angle of sum x^2 = sr + i si, turned by pi if the rotated first points sum positive. */
    private static void phasor(double sr, double si, float[] re, float[] im, int off, int stride, int t, double[] out, int at) {
        double half = (sr == 0 && si == 0) ? 0 : -0.5 * Math.atan2(si, sr);
        double c = Math.cos(half), sn = Math.sin(half);
        double early = 0;
        for (int k = 0; k < Math.min(SIGN_WINDOW, t); k++) early += re[off + k * stride] * c - im[off + k * stride] * sn;
        if (early > 0) {
            c = -c;
            sn = -sn;
        }
        out[at] = c;
        out[at + 1] = sn;
    }

    static void requireT(TrainingSlice s, int t) {
        if (s.t() < t) {
            throw new MrfInputException("slice " + s.subject() + "/" + s.slice() + " has " + s.t()
                    + " time points, the model needs the first " + t);
        }
    }

    /** The whole slice as NHWC [H, W, C] values (C order). */
    public static float[] nhwc(TrainingSlice s, int t, Form form) {
        int hw = s.pixels();
        int c = channels(t, form);
        float[] inv = inverseNorms(s, t);
        double[] rot = form == Form.REFERENCED ? referencePhasors(s, t) : null;
        float[] out = new float[hw * c];
        for (int k = 0; k < t; k++) {
            int off = k * hw;
            for (int p = 0; p < hw; p++) {
                float a = s.re()[off + p], b = s.im()[off + p];
                if (rot != null) {
                    double cr = rot[2 * p], ci = rot[2 * p + 1];
                    float ra = (float) (a * cr - b * ci), rb = (float) (a * ci + b * cr);
                    a = ra;
                    b = rb;
                }
                a *= inv[p];
                b *= inv[p];
                if (form.magnitude()) {
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
