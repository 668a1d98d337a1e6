package org.mrf.scq.core.recon;

/**
 * Adaptive coil combination: Walsh, Gmitro and Marcellin, "Adaptive reconstruction of phased
 * array MR imagery", Magn Reson Med 43:682-690 (2000).
 *
 * <p>At each pixel the coil weights are the dominant eigenvector v of the local coil covariance
 * R = sum over a (2h+1) x (2h+1) window of s s^H, where s is the vector of the reference image's
 * coil values (for MRF the time-averaged coil images: every frame shares the coil sensitivities,
 * and the average has the most signal). For coil images s = S x with sensitivities S that are
 * constant over the window, R = (sum |x|^2) S S^H, so v = S / |S| up to a phase, and the combined
 * value v^H s = |S| x is the image weighted by the root-sum-of-squares sensitivity, with the
 * SNR-optimal (matched-filter) weights of Roemer et al. (MRM 1990) when the coil noise is white.
 *
 * <p>Phase: an eigenvector is defined up to a phase per pixel, which would scramble the image
 * phase. Every pixel's v is rotated so that its component on one reference coil (the coil with the
 * most energy in the reference image) is real and non-negative. Then v varies as smoothly as that
 * coil's sensitivity phase, and the combined image carries that phase: v^H s = |S| x e^{i arg S_ref}.
 * A pixel whose covariance is zero (no signal in its window) gets the reference coil alone.
 *
 * <p>API: {@link #fromReference(double[][], int, int, int)} computes the weights once from the
 * reference coil images (per coil an interleaved complex {@code ny x nx} array, row-major); then
 * {@link #combine(double[][], double[])} maps the coil images of any frame to one complex image.
 * Immutable and thread-safe after construction. The dominant eigenvector is found by power
 * iteration started from R's strongest column, which for the nearly rank-1 R of smooth
 * sensitivities converges in a few steps.
 */
public final class CoilCombination {
    /** Half width of the default 5 x 5 window. */
    public static final int DEFAULT_HALF_WINDOW = 2;
    private static final int MAX_ITERATIONS = 100;
    private static final double TOLERANCE = 1e-13;

    private final int ny, nx, coils, referenceCoil;
    /** Per pixel the unit-norm weights v, interleaved complex: weights[p * 2 * coils + 2 c (+1)]. */
    private final double[] weights;

    private CoilCombination(int ny, int nx, int coils, int referenceCoil, double[] weights) {
        this.ny = ny;
        this.nx = nx;
        this.coils = coils;
        this.referenceCoil = referenceCoil;
        this.weights = weights;
    }

    /**
     * Weights from reference coil images {@code ref[c]} (interleaved complex, {@code ny x nx}),
     * over windows of {@code (2 halfWindow + 1)^2} pixels clipped at the image border.
     */
    public static CoilCombination fromReference(double[][] ref, int ny, int nx, int halfWindow) {
        int nc = ref.length;
        if (nc < 1) throw new IllegalArgumentException("need at least one coil image");
        if (halfWindow < 0) throw new IllegalArgumentException("half window must be >= 0, got " + halfWindow);
        for (double[] img : ref) {
            if (img.length != 2 * ny * nx) {
                throw new IllegalArgumentException("coil image has " + img.length / 2 + " pixels, expected " + ny * nx);
            }
        }
        int refCoil = 0;
        double best = -1;
        for (int c = 0; c < nc; c++) {
            double e = 0;
            for (double v : ref[c]) e += v * v;
            if (e > best) {
                best = e;
                refCoil = c;
            }
        }
        double[] w = new double[ny * nx * 2 * nc];
        // Window sums of the outer products s s^H, upper triangle; colRe/colIm hold, per column, the sums over the window's rows.
        int tri = nc * (nc + 1) / 2;
        double[] colRe = new double[nx * tri], colIm = new double[nx * tri];
        double[] rRe = new double[nc * nc], rIm = new double[nc * nc];
        double[] v = new double[2 * nc], u = new double[2 * nc];
        for (int iy = 0; iy < ny; iy++) {
            java.util.Arrays.fill(colRe, 0);
            java.util.Arrays.fill(colIm, 0);
            int y0 = Math.max(0, iy - halfWindow), y1 = Math.min(ny - 1, iy + halfWindow);
            for (int yy = y0; yy <= y1; yy++) {
                for (int ix = 0; ix < nx; ix++) {
                    int p = 2 * (yy * nx + ix);
                    int t = ix * tri;
                    for (int a = 0; a < nc; a++) {
                        double ar = ref[a][p], ai = ref[a][p + 1];
                        for (int b = a; b < nc; b++, t++) {
                            double br = ref[b][p], bi = ref[b][p + 1];
                            // R_ab += s_a conj(s_b)
                            colRe[t] += ar * br + ai * bi;
                            colIm[t] += ai * br - ar * bi;
                        }
                    }
                }
            }
            for (int ix = 0; ix < nx; ix++) {
                java.util.Arrays.fill(rRe, 0);
                java.util.Arrays.fill(rIm, 0);
                int x0 = Math.max(0, ix - halfWindow), x1 = Math.min(nx - 1, ix + halfWindow);
                for (int xx = x0; xx <= x1; xx++) {
                    int t = xx * tri;
                    for (int a = 0; a < nc; a++) {
                        for (int b = a; b < nc; b++, t++) {
                            rRe[a * nc + b] += colRe[t];
                            rIm[a * nc + b] += colIm[t];
                        }
                    }
                }
                for (int a = 0; a < nc; a++) {
                    for (int b = a + 1; b < nc; b++) {
                        rRe[b * nc + a] = rRe[a * nc + b];
                        rIm[b * nc + a] = -rIm[a * nc + b];
                    }
                }
                dominantEigenvector(rRe, rIm, nc, refCoil, v, u);
                normalisePhase(v, refCoil, nc);
                System.arraycopy(v, 0, w, (iy * nx + ix) * 2 * nc, 2 * nc);
            }
        }
        return new CoilCombination(ny, nx, nc, refCoil, w);
    }

    /** Unit-norm dominant eigenvector of the Hermitian R (row-major), or e_fallback for R = 0; u is scratch. */
    private static void dominantEigenvector(double[] rRe, double[] rIm, int n, int fallback, double[] v, double[] u) {
        int start = 0;
        for (int a = 1; a < n; a++) if (rRe[a * n + a] > rRe[start * n + start]) start = a;
        java.util.Arrays.fill(v, 0);
        if (!(rRe[start * n + start] > 0)) {
            v[2 * fallback] = 1;
            return;
        }
        for (int a = 0; a < n; a++) {
            v[2 * a] = rRe[a * n + start];
            v[2 * a + 1] = rIm[a * n + start];
        }
        normalise(v);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            for (int a = 0; a < n; a++) {
                double re = 0, im = 0;
                for (int b = 0; b < n; b++) {
                    double hr = rRe[a * n + b], hi = rIm[a * n + b];
                    re += hr * v[2 * b] - hi * v[2 * b + 1];
                    im += hr * v[2 * b + 1] + hi * v[2 * b];
                }
                u[2 * a] = re;
                u[2 * a + 1] = im;
            }
            normalise(u);
            // Power iteration keeps the phase of v when R v is parallel to v, so a plain difference measures convergence.
            double d = 0;
            for (int i = 0; i < 2 * n; i++) {
                double e = u[i] - v[i];
                d += e * e;
            }
            System.arraycopy(u, 0, v, 0, 2 * n);
            if (d < TOLERANCE * TOLERANCE) break;
        }
    }

    private static void normalise(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        double inv = 1 / Math.sqrt(s);
        for (int i = 0; i < v.length; i++) v[i] *= inv;
    }

    private static void normalisePhase(double[] v, int refCoil, int n) {
        double rr = v[2 * refCoil], ri = v[2 * refCoil + 1];
        double mag = Math.hypot(rr, ri);
        if (mag == 0) return;
        double cr = rr / mag, ci = -ri / mag;   // multiply by conj(v_ref) / |v_ref|
        for (int a = 0; a < n; a++) {
            double re = v[2 * a], im = v[2 * a + 1];
            v[2 * a] = re * cr - im * ci;
            v[2 * a + 1] = re * ci + im * cr;
        }
    }

    public int coils() { return coils; }
    public int rows() { return ny; }
    public int cols() { return nx; }
    /** The coil whose phase the combined image carries. */
    public int referenceCoil() { return referenceCoil; }

    /** Weights of pixel (iy, ix), interleaved complex, unit norm. */
    public double[] weights(int iy, int ix) {
        int o = (iy * nx + ix) * 2 * coils;
        return java.util.Arrays.copyOfRange(weights, o, o + 2 * coils);
    }

    /** One frame: {@code out[p] = sum_c conj(v_c[p]) coilImages[c][p]}, interleaved complex {@code ny x nx}. */
    public void combine(double[][] coilImages, double[] out) {
        if (coilImages.length != coils) {
            throw new IllegalArgumentException("got " + coilImages.length + " coil images, the weights have " + coils);
        }
        int np = ny * nx;
        for (int p = 0; p < np; p++) {
            double re = 0, im = 0;
            int o = p * 2 * coils;
            for (int c = 0; c < coils; c++) {
                double wr = weights[o + 2 * c], wi = weights[o + 2 * c + 1];
                double sr = coilImages[c][2 * p], si = coilImages[c][2 * p + 1];
                re += wr * sr + wi * si;
                im += wr * si - wi * sr;
            }
            out[2 * p] = re;
            out[2 * p + 1] = im;
        }
    }

    public double[] combine(double[][] coilImages) {
        double[] out = new double[2 * ny * nx];
        combine(coilImages, out);
        return out;
    }
}
