package org.mrf.scq.core.slice;

import org.mrf.scq.core.util.MrfInputException;

import java.util.regex.Pattern;

/**
 * One reconstructed MRF slice: a complex image series of T time points (C order T x H x W),
 * optional brain mask and, where known (simulations), the true T1/T2/PD maps (H x W).
 */
public record MrfSlice(String subject, int slice, int height, int width, int timepoints, float[] re, float[] im,
                       float[] mask, float[] t1Ms, float[] t2Ms, float[] pd, String source) implements java.io.Serializable {
    private static final Pattern SUBJECT_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public MrfSlice {
        validSubjectId(subject, source);
        long px = (long) height * width;
        if (height < 1 || width < 1 || timepoints < 1) {
            throw new MrfInputException(source + ": slice of subject " + subject + " has shape (T=" + timepoints + ", H="
                    + height + ", W=" + width + "); every dimension must be >= 1.");
        }
        if (re == null || im == null || re.length != px * timepoints || im.length != re.length) {
            throw new MrfInputException(source + ": series of subject " + subject + " slice " + slice + " must hold T x H x W = "
                    + timepoints + " x " + height + " x " + width + " complex values, has " + (re == null ? 0 : re.length) + ".");
        }
        for (float[] m : new float[][]{mask, t1Ms, t2Ms, pd}) {
            if (m != null && m.length != px) {
                throw new MrfInputException(source + ": a map of subject " + subject + " slice " + slice + " has "
                        + m.length + " pixels, the series has H x W = " + px + ".");
            }
        }
    }

    /**
     * Subject ids become directory names on every file system, so they are restricted to
     * [A-Za-z0-9._-] and may not be "." or "..".
     */
    public static String validSubjectId(String subject, String source) {
        if (subject == null || !SUBJECT_ID.matcher(subject).matches() || subject.equals(".") || subject.equals("..")) {
            throw new MrfInputException(source + ": subject id '" + subject + "' is not allowed. Use 1-128 characters "
                    + "from A-Z a-z 0-9 . _ - (no path separators, not '.' or '..').");
        }
        return subject;
    }

    public int pixels() {
        return height * width;
    }

    /** Index of the first NaN or infinite sample, or -1. */
    public long firstNonFinite() {
        for (int i = 0; i < re.length; i++) {
            if (!Float.isFinite(re[i]) || !Float.isFinite(im[i])) return i;
        }
        return -1;
    }

    /** The first {@code t} time points (what acceleration rate full/t acquires). */
    public MrfSlice truncate(int t) {
        if (t == timepoints) return this;
        if (t < 1 || t > timepoints) {
            throw new MrfInputException(source + ": subject " + subject + " slice " + slice + " has T=" + timepoints
                    + " time points; " + t + " were asked for.");
        }
        int n = t * pixels();
        return new MrfSlice(subject, slice, height, width, t, java.util.Arrays.copyOf(re, n), java.util.Arrays.copyOf(im, n),
                mask, t1Ms, t2Ms, pd, source);
    }

    public String key() {
        return subject + "/" + slice;
    }
}
