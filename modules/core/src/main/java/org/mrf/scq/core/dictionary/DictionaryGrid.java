package org.mrf.scq.core.dictionary;

import org.mrf.scq.core.util.MrfInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The (T1, T2) pairs a dictionary is simulated for. Ranges are written {@code start:stop:step} in
 * ms, both ends included, as in the paper: T1 60:2000:10, 2020:3000:20, 3050:3500:50,
 * 4000:5000:500; T2 10:200:5, 210:300:10, 350:500:50; and T2 <= T1.
 */
public final class DictionaryGrid {
    public static final List<String> PAPER_T1 = List.of("60:2000:10", "2020:3000:20", "3050:3500:50", "4000:5000:500");
    public static final List<String> PAPER_T2 = List.of("10:200:5", "210:300:10", "350:500:50");

    private final float[] t1;
    private final float[] t2;

    private DictionaryGrid(float[] t1, float[] t2) {
        this.t1 = t1;
        this.t2 = t2;
    }

    public static DictionaryGrid paper() {
        return fromRanges(PAPER_T1, PAPER_T2, true, "paper grid");
    }

    /** {@code where} names the config key or file in error messages. */
    public static DictionaryGrid fromRanges(List<String> t1Ranges, List<String> t2Ranges, boolean t2AtMostT1, String where) {
        double[] t1v = values(t1Ranges, where + " (T1)");
        double[] t2v = values(t2Ranges, where + " (T2)");
        List<float[]> pairs = new ArrayList<>();
        for (double a : t1v) {
            for (double b : t2v) {
                if (!t2AtMostT1 || b <= a) pairs.add(new float[]{(float) a, (float) b});
            }
        }
        if (pairs.isEmpty()) {
            throw new MrfInputException(where + ": the grid is empty (T1 " + t1Ranges + ", T2 " + t2Ranges
                    + (t2AtMostT1 ? ", T2 <= T1" : "") + "). Widen the ranges.");
        }
        float[] a = new float[pairs.size()], b = new float[pairs.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = pairs.get(i)[0];
            b[i] = pairs.get(i)[1];
        }
        return new DictionaryGrid(a, b);
    }

    /** Explicit pairs, e.g. for tests and ablations. */
    public static DictionaryGrid of(float[] t1, float[] t2) {
        if (t1.length != t2.length || t1.length == 0) {
            throw new IllegalArgumentException("need equally many, and at least one, T1 and T2 values");
        }
        return new DictionaryGrid(t1.clone(), t2.clone());
    }

    private static double[] values(List<String> ranges, String where) {
        List<Double> out = new ArrayList<>();
        for (String r : ranges) {
            String[] p = r.strip().split(":");
            double start, stop, step;
            try {
                if (p.length == 1) {
                    start = stop = Double.parseDouble(p[0]);
                    step = 1;
                } else if (p.length == 3) {
                    start = Double.parseDouble(p[0]);
                    stop = Double.parseDouble(p[1]);
                    step = Double.parseDouble(p[2]);
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new MrfInputException(where + ": range '" + r + "' is not 'start:stop:step' (ms) or a single value.");
            }
            if (!(start > 0) || !(step > 0) || !(stop >= start) || !Double.isFinite(stop)) {
                throw new MrfInputException(where + ": range '" + r + "' needs 0 < start <= stop and step > 0 (ms).");
            }
            // Counting steps instead of accumulating keeps 10 ms grids free of float drift.
            long count = Math.round(Math.floor((stop - start) / step + 1e-9)) + 1;
            for (long i = 0; i < count; i++) out.add(start + i * step);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public int size() {
        return t1.length;
    }

    public float t1(int i) {
        return t1[i];
    }

    public float t2(int i) {
        return t2[i];
    }
}
