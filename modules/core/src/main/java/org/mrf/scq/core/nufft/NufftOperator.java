package org.mrf.scq.core.nufft;

/**
 * 2D non-uniform FFT by Kaiser-Bessel gridding: the map from an {@code ny x nx} image to samples
 * at arbitrary k-space locations,
 * <pre>  y_j = sum_n x[n] exp(-2 pi i (ky_j n_y / ny + kx_j n_x / nx)),  n in [-N/2, N/2)</pre>
 * with k in cycles per field of view (the Nyquist box is [-N/2, N/2)); image pixel (iy, ix) sits at
 * n = (iy - ny/2, ix - nx/2), so the FOV centre is pixel (ny/2, nx/2).
 *
 * <p>Forward: divide by the kernel's transform (deapodisation), zero-pad onto a grid oversampled by
 * sigma (placed with wrap-around, which is the centred DFT without any fftshift), FFT, then
 * interpolate each sample from its W x W grid neighbours with the separable KB kernel. By Poisson
 * summation sum_g psi(u - g) e^{-2 pi i g n / G} = e^{-2 pi i u n / G} Psi(n / G) + aliases, so
 * the deapodised result equals the direct sum up to the aliases that Beatty's beta keeps small.
 * Adjoint: the exact adjoint of those steps (spread with the same weights, inverse FFT, crop,
 * deapodise), so {@code <Ax, y> = <x, A^H y>} holds to rounding, not just approximately.
 *
 * <p>Thread-safe: per-call work buffers are per thread.
 */
public final class NufftOperator implements LinearOperator {
    public static final int DEFAULT_WIDTH = 6;
    public static final double DEFAULT_OVERSAMPLING = 2.0;

    private final int ny, nx, gy, gx, m, w;
    private final KaiserBesselKernel kernel;
    private final double[] kyIn, kxIn;
    private final double[] scaleY, scaleX;
    private final int[] rowIdx, colIdx;   // m * w wrapped grid rows / cols per sample
    private final double[] wy, wx;        // m * w kernel weights per sample
    private final int[] imageCols;        // grid columns holding image columns
    /** Grid buffers and FFT plans per thread and grid size, shared by all operators of that size. */
    private static final ThreadLocal<java.util.Map<Long, Work>> WORK = ThreadLocal.withInitial(java.util.HashMap::new);

    private static final class Work {
        final double[] grid;
        final Fft2D fft;

        Work(int gy, int gx) {
            grid = new double[2 * gy * gx];
            fft = new Fft2D(gy, gx);
        }
    }

    /** Default kernel (width 6, 2x oversampling): relative error about 1e-5 against the direct sum. */
    public NufftOperator(int ny, int nx, double[] ky, double[] kx) {
        this(ny, nx, ky, kx, new KaiserBesselKernel(DEFAULT_WIDTH, DEFAULT_OVERSAMPLING));
    }

    public NufftOperator(int ny, int nx, double[] ky, double[] kx, KaiserBesselKernel kernel) {
        if (ny < 2 || nx < 2 || ny % 2 != 0 || nx % 2 != 0) {
            throw new IllegalArgumentException("image size must be even and >= 2, got " + ny + " x " + nx);
        }
        if (ky.length != kx.length) throw new IllegalArgumentException("ky and kx differ in length");
        this.ny = ny;
        this.nx = nx;
        this.kernel = kernel;
        this.w = kernel.width();
        double sigma = kernel.oversampling();
        this.gy = evenCeil(sigma * ny);
        this.gx = evenCeil(sigma * nx);
        this.m = ky.length;
        this.kyIn = ky.clone();
        this.kxIn = kx.clone();
        this.scaleY = deapodisation(ny, gy);
        this.scaleX = deapodisation(nx, gx);
        rowIdx = new int[m * w];
        colIdx = new int[m * w];
        wy = new double[m * w];
        wx = new double[m * w];
        for (int j = 0; j < m; j++) {
            double uy = ky[j] * gy / ny;
            double ux = kx[j] * gx / nx;
            int y0 = (int) Math.ceil(uy - w / 2.0);
            int x0 = (int) Math.ceil(ux - w / 2.0);
            for (int d = 0; d < w; d++) {
                rowIdx[j * w + d] = Math.floorMod(y0 + d, gy);
                colIdx[j * w + d] = Math.floorMod(x0 + d, gx);
                wy[j * w + d] = kernel.value(uy - (y0 + d));
                wx[j * w + d] = kernel.value(ux - (x0 + d));
            }
        }
        imageCols = new int[nx];
        for (int ix = 0; ix < nx; ix++) imageCols[ix] = Math.floorMod(ix - nx / 2, gx);
    }

    private double[] deapodisation(int n, int g) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = 1.0 / kernel.fourier((double) (i - n / 2) / g);
        return s;
    }

    private static int evenCeil(double v) {
        int c = (int) Math.ceil(v - 1e-9);
        return c % 2 == 0 ? c : c + 1;
    }

    @Override public int[] inputShape() { return new int[]{ny, nx}; }
    @Override public int[] outputShape() { return new int[]{m}; }

    /** The n x n unit-spaced Cartesian k-space points, {ky, kx}, row by row from -n/2: the fully sampled limit. */
    public static double[][] cartesianGrid(int n) {
        double[] ky = new double[n * n], kx = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                ky[i * n + j] = i - n / 2;
                kx[i * n + j] = j - n / 2;
            }
        }
        return new double[][]{ky, kx};
    }

    public int samples() { return m; }
    public KaiserBesselKernel kernel() { return kernel; }
    public double[] ky() { return kyIn.clone(); }
    public double[] kx() { return kxIn.clone(); }

    @Override
    public void forward(double[] image, double[] samples) {
        Work wk = WORK.get().computeIfAbsent(((long) gy << 32) | gx, key -> new Work(gy, gx));
        double[] grid = wk.grid;
        java.util.Arrays.fill(grid, 0);
        deapodise(image, grid, true);
        wk.fft.forward(grid, imageCols);
        interpolate(grid, samples);
    }

    @Override
    public void adjoint(double[] samples, double[] image) {
        Work wk = WORK.get().computeIfAbsent(((long) gy << 32) | gx, key -> new Work(gy, gx));
        double[] grid = wk.grid;
        java.util.Arrays.fill(grid, 0);
        spread(samples, grid);
        wk.fft.inverse(grid, imageCols);
        deapodise(image, grid, false);
    }

    /**
     * The image's pixels times the kernel's deapodisation, centred on the oversampled grid: written into {@code grid}
     * ({@code toGrid}, before the forward FFT) or read back from it into {@code image} (after the inverse FFT). The
     * operator is real-valued and diagonal, so the adjoint's step is the forward's transposed.
     */
    private void deapodise(double[] image, double[] grid, boolean toGrid) {
        for (int iy = 0; iy < ny; iy++) {
            int row = Math.floorMod(iy - ny / 2, gy) * gx;
            double sy = scaleY[iy];
            for (int ix = 0; ix < nx; ix++) {
                double s = sy * scaleX[ix];
                int g = 2 * (row + imageCols[ix]);
                int p = 2 * (iy * nx + ix);
                if (toGrid) {
                    grid[g] = image[p] * s;
                    grid[g + 1] = image[p + 1] * s;
                } else {
                    image[p] = grid[g] * s;
                    image[p + 1] = grid[g + 1] * s;
                }
            }
        }
    }

    /** Samples from an oversampled k-space grid ({@code gridRows x gridCols}, interleaved). */
    public void interpolate(double[] grid, double[] samples) {
        for (int j = 0; j < m; j++) {
            double re = 0, im = 0;
            int b = j * w;
            for (int dy = 0; dy < w; dy++) {
                double wyv = wy[b + dy];
                int row = rowIdx[b + dy] * gx;
                double rr = 0, ri = 0;
                for (int dx = 0; dx < w; dx++) {
                    int g = 2 * (row + colIdx[b + dx]);
                    double wxv = wx[b + dx];
                    rr += wxv * grid[g];
                    ri += wxv * grid[g + 1];
                }
                re += wyv * rr;
                im += wyv * ri;
            }
            samples[2 * j] = re;
            samples[2 * j + 1] = im;
        }
    }

    /** Adds each sample, kernel-weighted, onto the oversampled grid (the adjoint of interpolate). */
    public void spread(double[] samples, double[] grid) {
        for (int j = 0; j < m; j++) {
            double re = samples[2 * j], im = samples[2 * j + 1];
            if (re == 0 && im == 0) continue;
            int b = j * w;
            for (int dy = 0; dy < w; dy++) {
                double wyv = wy[b + dy];
                double yr = wyv * re, yi = wyv * im;
                int row = rowIdx[b + dy] * gx;
                for (int dx = 0; dx < w; dx++) {
                    int g = 2 * (row + colIdx[b + dx]);
                    double wxv = wx[b + dx];
                    grid[g] += wxv * yr;
                    grid[g + 1] += wxv * yi;
                }
            }
        }
    }

    public int gridRows() { return gy; }
    public int gridCols() { return gx; }

    /** The operator restricted to samples [from, to): shares the kernel, recomputes nothing else costly. */
    public NufftOperator subset(int from, int to) {
        return new NufftOperator(ny, nx, java.util.Arrays.copyOfRange(kyIn, from, to),
                java.util.Arrays.copyOfRange(kxIn, from, to), kernel);
    }
}
