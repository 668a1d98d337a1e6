package org.mrf.scq.core.nufft;

/**
 * Orthonormal centred 2D DFT of an {@code ny x nx} image: Y[k] = (ny nx)^{-1/2} sum_n x[n]
 * e^{-2 pi i (ky ny' / ny + kx nx' / nx)} with k and n both in [-N/2, N/2) stored at index + N/2,
 * the same centring as {@link NufftOperator}. Orthonormal, so the adjoint is the inverse.
 */
public final class CartesianFft implements LinearOperator {
    private final int ny, nx;
    private final double scale;
    private final ThreadLocal<Fft2D> fft;

    public CartesianFft(int ny, int nx) {
        if (ny % 2 != 0 || nx % 2 != 0) throw new IllegalArgumentException("sizes must be even: " + ny + " x " + nx);
        this.ny = ny;
        this.nx = nx;
        this.scale = 1 / Math.sqrt((double) ny * nx);
        this.fft = ThreadLocal.withInitial(() -> new Fft2D(ny, nx));
    }

    @Override public int[] inputShape() { return new int[]{ny, nx}; }
    @Override public int[] outputShape() { return new int[]{ny, nx}; }

    @Override
    public void forward(double[] in, double[] out) {
        transform(in, out, false);
    }

    @Override
    public void adjoint(double[] in, double[] out) {
        transform(in, out, true);
    }

    // Centring by a half-size circular shift before and after (both sizes even, so shift = ifftshift).
    private void transform(double[] in, double[] out, boolean inverse) {
        double[] a = new double[2 * ny * nx];
        shift(in, a);
        if (inverse) fft.get().inverse(a);
        else fft.get().forward(a);
        shift(a, out);
        for (int i = 0; i < out.length; i++) out[i] *= scale;
    }

    private void shift(double[] src, double[] dst) {
        for (int y = 0; y < ny; y++) {
            int ys = (y + ny / 2) % ny;
            for (int x = 0; x < nx; x++) {
                int xs = (x + nx / 2) % nx;
                dst[2 * (ys * nx + xs)] = src[2 * (y * nx + x)];
                dst[2 * (ys * nx + xs) + 1] = src[2 * (y * nx + x) + 1];
            }
        }
    }
}
