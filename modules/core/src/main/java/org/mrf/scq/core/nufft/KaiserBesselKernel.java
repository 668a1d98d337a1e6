package org.mrf.scq.core.nufft;

/**
 * Kaiser-Bessel gridding kernel psi(t) = I0(beta sqrt(1 - (2t/W)^2)) / I0(beta) for |t| <= W/2
 * (t in oversampled-grid units), with Beatty's shape parameter for oversampling ratio sigma
 * (Beatty, Nishimura, Pauly, IEEE TMI 2005, eq. 5):
 * beta = pi sqrt((W/sigma)^2 (sigma - 1/2)^2 - 0.8). That choice keeps the aliased side lobes of
 * the kernel's transform below the image edge, which is what bounds the NUFFT error.
 *
 * <p>Its continuous Fourier transform, used for deapodisation, is closed form (Jackson et al.,
 * IEEE TMI 1991): Psi(f) = W / I0(beta) * sinh(z) / z with z = sqrt(beta^2 - (pi W f)^2)
 * (sin/sqrt of the negative when the radicand is negative).
 */
public final class KaiserBesselKernel {
    private final int width;
    private final double oversampling;
    private final double beta;
    private final double i0Beta;

    public KaiserBesselKernel(int width, double oversampling) {
        if (width < 2 || width > 16) throw new IllegalArgumentException("kernel width must be in [2, 16], got " + width);
        if (!(oversampling >= 1.25)) throw new IllegalArgumentException("oversampling must be >= 1.25, got " + oversampling);
        this.width = width;
        this.oversampling = oversampling;
        double a = (width / oversampling) * (oversampling - 0.5);
        this.beta = Math.PI * Math.sqrt(a * a - 0.8);
        this.i0Beta = besselI0(beta);
    }

    public int width() { return width; }
    public double oversampling() { return oversampling; }
    public double beta() { return beta; }

    /** Kernel value at distance t (grid units); 0 outside the support. */
    public double value(double t) {
        double r = 2 * t / width;
        double s = 1 - r * r;
        if (s < 0) return 0;
        return besselI0(beta * Math.sqrt(s)) / i0Beta;
    }

    /** Continuous Fourier transform at f cycles per grid unit. */
    public double fourier(double f) {
        double pwf = Math.PI * width * f;
        double z2 = beta * beta - pwf * pwf;
        double ratio;
        if (z2 > 1e-12) {
            double z = Math.sqrt(z2);
            ratio = Math.sinh(z) / z;
        } else if (z2 < -1e-12) {
            double z = Math.sqrt(-z2);
            ratio = Math.sin(z) / z;
        } else {
            ratio = 1;
        }
        return width / i0Beta * ratio;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges for all x). */
    static double besselI0(double x) {
        double q = x * x / 4;
        double term = 1, sum = 1;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return sum;
    }
}
