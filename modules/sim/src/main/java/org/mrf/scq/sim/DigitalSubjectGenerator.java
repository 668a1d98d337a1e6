package org.mrf.scq.sim;

import org.mrf.scq.core.util.MrfInputException;

import java.util.Random;

/**
 * Turns one label map (or one set of continuous maps) into many distinct digital subjects,
 * deterministically from a seed (the cohort model: docs/ACQUISITION.md):
 * <ol>
 * <li>geometry: a random affine map (rotation, anisotropic scale, shear, translation) plus a
 *     smooth random elastic displacement, applied as a pull-back (each output pixel centre is
 *     mapped into the source, so there are no holes), then nearest-label resampling onto an
 *     M x M grid over the FOV (default 256, 300 mm);</li>
 * <li>values: per tissue T1, T2 and PD from a {@link TissueTable} (the caller passes a
 *     per-subject table, e.g. {@link TissueTable#perturbed} by +-10%, so a subject keeps its values
 *     across slices);</li>
 * <li>texture: smooth multiplicative fields (a few %, independent for T1, T2, PD) that move with
 *     the anatomy;</li>
 * <li>optional MS-like lesions: rotated ellipses painted over white matter only.</li>
 * </ol>
 * Labels are resampled nearest-neighbour, not partial-volume averaged, so each pixel has one
 * tissue. Partial volume comes from generating the subject on a grid finer than the acquisition
 * matrix ({@link CohortSimulator}, truth supersampling; docs/ACQUISITION.md).
 */
public final class DigitalSubjectGenerator {

    /** Generation settings; {@link #defaults()} is the paper-like 256 matrix over 300 mm. */
    public record Options(int matrix, double fovMm, double maxRotationDeg, double maxScale, double maxShear,
                          double maxShiftMm, double elasticMm, double textureFraction, int lesions) {
        public static Options defaults() {
            return new Options(256, 300, 8, 0.08, 0.04, 6, 2.0, 0.03, 0);
        }

        public Options withMatrix(int m) {
            return new Options(m, fovMm, maxRotationDeg, maxScale, maxShear, maxShiftMm, elasticMm, textureFraction, lesions);
        }

        public Options withLesions(int n) {
            return new Options(matrix, fovMm, maxRotationDeg, maxScale, maxShear, maxShiftMm, elasticMm, textureFraction, n);
        }

        /** No deformation, texture or lesions: the label map as is (for tests and references). */
        public Options rigidAndPlain() {
            return new Options(matrix, fovMm, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    private final Options options;

    public DigitalSubjectGenerator(Options options) {
        if (options.matrix() < 8 || options.matrix() % 2 != 0) {
            throw new MrfInputException("subject matrix " + options.matrix() + ": must be even and >= 8 (e.g. 64, 128, 256)");
        }
        this.options = options;
    }

    /** Random geometry: maps output mm (relative to FOV centre) to source mm. */
    private static final class Warp {
        final double a00, a01, a10, a11, ty, tx;
        final SmoothRandomField dy, dx;
        final double elastic;

        Warp(Options o, Random r) {
            double rot = Math.toRadians(o.maxRotationDeg() * (2 * r.nextDouble() - 1));
            double sy = 1 + o.maxScale() * (2 * r.nextDouble() - 1);
            double sx = 1 + o.maxScale() * (2 * r.nextDouble() - 1);
            double sh = o.maxShear() * (2 * r.nextDouble() - 1);
            // Pull-back matrix R(rot) Shear(sh) diag(1/sy, 1/sx) on (y, x): the inverse of a random affine
            // is as random as the affine itself, so it is drawn directly.
            double c = Math.cos(rot), s = Math.sin(rot);
            a00 = c / sy;
            a01 = (c * sh - s) / sx;
            a10 = s / sy;
            a11 = (s * sh + c) / sx;
            ty = o.maxShiftMm() * (2 * r.nextDouble() - 1);
            tx = o.maxShiftMm() * (2 * r.nextDouble() - 1);
            // Elastic field: wavelengths 50-200 mm, smooth over the head: with 2 mm amplitude the local
            // stretch is about 13% rms, far from folding (which needs a displacement gradient near -1).
            dy = new SmoothRandomField(r, 12, 50, 200);
            dx = new SmoothRandomField(r, 12, 50, 200);
            elastic = o.elasticMm();
        }

        void apply(double y, double x, double[] out) {
            double ys = a00 * y + a01 * x + ty;
            double xs = a10 * y + a11 * x + tx;
            if (elastic > 0) {
                ys += elastic * dy.at(y, x);
                xs += elastic * dx.at(y, x);
            }
            out[0] = ys;
            out[1] = xs;
        }
    }

    /** One slice of a subject from a label map: {@code values} are the subject's tissue values. */
    public SubjectMaps fromLabels(LabelMap labels, TissueTable values, long seed) {
        Random r = new Random(seed);
        Warp warp = new Warp(options, r);
        SmoothRandomField t1Tex = new SmoothRandomField(r, 24, 8, 60);
        SmoothRandomField t2Tex = new SmoothRandomField(r, 24, 8, 60);
        SmoothRandomField pdTex = new SmoothRandomField(r, 24, 8, 60);
        int m = options.matrix();
        double pix = options.fovMm() / m;
        byte[] lab = new byte[m * m];
        double[] src = new double[2];
        // Output pixel centre (mm from FOV centre) for pixel i: (i - m/2) * pix, matching the NUFFT's centring.
        double[] ys = new double[m * m], xs = new double[m * m];
        for (int iy = 0; iy < m; iy++) {
            for (int ix = 0; ix < m; ix++) {
                double y = (iy - m / 2) * pix, x = (ix - m / 2) * pix;
                warp.apply(y, x, src);
                int sr = (int) Math.round(src[0] / labels.pixelMm() + labels.height() / 2.0);
                int sc = (int) Math.round(src[1] / labels.pixelMm() + labels.width() / 2.0);
                int code = sr >= 0 && sr < labels.height() && sc >= 0 && sc < labels.width() ? labels.label(sr, sc) : 0;
                if (Tissue.ofCode(code) == null) {
                    throw new MrfInputException("label map " + labels.name() + ": unknown label " + code
                            + " at row " + sr + ", column " + sc + "; use the BrainWeb codes of org.mrf.scq.sim.Tissue");
                }
                lab[iy * m + ix] = (byte) code;
                ys[iy * m + ix] = src[0];
                xs[iy * m + ix] = src[1];
            }
        }
        double[][] lesionFactors = paintLesions(lab, m, pix, r);
        float[] t1 = new float[m * m], t2 = new float[m * m], pd = new float[m * m];
        byte[] mask = new byte[m * m];
        double f = options.textureFraction();
        for (int i = 0; i < m * m; i++) {
            Tissue t = Tissue.ofCode(lab[i] & 0xff);
            if (t == Tissue.BACKGROUND) continue;
            // Texture is evaluated at the source point, so it belongs to the anatomy, not the grid.
            double vt1 = values.t1Ms(t), vt2 = values.t2Ms(t), vpd = values.pd(t);
            if (t == Tissue.LESION) {
                double[] k = lesionFactors[i];
                vt1 = values.t1Ms(Tissue.WHITE_MATTER) * k[0];
                vt2 = values.t2Ms(Tissue.WHITE_MATTER) * k[1];
                vpd = Math.min(1, values.pd(Tissue.WHITE_MATTER) * k[2]);
            }
            t1[i] = (float) (vt1 * (1 + f * t1Tex.at(ys[i], xs[i])));
            t2[i] = (float) (vt2 * (1 + f * t2Tex.at(ys[i], xs[i])));
            pd[i] = (float) (vpd * (1 + f * pdTex.at(ys[i], xs[i])));
            mask[i] = (byte) (t.inBrainMask() ? 1 : 0);
        }
        return new SubjectMaps(m, m, t1, t2, pd, mask, lab);
    }

    /**
     * Paints lesions over white matter; returns per pixel the lesion's factors on the subject's
     * white-matter {T1, T2, PD} (T1 x1.4-2.0, T2 x1.7-2.5, PD x1.05-1.15, drawn per lesion), or null.
     */
    private double[][] paintLesions(byte[] lab, int m, double pix, Random r) {
        double[][] factors = new double[lab.length][];
        int wm = Tissue.WHITE_MATTER.code;
        int[] wmPixels = java.util.stream.IntStream.range(0, lab.length).filter(i -> (lab[i] & 0xff) == wm).toArray();
        for (int l = 0; l < options.lesions() && wmPixels.length > 0; l++) {
            int c = wmPixels[r.nextInt(wmPixels.length)];
            double cy = c / m, cx = c % m;
            double a = (2 + 4 * r.nextDouble()) / pix, b = (1.5 + 3 * r.nextDouble()) / pix;  // semi-axes, mm -> px
            double th = Math.PI * r.nextDouble();
            double ct = Math.cos(th), st = Math.sin(th);
            double[] k = {1.4 + 0.6 * r.nextDouble(), 1.7 + 0.8 * r.nextDouble(), 1.05 + 0.1 * r.nextDouble()};
            int reach = (int) Math.ceil(Math.max(a, b)) + 1;
            for (int y = (int) cy - reach; y <= cy + reach; y++) {
                for (int x = (int) cx - reach; x <= cx + reach; x++) {
                    if (y < 0 || y >= m || x < 0 || x >= m) continue;
                    double dy = y - cy, dx = x - cx;
                    double u = (ct * dx + st * dy) / a, v = (-st * dx + ct * dy) / b;
                    if (u * u + v * v <= 1 && (lab[y * m + x] & 0xff) == wm) {
                        lab[y * m + x] = (byte) Tissue.LESION.code;
                        factors[y * m + x] = k;
                    }
                }
            }
        }
        return factors;
    }

    /**
     * One subject from continuous maps (e.g. the bundled hydra-128 set) that cover the FOV: the
     * same warp, bilinear resampling (source pixels with T1 < 20 ms or T2 < 2 ms count as background), one global +-{@code variation} factor per map, and texture.
     * The mask is every pixel with signal (these maps carry no tissue labels).
     */
    public SubjectMaps fromContinuousMaps(int height, int width, float[] t1Ms, float[] t2Ms, float[] pd,
                                          double variation, long seed) {
        Random r = new Random(seed);
        Warp warp = new Warp(options, r);
        SmoothRandomField t1Tex = new SmoothRandomField(r, 24, 8, 60);
        SmoothRandomField t2Tex = new SmoothRandomField(r, 24, 8, 60);
        SmoothRandomField pdTex = new SmoothRandomField(r, 24, 8, 60);
        double g1 = 1 + variation * (2 * r.nextDouble() - 1);
        double g2 = 1 + variation * (2 * r.nextDouble() - 1);
        double gp = 1 + variation * (2 * r.nextDouble() - 1);
        int m = options.matrix();
        double pix = options.fovMm() / m;
        double srcPixY = options.fovMm() / height, srcPixX = options.fovMm() / width;
        float[] t1 = new float[m * m], t2 = new float[m * m], p = new float[m * m];
        byte[] mask = new byte[m * m];
        double[] src = new double[2];
        double f = options.textureFraction();
        for (int iy = 0; iy < m; iy++) {
            for (int ix = 0; ix < m; ix++) {
                warp.apply((iy - m / 2) * pix, (ix - m / 2) * pix, src);
                double sy = src[0] / srcPixY + height / 2.0, sx = src[1] / srcPixX + width / 2.0;
                int i = iy * m + ix;
                // Only pixels whose nearest source pixel has signal are tissue, and interpolation weights
                // only neighbours with signal: mixing tissue with background would invent edge pixels
                // with T1 of a few ms.
                int ny = (int) Math.round(sy), nx = (int) Math.round(sx);
                if (!valid(t1Ms, t2Ms, pd, height, width, ny, nx)) continue;
                double[] abc = bilinear(t1Ms, t2Ms, pd, height, width, sy, sx);
                double a = abc[0], b = abc[1], c = abc[2];
                t1[i] = (float) (a * g1 * (1 + f * t1Tex.at(src[0], src[1])));
                t2[i] = (float) (b * g2 * (1 + f * t2Tex.at(src[0], src[1])));
                p[i] = (float) (c * gp * (1 + f * pdTex.at(src[0], src[1])));
                mask[i] = 1;
            }
        }
        return new SubjectMaps(m, m, t1, t2, p, mask, new byte[m * m]);
    }

    /** The bundled hydra-128 maps with PD scaled to a maximum of 1. */
    public SubjectMaps fromHydra(double variation, long seed) {
        float[] t1 = BundledNpy.resource("hydra128_t1_ms.npy").values();
        float[] t2 = BundledNpy.resource("hydra128_t2_ms.npy").values();
        BundledNpy pdArr = BundledNpy.resource("hydra128_pd.npy");
        float[] pd = pdArr.values();
        float max = 0;
        for (float v : pd) max = Math.max(max, v);
        for (int i = 0; i < pd.length; i++) pd[i] /= max;
        return fromContinuousMaps(pdArr.rows(), pdArr.cols(), t1, t2, pd, variation, seed);
    }

    /** Source T1 / T2 below these are partial-volume edge artefacts of fitted maps (hydra has T1 of 0.2 ms), not tissue. */
    static final double MIN_SOURCE_T1_MS = 20, MIN_SOURCE_T2_MS = 2;

    private static boolean valid(float[] t1, float[] t2, float[] pd, int h, int w, int r, int c) {
        if (r < 0 || r >= h || c < 0 || c >= w) return false;
        int i = r * w + c;
        return t1[i] >= MIN_SOURCE_T1_MS && t2[i] >= MIN_SOURCE_T2_MS && pd[i] > 0;
    }

    /** Bilinear interpolation of three maps over the neighbours that carry signal (weights renormalised). */
    private static double[] bilinear(float[] t1, float[] t2, float[] pd, int h, int w, double y, double x) {
        int y0 = (int) Math.floor(y), x0 = (int) Math.floor(x);
        double fy = y - y0, fx = x - x0;
        double a = 0, b = 0, c = 0, ws = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int r = y0 + dy, col = x0 + dx;
                if (!valid(t1, t2, pd, h, w, r, col)) continue;
                double wt = (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx);
                int i = r * w + col;
                a += wt * t1[i];
                b += wt * t2[i];
                c += wt * pd[i];
                ws += wt;
            }
        }
        return new double[]{a / ws, b / ws, c / ws};
    }

    public Options options() {
        return options;
    }
}
