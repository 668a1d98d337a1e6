package org.mrf.scq.core.eval;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's error ({@link MapErrors#meanRelativeErrorPct}) per tissue and over the brain without CSF, and its
 * aggregation: per slice, then the mean of a subject's slices, then mean +- std over subjects.
 *
 * <p>The brain without CSF is the headline region: CSF's T2 (about 2 s at 3 T) lies far beyond the top of the
 * dictionary's T2 grid (500 ms), so no dictionary-based method, nor a network trained on its matches, can
 * represent it, and CSF pixels would dominate a whole-brain T2 error.
 *
 * <p>Labels are the caller's integer codes (e.g. the BrainWeb-derived codes of the simulator's tissue map); a
 * mapping says which code is which {@link Region} tissue. Codes it does not name (background, skull, fat, ...)
 * belong to no region.
 */
public final class TissueErrors {
    private TissueErrors() {
    }

    /** The regions errors are reported over; the first four are tissues a label can map to. */
    public enum Region {
        WHITE_MATTER, GREY_MATTER, CSF, LESION,
        /** White matter, grey matter and lesions: every mapped tissue but CSF. */
        BRAIN_WITHOUT_CSF;

        public boolean isTissue() {
            return this != BRAIN_WITHOUT_CSF;
        }
    }

    /**
     * Errors of one slice per region, in percent; NaN for a region with no pixel in this slice (e.g. no lesion).
     *
     * @param estimate      estimated map (ms), row-major
     * @param reference     reference map (ms), same layout; pixels where it is 0 do not count
     * @param mask          optional brain mask (pixels &gt; 0 count), or null
     * @param labels        tissue label of each pixel
     * @param tissueOfLabel which label codes are which tissue (values must be tissues, not BRAIN_WITHOUT_CSF)
     */
    public static EnumMap<Region, Double> slice(float[] estimate, float[] reference, float[] mask, int[] labels,
                                                Map<Integer, Region> tissueOfLabel) {
        int n = reference.length;
        if (estimate.length != n || labels.length != n || (mask != null && mask.length != n)) {
            throw new IllegalArgumentException("estimate, reference, mask and labels differ in size: " + estimate.length
                    + ", " + n + ", " + (mask == null ? "none" : mask.length) + ", " + labels.length);
        }
        tissueOfLabel.forEach((code, r) -> {
            if (!r.isTissue()) throw new IllegalArgumentException("label " + code + " maps to " + r + ", which is not a tissue");
        });
        EnumMap<Region, Double> out = new EnumMap<>(Region.class);
        for (Region region : Region.values()) {
            float[] m = new float[n];
            for (int p = 0; p < n; p++) {
                Region t = tissueOfLabel.get(labels[p]);
                boolean in = t != null && (region == Region.BRAIN_WITHOUT_CSF ? t != Region.CSF : t == region);
                if (in && (mask == null || mask[p] > 0)) m[p] = 1;
            }
            out.put(region, MapErrors.meanRelativeErrorPct(estimate, reference, m));
        }
        return out;
    }

    /** Mean of the non-NaN values (a subject's slices, or subjects); NaN when there is none. */
    public static double nanMean(double[] v) {
        double s = 0;
        int k = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                k++;
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    /**
     * Mean +- sample std over subjects of a region's error.
     *
     * @param subjects number of subjects with pixels of the region (the others are left out)
     */
    public record Summary(double mean, double std, int subjects) {
    }

    /**
     * Aggregates errors: each inner list holds one subject's slices (from {@link #slice}); a subject's error is the
     * mean over its slices that contain the region, and the summary is mean +- std over the subjects that have one.
     */
    public static EnumMap<Region, Summary> overSubjects(List<List<EnumMap<Region, Double>>> subjects) {
        EnumMap<Region, Summary> out = new EnumMap<>(Region.class);
        for (Region region : Region.values()) {
            double[] perSubject = subjects.stream()
                    .mapToDouble(slices -> nanMean(slices.stream().mapToDouble(e -> e.getOrDefault(region, Double.NaN)).toArray()))
                    .filter(x -> !Double.isNaN(x)).toArray();
            if (perSubject.length == 0) {
                out.put(region, new Summary(Double.NaN, Double.NaN, 0));
            } else {
                double[] ms = MapErrors.meanStd(perSubject);
                out.put(region, new Summary(ms[0], ms[1], perSubject.length));
            }
        }
        return out;
    }
}
