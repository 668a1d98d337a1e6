package org.mrf.scq.sim;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.nufft.ComplexVectors;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.Pools;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Low-rank model of the fingerprints a slice needs, so the acquisition never simulates one
 * fingerprint per pixel (65,536 x 2304 EPG steps would cost ~20 s) yet every pixel keeps its own
 * continuous (T1, T2):
 * <ol>
 * <li>Nodes: a lattice uniform in (ln T1, ln T2) with step {@code logStep} (default 0.05, i.e.
 *     5%), anchored at 1 ms so it does not depend on the subject. Only the nodes around the
 *     pixels' values are simulated, with the project's EPG.</li>
 * <li>Basis: pivoted Gram-Schmidt over those node fingerprints: repeatedly take the node with the
 *     largest relative residual and orthonormalise it, until every node's residual is below
 *     {@code basisTolerance} (relative L2). So the rank-K basis U (T x K, orthonormal columns)
 *     represents every node fingerprint f to ||f - U U^H f|| <= tol ||f||, a guarantee (an SVD
 *     would give a smaller K for an energy fraction, but no per-fingerprint bound).</li>
 * <li>Pixels: coefficients c = U^H f are bilinear-interpolated between the four nodes around
 *     (ln T1, ln T2). Fingerprints vary smoothly with ln T, so the interpolation error is
 *     O(step^2). Measured on the default schedule over T1 100-4500 ms, T2 10-2500 ms (200 random
 *     pairs, basis tolerance 1e-4 to isolate it), worst relative error: 1e-4 at step 0.02,
 *     2e-4 at 0.05, 7e-4 at 0.10, 1.4e-3 at 0.15. So at the default step it stays below the
 *     default basis tolerance (1e-3), while a continuous-valued 256 x 256 slice (hydra) needs about
 *     4x fewer EPG runs than at 0.02 (about 3,700 instead of 16,000 nodes).</li>
 * </ol>
 * Then the image at time t is x_t(r) = PD(r) sum_k U(t, k) c_k(r).
 *
 * <p>B1+: when the pixels carry a B1+ scale b (every flip angle of the schedule times b), the lattice
 * gets a third, linear axis in b with step {@link #B1_STEP}, the node fingerprints are simulated
 * with the scaled flip angles, and the coefficients are interpolated trilinearly. At b = 1 exactly
 * the model is the two-dimensional one (no B1 nodes besides b = 1 are simulated).
 */
public final class FingerprintSubspace {
    private final int timepoints, rank;
    private final double logStep;
    private final double[] basis;                 // interleaved complex, [t][k]
    private final java.util.HashMap<Long, Integer> nodeIndex;
    private final double[][] nodeCoefficients;    // [node][2K]

    private FingerprintSubspace(int timepoints, int rank, double logStep, double[] basis,
                                java.util.HashMap<Long, Integer> nodeIndex, double[][] nodeCoefficients) {
        this.timepoints = timepoints;
        this.rank = rank;
        this.logStep = logStep;
        this.basis = basis;
        this.nodeIndex = nodeIndex;
        this.nodeCoefficients = nodeCoefficients;
    }

    /** Step of the B1+ axis of the node lattice (linear in the flip-angle scale). */
    public static final double B1_STEP = 0.01;
    private static final int B1_NODES_PER_UNIT = 100;

    private static long key(int i1, int i2, int i3) {
        return ((long) (i1 & 0x1fffff) << 42) | ((long) (i2 & 0x1fffff) << 21) | (i3 & 0x1fffff);
    }

    private static int unpack(long key, int shift) {
        int v = (int) ((key >>> shift) & 0x1fffff);
        return (v << 11) >> 11;   // sign-extend 21 bits
    }

    /** Builds the model for the signal pixels of {@code maps} at B1+ = 1. */
    public static FingerprintSubspace build(FispSequence seq, SubjectMaps maps, double logStep, double basisTolerance,
                                            double epgTolerance, ForkJoinPool pool) {
        return build(seq, maps, null, logStep, basisTolerance, epgTolerance, pool);
    }

    /** Builds the model for the signal pixels of {@code maps} with per-pixel B1+ scales {@code b1} (null: 1). */
    public static FingerprintSubspace build(FispSequence seq, SubjectMaps maps, float[] b1, double logStep, double basisTolerance,
                                            double epgTolerance, ForkJoinPool pool) {
        java.util.TreeSet<Long> needed = new java.util.TreeSet<>();
        for (int i = 0; i < maps.pixels(); i++) {
            if (!maps.hasSignal(i)) continue;
            int i1 = (int) Math.floor(Math.log(maps.t1Ms()[i]) / logStep);
            int i2 = (int) Math.floor(Math.log(maps.t2Ms()[i]) / logStep);
            double a3 = (b1 == null ? 1.0 : b1[i]) * B1_NODES_PER_UNIT;
            int i3 = (int) Math.floor(a3);
            int top = a3 > i3 ? 1 : 0;
            for (int a = 0; a <= 1; a++) for (int b = 0; b <= 1; b++) for (int c = 0; c <= top; c++) needed.add(key(i1 + a, i2 + b, i3 + c));
        }
        long[] keys = needed.stream().mapToLong(Long::longValue).toArray();
        int nodes = keys.length, t = seq.length();
        java.util.HashMap<Long, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < nodes; i++) index.put(keys[i], i);
        if (nodes == 0) return new FingerprintSubspace(t, 0, logStep, new double[0], index, new double[0][]);
        // Node fingerprints, interleaved complex, one row per node.
        double[][] f = new double[nodes][];
        java.util.concurrent.ConcurrentHashMap<Integer, FispSequence> scaled = new java.util.concurrent.ConcurrentHashMap<>();
        ThreadLocal<java.util.Map<Integer, EpgSimulator>> sims = ThreadLocal.withInitial(java.util.HashMap::new);
        Pools.run(pool, () -> IntStream.range(0, nodes).parallel().forEach(n -> {
            double t1 = Math.exp(unpack(keys[n], 42) * logStep);
            double t2 = Math.exp(unpack(keys[n], 21) * logStep);
            int i3 = unpack(keys[n], 0);
            EpgSimulator sim = sims.get().computeIfAbsent(i3, k -> new EpgSimulator(
                    scaled.computeIfAbsent(k, kk -> flipsScaled(seq, (double) kk / B1_NODES_PER_UNIT)), epgTolerance));
            double[][] s = sim.simulate(t1, t2);
            double[] row = new double[2 * t];
            for (int i = 0; i < t; i++) {
                row[2 * i] = s[0][i];
                row[2 * i + 1] = s[1][i];
            }
            f[n] = row;
        }));
        // Pivoted Gram-Schmidt with running residual energies.
        double[] energy = new double[nodes], residual = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            double e = 0;
            for (double v : f[n]) e += v * v;
            energy[n] = e;
            residual[n] = e;
        }
        java.util.List<double[]> us = new java.util.ArrayList<>();
        double tol2 = basisTolerance * basisTolerance;
        int maxRank = Math.min(t, nodes);
        while (us.size() < maxRank) {
            int pivot = -1;
            double worst = tol2;
            for (int n = 0; n < nodes; n++) {
                double rel = energy[n] > 0 ? residual[n] / energy[n] : 0;
                if (rel > worst) {
                    worst = rel;
                    pivot = n;
                }
            }
            if (pivot < 0) break;
            double[] v = f[pivot].clone();
            for (int pass = 0; pass < 2; pass++) {   // twice is enough (Kahan-Parlett) for orthogonality
                for (double[] u : us) {
                    double[] p = ComplexVectors.dot(u, v);
                    for (int i = 0; i < t; i++) {
                        v[2 * i] -= p[0] * u[2 * i] - p[1] * u[2 * i + 1];
                        v[2 * i + 1] -= p[0] * u[2 * i + 1] + p[1] * u[2 * i];
                    }
                }
            }
            double nv = 0;
            for (double x : v) nv += x * x;
            nv = Math.sqrt(nv);
            if (nv == 0) break;
            for (int i = 0; i < v.length; i++) v[i] /= nv;
            us.add(v);
            double[] uu = v;
            Pools.run(pool, () -> IntStream.range(0, nodes).parallel().forEach(n -> {
                double[] p = ComplexVectors.dot(uu, f[n]);
                residual[n] = Math.max(0, residual[n] - (p[0] * p[0] + p[1] * p[1]));
            }));
            residual[pivot] = 0;
        }
        int k = us.size();
        double[] basis = new double[2 * t * k];
        for (int j = 0; j < k; j++) {
            double[] u = us.get(j);
            for (int i = 0; i < t; i++) {
                basis[2 * (i * k + j)] = u[2 * i];
                basis[2 * (i * k + j) + 1] = u[2 * i + 1];
            }
        }
        double[][] coef = new double[nodes][];
        Pools.run(pool, () -> IntStream.range(0, nodes).parallel().forEach(n -> {
            double[] c = new double[2 * k];
            for (int j = 0; j < k; j++) {
                double[] p = ComplexVectors.dot(us.get(j), f[n]);
                c[2 * j] = p[0];
                c[2 * j + 1] = p[1];
            }
            coef[n] = c;
        }));
        return new FingerprintSubspace(t, k, logStep, basis, index, coef);
    }

    /** The schedule with every flip angle times {@code b1} (B1+ scale); the schedule itself at 1. */
    public static FispSequence flipsScaled(FispSequence seq, double b1) {
        if (b1 == 1.0) return seq;
        int t = seq.length();
        double[] flip = new double[t], tr = new double[t], te = new double[t], ph = new double[t];
        for (int i = 0; i < t; i++) {
            flip[i] = seq.flipDeg(i) * b1;
            tr[i] = seq.trMs(i);
            te[i] = seq.teMs(i);
            ph[i] = seq.phaseDeg(i);
        }
        return FispSequence.ofDegrees(seq.name() + "*B1=" + b1, flip, tr, te, ph, seq.inversionMs());
    }

    public int rank() { return rank; }
    public int timepoints() { return timepoints; }
    public int nodes() { return nodeCoefficients.length; }

    /** U(t, k) as {re, im}, interleaved [t][k]. */
    public double[] basis() { return basis; }

    /** Interpolated coefficients of the fingerprint (not PD-weighted) into {@code out} (2K doubles), B1+ = 1. */
    public void coefficients(double t1Ms, double t2Ms, double[] out) {
        coefficients(t1Ms, t2Ms, 1.0, out);
    }

    /** Interpolated coefficients of the fingerprint at B1+ scale {@code b1} (not PD-weighted) into {@code out}. */
    public void coefficients(double t1Ms, double t2Ms, double b1, double[] out) {
        double a = Math.log(t1Ms) / logStep, b = Math.log(t2Ms) / logStep, a3 = b1 * B1_NODES_PER_UNIT;
        int i1 = (int) Math.floor(a), i2 = (int) Math.floor(b), i3 = (int) Math.floor(a3);
        double f1 = a - i1, f2 = b - i2, f3 = a3 - i3;
        Arrays.fill(out, 0, 2 * rank, 0);
        for (int da = 0; da <= 1; da++) {
            for (int db = 0; db <= 1; db++) {
                for (int dc = 0; dc <= (f3 > 0 ? 1 : 0); dc++) {
                    Integer n = nodeIndex.get(key(i1 + da, i2 + db, i3 + dc));
                    if (n == null) {
                        throw new IllegalArgumentException("T1 " + t1Ms + ", T2 " + t2Ms + ", B1 " + b1 + " is outside the simulated nodes");
                    }
                    double w = (da == 0 ? 1 - f1 : f1) * (db == 0 ? 1 - f2 : f2) * (dc == 0 ? 1 - f3 : f3);
                    double[] c = nodeCoefficients[n];
                    for (int j = 0; j < 2 * rank; j++) out[j] += w * c[j];
                }
            }
        }
    }

    /** The modelled fingerprint U c(T1, T2), interleaved complex of length 2T. */
    public double[] fingerprint(double t1Ms, double t2Ms) {
        return fingerprint(t1Ms, t2Ms, 1.0);
    }

    /** The modelled fingerprint at B1+ scale {@code b1}, interleaved complex of length 2T. */
    public double[] fingerprint(double t1Ms, double t2Ms, double b1) {
        double[] c = new double[2 * rank];
        coefficients(t1Ms, t2Ms, b1, c);
        double[] f = new double[2 * timepoints];
        for (int t = 0; t < timepoints; t++) {
            double re = 0, im = 0;
            for (int k = 0; k < rank; k++) {
                double ur = basis[2 * (t * rank + k)], ui = basis[2 * (t * rank + k) + 1];
                re += ur * c[2 * k] - ui * c[2 * k + 1];
                im += ur * c[2 * k + 1] + ui * c[2 * k];
            }
            f[2 * t] = re;
            f[2 * t + 1] = im;
        }
        return f;
    }
}
