package org.mrf.scq.spark.train;

import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.spark.store.MapsStore;

import java.util.Locale;

/**
 * The maps the networks learn to reproduce.
 *
 * <p>The paper trains against the DM ground truth, because in vivo nothing better exists. On a simulated
 * cohort that ground truth is itself some way from the true maps: the gridding point-spread function and the
 * aliasing that survives 2304 time points mix neighbouring tissues' fingerprints into a pixel, and the dictionary
 * stops at T2 = 500 ms. Networks trained on it learn those errors too. Trained on the true maps they learn to
 * undo them, which only a simulation can offer and only a simulation-based comparison against the truth
 * can show.
 */
public enum TrainingTargets {
    /** DM on all time points ({@code mrf ground-truth}, ar 1): the paper's protocol, and all that in-vivo data has. */
    GROUND_TRUTH("gt"),
    /** The true T1 / T2 maps that a simulated cohort carries ({@code t1_ms}, {@code t2_ms} of the slices). */
    TRUE_MAPS("true");

    /** Suffix of an evaluation method trained on the true maps: {@code scq_true} is SCQ trained on them. */
    public static final String TRUE_SUFFIX = "_true";

    private final String key;

    TrainingTargets(String key) {
        this.key = key;
    }

    /** The name in flags, configuration and metadata: {@code gt} or {@code true}. */
    public String key() {
        return key;
    }

    /** The targets an evaluation method's name asks for: {@link #TRUE_MAPS} for {@code *_true}, else the ground truth. */
    public static TrainingTargets ofMethod(String name) {
        return name.endsWith(TRUE_SUFFIX) ? TRUE_MAPS : GROUND_TRUTH;
    }

    /** What an evaluation method's name ends with for these targets: nothing, or {@link #TRUE_SUFFIX}. */
    public String methodSuffix() {
        return this == TRUE_MAPS ? TRUE_SUFFIX : "";
    }

    /** {@code gt} or {@code true}; {@code where} names the flag or key in the error. */
    public static TrainingTargets parse(String s, String where) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (TrainingTargets t : values()) if (t.key.equals(k)) return t;
        throw new MrfInputException(where + " '" + s + "': use gt (the DM ground truth, the paper's protocol) or true (the "
                + "true maps of a simulated cohort).");
    }

    /**
     * The training example of one slice: its signal with these targets. {@code gt} is the slice's ground truth (may be
     * null for {@link #TRUE_MAPS}); {@code dataset} names the slices in errors.
     */
    public TrainingSlice of(MrfSlice s, MapsStore.SliceMaps gt, String dataset) {
        float[] t1, t2;
        if (this == TRUE_MAPS) {
            if (s.t1Ms() == null || s.t2Ms() == null) throw noTrueMaps(s.key(), dataset);
            t1 = s.t1Ms();
            t2 = s.t2Ms();
        } else {
            t1 = gt == null ? null : gt.t1Ms();
            t2 = gt == null ? null : gt.t2Ms();
        }
        return new TrainingSlice(s.subject(), s.slice(), s.height(), s.width(), s.timepoints(), s.re(), s.im(), t1, t2, s.mask());
    }

    static MrfInputException noTrueMaps(String sliceKey, String dataset) {
        return new MrfInputException("slice " + sliceKey + " of " + dataset + " carries no true T1 / T2 maps (t1_ms, t2_ms): "
                + "training on the true maps (--targets true) needs a simulated cohort that has them. Train on the DM ground "
                + "truth instead (--targets gt).");
    }
}
