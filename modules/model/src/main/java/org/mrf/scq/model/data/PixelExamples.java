package org.mrf.scq.model.data;

import org.mrf.scq.model.Property;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Step-1 examples: single pixels of a slice as NHWC features [n, 1, 1, C] and labels [n, 1, 1, 1]
 * (target / property scale). Only pixels inside the mask with a positive target are used. A pure
 * function of its arguments (the seed fixes the sample), so Spark executors can call it.
 */
public final class PixelExamples {
    private PixelExamples() {
    }

    /**
     * @param maxPixels at most this many pixels, drawn without replacement; 0 = all eligible pixels (shuffled)
     * @return null when the slice has no eligible pixel
     */
    public static DataSet from(TrainingSlice s, Property property, int t, SliceInputs.Form form, int maxPixels, long seed) {
        float[] target = s.target(property);
        int hw = s.pixels();
        int[] idx = new int[hw];
        int n = 0;
        for (int p = 0; p < hw; p++) {
            if (s.inMask(p) && target[p] > 0 && Float.isFinite(target[p])) idx[n++] = p;
        }
        if (n == 0) return null;
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = idx[i]; idx[i] = idx[j]; idx[j] = tmp;
        }
        int m = maxPixels > 0 ? Math.min(maxPixels, n) : n;
        int c = SliceInputs.channels(t, form);
        float[] all = SliceInputs.nhwc(s, t, form);
        float[] f = new float[m * c];
        float[] l = new float[m];
        float scale = (float) property.scaleMs();
        for (int i = 0; i < m; i++) {
            int p = idx[i];
            System.arraycopy(all, p * c, f, i * c, c);
            l[i] = target[p] / scale;
        }
        return new DataSet(Nd4j.create(f, new long[]{m, 1, 1, c}), Nd4j.create(l, new long[]{m, 1, 1, 1}));
    }

    /** How many pixels {@link #from} would give for this slice. */
    public static int count(TrainingSlice s, Property property, int maxPixels) {
        float[] target = s.target(property);
        int n = 0;
        for (int p = 0; p < s.pixels(); p++) {
            if (s.inMask(p) && target[p] > 0 && Float.isFinite(target[p])) n++;
        }
        return maxPixels > 0 ? Math.min(n, maxPixels) : n;
    }
}
