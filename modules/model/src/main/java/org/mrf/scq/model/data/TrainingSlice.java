package org.mrf.scq.model.data;

import org.mrf.scq.core.util.MrfInputException;

import java.io.Serializable;

/**
 * One slice as the model sees it: the complex image series (first {@code t} time points, re/im each
 * T x H x W in C order), the true maps in ms (H x W, C order; null where unknown, e.g. inference) and
 * an optional mask (H x W, non-zero = inside; null = every pixel). Serializable and made of plain
 * arrays, so Spark executors can hold it and cut examples from it with {@link PixelExamples} and
 * {@link PatchExamples}.
 */
public record TrainingSlice(String subject, int slice, int h, int w, int t, float[] re, float[] im,
                            float[] t1Ms, float[] t2Ms, float[] mask) implements Serializable {

    public TrainingSlice {
        if (h < 1 || w < 1 || t < 1) {
            throw new MrfInputException("slice " + subject + "/" + slice + ": height, width and T must be >= 1 (got "
                    + h + "x" + w + ", T=" + t + ")");
        }
        long hw = (long) h * w;
        if (re == null || im == null || re.length != hw * t || im.length != hw * t) {
            throw new MrfInputException("slice " + subject + "/" + slice + ": re and im must each hold T*H*W = "
                    + hw * t + " values");
        }
        check(subject, slice, "t1_ms", t1Ms, hw);
        check(subject, slice, "t2_ms", t2Ms, hw);
        check(subject, slice, "mask", mask, hw);
    }

    private static void check(String subject, int slice, String field, float[] a, long hw) {
        if (a != null && a.length != hw) {
            throw new MrfInputException("slice " + subject + "/" + slice + ": " + field + " must hold H*W = " + hw
                    + " values, has " + a.length);
        }
    }

    /** A slice for inference: no maps, no mask. */
    public static TrainingSlice ofSignal(String subject, int slice, int h, int w, int t, float[] re, float[] im) {
        return new TrainingSlice(subject, slice, h, w, t, re, im, null, null, null);
    }

    public int pixels() { return h * w; }

    /** True when pixel {@code p} is inside the mask. */
    public boolean inMask(int p) { return mask == null || mask[p] != 0f; }

    /** The true map of a property in ms, or an exception naming the slice when it is missing. */
    public float[] target(org.mrf.scq.model.Property property) {
        float[] m = property == org.mrf.scq.model.Property.T1 ? t1Ms : t2Ms;
        if (m == null) {
            throw new MrfInputException("slice " + subject + "/" + slice + " has no " + property + " map to train or score against");
        }
        return m;
    }
}
