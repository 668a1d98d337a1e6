package org.mrf.scq.core.svd;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SvdBasisTest {
    private static Dictionary small;

    @BeforeAll
    static void dictionary() {
        DictionaryGrid grid = DictionaryGrid.fromRanges(java.util.List.of("100:2000:100", "2500:4000:500"),
                java.util.List.of("20:200:20", "300:500:100"), true, "test grid");
        small = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0).truncate(240), grid, 1e-5);
    }

    @Test
    void realProjectionGivesTheComplexCoefficients() {
        SvdBasis b = RandomizedSvd.ofDictionary(small);
        int t = b.timepoints(), k = 5;
        float[][] p = b.realProjection(k);
        assertEquals(2 * t, p.length);
        assertEquals(2 * k, p[0].length);
        Random rnd = new Random(3);
        double[] xr = new double[t], xi = new double[t];
        for (int j = 0; j < t; j++) { xr[j] = rnd.nextGaussian(); xi[j] = rnd.nextGaussian(); }
        float[] vr = b.vRe(), vi = b.vIm();
        for (int c = 0; c < k; c++) {
            // V^H x = sum_j conj(v_j) x_j, computed complex, against the real matrix acting on [re; im].
            double cr = 0, ci = 0, pr = 0, pi = 0;
            for (int j = 0; j < t; j++) {
                double a = vr[j * b.rank() + c], bb = vi[j * b.rank() + c];
                cr += a * xr[j] + bb * xi[j];
                ci += a * xi[j] - bb * xr[j];
                pr += p[j][c] * xr[j] + p[t + j][c] * xi[j];
                pi += p[j][k + c] * xr[j] + p[t + j][k + c] * xi[j];
            }
            assertEquals(cr, pr, 1e-4, "Re coefficient " + c);
            assertEquals(ci, pi, 1e-4, "Im coefficient " + c);
        }
        assertThrows(IllegalArgumentException.class, () -> b.realProjection(0));
        assertThrows(IllegalArgumentException.class, () -> b.realProjection(b.rank() + 1));
    }

    @Test
    void knownSingularValuesAndVectorsAreRecovered() {
        Random rnd = new Random(1);
        int rows = 400, cols = 80, k = 60;
        double[] s = new double[k];
        for (int j = 0; j < k; j++) s[j] = 10 * Math.pow(10, -j / 12.0); // 10 .. ~1e-4: five decades
        float[][] m = SvdTestSupport.withSingularValues(rows, cols, s, rnd);
        SvdBasis b = RandomizedSvd.compute(m[0], m[1], rows, cols, 40, 15, 3, 7);
        assertEquals(40, b.rank());
        assertEquals(cols, b.timepoints());
        for (int j = 0; j < 40; j++) {
            assertEquals(s[j], b.singularValue(j), 1e-3 * s[j] + 1e-6 * s[0], "sigma " + j);
        }
        // Each computed vector is the true one up to a complex phase: |v_true^H v| = 1.
        float[] vr = b.vRe(), vi = b.vIm();
        for (int j = 0; j < 30; j++) {
            double pr = 0, pi = 0;
            for (int t = 0; t < cols; t++) {
                double ar = m[2][t * k + j], ai = m[3][t * k + j], cr = vr[t * 40 + j], ci = vi[t * 40 + j];
                pr += ar * cr + ai * ci;
                pi += ar * ci - ai * cr;
            }
            assertEquals(1.0, Math.hypot(pr, pi), 1e-4, "vector " + j);
        }
        double total = 0;
        for (double x : s) total += x * x;
        assertEquals(total, b.totalEnergy(), 1e-4 * total);
    }

    @Test
    void dictionarySpectrumMatchesExactSvd() {
        int n = small.size(), t = small.timepoints();
        float[] re = small.re().clone(), im = small.im().clone();
        RandomizedSvd.normaliseRows(re, im, n, t);
        double[] exact = SvdTestSupport.exactSingularValues(re, im, n, t);
        SvdBasis b = RandomizedSvd.ofDictionary(small, 40, 20, 3, 11);
        assertEquals(n, b.totalEnergy(), 1e-3 * n, "unit-energy entries: total energy = entries");
        int checked = 0;
        for (int j = 0; j < b.rank(); j++) {
            if (exact[j] < 1e-5 * exact[0]) break; // below float resolution of the data
            assertEquals(exact[j], b.singularValue(j), 2e-3 * exact[j] + 2e-6 * exact[0], "sigma " + j);
            checked++;
        }
        assertTrue(checked >= 10, "checked " + checked + " singular values");
        // V is orthonormal and D V V^H keeps exactly the energy the singular values claim.
        float[] vr = b.vRe(), vi = b.vIm();
        int k = b.rank();
        for (int a = 0; a < k; a++) {
            for (int c = a; c < k; c++) {
                double pr = 0, pi = 0;
                for (int x = 0; x < t; x++) {
                    pr += vr[x * k + a] * vr[x * k + c] + vi[x * k + a] * vi[x * k + c];
                    pi += vr[x * k + a] * vi[x * k + c] - vi[x * k + a] * vr[x * k + c];
                }
                assertEquals(a == c ? 1.0 : 0.0, Math.hypot(pr, pi), 2e-4, "V^H V at " + a + "," + c);
            }
        }
        int k10 = b.rankForEnergy(0.999);
        double kept = 0;
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < k10; j++) {
                double pr = 0, pi = 0; // (D V)[e, j] = sum_x D[e,x] V[x,j]
                for (int x = 0; x < t; x++) {
                    double dr = re[e * t + x], di = im[e * t + x], cr = vr[x * k + j], ci = vi[x * k + j];
                    pr += dr * cr - di * ci;
                    pi += dr * ci + di * cr;
                }
                kept += pr * pr + pi * pi;
            }
        }
        assertEquals(b.cumulativeEnergy(k10), kept / b.totalEnergy(), 1e-5);
    }

    @Test
    void energiesAndRanksAreMonotone() {
        SvdBasis b = RandomizedSvd.ofDictionary(small, 60, 20, 2, 3);
        for (int k = 1; k <= b.rank(); k++) {
            assertTrue(b.cumulativeEnergy(k) >= b.cumulativeEnergy(k - 1));
            assertTrue(b.cumulativeEnergy(k) <= 1.0);
            if (k < b.rank()) assertTrue(b.singularValue(k) <= b.singularValue(k - 1));
        }
        int prev = 0;
        for (double f : SvdBasis.STANDARD_ENERGIES) {
            int r = b.rankForEnergy(f);
            assertTrue(r >= prev, "rank for " + f);
            assertTrue(b.cumulativeEnergy(r) >= f);
            assertTrue(r == 1 || b.cumulativeEnergy(r - 1) < f);
            prev = r;
        }
        assertTrue(b.rankForEnergy(0.9) < b.rankForEnergy(0.999999));
        assertThrows(MrfInputException.class, () -> b.rankForEnergy(1.5));
        assertThrows(MrfInputException.class, () -> b.truncate(2).rankForEnergy(0.999999));
    }

    @Test
    void roundTripsThroughArrays() {
        SvdBasis b = RandomizedSvd.ofDictionary(small, 20, 10, 2, 5);
        SvdBasis c = SvdBasis.fromArrays(b.timepoints(), b.rank(), b.vRe(), b.vIm(), b.singularValues(), b.totalEnergy());
        assertArrayEquals(b.vRe(), c.vRe());
        assertArrayEquals(b.vIm(), c.vIm());
        for (int k = 0; k <= b.rank(); k++) assertEquals(b.cumulativeEnergy(k), c.cumulativeEnergy(k));
        SvdBasis t = b.truncate(5);
        assertEquals(5, t.rank());
        assertEquals(b.cumulativeEnergy(5), t.cumulativeEnergy(5));
        assertEquals(b.vRe()[3 * 20 + 4], t.vRe()[3 * 5 + 4]);
        assertThrows(MrfInputException.class, () -> SvdBasis.fromArrays(10, 2, new float[19], new float[20], new float[]{2, 1}, 5));
        assertThrows(MrfInputException.class, () -> SvdBasis.fromArrays(10, 2, new float[20], new float[20], new float[]{1, 2}, 5));
    }

    @Test
    void hermitianEigenHandlesRepeatedEigenvalues() {
        Random rnd = new Random(3);
        int n = 12;
        double[][] u = SvdTestSupport.randomOrthonormal(n, n, rnd);
        double[] lam = {5, 5, 5, 2, 2, 1, 0.5, 0.5, 0.1, 0, 0, -1};
        double[] hr = new double[n * n], hi = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int c = 0; c < n; c++) {
                for (int j = 0; j < n; j++) { // U diag U^H
                    double ar = u[0][a * n + j] * lam[j], ai = u[1][a * n + j] * lam[j];
                    double br = u[0][c * n + j], bi = -u[1][c * n + j];
                    hr[a * n + c] += ar * br - ai * bi;
                    hi[a * n + c] += ar * bi + ai * br;
                }
            }
        }
        HermitianEigen e = HermitianEigen.of(hr, hi, n);
        for (int j = 0; j < n; j++) {
            assertEquals(lam[j], e.values[j], 1e-10);
            for (int a = 0; a < n; a++) { // (H v)_a = lambda v_a
                double sr = 0, si = 0;
                for (int c = 0; c < n; c++) {
                    double vr = e.vecRe[c * n + j], vi = e.vecIm[c * n + j];
                    sr += hr[a * n + c] * vr - hi[a * n + c] * vi;
                    si += hr[a * n + c] * vi + hi[a * n + c] * vr;
                }
                assertEquals(lam[j] * e.vecRe[a * n + j], sr, 1e-10);
                assertEquals(lam[j] * e.vecIm[a * n + j], si, 1e-10);
            }
            for (int k = 0; k <= j; k++) {
                double pr = 0, pi = 0;
                for (int a = 0; a < n; a++) {
                    pr += e.vecRe[a * n + k] * e.vecRe[a * n + j] + e.vecIm[a * n + k] * e.vecIm[a * n + j];
                    pi += e.vecRe[a * n + k] * e.vecIm[a * n + j] - e.vecIm[a * n + k] * e.vecRe[a * n + j];
                }
                assertEquals(k == j ? 1.0 : 0.0, Math.hypot(pr, pi), 1e-10);
            }
        }
    }
}
