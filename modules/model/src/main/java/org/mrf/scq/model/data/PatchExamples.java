package org.mrf.scq.model.data;

import org.mrf.scq.model.Property;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Step-2 examples: size x size patches, as many as a grid of the given stride gives (the last row/column of the
 * grid is moved flush with the border so every pixel is covered). Without {@code augment} the patches are the
 * grid's, as they are; with it each is cut at a random place and in a random one of the 8 symmetries of the square
 * (flips about the axes and the diagonals): the small cohorts a 2-core machine trains on have only a few dozen grid
 * patches, and a U-Net that sees the same few dozen every epoch learns their anatomy instead of the spatial
 * correction. Rotating the view is physically sound: the spiral's point-spread function is rotationally symmetric.
 * Features NHWC [p, size, size, C]; labels [p, size, size, 1] = target / scale inside the slice mask, 0 outside: the
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
    public static DataSet from(TrainingSlice s, Property property, int t, SliceInputs.Form form, int size, int stride,
                               boolean augment, long seed) {
        float[] target = s.target(property);
        int h = s.h(), w = s.w();
        int c = SliceInputs.channels(t, form);
        List<Integer> ys = starts(h, size, stride), xs = starts(w, size, stride);
        if (ys.isEmpty() || xs.isEmpty()) return null;
        float[] all = SliceInputs.nhwc(s, t, form);
        float scale = (float) property.scaleMs();
        Random rnd = new Random(seed);
        List<float[]> fs = new ArrayList<>(), ls = new ArrayList<>();
        for (int gy : ys) {
            for (int gx : xs) {
                int y0 = augment ? rnd.nextInt(h - size + 1) : gy;
                int x0 = augment ? rnd.nextInt(w - size + 1) : gx;
                boolean flipV = augment && rnd.nextBoolean();
                boolean flipH = augment && rnd.nextBoolean();
                boolean transpose = augment && rnd.nextBoolean();
                float[] f = new float[size * size * c];
                float[] l = new float[size * size];
                int count = 0;
                for (int dy = 0; dy < size; dy++) {
                    int a = flipV ? size - 1 - dy : dy;
                    for (int dx = 0; dx < size; dx++) {
                        int b = flipH ? size - 1 - dx : dx;
                        int p = transpose ? (y0 + b) * w + x0 + a : (y0 + a) * w + x0 + b, q = dy * size + dx;
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

    /**
     * How many patches {@link #from} gives for this slice without augmentation (grid patches with at least one masked
     * pixel); with it, about as many (a random patch can miss the mask).
     */
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
