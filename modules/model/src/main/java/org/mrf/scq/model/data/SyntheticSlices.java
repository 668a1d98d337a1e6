package org.mrf.scq.model.data;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small synthetic slices for tests and benchmarks: piecewise-constant phantoms (Voronoi cells, each
 * with its own T1/T2 and PD) inside a disk mask, EPG fingerprints with a smooth random phase, plus
 * complex Gaussian noise. Not the project's in-vivo-like simulator (that lives in mrf-sim); this one
 * only has to give the networks something learnable quickly.
 */
public final class SyntheticSlices {
    private final EpgSimulator sim;
    private final int t;
    private final Map<Long, double[][]> cache = new HashMap<>();

    public SyntheticSlices(FispSequence sequence) {
        this.sim = new EpgSimulator(sequence, 1e-5);
        this.t = sequence.length();
    }

    public int t() { return t; }

    private double[][] fingerprint(double t1, double t2) {
        long key = Double.doubleToLongBits(t1) * 31 + Double.doubleToLongBits(t2);
        return cache.computeIfAbsent(key, k -> sim.simulate(t1, t2));
    }

    /**
     * @param cells  tissue regions per slice
     * @param noise  noise sigma relative to the RMS of a unit-PD fingerprint (0 = clean)
     */
    public TrainingSlice slice(String subject, int index, int h, int w, int cells, double noise, long seed) {
        Random rnd = new Random(seed);
        double[] cy = new double[cells], cx = new double[cells], t1 = new double[cells], t2 = new double[cells], pd = new double[cells];
        for (int k = 0; k < cells; k++) {
            cy[k] = rnd.nextDouble() * h;
            cx[k] = rnd.nextDouble() * w;
            t1[k] = Math.round(300 + rnd.nextDouble() * 2200);
            t2[k] = Math.round(Math.min(t1[k] * 0.5, 30 + rnd.nextDouble() * 220));
            pd[k] = 0.6 + 0.4 * rnd.nextDouble();
        }
        double phase0 = rnd.nextDouble() * 2 * Math.PI, gy = (rnd.nextDouble() - 0.5) * 0.3, gx = (rnd.nextDouble() - 0.5) * 0.3;
        int hw = h * w;
        float[] re = new float[t * hw], im = new float[t * hw], m1 = new float[hw], m2 = new float[hw], mask = new float[hw];
        double r2 = 0.47 * 0.47 * Math.min(h, w) * Math.min(h, w);
        double rms = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                double dy = y + 0.5 - h / 2.0, dx = x + 0.5 - w / 2.0;
                if (dy * dy + dx * dx > r2) continue;
                int best = 0;
                double bd = Double.MAX_VALUE;
                for (int k = 0; k < cells; k++) {
                    double d = (y - cy[k]) * (y - cy[k]) + (x - cx[k]) * (x - cx[k]);
                    if (d < bd) { bd = d; best = k; }
                }
                double[][] f = fingerprint(t1[best], t2[best]);
                double ph = phase0 + gy * y + gx * x, c = Math.cos(ph), s = Math.sin(ph);
                for (int k = 0; k < t; k++) {
                    double a = f[0][k] * pd[best], b = f[1][k] * pd[best];
                    re[k * hw + p] = (float) (a * c - b * s);
                    im[k * hw + p] = (float) (a * s + b * c);
                    rms += (f[0][k] * f[0][k] + f[1][k] * f[1][k]);
                }
                m1[p] = (float) t1[best];
                m2[p] = (float) t2[best];
                mask[p] = 1f;
            }
        }
        if (noise > 0) {
            int inside = 0;
            for (float v : mask) inside += v != 0 ? 1 : 0;
            double sigma = noise * Math.sqrt(rms / Math.max(1, inside) / t);
            for (int i = 0; i < re.length; i++) {
                re[i] += (float) (sigma * rnd.nextGaussian());
                im[i] += (float) (sigma * rnd.nextGaussian());
            }
        }
        return new TrainingSlice(subject, index, h, w, t, re, im, m1, m2, mask);
    }

    /** {@code n} slices of subject {@code subject}, seeds derived from {@code seed}. */
    public List<TrainingSlice> slices(String subject, int n, int h, int w, int cells, double noise, long seed) {
        List<TrainingSlice> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(slice(subject, i, h, w, cells, noise, seed * 7919 + i));
        return out;
    }
}
