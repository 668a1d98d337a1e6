package org.mrf.scq.core.match;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The SDM score GEMM fused with its arg-max: for every pixel p, argmax_n <g_p, h_n> over the lifted
 * features of {@link Lift} (h_n of the entries, g_p of the signals), without writing the
 * (pixels x entries) score matrix to memory and reading it back (3.4 GB for a 256 x 256 slice and
 * the paper grid, which bounded the former GEMM-then-argmax at memory speed).
 *
 * <p>Blocked like a GEMM: pixels in chunks of {@link #PIXELS} held feature-major (f x P, so that one
 * feature of all the chunk's pixels is contiguous), entries streamed two at a time, features four at a
 * time into per-pixel accumulators: plain loops over the chunk's pixels that the JIT compiles to
 * SIMD multiply-adds. A running element-wise maximum over each tile of {@link #TILE} entries (also
 * SIMD) leaves one float per pixel and tile; per pixel the first tile holding the largest maximum is
 * then re-scored entry by entry with the same floating-point operations in the same order, which
 * gives bit-identical scores, so the result is the first index of the largest float score, as a
 * row-wise arg-max over the score matrix would be.
 */
final class LiftedArgmax {
    /** Pixels per chunk: f x 512 features and three accumulators stay in the first- and second-level caches. */
    static final int PIXELS = 512;
    /** Entries per tile maximum. */
    static final int TILE = 32;

    private LiftedArgmax() {
    }

    /**
     * @param ent  entry features, row-major (n x f)
     * @param sig  signal features, row-major (pixels x f)
     * @param best out: per pixel the largest score
     * @param idx  out: per pixel the first entry reaching it
     */
    static void argmax(float[] ent, int n, int f, float[] sig, int pixels, float[] best, int[] idx) {
        if (n < 1 || f < 1) throw new IllegalArgumentException("need at least one entry and one feature");
        int chunks = (pixels + PIXELS - 1) / PIXELS;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int p0 = c * PIXELS, np = Math.min(PIXELS, pixels - p0);
            chunk(ent, n, f, sig, p0, np, best, idx);
        });
    }

    private static void chunk(float[] ent, int n, int f, float[] sig, int p0, int np, float[] best, int[] idx) {
        float[][] y = new float[f][np];
        for (int p = 0; p < np; p++) {
            int o = (p0 + p) * f;
            for (int k = 0; k < f; k++) y[k][p] = sig[o + k];
        }
        int tiles = (n + TILE - 1) / TILE;
        float[] tileMax = new float[tiles * np];
        float[] a = new float[np], b = new float[np], m = new float[np];
        for (int t = 0; t < tiles; t++) {
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            int e1 = Math.min(n, (t + 1) * TILE);
            for (int e = t * TILE; e < e1; e += 2) {
                int ea = e * f, eb = Math.min(e + 1, e1 - 1) * f; // an odd tail scores its last entry twice
                scores(ent, ea, eb, f, y, a, b, np);
                max(m, a, b, np);
            }
            System.arraycopy(m, 0, tileMax, t * np, np);
        }
        for (int p = 0; p < np; p++) {
            int bt = topTile(tileMax, tiles, np, p);
            int e0 = bt * TILE, e1 = Math.min(n, e0 + TILE), bi = e0;
            float s = Float.NEGATIVE_INFINITY;
            for (int e = e0; e < e1; e++) {
                float v = score(ent, e * f, f, y, p);
                if (v > s) {
                    s = v;
                    bi = e;
                }
            }
            best[p0 + p] = s;
            idx[p0 + p] = bi;
        }
    }

    /**
     * The first tile holding the largest tile maximum of column {@code col}, where {@code tileMax} holds one row of
     * {@code stride} maxima per tile (tile-major). Ties go to the lower tile, so the winner is the first index of the
     * largest score, as a row-wise arg-max would give.
     */
    static int topTile(float[] tileMax, int tiles, int stride, int col) {
        int top = 0;
        float max = tileMax[col];
        for (int t = 1; t < tiles; t++) {
            float v = tileMax[t * stride + col];
            if (v > max) {
                max = v;
                top = t;
            }
        }
        return top;
    }

    /** a = scores of the entry at ea, b = of the entry at eb, for all np pixels; features in groups of four. */
    private static void scores(float[] ent, int ea, int eb, int f, float[][] y, float[] a, float[] b, int np) {
        int k = 0;
        for (; k + 4 <= f; k += 4) {
            float u0 = ent[ea + k], u1 = ent[ea + k + 1], u2 = ent[ea + k + 2], u3 = ent[ea + k + 3];
            float v0 = ent[eb + k], v1 = ent[eb + k + 1], v2 = ent[eb + k + 2], v3 = ent[eb + k + 3];
            float[] y0 = y[k], y1 = y[k + 1], y2 = y[k + 2], y3 = y[k + 3];
            if (k == 0) {
                first4(y0, y1, y2, y3, u0, u1, u2, u3, v0, v1, v2, v3, a, b, np);
            } else {
                add4(y0, y1, y2, y3, u0, u1, u2, u3, v0, v1, v2, v3, a, b, np);
            }
        }
        for (; k < f; k++) {
            float u = ent[ea + k], v = ent[eb + k];
            float[] y0 = y[k];
            if (k == 0) {
                first1(y0, u, v, a, b, np);
            } else {
                add1(y0, u, v, a, b, np);
            }
        }
    }

    // The loops below are small methods of their own: written inline in scores, with the four feature rows taken
    // from y there, the JIT left them scalar (about a third of the rate).
    private static void first4(float[] y0, float[] y1, float[] y2, float[] y3, float u0, float u1, float u2, float u3,
                               float v0, float v1, float v2, float v3, float[] a, float[] b, int np) {
        for (int p = 0; p < np; p++) {
            float x0 = y0[p], x1 = y1[p], x2 = y2[p], x3 = y3[p];
            a[p] = u0 * x0 + u1 * x1 + u2 * x2 + u3 * x3;
            b[p] = v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
        }
    }

    private static void add4(float[] y0, float[] y1, float[] y2, float[] y3, float u0, float u1, float u2, float u3,
                             float v0, float v1, float v2, float v3, float[] a, float[] b, int np) {
        for (int p = 0; p < np; p++) {
            float x0 = y0[p], x1 = y1[p], x2 = y2[p], x3 = y3[p];
            a[p] += u0 * x0 + u1 * x1 + u2 * x2 + u3 * x3;
            b[p] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
        }
    }

    private static void first1(float[] y0, float u, float v, float[] a, float[] b, int np) {
        for (int p = 0; p < np; p++) {
            a[p] = u * y0[p];
            b[p] = v * y0[p];
        }
    }

    private static void add1(float[] y0, float u, float v, float[] a, float[] b, int np) {
        for (int p = 0; p < np; p++) {
            a[p] += u * y0[p];
            b[p] += v * y0[p];
        }
    }

    private static void max(float[] m, float[] a, float[] b, int np) {
        for (int p = 0; p < np; p++) m[p] = Math.max(m[p], Math.max(a[p], b[p]));
    }

    /** One score with exactly the operations of {@link #scores}, so that it is bit-identical to them. */
    private static float score(float[] ent, int ea, int f, float[][] y, int p) {
        float a = 0;
        int k = 0;
        for (; k + 4 <= f; k += 4) {
            float s = ent[ea + k] * y[k][p] + ent[ea + k + 1] * y[k + 1][p] + ent[ea + k + 2] * y[k + 2][p]
                    + ent[ea + k + 3] * y[k + 3][p];
            a = k == 0 ? s : a + s;
        }
        for (; k < f; k++) {
            float s = ent[ea + k] * y[k][p];
            a = k == 0 ? s : a + s;
        }
        return a;
    }
}
