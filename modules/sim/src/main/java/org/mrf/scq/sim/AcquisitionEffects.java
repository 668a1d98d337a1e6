package org.mrf.scq.sim;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The effects table of docs/ACQUISITION.md: each acquisition effect switched on alone over the
 * {@code ideal} preset, and all together, then DM (the paper's dictionary, all 2304 time points and
 * the first 576, ar 4) against the true maps, on interior pixels (5 x 5 neighbourhood one brain
 * tissue, CSF left out) and on the whole brain mask without CSF. Prints one key=value line per
 * effect, with the seconds the acquisition took.
 * Usage: {@code AcquisitionEffects [matrix=128] [phantoms=axial] [seed=7] [effects=all]}.
 */
public final class AcquisitionEffects {
    private AcquisitionEffects() {}

    /** Rigid motion of the effects table: 3 mm and 3 degrees at most per move, over a 300 mm FOV. */
    static final double MOTION_MM = 3;

    public static void main(String[] args) {
        int m = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        List<String> phantoms = args.length > 1 ? List.of(args[1].split(",")) : List.of("axial");
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 7;
        FispSequence seq = Schedules.paperDefault(Schedules.DEFAULT_TE_MS, Schedules.DEFAULT_INVERSION_MS);
        double fov = DigitalSubjectGenerator.Options.defaults().fovMm();
        SliceAcquisition.Options ideal = SliceAcquisition.Options.ideal();
        SliceAcquisition.Options disk = ideal.withKRadius(1);
        Map<String, UnaryOperator<SliceAcquisition.Options>> acq = new LinkedHashMap<>();
        Map<String, Integer> sup = new LinkedHashMap<>();
        acq.put("ideal", o -> o);
        acq.put("disk", o -> disk);
        acq.put("partial_volume", o -> disk);
        acq.put("coils", o -> o.withCoils(8, SliceAcquisition.Options.invivo().coilCorrelation()));
        acq.put("b1", o -> o.withB1(0.75, 1.25));
        acq.put("phase", o -> o.withPhase(SliceAcquisition.Options.invivo().phaseRad()));
        acq.put("noise", o -> o.withSnr(SliceAcquisition.Options.invivo().snr()));
        acq.put("motion", o -> o.withMotion(MOTION_MM / fov, MOTION_MM));
        acq.put("all", o -> SliceAcquisition.Options.invivo().withMotion(MOTION_MM / fov, MOTION_MM));
        for (String k : acq.keySet()) sup.put(k, k.equals("partial_volume") || k.equals("all") ? 4 : 1);
        List<String> only = args.length > 3 ? List.of(args[3].split(",")) : List.copyOf(acq.keySet());
        long t0 = System.nanoTime();
        Dictionary dict = Dictionary.simulate(seq, DictionaryGrid.paper(), org.mrf.scq.core.epg.EpgSimulator.DEFAULT_TOLERANCE);
        System.out.printf(Locale.ROOT, "dictionary entries=%d seconds=%.1f%n", dict.size(), (System.nanoTime() - t0) / 1e9);
        DictionaryMatcher dm = new DictionaryMatcher(dict);
        for (String phantom : phantoms) {
            for (String effect : only) {
                int s = sup.get(effect);
                SubjectMaps fine = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(m * s))
                        .fromLabels(LabelMap.bundled(phantom), TissueTable.literature3T(), seed);
                SubjectMaps truth = s == 1 ? fine : CohortSimulator.pixelCentres(fine, s);
                SliceAcquisition a = new SliceAcquisition(seq, m, acq.get(effect).apply(ideal));
                long t1 = System.nanoTime();
                ComplexSeries series = a.acquire(fine, seed);
                double secs = (System.nanoTime() - t1) / 1e9;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "effect=%s phantom=%s matrix=%d acquisition_seconds=%.1f",
                        effect, phantom, m, secs));
                boolean[] interior = interior(truth), brain = brainWithoutCsf(truth);
                for (int t : new int[]{seq.length(), seq.length() / 4}) {
                    MatchResult r = dm.matchTimeMajor(series.re(), series.im(), series.timepoints(), m, m, t);
                    int ar = seq.length() / t;
                    line.append(String.format(Locale.ROOT, " ar%d.interior.t1_median_pct=%.2f ar%d.interior.t2_median_pct=%.2f"
                                    + " ar%d.brain.t1_mean_pct=%.2f ar%d.brain.t2_mean_pct=%.2f",
                            ar, 100 * median(errors(r.t1, truth.t1Ms(), interior)), ar, 100 * median(errors(r.t2, truth.t2Ms(), interior)),
                            ar, 100 * mean(errors(r.t1, truth.t1Ms(), brain)), ar, 100 * mean(errors(r.t2, truth.t2Ms(), brain))));
                }
                System.out.println(line);
            }
        }
        dm.release();
    }

    /** Pixels whose 5 x 5 neighbourhood is one brain tissue other than CSF. */
    public static boolean[] interior(SubjectMaps maps) {
        int m = maps.height();
        boolean[] r = new boolean[m * m];
        for (int y = 2; y < m - 2; y++) {
            for (int x = 2; x < m - 2; x++) {
                int l = maps.labels()[y * m + x] & 0xff;
                Tissue t = Tissue.ofCode(l);
                if (t == null || t == Tissue.CSF || !t.inBrainMask()) continue;
                boolean same = true;
                for (int dy = -2; dy <= 2 && same; dy++) {
                    for (int dx = -2; dx <= 2; dx++) {
                        if ((maps.labels()[(y + dy) * m + x + dx] & 0xff) != l) {
                            same = false;
                            break;
                        }
                    }
                }
                r[y * m + x] = same;
            }
        }
        return r;
    }

    static boolean[] brainWithoutCsf(SubjectMaps maps) {
        boolean[] r = new boolean[maps.pixels()];
        for (int i = 0; i < r.length; i++) {
            Tissue t = Tissue.ofCode(maps.labels()[i] & 0xff);
            r[i] = maps.mask()[i] != 0 && t != Tissue.CSF && maps.hasSignal(i);
        }
        return r;
    }

    static double[] errors(float[] estimate, float[] truth, boolean[] where) {
        return java.util.stream.IntStream.range(0, where.length).filter(i -> where[i])
                .mapToDouble(i -> Math.abs((double) estimate[i] - truth[i]) / truth[i]).toArray();
    }

    public static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).average().orElse(Double.NaN);
    }
}
