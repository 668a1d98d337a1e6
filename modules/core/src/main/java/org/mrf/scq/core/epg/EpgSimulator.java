package org.mrf.scq.core.epg;

import org.mrf.scq.core.sequence.FispSequence;

/**
 * Extended-phase-graph simulation of inversion-recovery FISP with an unbalanced gradient (one
 * dephasing shift per TR; Weigel, JMRI 2015; FISP-MRF after Jiang et al., MRM 2015; docs/SCIENCE.md): ideal inversion, free relaxation for the inversion delay,
 * then per TR: RF(flip, phase), relax TE, sample F0, relax TR - TE, shift. M0 = 1.
 *
 * <p>Transverse states are never dropped wholesale (that would be the perfect-spoiling model, which
 * is wrong for FISP). With {@code tolerance > 0} the highest dephasing orders are dropped once
 * they can no longer matter: a state of order k needs k more shifts in the transverse plane to reach
 * the echo, so its weight on any later sample is at most |state| exp(-k TRmin / T2). Orders whose
 * weight falls below {@code tolerance * SCALE} are cut; a test over the paper grid shows every
 * fingerprint then stays within {@code tolerance} (relative L2) of the untruncated one.
 *
 * <p>With a constant RF phase phi (the usual case), the states stay real in the frame rotated by
 * phi - 90 deg, so the hot loop is real, branch-free and vectorisable; the sample is the real signal
 * times exp(i (phi - 90 deg)). Schedules whose phase varies run a general complex recursion.
 *
 * <p>Not thread-safe: it owns its state buffers. Use one instance per thread.
 */
public final class EpgSimulator {
    /** Default relative L2 error of every fingerprint against the untruncated result. */
    public static final double DEFAULT_TOLERANCE = 1e-5;
    /** Per-state cut-off as a fraction of the tolerance; calibrated by EpgTruncationTest. */
    static final double SCALE = 0.05;

    private final FispSequence seq;
    private final double tolerance;
    private final int n;
    private final double[] c2, s2, sa, ca;
    private final double minTr;
    private final double cosPhase, sinPhase;
    private final boolean constantPhase;
    private final double[] fp, fm, z;
    private long statesVisited;

    /** @param tolerance relative error allowed against the exact result; 0 simulates every state. */
    public EpgSimulator(FispSequence seq, double tolerance) {
        if (!(tolerance >= 0) || tolerance >= 1) {
            throw new IllegalArgumentException("EPG tolerance must be in [0, 1), got " + tolerance);
        }
        this.seq = seq;
        this.tolerance = tolerance;
        this.n = seq.length();
        c2 = new double[n];
        s2 = new double[n];
        sa = new double[n];
        ca = new double[n];
        for (int i = 0; i < n; i++) {
            double a = seq.flipRad(i);
            c2[i] = Math.cos(a / 2) * Math.cos(a / 2);
            s2[i] = Math.sin(a / 2) * Math.sin(a / 2);
            sa[i] = Math.sin(a);
            ca[i] = Math.cos(a);
        }
        minTr = seq.minTrMs();
        constantPhase = seq.hasConstantPhase();
        double rot = seq.phaseRad(0) - FispSequence.DEFAULT_PHASE_RAD;
        cosPhase = Math.cos(rot);
        sinPhase = Math.sin(rot);
        fp = new double[2 * n + 4];
        fm = new double[2 * n + 4];
        z = new double[n + 3];
    }

    /** Exact (untruncated) simulator. */
    public static EpgSimulator exact(FispSequence seq) {
        return new EpgSimulator(seq, 0);
    }

    public FispSequence sequence() {
        return seq;
    }

    public double tolerance() {
        return tolerance;
    }

    /** Number of (state, TR) updates done so far: the work measure of the benchmark. */
    public long statesVisited() {
        return statesVisited;
    }

    /** Simulates one (T1, T2) pair; writes the complex signal into re[off..off+T), im[off..off+T). */
    public void simulate(double t1Ms, double t2Ms, double[] re, double[] im, int off) {
        if (!(t1Ms > 0) || !(t2Ms > 0)) {
            throw new IllegalArgumentException("T1 and T2 must be > 0 ms, got T1=" + t1Ms + ", T2=" + t2Ms);
        }
        if (constantPhase) {
            simulateReal(t1Ms, t2Ms, re, off);
            for (int i = 0; i < n; i++) {
                double s = re[off + i];
                re[off + i] = s * cosPhase;
                im[off + i] = s * sinPhase + 0.0; // + 0.0 turns -0.0 into 0.0 for readable output
            }
        } else {
            simulateComplex(t1Ms, t2Ms, re, im, off);
        }
    }

    /** Convenience form: a new {re, im} pair of length T. */
    public double[][] simulate(double t1Ms, double t2Ms) {
        double[] re = new double[n];
        double[] im = new double[n];
        simulate(t1Ms, t2Ms, re, im, 0);
        return new double[][]{re, im};
    }

    private void simulateReal(double t1, double t2, double[] out, int off) {
        final double[] fp = this.fp, fm = this.fm, z = this.z;
        java.util.Arrays.fill(fp, 0);
        java.util.Arrays.fill(fm, 0);
        java.util.Arrays.fill(z, 0);
        // fp[pOff + k] = F+_k, fm[mOff + k] = F-_k, z[k] = Z_k; a shift is an offset change.
        int pOff = n + 2;
        int mOff = 0;
        int top = 0;
        double e1ti = Math.exp(-seq.inversionMs() / t1);
        z[0] = -e1ti + (1 - e1ti);
        double cutoff = tolerance * SCALE;
        double lastTr = -1, e1 = 0, e2 = 0, e2te = 0, lastTe = -1;
        long visited = 0;
        for (int t = 0; t < n; t++) {
            double tr = seq.trMs(t);
            double te = seq.teMs(t);
            if (tr != lastTr) {
                e1 = Math.exp(-tr / t1);
                e2 = Math.exp(-tr / t2);
                lastTr = tr;
            }
            if (te != lastTe) {
                e2te = Math.exp(-te / t2);
                lastTe = te;
            }
            final double cc = c2[t], ss = s2[t], sn = sa[t], cs = ca[t], hs = 0.5 * sa[t];
            // Order 0 first, so the echo is read before relaxation over the rest of the TR.
            double a0 = fp[pOff], z0 = z[0];
            double f0 = cs * a0 + sn * z0;
            out[off + t] = f0 * e2te;
            double nz0 = -sn * a0 + cs * z0;
            fp[pOff] = f0 * e2;
            fm[mOff] = f0 * e2;
            z[0] = nz0 * e1 + (1 - e1);
            for (int k = 1; k <= top; k++) {
                double a = fp[pOff + k], b = fm[mOff + k], zz = z[k];
                fp[pOff + k] = (cc * a - ss * b + sn * zz) * e2;
                fm[mOff + k] = (cc * b - ss * a + sn * zz) * e2;
                z[k] = (cs * zz - hs * (a + b)) * e1;
            }
            visited += top + 1;
            // Dephasing: F+_k <- F+_{k-1}, F-_k <- F-_{k+1}, and F+_0 = conj(F-_0) (= F-_0, real).
            pOff--;
            mOff++;
            fp[pOff] = fm[mOff];
            top++;
            fm[mOff + top] = 0;
            if (cutoff > 0) {
                while (top > 0) {
                    double m = Math.max(Math.abs(fp[pOff + top]), Math.max(Math.abs(fm[mOff + top]), Math.abs(z[top])));
                    if (m * Math.exp(-top * minTr / t2) >= cutoff) break;
                    fp[pOff + top] = 0;
                    fm[mOff + top] = 0;
                    z[top] = 0;
                    top--;
                }
            }
        }
        statesVisited += visited;
    }

    /** General RF phase per pulse: the textbook complex recursion (Weigel 2015), no truncation shortcuts. */
    private void simulateComplex(double t1, double t2, double[] re, double[] im, int off) {
        int size = n + 2;
        double[] pr = new double[size], pi = new double[size];   // F+_k
        double[] mr = new double[size], mi = new double[size];   // F-_k
        double[] zr = new double[size], zi = new double[size];   // Z_k
        double e1ti = Math.exp(-seq.inversionMs() / t1);
        zr[0] = 1 - 2 * e1ti;
        int top = 0;
        for (int t = 0; t < n; t++) {
            double a = seq.flipRad(t), ph = seq.phaseRad(t);
            double cc = Math.cos(a / 2) * Math.cos(a / 2), ss = Math.sin(a / 2) * Math.sin(a / 2);
            double sn = Math.sin(a), cs = Math.cos(a);
            double c1 = Math.cos(ph), s1 = Math.sin(ph), cph2 = Math.cos(2 * ph), sph2 = Math.sin(2 * ph);
            for (int k = 0; k <= top; k++) {
                double ar = pr[k], ai = pi[k], br = mr[k], bi = mi[k], cr = zr[k], ci = zi[k];
                // F+' = c2 F+ + e^{2i phi} s2 F- - i e^{i phi} sin(a) Z
                double npR = cc * ar + ss * (cph2 * br - sph2 * bi) + sn * (s1 * cr + c1 * ci);
                double npI = cc * ai + ss * (cph2 * bi + sph2 * br) + sn * (s1 * ci - c1 * cr);
                // F-' = e^{-2i phi} s2 F+ + c2 F- + i e^{-i phi} sin(a) Z
                double nmR = ss * (cph2 * ar + sph2 * ai) + cc * br + sn * (s1 * cr - c1 * ci);
                double nmI = ss * (cph2 * ai - sph2 * ar) + cc * bi + sn * (s1 * ci + c1 * cr);
                // Z' = -i/2 e^{-i phi} sin(a) F+ + i/2 e^{i phi} sin(a) F- + cos(a) Z
                double nzR = 0.5 * sn * (-s1 * ar + c1 * ai) + 0.5 * sn * (-s1 * br - c1 * bi) + cs * cr;
                double nzI = 0.5 * sn * (-c1 * ar - s1 * ai) + 0.5 * sn * (c1 * br - s1 * bi) + cs * ci;
                pr[k] = npR; pi[k] = npI; mr[k] = nmR; mi[k] = nmI; zr[k] = nzR; zi[k] = nzI;
            }
            double te = seq.teMs(t), tr = seq.trMs(t);
            double e2te = Math.exp(-te / t2);
            re[off + t] = pr[0] * e2te;
            im[off + t] = pi[0] * e2te;
            double e1 = Math.exp(-tr / t1), e2 = Math.exp(-tr / t2);
            for (int k = 0; k <= top; k++) {
                pr[k] *= e2; pi[k] *= e2; mr[k] *= e2; mi[k] *= e2; zr[k] *= e1; zi[k] *= e1;
            }
            zr[0] += 1 - e1;
            // Shift: F+ up one order, F- down one order, F+_0 = conj(F-_0).
            System.arraycopy(pr, 0, pr, 1, top + 1);
            System.arraycopy(pi, 0, pi, 1, top + 1);
            System.arraycopy(mr, 1, mr, 0, top + 1);
            System.arraycopy(mi, 1, mi, 0, top + 1);
            mr[top + 1] = 0;
            mi[top + 1] = 0;
            pr[0] = mr[0];
            pi[0] = -mi[0];
            top++;
        }
        statesVisited += (long) n * (n + 1) / 2;
    }
}
