package org.mrf.scq.core.dictionary;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Simulated fingerprints in memory: entry i has (T1, T2) and a complex signal of T time points,
 * stored row-major (entries x T) as float re/im, M0 = 1, not normalised (matching normalises after
 * truncating to the time points it uses).
 */
public final class Dictionary implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final float[] t1;
    private final float[] t2;
    private final int timepoints;
    private final float[] re;
    private final float[] im;
    private final String scheduleHash;

    public Dictionary(float[] t1, float[] t2, int timepoints, float[] re, float[] im, String scheduleHash) {
        if (t1.length != t2.length || (long) t1.length * timepoints != re.length || re.length != im.length) {
            throw new IllegalArgumentException("dictionary arrays disagree: " + t1.length + " entries, T=" + timepoints
                    + ", " + re.length + " samples");
        }
        this.t1 = t1;
        this.t2 = t2;
        this.timepoints = timepoints;
        this.re = re;
        this.im = im;
        this.scheduleHash = scheduleHash;
    }

    /** Simulates the whole grid on all cores of this JVM (the Spark job shards the same work). */
    public static Dictionary simulate(FispSequence seq, DictionaryGrid grid, double tolerance) {
        int n = grid.size(), t = seq.length();
        float[] re = new float[n * t], im = new float[n * t];
        float[] a = new float[n], b = new float[n];
        int threads = Runtime.getRuntime().availableProcessors();
        AtomicInteger next = new AtomicInteger();
        IntStream.range(0, threads).parallel().forEach(w -> {
            EpgSimulator sim = new EpgSimulator(seq, tolerance);
            double[] r = new double[t], i = new double[t];
            for (int e = next.getAndIncrement(); e < n; e = next.getAndIncrement()) {
                simulateInto(sim, grid.t1(e), grid.t2(e), r, i, re, im, e * t);
                a[e] = grid.t1(e);
                b[e] = grid.t2(e);
            }
        });
        return new Dictionary(a, b, t, re, im, seq.hash());
    }

    /** One entry, rounded to float at {@code off}: the single place entries are made. */
    public static void simulateInto(EpgSimulator sim, double t1Ms, double t2Ms, double[] scratchRe, double[] scratchIm,
                                    float[] re, float[] im, int off) {
        sim.simulate(t1Ms, t2Ms, scratchRe, scratchIm, 0);
        for (int k = 0; k < scratchRe.length; k++) {
            re[off + k] = (float) scratchRe[k];
            im[off + k] = (float) scratchIm[k];
        }
    }

    public int size() { return t1.length; }
    public int timepoints() { return timepoints; }
    public float t1(int i) { return t1[i]; }
    public float t2(int i) { return t2[i]; }
    public float[] t1Values() { return t1; }
    public float[] t2Values() { return t2; }
    /** Row-major (entries x T) real parts; shared, do not modify. */
    public float[] re() { return re; }
    /** Row-major (entries x T) imaginary parts; shared, do not modify. */
    public float[] im() { return im; }
    public String scheduleHash() { return scheduleHash; }

    /** The first {@code t} time points of every entry (acceleration truncates dictionary and signal alike). */
    public Dictionary truncate(int t) {
        if (t == timepoints) return this;
        if (t < 1 || t > timepoints) {
            throw new IllegalArgumentException("cannot take " + t + " time points of a dictionary with T=" + timepoints);
        }
        int n = size();
        float[] r = new float[n * t], i = new float[n * t];
        for (int e = 0; e < n; e++) {
            System.arraycopy(re, e * timepoints, r, e * t, t);
            System.arraycopy(im, e * timepoints, i, e * t, t);
        }
        return new Dictionary(t1, t2, t, r, i, scheduleHash);
    }
}
