package org.mrf.scq.core.eval;

import org.mrf.scq.core.eval.TissueErrors.Region;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of an evaluation report (docs/STATISTICS.md): per method and acceleration rate, the errors of the
 * held-out maps against the DM ground truth and against the true maps, per tissue and over the brain without CSF,
 * their sharpness, and paired comparisons of SCQ against every other method over subjects.
 *
 * <p>Every slice is scored as it is added ({@link #add}), so no estimated map is kept. A quantity is aggregated as
 * the paper does (Fang et al., IEEE TMI 2019): one value per slice, a subject's value is the mean over its slices
 * that have one, and the report gives the mean +- sample std over the subjects that have one.
 *
 * <p>The headline errors {@code t1_err_pct} / {@code t2_err_pct} are over the brain without CSF when the slices
 * carry tissue labels, and over the whole brain mask when they do not (a cohort without labels cannot separate
 * CSF); {@value #HEADLINE_WITHOUT_CSF} in the report says which. CSF's T2 (about 2 s at 3 T) lies beyond the dictionary's
 * 500 ms, so no dictionary-based method can represent it (see {@link TissueErrors}).
 */
public final class MethodComparison {
    /** The method every other one is compared with in {@code paired}. */
    public static final String REFERENCE_METHOD = "scq";
    /** Top-level key of the paired comparisons in {@link #report()}; no method may have this name. */
    public static final String PAIRED = "paired";
    /** The quantities the evaluation has always reported, in report.json's order. */
    static final String[] BASIC = {"t1_err_pct", "t2_err_pct", "t1_err_pct_true", "t2_err_pct_true"};
    static final String SECONDS = "seconds_per_slice";
    /** Suffix of the headline errors' std over subjects beside {@code t1_err_std_pct}: {@code t1_err_pct_std}. */
    public static final String HEADLINE_STD = "_std";
    /** 1 when the headline errors are over the brain without CSF, 0 when over the whole brain mask (no labels). */
    public static final String HEADLINE_WITHOUT_CSF = "headline_without_csf";
    /** Per-region key suffixes of the regions of {@link TissueErrors}. */
    static final Map<Region, String> REGION_KEYS = new EnumMap<>(Map.of(Region.WHITE_MATTER, "wm", Region.GREY_MATTER, "gm",
            Region.CSF, "csf", Region.LESION, "lesion", Region.BRAIN_WITHOUT_CSF, "brain_wo_csf"));

    /**
     * One held-out slice: what its estimates are scored against.
     *
     * @param mask   brain mask (pixels &gt; 0), or null for every pixel
     * @param gtT1   DM ground truth T1 (ms), row-major {@code height x width}
     * @param trueT1 the simulator's true T1 (ms), or null for a real cohort
     * @param labels tissue label codes per pixel, or null when the cohort has none
     */
    public record Reference(String subject, int slice, int height, int width, float[] mask, float[] gtT1, float[] gtT2,
                            float[] trueT1, float[] trueT2, int[] labels) {
        String key() {
            return subject + "/" + slice;
        }
    }

    /** One method's maps (ms) of one held-out slice at one acceleration rate, and the seconds it took. */
    public record Estimate(String method, int ar, String subject, int slice, float[] t1, float[] t2, double seconds) {
    }

    /** Mean +- sample std over {@code subjects} subjects. */
    public record Summary(double mean, double std, int subjects) {
    }

    private final Map<Integer, Region> tissueOfLabel;
    private final long seed;
    private final Map<String, Reference> references = new LinkedHashMap<>();
    private Boolean labelled;
    /** method -> ar -> subject -> the quantities of each of its slices, in the order they were added. */
    private final Map<String, Map<Integer, Map<String, List<Map<String, Double>>>>> scores = new LinkedHashMap<>();

    /**
     * @param tissueOfLabel which label code is which tissue (e.g. the simulator's CSF 23, GM 46, WM 70, lesion 240)
     * @param seed          seed of the bootstrap intervals, so that a report is reproducible
     */
    public MethodComparison(Map<Integer, Region> tissueOfLabel, long seed) {
        this.tissueOfLabel = Map.copyOf(tissueOfLabel);
        this.seed = seed;
    }

    public void addReference(Reference r) {
        int n = r.height() * r.width();
        check(r.gtT1(), n, r, "ground truth T1", false);
        check(r.gtT2(), n, r, "ground truth T2", false);
        check(r.mask(), n, r, "mask", true);
        check(r.trueT1(), n, r, "true T1", true);
        check(r.trueT2(), n, r, "true T2", true);
        if (r.labels() != null && r.labels().length != n) {
            throw new IllegalArgumentException("slice " + r.key() + ": labels have " + r.labels().length + " values, not " + n);
        }
        boolean l = r.labels() != null && !tissueOfLabel.isEmpty();
        if (labelled != null && labelled != l) {
            throw new IllegalArgumentException("slice " + r.key() + (l ? " has" : " has no") + " tissue labels, unlike the slices before it:"
                    + " errors over the brain without CSF need labels on every slice or on none");
        }
        labelled = l;
        if (references.putIfAbsent(r.key(), r) != null) throw new IllegalArgumentException("slice " + r.key() + " was added twice");
    }

    private static void check(float[] v, int n, Reference r, String what, boolean optional) {
        if (v == null ? !optional : v.length != n) {
            throw new IllegalArgumentException("slice " + r.key() + ": " + what + (v == null ? " is missing" : " has " + v.length
                    + " values, not " + r.height() + " x " + r.width()));
        }
    }

    /** Scores one estimate against its slice's references; returns the slice's quantities. */
    public Map<String, Double> add(Estimate e) {
        if (PAIRED.equals(e.method())) throw new IllegalArgumentException("a method may not be named '" + PAIRED + "'");
        Reference r = references.get(e.subject() + "/" + e.slice());
        if (r == null) throw new IllegalArgumentException("no reference for slice " + e.subject() + "/" + e.slice() + " of " + e.method());
        int n = r.height() * r.width();
        if (e.t1().length != n || e.t2().length != n) {
            throw new IllegalArgumentException(e.method() + " ar " + e.ar() + " slice " + r.key() + ": maps are not " + r.height() + " x " + r.width());
        }
        Map<String, Double> q = new LinkedHashMap<>();
        errors(q, "", e, r, r.gtT1(), r.gtT2());
        errors(q, "_true", e, r, r.trueT1(), r.trueT2());
        q.put(SECONDS, e.seconds());
        regions(q, "", e, r, r.gtT1(), r.gtT2());
        regions(q, "_true", e, r, r.trueT1(), r.trueT2());
        sharpness(q, "", e, r, r.gtT1(), r.gtT2());
        sharpness(q, "_true", e, r, r.trueT1(), r.trueT2());
        scores.computeIfAbsent(e.method(), k -> new LinkedHashMap<>()).computeIfAbsent(e.ar(), k -> new LinkedHashMap<>())
                .computeIfAbsent(e.subject(), k -> new ArrayList<>()).add(q);
        return q;
    }

    /** The headline errors; NaN without the reference, so that the keys the report has always had stay. */
    private void errors(Map<String, Double> q, String suffix, Estimate e, Reference r, float[] refT1, float[] refT2) {
        q.put("t1_err_pct" + suffix, refT1 == null ? Double.NaN : headline(e.t1(), refT1, r));
        q.put("t2_err_pct" + suffix, refT2 == null ? Double.NaN : headline(e.t2(), refT2, r));
    }

    private double headline(float[] estimate, float[] reference, Reference r) {
        return labelled ? TissueErrors.slice(estimate, reference, r.mask(), r.labels(), tissueOfLabel).get(Region.BRAIN_WITHOUT_CSF)
                : MapErrors.meanRelativeErrorPct(estimate, reference, r.mask());
    }

    /** With labels: the errors over the whole brain mask ({@code _brain}) and per region of {@link TissueErrors}. */
    private void regions(Map<String, Double> q, String suffix, Estimate e, Reference r, float[] refT1, float[] refT2) {
        if (!labelled || refT1 == null) return;
        String[] maps = {"t1", "t2"};
        float[][] est = {e.t1(), e.t2()}, ref = {refT1, refT2};
        for (int k = 0; k < 2; k++) {
            q.put(maps[k] + "_err_pct_brain" + suffix, MapErrors.meanRelativeErrorPct(est[k], ref[k], r.mask()));
            String map = maps[k];
            TissueErrors.slice(est[k], ref[k], r.mask(), r.labels(), tissueOfLabel)
                    .forEach((region, err) -> q.put(map + "_err_pct_" + REGION_KEYS.get(region) + suffix, err));
        }
    }

    private static void sharpness(Map<String, Double> q, String suffix, Estimate e, Reference r, float[] refT1, float[] refT2) {
        if (refT1 == null) return;
        q.put("t1_hf_ratio" + suffix, Sharpness.highFrequencyEnergyRatio(e.t1(), refT1, r.mask(), r.height(), r.width(), Sharpness.DEFAULT_CUTOFF));
        q.put("t2_hf_ratio" + suffix, Sharpness.highFrequencyEnergyRatio(e.t2(), refT2, r.mask(), r.height(), r.width(), Sharpness.DEFAULT_CUTOFF));
    }

    /** Whether the headline errors are over the brain without CSF (every slice has labels), not the whole mask. */
    public boolean headlineWithoutCsf() {
        return Boolean.TRUE.equals(labelled);
    }

    /** Methods in the order they were first added. */
    public List<String> methods() {
        return List.copyOf(scores.keySet());
    }

    /** Acceleration rates of a method, in the order they were first added. */
    public List<Integer> ars(String method) {
        return List.copyOf(scores.getOrDefault(method, Map.of()).keySet());
    }

    /** Each subject's value of a quantity (mean over its slices that have one; NaN when none has), by subject. */
    public Map<String, Double> perSubject(String method, int ar, String quantity) {
        Map<String, Double> out = new LinkedHashMap<>();
        scores.getOrDefault(method, Map.of()).getOrDefault(ar, Map.of()).forEach((subject, slices) -> out.put(subject,
                TissueErrors.nanMean(slices.stream().mapToDouble(s -> s.getOrDefault(quantity, Double.NaN)).toArray())));
        return out;
    }

    /** Mean +- sample std over the subjects that have the quantity; NaN with 0 subjects when none has. */
    public Summary summary(String method, int ar, String quantity) {
        double[] v = perSubject(method, ar, quantity).values().stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) return new Summary(Double.NaN, Double.NaN, 0);
        double[] ms = MapErrors.meanStd(v);
        return new Summary(ms[0], ms[1], v.length);
    }

    /** The std key of a quantity: {@code t1_err_pct_wm -> t1_err_std_pct_wm}, as the report has always named it; else {@code _std}. */
    static String stdKey(String quantity) {
        return quantity.contains("_pct") ? quantity.replace("_pct", "_std_pct") : quantity + "_std";
    }

    /**
     * Paired comparison of SCQ with {@code other} at {@code ar} over the subjects both have a value for: the mean of
     * SCQ's error minus the other's, its bootstrap interval and the Wilcoxon p ({@link PairedStatistics}); null when
     * no subject has both.
     */
    public PairedStatistics.Result paired(String other, int ar, String quantity) {
        Map<String, Double> a = perSubject(REFERENCE_METHOD, ar, quantity), b = perSubject(other, ar, quantity);
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        a.forEach((subject, v) -> {
            Double w = b.get(subject);
            if (!Double.isNaN(v) && w != null && !Double.isNaN(w)) {
                x.add(v);
                y.add(w);
            }
        });
        if (x.isEmpty()) return null;
        return PairedStatistics.compare(x.stream().mapToDouble(Double::doubleValue).toArray(),
                y.stream().mapToDouble(Double::doubleValue).toArray(), seed);
    }

    /**
     * The report: {@code <method> -> ar<N> -> key -> value} for every method, and {@code paired -> scq_vs_<other> -> ar<N>
     * -> <t1|t2>[_true] -> {n, mean_diff, ci_low, ci_high, p}} when SCQ was evaluated. The keys per method and ar start with
     * those the evaluation has always written ({@code t1_err_pct}, {@code t1_err_std_pct}, ..., {@code seconds_per_slice}),
     * then {@value #HEADLINE_WITHOUT_CSF} (1 = brain without CSF, 0 = whole brain mask), then per-region errors, {@code subjects_<region>}
     * and sharpness.
     */
    public Map<String, Object> report() {
        Map<String, Object> out = new LinkedHashMap<>();
        scores.forEach((m, byAr) -> {
            Map<String, Object> perAr = new LinkedHashMap<>();
            byAr.keySet().forEach(ar -> perAr.put("ar" + ar, summaryOf(m, ar)));
            out.put(m, perAr);
        });
        if (scores.containsKey(REFERENCE_METHOD)) {
            Map<String, Object> paired = new LinkedHashMap<>();
            for (String other : scores.keySet()) {
                if (other.equals(REFERENCE_METHOD)) continue;
                Map<String, Object> perAr = new LinkedHashMap<>();
                for (int ar : ars(other)) {
                    if (!scores.get(REFERENCE_METHOD).containsKey(ar)) continue;
                    Map<String, Object> perMap = new LinkedHashMap<>();
                    for (String suffix : new String[]{"", "_true"}) {
                        for (String map : new String[]{"t1", "t2"}) {
                            PairedStatistics.Result r = paired(other, ar, map + "_err_pct" + suffix);
                            if (r != null) perMap.put(map + suffix, pairedKeys(r));
                        }
                    }
                    if (!perMap.isEmpty()) perAr.put("ar" + ar, perMap);
                }
                if (!perAr.isEmpty()) paired.put(REFERENCE_METHOD + "_vs_" + other, perAr);
            }
            if (!paired.isEmpty()) out.put(PAIRED, paired);
        }
        return out;
    }

    private Map<String, Double> summaryOf(String method, int ar) {
        List<String> quantities = new ArrayList<>();
        scores.get(method).get(ar).values().forEach(slices -> slices.forEach(s -> s.keySet().forEach(k -> {
            if (!quantities.contains(k)) quantities.add(k);
        })));
        Map<String, Double> e = new LinkedHashMap<>();
        for (String q : BASIC) {
            Summary s = summary(method, ar, q);
            e.put(q, s.mean());
            e.put(stdKey(q), s.std());
            // The headline's std also under the name issue 16's acceptance gives it (<method>.ar<N>.t1_err_pct_std).
            if (q.startsWith("t") && q.endsWith("_err_pct")) e.put(q + HEADLINE_STD, s.std());
        }
        e.put(SECONDS, summary(method, ar, SECONDS).mean());
        e.put(HEADLINE_WITHOUT_CSF, headlineWithoutCsf() ? 1.0 : 0.0);
        for (String q : quantities) {
            if (e.containsKey(q)) continue;
            Summary s = summary(method, ar, q);
            e.put(q, s.mean());
            e.put(stdKey(q), s.std());
            for (String region : REGION_KEYS.values()) {
                if (q.equals("t1_err_pct_" + region)) e.put("subjects_" + region, (double) s.subjects());
            }
        }
        return e;
    }

    private static Map<String, Double> pairedKeys(PairedStatistics.Result r) {
        Map<String, Double> k = new LinkedHashMap<>();
        k.put("n", (double) r.n());
        k.put("mean_diff", r.meanDiff());
        k.put("ci_low", r.ciLow());
        k.put("ci_high", r.ciHigh());
        k.put("p", r.p());
        return k;
    }

    /** The report's nested keys joined by dots ({@code scq.ar4.t1_err_pct}, {@code paired.scq_vs_dm.ar4.t1.p}), in order. */
    public static Map<String, Double> flatten(Map<String, ?> report) {
        Map<String, Double> out = new LinkedHashMap<>();
        flatten("", report, out);
        return out;
    }

    private static void flatten(String prefix, Map<String, ?> m, Map<String, Double> out) {
        m.forEach((k, v) -> {
            String key = prefix.isEmpty() ? k : prefix + "." + k;
            if (v instanceof Map<?, ?> sub) {
                @SuppressWarnings("unchecked") Map<String, ?> s = (Map<String, ?>) sub;
                flatten(key, s, out);
            } else if (v instanceof Number x) {
                out.put(key, x.doubleValue());
            } else {
                throw new IllegalStateException(String.format(Locale.ROOT, "report key %s holds a %s", key, v));
            }
        });
    }
}
