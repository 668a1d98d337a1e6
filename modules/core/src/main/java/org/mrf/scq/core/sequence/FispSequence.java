package org.mrf.scq.core.sequence;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An inversion-recovery FISP acquisition: per time point a flip angle, TR, TE and RF phase, plus
 * the inversion delay. Immutable. Angles are kept in degrees as the schedule file gives them, so
 * the CSV written next to a dataset reads back to the same hash; times are in milliseconds.
 */
public final class FispSequence implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The RF phase (90 degrees) for which the EPG states, and thus the signal, stay real. */
    public static final double DEFAULT_PHASE_DEG = 90.0;
    public static final double DEFAULT_PHASE_RAD = Math.PI / 2;

    private final String name;
    private final double[] flipDeg;
    private final double[] trMs;
    private final double[] teMs;
    private final double[] phaseDeg;
    private final double inversionMs;

    private FispSequence(String name, double[] flipDeg, double[] trMs, double[] teMs, double[] phaseDeg,
                         double inversionMs) {
        int n = flipDeg.length;
        if (n == 0) {
            throw new IllegalArgumentException("schedule '" + name + "' has no time points");
        }
        if (trMs.length != n || teMs.length != n || phaseDeg.length != n) {
            throw new IllegalArgumentException("schedule '" + name + "': flip, TR, TE and phase arrays differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (!(trMs[i] > 0) || !(teMs[i] >= 0) || !(teMs[i] < trMs[i]) || !Double.isFinite(flipDeg[i])
                    || !Double.isFinite(phaseDeg[i])) {
                throw new IllegalArgumentException("schedule '" + name + "' time point " + i
                        + ": needs finite flip and phase, TR > 0 and 0 <= TE < TR (TR=" + trMs[i] + ", TE=" + teMs[i] + ")");
            }
        }
        if (!(inversionMs >= 0) || !Double.isFinite(inversionMs)) {
            throw new IllegalArgumentException("inversion delay must be a finite number >= 0 ms, got " + inversionMs);
        }
        this.name = name;
        this.flipDeg = flipDeg.clone();
        this.trMs = trMs.clone();
        this.teMs = teMs.clone();
        this.phaseDeg = phaseDeg.clone();
        this.inversionMs = inversionMs;
    }

    /** Flip angles and RF phases in degrees, TR and TE in ms, one entry per time point. */
    public static FispSequence ofDegrees(String name, double[] flipDeg, double[] trMs, double[] teMs, double[] phaseDeg,
                                         double inversionMs) {
        return new FispSequence(name, flipDeg, trMs, teMs, phaseDeg, inversionMs);
    }

    public String name() { return name; }
    public int length() { return flipDeg.length; }
    public double flipDeg(int n) { return flipDeg[n]; }
    public double flipRad(int n) { return Math.toRadians(flipDeg[n]); }
    public double trMs(int n) { return trMs[n]; }
    public double teMs(int n) { return teMs[n]; }
    public double phaseDeg(int n) { return phaseDeg[n]; }
    public double phaseRad(int n) { return Math.toRadians(phaseDeg[n]); }
    public double inversionMs() { return inversionMs; }

    /** True when every pulse has the same RF phase, so the EPG can run in real arithmetic. */
    public boolean hasConstantPhase() {
        for (double p : phaseDeg) {
            if (p != phaseDeg[0]) return false;
        }
        return true;
    }

    public double minTrMs() {
        return Arrays.stream(trMs).min().orElseThrow();
    }

    /** The first {@code t} time points: what an acceleration rate ar = full / t acquires. */
    public FispSequence truncate(int t) {
        if (t < 1 || t > length()) {
            throw new IllegalArgumentException("cannot take " + t + " time points of schedule '" + name
                    + "', which has " + length());
        }
        if (t == length()) return this;
        return new FispSequence(name, Arrays.copyOf(flipDeg, t), Arrays.copyOf(trMs, t), Arrays.copyOf(teMs, t),
                Arrays.copyOf(phaseDeg, t), inversionMs);
    }

    /** The same sequence with another inversion delay and, where {@code teMs} is set, a constant TE. */
    public FispSequence withTiming(Double teMsOverride, Double inversionMsOverride) {
        double[] te = teMs;
        if (teMsOverride != null) {
            te = new double[length()];
            Arrays.fill(te, teMsOverride);
        }
        return new FispSequence(name, flipDeg, trMs, te, phaseDeg,
                inversionMsOverride != null ? inversionMsOverride : inversionMs);
    }

    /**
     * SHA-256 over every number that changes a fingerprint (not the name), so datasets and models
     * can refuse each other when they were made for different acquisitions.
     */
    public String hash() {
        ByteBuffer buf = ByteBuffer.allocate(8 * (4 * length() + 1));
        for (int i = 0; i < length(); i++) {
            buf.putDouble(flipDeg[i]).putDouble(trMs[i]).putDouble(teMs[i]).putDouble(phaseDeg[i]);
        }
        buf.putDouble(inversionMs);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(buf.array());
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Schedule as CSV text in the reader's format (flip_deg,tr_ms,te_ms,phase_deg). */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("flip_deg,tr_ms,te_ms,phase_deg\n");
        for (int i = 0; i < length(); i++) {
            sb.append(flipDeg[i]).append(',').append(trMs[i]).append(',').append(teMs[i]).append(',')
                    .append(phaseDeg[i]).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format("FispSequence[%s, T=%d, TI=%.3f ms, TR0=%.3f ms, TE0=%.3f ms]", name, length(), inversionMs,
                trMs[0], teMs[0]);
    }
}
