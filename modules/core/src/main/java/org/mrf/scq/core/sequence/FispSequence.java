package org.mrf.scq.core.sequence;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An inversion-recovery FISP acquisition: per time point a flip angle, TR, TE and RF phase, plus
 * the inversion delay. Immutable; angles are stored in radians, times in milliseconds.
 */
public final class FispSequence {
    /** The RF phase (90 degrees) for which the EPG states, and thus the signal, stay real. */
    public static final double DEFAULT_PHASE_RAD = Math.PI / 2;

    private final String name;
    private final double[] flipRad;
    private final double[] trMs;
    private final double[] teMs;
    private final double[] phaseRad;
    private final double inversionMs;

    public FispSequence(String name, double[] flipRad, double[] trMs, double[] teMs, double[] phaseRad,
                        double inversionMs) {
        int n = flipRad.length;
        if (n == 0) {
            throw new IllegalArgumentException("schedule '" + name + "' has no time points");
        }
        if (trMs.length != n || teMs.length != n || phaseRad.length != n) {
            throw new IllegalArgumentException("schedule '" + name + "': flip, TR, TE and phase arrays differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (!(trMs[i] > 0) || !(teMs[i] >= 0) || !(teMs[i] < trMs[i]) || !Double.isFinite(flipRad[i])
                    || !Double.isFinite(phaseRad[i])) {
                throw new IllegalArgumentException("schedule '" + name + "' time point " + i
                        + ": needs finite flip and phase, TR > 0 and 0 <= TE < TR (TR=" + trMs[i] + ", TE=" + teMs[i] + ")");
            }
        }
        if (!(inversionMs >= 0) || !Double.isFinite(inversionMs)) {
            throw new IllegalArgumentException("inversion delay must be a finite number >= 0 ms, got " + inversionMs);
        }
        this.name = name;
        this.flipRad = flipRad.clone();
        this.trMs = trMs.clone();
        this.teMs = teMs.clone();
        this.phaseRad = phaseRad.clone();
        this.inversionMs = inversionMs;
    }

    public String name() { return name; }
    public int length() { return flipRad.length; }
    public double flipRad(int n) { return flipRad[n]; }
    public double trMs(int n) { return trMs[n]; }
    public double teMs(int n) { return teMs[n]; }
    public double phaseRad(int n) { return phaseRad[n]; }
    public double inversionMs() { return inversionMs; }

    /** True when every pulse has the same RF phase, so the EPG can run in real arithmetic. */
    public boolean hasConstantPhase() {
        for (double p : phaseRad) {
            if (p != phaseRad[0]) return false;
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
        return new FispSequence(name, Arrays.copyOf(flipRad, t), Arrays.copyOf(trMs, t), Arrays.copyOf(teMs, t),
                Arrays.copyOf(phaseRad, t), inversionMs);
    }

    /** The same sequence with another inversion delay and, where {@code teMs} is set, a constant TE. */
    public FispSequence withTiming(Double teMsOverride, Double inversionMsOverride) {
        double[] te = teMs;
        if (teMsOverride != null) {
            te = new double[length()];
            Arrays.fill(te, teMsOverride);
        }
        return new FispSequence(name, flipRad, trMs, te, phaseRad,
                inversionMsOverride != null ? inversionMsOverride : inversionMs);
    }

    /**
     * SHA-256 over every number that changes a fingerprint (not the name), so datasets and models
     * can refuse each other when they were made for different acquisitions.
     */
    public String hash() {
        ByteBuffer buf = ByteBuffer.allocate(8 * (4 * length() + 1));
        for (int i = 0; i < length(); i++) {
            buf.putDouble(flipRad[i]).putDouble(trMs[i]).putDouble(teMs[i]).putDouble(phaseRad[i]);
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
            sb.append(Math.toDegrees(flipRad[i])).append(',').append(trMs[i]).append(',').append(teMs[i]).append(',')
                    .append(Math.toDegrees(phaseRad[i])).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format("FispSequence[%s, T=%d, TI=%.3f ms, TR0=%.3f ms, TE0=%.3f ms]", name, length(), inversionMs,
                trMs[0], teMs[0]);
    }
}
