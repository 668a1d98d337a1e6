package org.mrf.scq.io;

import org.mrf.scq.core.eval.MapErrors;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * One held-out slice with every method side by side, after Figs. 4-5 of Fang et al. (IEEE TMI 2019): a row of T1
 * maps (the DM ground truth, then each method), below it each method's relative error against the ground truth, then
 * the same two rows for T2. Every panel has its colour bar ({@link MapImages#tile}).
 *
 * <p>Maps are enlarged by pixel repetition (nearest neighbour, no interpolation that would hide the blurring the figure
 * is meant to show) to at least {@link #MIN_PANEL} pixels on their short side, so that a 64 x 64 slice is readable.
 */
public final class ComparisonFigure {
    /** Smallest panel size in picture pixels. */
    public static final int MIN_PANEL = 256;
    private static final int HEADER = 20;

    /** One method's maps (ms), row-major like the ground truth. */
    public record Method(String label, float[] t1, float[] t2) {
    }

    /** Display windows: maps from 0 to {@code t1Max} / {@code t2Max} ms, relative errors from 0 to {@code errPctMax} %. */
    public record Windows(float t1Max, float t2Max, float errPctMax) {
        /** The dictionary's T1 and T2 ranges at 3 T brain values, and 30 % error. */
        public static final Windows BRAIN = new Windows(3000, 300, 30);
    }

    private ComparisonFigure() {
    }

    /** The integer enlargement that brings the short side of an {@code h x w} map to at least {@link #MIN_PANEL}. */
    public static int scale(int h, int w) {
        return Math.max(1, (int) Math.ceil(MIN_PANEL / (double) Math.min(h, w)));
    }

    /** Nearest-neighbour enlargement by {@code k} in both directions (each value becomes a k x k block). */
    static float[] upsample(float[] m, int h, int w, int k) {
        float[] o = new float[h * k * w * k];
        for (int y = 0; y < h * k; y++) {
            for (int x = 0; x < w * k; x++) o[y * w * k + x] = m[(y / k) * w + x / k];
        }
        return o;
    }

    /**
     * @param title   the header, e.g. {@code "sub-003 slice 1, ar 4"}
     * @param gtT1    DM ground truth T1 (ms), {@code h x w} row-major
     * @param mask    brain mask (pixels &gt; 0 shown), or null for every pixel
     */
    public static BufferedImage render(String title, float[] gtT1, float[] gtT2, List<Method> methods, int h, int w, float[] mask,
                                       Windows win) {
        if (methods.isEmpty()) throw new IllegalArgumentException("no methods to show");
        int n = h * w;
        if (gtT1.length != n || gtT2.length != n || (mask != null && mask.length != n)) {
            throw new IllegalArgumentException("ground truth or mask is not " + h + " x " + w);
        }
        for (Method m : methods) {
            if (m.t1().length != n || m.t2().length != n) throw new IllegalArgumentException(m.label() + ": maps are not " + h + " x " + w);
        }
        int k = scale(h, w);
        boolean[] bm = mask == null ? null : MapImages.maskOf(upsample(mask, h, w, k));
        List<BufferedImage> rows = new ArrayList<>();
        rows.add(mapRow("T1", gtT1, methods, true, h, w, k, bm, win.t1Max()));
        rows.add(errorRow("T1", gtT1, methods, true, mask, h, w, k, bm, win.errPctMax()));
        rows.add(mapRow("T2", gtT2, methods, false, h, w, k, bm, win.t2Max()));
        rows.add(errorRow("T2", gtT2, methods, false, mask, h, w, k, bm, win.errPctMax()));
        int width = rows.get(0).getWidth(), panelW = width - rows.get(1).getWidth();
        int height = HEADER + rows.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, width, height);
            int y = HEADER;
            for (int r = 0; r < rows.size(); r++) {
                // error rows have no ground-truth panel: they start under the first method
                g.drawImage(rows.get(r), r % 2 == 1 ? panelW : 0, y, null);
                y += rows.get(r).getHeight();
            }
            try {
                g.setColor(Color.WHITE);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                g.drawString(title, MapImages.GAP, HEADER - 5);
            } catch (RuntimeException | Error e) { // no fonts on a bare server JVM: the figure without its header text
                if (e instanceof VirtualMachineError vm) throw vm;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static BufferedImage mapRow(String what, float[] gt, List<Method> methods, boolean t1, int h, int w, int k, boolean[] bm,
                                        float max) {
        List<MapImages.Panel> panels = new ArrayList<>();
        panels.add(new MapImages.Panel(what + " ground truth [ms]", upsample(gt, h, w, k), 0, max, MapImages.Colormap.VIRIDIS));
        for (Method m : methods) {
            panels.add(new MapImages.Panel(what + " " + m.label() + " [ms]", upsample(t1 ? m.t1() : m.t2(), h, w, k), 0, max,
                    MapImages.Colormap.VIRIDIS));
        }
        return MapImages.tile(panels, h * k, w * k, bm);
    }

    private static BufferedImage errorRow(String what, float[] gt, List<Method> methods, boolean t1, float[] mask, int h, int w, int k,
                                          boolean[] bm, float errPctMax) {
        List<MapImages.Panel> panels = new ArrayList<>();
        for (Method m : methods) {
            float[] e = MapErrors.relativeErrorMap(t1 ? m.t1() : m.t2(), gt, mask);
            for (int p = 0; p < e.length; p++) e[p] *= 100;
            panels.add(new MapImages.Panel(what + " " + m.label() + " |error| [%]", upsample(e, h, w, k), 0, errPctMax,
                    MapImages.Colormap.GRAY));
        }
        return MapImages.tile(panels, h * k, w * k, bm);
    }
}
