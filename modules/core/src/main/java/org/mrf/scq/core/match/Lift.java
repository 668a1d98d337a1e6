package org.mrf.scq.core.match;

/**
 * Quadratic lifting that turns |<c, y>|^2 into one real inner product, so that a small-rank
 * subspace match needs a single GEMM and no elementwise passes over the (pixels x entries) scores.
 *
 * <p>With A_ab = conj(c_a) c_b and B_ab = y_a conj(y_b):
 * |<c, y>|^2 = sum_a |c_a|^2 |y_a|^2 + 2 sum_{a<b} (Re A_ab Re B_ab - Im A_ab Im B_ab).
 * Entry features: |c_a|^2, then per pair a < b (2 Re A_ab, -2 Im A_ab); signal features: |y_a|^2,
 * then (Re B_ab, Im B_ab): K^2 features. For a real dictionary the Im A_ab terms vanish:
 * K (K + 1) / 2 features (c_a^2, 2 c_a c_b) against (|y_a|^2, Re B_ab = yr_a yr_b + yi_a yi_b).
 */
final class Lift {
    /** Lifting pays off while the feature count stays small against the memory passes it saves. */
    static final int MAX_FEATURES = 256;

    private Lift() {
    }

    static int features(int k, boolean realDictionary) {
        return realDictionary ? k * (k + 1) / 2 : k * k;
    }

    /** Row-major (n x features) entry features of rows (re, im) (n x k). */
    static float[] entryFeatures(float[] re, float[] im, int n, int k, boolean real) {
        int f = features(k, real);
        float[] out = new float[n * f];
        for (int e = 0; e < n; e++) {
            int o = e * f, r = e * k;
            for (int a = 0; a < k; a++) {
                out[o++] = re[r + a] * re[r + a] + (real ? 0f : im[r + a] * im[r + a]);
            }
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    float ar = re[r + a], br = re[r + b];
                    if (real) {
                        out[o++] = 2 * ar * br;
                    } else {
                        float ai = im[r + a], bi = im[r + b];
                        out[o++] = 2 * (ar * br + ai * bi);   // 2 Re(conj(c_a) c_b)
                        out[o++] = -2 * (ar * bi - ai * br);  // -2 Im(conj(c_a) c_b)
                    }
                }
            }
        }
        return out;
    }

    /** Row-major (n x features) signal features of rows (yr, yi) (n x k). */
    static float[] signalFeatures(float[] yr, float[] yi, int n, int k, boolean realDictionary) {
        int f = features(k, realDictionary);
        float[] out = new float[n * f];
        for (int p = 0; p < n; p++) {
            int o = p * f, r = p * k;
            for (int a = 0; a < k; a++) out[o++] = yr[r + a] * yr[r + a] + yi[r + a] * yi[r + a];
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    float ar = yr[r + a], ai = yi[r + a], br = yr[r + b], bi = yi[r + b];
                    out[o++] = ar * br + ai * bi;                          // Re(y_a conj(y_b))
                    if (!realDictionary) out[o++] = ai * br - ar * bi;     // Im(y_a conj(y_b))
                }
            }
        }
        return out;
    }
}
