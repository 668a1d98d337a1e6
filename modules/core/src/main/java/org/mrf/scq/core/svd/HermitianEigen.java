package org.mrf.scq.core.svd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Eigen-decomposition of a small complex Hermitian matrix H = Hr + i Hi in double precision, by
 * LAPACK's symmetric solver on the real embedding E = [[Hr, -Hi], [Hi, Hr]]. E has every eigenvalue
 * of H twice; an eigenvector [u; w] of E is the complex eigenvector u + i w of H, and its partner is
 * i (u + i w). Eigenvectors are taken in descending eigenvalue order and kept when, after removing
 * their components along the complex vectors already kept from the same eigenvalue cluster, more
 * than half their norm is left; this yields n orthonormal complex eigenvectors even for repeated
 * eigenvalues.
 */
public final class HermitianEigen {
    /** Eigenvalues, descending. */
    public final double[] values;
    /** Eigenvectors as columns, row-major n x n: vecRe[i * n + j] is component i of vector j. */
    public final double[] vecRe;
    public final double[] vecIm;
    public final int n;

    private HermitianEigen(double[] values, double[] vecRe, double[] vecIm, int n) {
        this.values = values;
        this.vecRe = vecRe;
        this.vecIm = vecIm;
        this.n = n;
    }

    /** {@code hr}, {@code hi}: row-major n x n, H = Hr + i Hi Hermitian (only assumed, symmetrised here). */
    public static HermitianEigen of(double[] hr, double[] hi, int n) {
        boolean real = true;
        for (double v : hi) {
            if (v != 0) {
                real = false;
                break;
            }
        }
        if (real) return ofReal(hr, n);
        int m = 2 * n;
        double[] e = new double[m * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double r = 0.5 * (hr[i * n + j] + hr[j * n + i]);
                double im = 0.5 * (hi[i * n + j] - hi[j * n + i]);
                e[i * m + j] = r;
                e[(i + n) * m + (j + n)] = r;
                e[i * m + (j + n)] = -im;
                e[(i + n) * m + j] = im;
            }
        }
        INDArray a = Nd4j.create(e, new long[]{m, m}, 'c');
        INDArray w = Eigen.symmetricGeneralizedEigenvalues(a, true); // ascending; a holds eigenvectors as columns
        double[] lam = w.toDoubleVector();
        double[] vec = a.dup('c').data().asDouble(); // vec[r * m + c]
        double scale = Math.max(Math.abs(lam[0]), Math.abs(lam[m - 1]));
        double clusterTol = 1e-9 * Math.max(scale, Double.MIN_NORMAL);

        double[] values = new double[n];
        double[] vr = new double[n * n], vi = new double[n * n];
        double[] kr = new double[n * n], ki = new double[n * n]; // kept vectors, one per row
        int kept = 0;
        double[] zr = new double[n], zi = new double[n];
        for (int c = m - 1; c >= 0 && kept < n; c--) {
            for (int i = 0; i < n; i++) {
                zr[i] = vec[i * m + c];
                zi[i] = vec[(i + n) * m + c];
            }
            // Remove components along kept vectors of the same cluster (others are orthogonal already).
            for (int k = kept - 1; k >= 0 && values[k] - lam[c] <= clusterTol; k--) {
                double pr = 0, pi = 0; // <q_k, z> = sum conj(q) z
                for (int i = 0; i < n; i++) {
                    double qr = kr[k * n + i], qi = ki[k * n + i];
                    pr += qr * zr[i] + qi * zi[i];
                    pi += qr * zi[i] - qi * zr[i];
                }
                for (int i = 0; i < n; i++) {
                    double qr = kr[k * n + i], qi = ki[k * n + i];
                    zr[i] -= pr * qr - pi * qi;
                    zi[i] -= pr * qi + pi * qr;
                }
            }
            double norm2 = 0;
            for (int i = 0; i < n; i++) norm2 += zr[i] * zr[i] + zi[i] * zi[i];
            if (norm2 <= 0.5) continue;
            double inv = 1.0 / Math.sqrt(norm2);
            for (int i = 0; i < n; i++) {
                kr[kept * n + i] = zr[i] * inv;
                ki[kept * n + i] = zi[i] * inv;
                vr[i * n + kept] = zr[i] * inv;
                vi[i * n + kept] = zi[i] * inv;
            }
            values[kept] = lam[c];
            kept++;
        }
        if (kept < n) {
            throw new IllegalStateException("Hermitian eigen-decomposition kept " + kept + " of " + n + " vectors");
        }
        return new HermitianEigen(values, vr, vi, n);
    }

    /** Real symmetric H: LAPACK directly, real eigenvectors (imaginary parts exactly zero). */
    private static HermitianEigen ofReal(double[] hr, int n) {
        double[] sym = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) sym[i * n + j] = 0.5 * (hr[i * n + j] + hr[j * n + i]);
        }
        INDArray a = Nd4j.create(sym, new long[]{n, n}, 'c');
        double[] lam = Eigen.symmetricGeneralizedEigenvalues(a, true).toDoubleVector(); // ascending
        double[] vec = a.dup('c').data().asDouble();
        double[] values = new double[n], vr = new double[n * n];
        for (int j = 0; j < n; j++) {
            int c = n - 1 - j;
            values[j] = lam[c];
            for (int i = 0; i < n; i++) vr[i * n + j] = vec[i * n + c];
        }
        return new HermitianEigen(values, vr, new double[n * n], n);
    }

    /** From a (double) ND4J complex matrix. */
    public static HermitianEigen of(ComplexMatrix h) {
        int n = (int) h.rows();
        return of(h.re.dup('c').data().asDouble(), h.im.dup('c').data().asDouble(), n);
    }
}
