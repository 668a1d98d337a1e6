package org.mrf.scq.core.svd;

import java.util.Arrays;
import java.util.Random;

/** Independent references for the SVD tests: plain-Java double arithmetic, no ND4J, no LAPACK. */
final class SvdTestSupport {
    private SvdTestSupport() {
    }

    /** Eigenvalues (descending) of a real symmetric matrix by cyclic Jacobi rotations. */
    static double[] jacobiEigenvalues(double[][] in) {
        int n = in.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = in[i].clone();
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = 0; j < n; j++) if (i != j) off += a[i][j] * a[i][j];
            }
            if (off <= 1e-30 * diag) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double kp = a[k][p], kq = a[k][q];
                        a[k][p] = c * kp - s * kq;
                        a[k][q] = s * kp + c * kq;
                    }
                    for (int k = 0; k < n; k++) {
                        double pk = a[p][k], qk = a[q][k];
                        a[p][k] = c * pk - s * qk;
                        a[q][k] = s * pk + c * qk;
                    }
                }
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = a[i][i];
        Arrays.sort(w);
        for (int i = 0; i < n / 2; i++) {
            double x = w[i];
            w[i] = w[n - 1 - i];
            w[n - 1 - i] = x;
        }
        return w;
    }

    /**
     * Exact singular values (descending) of complex D (rows x cols, row-major re/im): the Gram
     * matrix D^H D in double, its real embedding [[Gr, -Gi], [Gi, Gr]] (every eigenvalue twice), Jacobi.
     */
    static double[] exactSingularValues(float[] re, float[] im, int rows, int cols) {
        double[][] e = new double[2 * cols][2 * cols];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double gr = 0, gi = 0; // sum_r conj(D[r,i]) D[r,j]
                for (int r = 0; r < rows; r++) {
                    double ar = re[r * cols + i], ai = im[r * cols + i], br = re[r * cols + j], bi = im[r * cols + j];
                    gr += ar * br + ai * bi;
                    gi += ar * bi - ai * br;
                }
                e[i][j] = gr;
                e[i + cols][j + cols] = gr;
                e[i][j + cols] = -gi;
                e[i + cols][j] = gi;
            }
        }
        double[] w = jacobiEigenvalues(e);
        double[] s = new double[cols];
        for (int i = 0; i < cols; i++) s[i] = Math.sqrt(Math.max(0, w[2 * i]));
        return s;
    }

    /** Random complex matrix (rows x cols, cols <= rows) with orthonormal columns, by modified Gram-Schmidt twice. */
    static double[][] randomOrthonormal(int rows, int cols, Random rnd) {
        double[] r = new double[rows * cols], i = new double[rows * cols];
        for (int k = 0; k < r.length; k++) {
            r[k] = rnd.nextGaussian();
            i[k] = rnd.nextGaussian();
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < cols; j++) {
                for (int p = 0; p < j; p++) {
                    double pr = 0, pi = 0;
                    for (int k = 0; k < rows; k++) {
                        double qr = r[k * cols + p], qi = i[k * cols + p], zr = r[k * cols + j], zi = i[k * cols + j];
                        pr += qr * zr + qi * zi;
                        pi += qr * zi - qi * zr;
                    }
                    for (int k = 0; k < rows; k++) {
                        double qr = r[k * cols + p], qi = i[k * cols + p];
                        r[k * cols + j] -= pr * qr - pi * qi;
                        i[k * cols + j] -= pr * qi + pi * qr;
                    }
                }
                double nrm = 0;
                for (int k = 0; k < rows; k++) nrm += r[k * cols + j] * r[k * cols + j] + i[k * cols + j] * i[k * cols + j];
                nrm = Math.sqrt(nrm);
                for (int k = 0; k < rows; k++) {
                    r[k * cols + j] /= nrm;
                    i[k * cols + j] /= nrm;
                }
            }
        }
        return new double[][]{r, i};
    }

    /** D = U diag(s) V^H, row-major float re/im (rows x cols); returns {re, im, vRe, vIm} (v: cols x k). */
    static float[][] withSingularValues(int rows, int cols, double[] s, Random rnd) {
        int k = s.length;
        double[][] u = randomOrthonormal(rows, k, rnd), v = randomOrthonormal(cols, k, rnd);
        float[] re = new float[rows * cols], im = new float[rows * cols];
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double sr = 0, si = 0;
                for (int j = 0; j < k; j++) {
                    double ur = u[0][a * k + j] * s[j], ui = u[1][a * k + j] * s[j];
                    double vr = v[0][b * k + j], vi = -v[1][b * k + j]; // conj(V[b, j])
                    sr += ur * vr - ui * vi;
                    si += ur * vi + ui * vr;
                }
                re[a * cols + b] = (float) sr;
                im[a * cols + b] = (float) si;
            }
        }
        float[] vr = new float[cols * k], vi = new float[cols * k];
        for (int x = 0; x < cols * k; x++) {
            vr[x] = (float) v[0][x];
            vi[x] = (float) v[1][x];
        }
        return new float[][]{re, im, vr, vi};
    }
}
