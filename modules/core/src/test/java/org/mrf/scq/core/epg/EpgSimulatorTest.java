package org.mrf.scq.core.epg;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class EpgSimulatorTest {
    private static FispSequence constant(int n, double flipDeg, double trMs, double teMs, double phaseDeg, double tiMs) {
        double[] f = new double[n], tr = new double[n], te = new double[n], ph = new double[n];
        Arrays.fill(f, flipDeg);
        Arrays.fill(tr, trMs);
        Arrays.fill(te, teMs);
        Arrays.fill(ph, phaseDeg);
        return FispSequence.ofDegrees("test", f, tr, te, ph, tiMs);
    }

    @Test
    void firstSampleMatchesClosedForm() {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0);
        for (double[] p : new double[][]{{800, 60}, {1500, 200}, {60, 10}, {5000, 500}, {300, 300}}) {
            double t1 = p[0], t2 = p[1];
            double expected = Math.sin(seq.flipRad(0)) * (1 - 2 * Math.exp(-18.0 / t1)) * Math.exp(-2.0 / t2);
            for (EpgSimulator sim : new EpgSimulator[]{EpgSimulator.exact(seq), new EpgSimulator(seq, 1e-5)}) {
                double[][] x = sim.simulate(t1, t2);
                assertEquals(expected, x[0][0], 1e-12, "T1=" + t1 + " T2=" + t2);
                assertEquals(0.0, x[1][0], 1e-15);
            }
        }
    }

    @Test
    void zeroFlipLeavesOnlyRelaxation() {
        FispSequence seq = constant(50, 0.0, 10, 3, 90, 20);
        double[][] x = EpgSimulator.exact(seq).simulate(900, 80);
        for (int i = 0; i < 50; i++) {
            assertEquals(0.0, x[0][i], 1e-15);
            assertEquals(0.0, x[1][i], 1e-15);
        }
        // Longitudinal recovery is invisible without RF; one 90 deg pulse at the end reads it out.
        double[] f = new double[51];
        f[50] = 90;
        double[] tr = new double[51], te = new double[51], ph = new double[51];
        Arrays.fill(tr, 10);
        Arrays.fill(te, 3);
        Arrays.fill(ph, 90);
        FispSequence probe = FispSequence.ofDegrees("probe", f, tr, te, ph, 20);
        double[][] y = EpgSimulator.exact(probe).simulate(900, 80);
        double mz = 1 - 2 * Math.exp(-(20 + 50 * 10) / 900.0);
        assertEquals(mz * Math.exp(-3 / 80.0), y[0][50], 1e-12);
    }

    @Test
    void noRelaxationConservesMagnetisation() {
        // With T1, T2 -> infinity, RF rotates and gradients dephase: sum |F|^2 + |Z|^2 stays 1.
        // After one 90 deg pulse from equilibrium (no inversion delay effect) the echo is 1, and
        // a 180 deg refocusing pulse in the middle brings every dephased state back (spin echo).
        FispSequence seq = constant(1, 90, 10, 0, 90, 0);
        double[][] x = EpgSimulator.exact(seq).simulate(1e15, 1e15);
        assertEquals(-1.0, x[0][0], 1e-9, "inverted magnetisation tipped by 90 deg gives |M| = 1");
        // Flip 90, then 180 with TE in between: the echo after the 180 has full magnitude.
        double[] f = {90, 180, 0};
        double[] tr = {10, 10, 10}, te = {0, 0, 0}, ph = {90, 90, 90};
        FispSequence echo = FispSequence.ofDegrees("echo", f, tr, te, ph, 0);
        double[][] y = EpgSimulator.exact(echo).simulate(1e15, 1e15);
        double total = 0;
        for (int i = 0; i < 3; i++) total = Math.max(total, Math.hypot(y[0][i], y[1][i]));
        assertEquals(1.0, total, 1e-9);
    }

    @Test
    void magnitudeNeverExceedsOneOnPaperSchedule() {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0);
        EpgSimulator sim = EpgSimulator.exact(seq);
        for (double[] p : new double[][]{{1e9, 1e9}, {1000, 100}, {4000, 500}}) {
            double[][] x = sim.simulate(p[0], p[1]);
            for (int i = 0; i < seq.length(); i++) {
                assertTrue(Math.hypot(x[0][i], x[1][i]) <= 1 + 1e-9);
            }
        }
    }

    @Test
    void differsFromPerfectSpoilingForLongT2() {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0);
        double t1 = 1500, t2 = 400;
        double[][] epg = new EpgSimulator(seq, 1e-5).simulate(t1, t2);
        double[] spoiled = perfectSpoiling(seq, t1, t2);
        double num = 0, den = 0;
        for (int i = 0; i < seq.length(); i++) {
            num += Math.pow(epg[0][i] - spoiled[i], 2);
            den += spoiled[i] * spoiled[i];
        }
        assertTrue(Math.sqrt(num / den) > 0.05,
                "FISP EPG must differ from the perfect-spoiling model for long T2, rel diff " + Math.sqrt(num / den));
        // ... and agree with it when T2 is so short that no transverse state survives a TR.
        double[][] shortT2 = EpgSimulator.exact(seq).simulate(1500, 0.5);
        double[] sp = perfectSpoiling(seq, 1500, 0.5);
        for (int i = 0; i < seq.length(); i++) assertEquals(sp[i], shortT2[0][i], 1e-9);
    }

    /** Reference: only Mz survives each TR (the wrong model for FISP). */
    private static double[] perfectSpoiling(FispSequence seq, double t1, double t2) {
        double mz = 1 - 2 * Math.exp(-seq.inversionMs() / t1);
        double[] s = new double[seq.length()];
        for (int i = 0; i < seq.length(); i++) {
            double a = seq.flipRad(i);
            s[i] = Math.sin(a) * mz * Math.exp(-seq.teMs(i) / t2);
            mz = Math.cos(a) * mz;
            double e1 = Math.exp(-seq.trMs(i) / t1);
            mz = mz * e1 + 1 - e1;
        }
        return s;
    }

    @Test
    void realPathMatchesGeneralComplexRecursion() {
        // Same schedule, once with constant phase (fast real path) and once with a 1e-300 rad
        // jitter on the last pulse, which forces the complex recursion.
        FispSequence seq = Schedules.load(Schedules.JIANG2015, 1.908, 18).truncate(300);
        double[] f = new double[300], tr = new double[300], te = new double[300], ph = new double[300];
        for (int i = 0; i < 300; i++) {
            f[i] = seq.flipDeg(i);
            tr[i] = seq.trMs(i);
            te[i] = seq.teMs(i);
            ph[i] = 30;
        }
        FispSequence constPhase = FispSequence.ofDegrees("c", f, tr, te, ph, 18);
        double[] ph2 = ph.clone();
        ph2[299] = Math.nextUp(ph2[299]);
        FispSequence varying = FispSequence.ofDegrees("v", f, tr, te, ph2, 18);
        assertTrue(constPhase.hasConstantPhase());
        assertFalse(varying.hasConstantPhase());
        double[][] a = EpgSimulator.exact(constPhase).simulate(1200, 150);
        double[][] b = EpgSimulator.exact(varying).simulate(1200, 150);
        for (int i = 0; i < 299; i++) {
            assertEquals(b[0][i], a[0][i], 1e-12, "re at " + i);
            assertEquals(b[1][i], a[1][i], 1e-12, "im at " + i);
        }
        // A constant phase of 30 deg rotates the 90 deg signal by -60 deg.
        Arrays.fill(ph, 90);
        double[][] c = EpgSimulator.exact(FispSequence.ofDegrees("p90", f, tr, te, ph, 18)).simulate(1200, 150);
        for (int i = 0; i < 300; i++) {
            assertEquals(0.0, c[1][i], 1e-15);
            assertEquals(c[0][i] * Math.cos(Math.toRadians(-60)), a[0][i], 1e-12);
            assertEquals(c[0][i] * Math.sin(Math.toRadians(-60)), a[1][i], 1e-12);
        }
    }

    @Test
    void rfSpoilingMovesFispTowardsThePerfectSpoilingModel() {
        // Quadratic RF phase (117 deg increments) is how FLASH spoils: the general complex path
        // must land much closer to the perfect-spoiling model than unspoiled FISP does.
        FispSequence fisp = Schedules.paperDefault(2.0, 18.0).truncate(600);
        int n = fisp.length();
        double[] f = new double[n], tr = new double[n], te = new double[n], ph = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = fisp.flipDeg(i);
            tr[i] = fisp.trMs(i);
            te[i] = fisp.teMs(i);
            ph[i] = 117.0 * i * (i + 1) / 2;
        }
        FispSequence flash = FispSequence.ofDegrees("flash", f, tr, te, ph, 18);
        double t1 = 1200, t2 = 300;
        double[] ref = perfectSpoiling(fisp, t1, t2);
        double[][] a = EpgSimulator.exact(fisp).simulate(t1, t2);
        double[][] b = EpgSimulator.exact(flash).simulate(t1, t2);
        double dFisp = 0, dFlash = 0;
        for (int i = 0; i < n; i++) {
            dFisp += Math.pow(Math.hypot(a[0][i], a[1][i]) - Math.abs(ref[i]), 2);
            dFlash += Math.pow(Math.hypot(b[0][i], b[1][i]) - Math.abs(ref[i]), 2);
        }
        assertTrue(dFlash < 0.2 * dFisp, "RF-spoiled " + dFlash + " vs FISP " + dFisp);
    }

    @Test
    void rejectsNonPositiveRelaxationTimes() {
        EpgSimulator sim = EpgSimulator.exact(Schedules.paperDefault(2, 18).truncate(10));
        assertThrows(IllegalArgumentException.class, () -> sim.simulate(0, 10));
        assertThrows(IllegalArgumentException.class, () -> sim.simulate(100, Double.NaN));
    }
}
