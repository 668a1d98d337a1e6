package org.mrf.scq.model.data;

import org.mrf.scq.model.Property;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Step-2 examples: size x size patches at the given stride (the last row/column of patches is moved
 * flush with the border so every pixel is covered), randomly flipped when asked. Features NHWC
 * [p, size, size, C]; labels [p, size, size, 1] = target / scale inside the slice mask, 0 outside: the
 * mask travels in the labels ({@link org.mrf.scq.model.nn.RelativeDifferenceLoss} counts label > 0 only),
 * because DL4J 1.0.0-M2.1's CnnLossLayer applies NHWC label masks to the wrong pixels. {@link #mask} gives
 * the mask as an array. Patches without any masked pixel are dropped. A pure function of its arguments;
 * Spark executors can call it.
 */
public final class PatchExamples {
    private PatchExamples() {
    }

    static List<Integer> starts(int n, int size, int stride) {
        List<Integer> s = new ArrayList<>();
        if (n < size) return s;
        for (int y = 0; y + size <= n; y += stride) s.add(y);
        if (s.get(s.size() - 1) + size < n) s.add(n - size);
        return s;
    }

    /** @return null when the slice is smaller than a patch or no patch has a masked pixel */
    public static DataSet from(TrainingSlice s, Property property, int t, boolean magnitude, int size, int stride,
                               boolean flips, long seed) {
        float[] target = s.target(property);
        int h = s.h(), w = s.w();
        int c = SliceInputs.channels(t, magnitude);
        List<Integer> ys = starts(h, size, stride), xs = starts(w, size, stride);
        if (ys.isEmpty() || xs.isEmpty()) return null;
        float[] all = SliceInputs.nhwc(s, t, magnitude);
        float scale = (float) property.scaleMs();
        Random rnd = new Random(seed);
        List<float[]> fs = new ArrayList<>(), ls = new ArrayList<>();
        for (int y0 : ys) {
            for (int x0 : xs) {
                boolean flipV = flips && rnd.nextBoolean();
                boolean flipH = flips && rnd.nextBoolean();
                float[] f = new float[size * size * c];
                float[] l = new float[size * size];
                int count = 0;
                for (int dy = 0; dy < size; dy++) {
                    int sy = y0 + (flipV ? size - 1 - dy : dy);
                    for (int dx = 0; dx < size; dx++) {
                        int sx = x0 + (flipH ? size - 1 - dx : dx);
                        int p = sy * w + sx, q = dy * size + dx;
                        System.arraycopy(all, p * c, f, q * c, c);
                        float tv = target[p];
                        if (s.inMask(p) && tv > 0 && Float.isFinite(tv)) {
                            l[q] = tv / scale;
                            count++;
                        }
                    }
                }
                if (count > 0) {
                    fs.add(f);
                    ls.add(l);
                }
            }
        }
        int n = fs.size();
        if (n == 0) return null;
        int fc = size * size * c, lc = size * size;
        float[] f = new float[n * fc], l = new float[n * lc];
        for (int i = 0; i < n; i++) {
            System.arraycopy(fs.get(i), 0, f, i * fc, fc);
            System.arraycopy(ls.get(i), 0, l, i * lc, lc);
        }
        return new DataSet(Nd4j.create(f, new long[]{n, size, size, c}), Nd4j.create(l, new long[]{n, size, size, 1}));
    }

    /** The 0/1 mask of a patch DataSet (label > 0), shape of the labels. */
    public static org.nd4j.linalg.api.ndarray.INDArray mask(DataSet patches) {
        return patches.getLabels().gt(0).castTo(patches.getLabels().dataType());
    }

    /** How many patches {@link #from} would give for this slice (those with at least one masked pixel). */
    public static int count(TrainingSlice s, Property property, int size, int stride) {
        float[] target = s.target(property);
        int w = s.w();
        int n = 0;
        for (int y0 : starts(s.h(), size, stride)) {
            for (int x0 : starts(w, size, stride)) {
                boolean any = false;
                for (int dy = 0; dy < size && !any; dy++) {
                    for (int dx = 0; dx < size; dx++) {
                        int p = (y0 + dy) * w + x0 + dx;
                        if (s.inMask(p) && target[p] > 0 && Float.isFinite(target[p])) { any = true; break; }
                    }
                }
                if (any) n++;
            }
        }
        return n;
    }
}
