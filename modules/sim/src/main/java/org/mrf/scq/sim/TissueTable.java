package org.mrf.scq.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * T1 (ms), T2 (ms) and proton density (water fraction, CSF = 1) per tissue.
 *
 * <p>{@link #literature3T()} holds 3 T means. Sources, and how confident they are:
 * <ul>
 * <li>Grey / white matter T1 and T2: Wansapura et al., JMRI 9:531 (1999), 3 T: GM T1 1331 ms,
 *     T2 110 ms; WM T1 832 ms, T2 80 ms (79.6).</li>
 * <li>Muscle T1 1412 ms, T2 50 ms; blood T1 1932 ms, T2 275 ms: Stanisz et al., MRM 54:507 (2005),
 *     3 T (skeletal muscle, whole blood).</li>
 * <li>Subcutaneous fat T1 382 ms, T2 68 ms; bone marrow T1 ~365 ms, T2 ~50 ms: de Bazelaire
 *     et al., Radiology 230:652 (2004), 3 T (fat's multi-peak spectrum is not modelled).</li>
 * <li>CSF: T1 about 4 s at 3 T (e.g. Lu et al., JMRI 22:13 (2005), ~4.2 s; rounded to 4000 so
 *     that +-10% stays inside the paper's 5000 ms grid); T2 ~2 s (free water). Note the paper's
 *     dictionary stops at T2 = 500 ms, so matching can never return the true CSF T2.</li>
 * <li>Proton density: brain water content WM ~0.69, GM ~0.80-0.83 (e.g. Neeb et al.,
 *     NeuroImage 31:1156 (2006)); CSF 1.</li>
 * <li>Skin, dura, skull and the remaining PD values are rough stand-ins, not measurements:
 *     skin / dura as fibrous tissue near muscle values; cortical bone has sub-ms T2*, invisible
 *     at TE 2 ms, so it gets a low PD and short T2 (its exact values hardly matter).</li>
 * <li>Lesion (MS-like): white matter with T1 x1.6, T2 x2 and PD x1.1 here (the typical value, for
 *     manifests); prolonged T1 and T2 are the hallmark of demyelinated / oedematous plaques. The
 *     generator draws each lesion's own factors (T1 x1.4-2.0, T2 x1.7-2.5, PD x1.05-1.15) on the
 *     subject's white matter. These are plausible ranges, not a cited measurement.</li>
 * </ul>
 */
public final class TissueTable {
    private final EnumMap<Tissue, double[]> values;

    private TissueTable(EnumMap<Tissue, double[]> values) {
        this.values = values;
    }

    public static TissueTable literature3T() {
        EnumMap<Tissue, double[]> v = new EnumMap<>(Tissue.class);
        v.put(Tissue.BACKGROUND, new double[]{0, 0, 0});
        v.put(Tissue.CSF, new double[]{4000, 2000, 1.0});
        v.put(Tissue.GREY_MATTER, new double[]{1331, 110, 0.80});
        v.put(Tissue.WHITE_MATTER, new double[]{832, 80, 0.69});
        v.put(Tissue.FAT, new double[]{382, 68, 0.90});
        v.put(Tissue.MUSCLE, new double[]{1412, 50, 0.70});
        v.put(Tissue.SKIN, new double[]{1200, 50, 0.70});
        v.put(Tissue.SKULL, new double[]{300, 10, 0.05});
        v.put(Tissue.VESSEL, new double[]{1932, 275, 0.87});
        v.put(Tissue.FAT_AROUND_HEAD, new double[]{382, 68, 0.90});
        v.put(Tissue.DURA, new double[]{1100, 60, 0.70});
        v.put(Tissue.MARROW, new double[]{365, 50, 0.80});
        v.put(Tissue.LESION, new double[]{832 * 1.6, 80 * 2.0, 0.69 * 1.1});
        return new TissueTable(v);
    }

    /** A copy with every tissue's T1, T2 and PD scaled independently by uniform factors in [1 - f, 1 + f]. */
    public TissueTable perturbed(Random random, double fraction) {
        EnumMap<Tissue, double[]> v = new EnumMap<>(Tissue.class);
        for (Tissue t : Tissue.values()) {
            double[] m = values.get(t);
            double[] p = new double[3];
            for (int i = 0; i < 3; i++) p[i] = m[i] * (1 + fraction * (2 * random.nextDouble() - 1));
            v.put(t, p);
        }
        // Keep lesions tied to this subject's white matter, so "prolonged" stays true after variation.
        double[] wm = v.get(Tissue.WHITE_MATTER);
        v.put(Tissue.LESION, new double[]{wm[0] * 1.6, wm[1] * 2.0, Math.min(1, wm[2] * 1.1)});
        return new TissueTable(v);
    }

    public double t1Ms(Tissue t) { return values.get(t)[0]; }
    public double t2Ms(Tissue t) { return values.get(t)[1]; }
    public double pd(Tissue t) { return values.get(t)[2]; }

    /** {tissue name: [T1 ms, T2 ms, PD]}, for manifests. */
    public Map<String, double[]> asMap() {
        Map<String, double[]> m = new java.util.LinkedHashMap<>();
        for (Tissue t : Tissue.values()) m.put(t.name().toLowerCase(java.util.Locale.ROOT), values.get(t).clone());
        return m;
    }
}
