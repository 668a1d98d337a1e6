package org.mrf.scq.sim;

/**
 * True tissue maps of one slice, C order (row-major), height x width: T1 and T2 in ms, proton
 * density (water fraction), brain mask (1 inside) and tissue labels ({@link Tissue} codes; all
 * zero for subjects made from continuous maps). Pixels with PD 0 carry no signal.
 */
public record SubjectMaps(int height, int width, float[] t1Ms, float[] t2Ms, float[] pd, byte[] mask, byte[] labels) {
    public SubjectMaps {
        int n = height * width;
        if (t1Ms.length != n || t2Ms.length != n || pd.length != n || mask.length != n || labels.length != n) {
            throw new IllegalArgumentException("maps must all hold " + height + " x " + width + " values");
        }
    }

    public int pixels() {
        return height * width;
    }

    /** Whether a pixel carries signal (positive PD, T1 and T2). */
    public boolean hasSignal(int i) {
        return pd[i] > 0 && t1Ms[i] > 0 && t2Ms[i] > 0;
    }

    /**
     * The m x m maps whose pixel (iy, ix) is this slice's pixel {@code source.applyAsInt(iy, ix)} (an index into these
     * maps), or background where that is negative: the one resampling loop of nearest-neighbour moves and subsampling.
     */
    public SubjectMaps resampled(int m, java.util.function.IntBinaryOperator source) {
        float[] t1 = new float[m * m], t2 = new float[m * m], p = new float[m * m];
        byte[] k = new byte[m * m], l = new byte[m * m];
        for (int iy = 0; iy < m; iy++) {
            for (int ix = 0; ix < m; ix++) {
                int i = iy * m + ix, j = source.applyAsInt(iy, ix);
                if (j < 0) continue;
                t1[i] = t1Ms[j];
                t2[i] = t2Ms[j];
                p[i] = pd[j];
                k[i] = mask[j];
                l[i] = labels[j];
            }
        }
        return new SubjectMaps(m, m, t1, t2, p, k, l);
    }

    public int maskCount() {
        int c = 0;
        for (byte b : mask) if (b != 0) c++;
        return c;
    }
}
