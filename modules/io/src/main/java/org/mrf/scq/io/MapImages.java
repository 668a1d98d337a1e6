package org.mrf.scq.io;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PNG pictures of parametric maps (T1, T2, PD, errors): a float map {@code (H, W)} in C order
 * becomes an 8-bit image through a {@code [min, max]} window and a colormap; masked-out pixels
 * and NaN are black. Works headless (only {@link BufferedImage}, {@link Graphics2D} and
 * {@link ImageIO}, which need no display); text labels are drawn when the JVM has a usable font
 * and silently left out otherwise.
 *
 * <p>Row 0 of the map is the top row of the picture and column 0 the left column.
 */
public final class MapImages {
    private MapImages() {
    }

    /** A 256-entry colour table (index 0 = window minimum). */
    public enum Colormap {
        GRAY(false), VIRIDIS(true);

        private final int[] table;

        Colormap(boolean viridis) {
            this.table = build(viridis);
        }

        /** Packed 0xRRGGBB colour of level 0..255. */
        public int rgb(int level) {
            return table[Math.max(0, Math.min(255, level))];
        }

        private static int[] build(boolean viridis) {
            int[] t = new int[256];
            for (int i = 0; i < 256; i++) {
                t[i] = !viridis ? (i << 16) | (i << 8) | i : viridisLike(i / 255.0);
                // 8-bit rounding can make neighbouring levels equally bright or darker: nudge green
                // (the most luminous primary) until lightness rises strictly, as a perceptual map should
                while (i > 0 && luminance(t[i]) <= luminance(t[i - 1]) && (t[i] >> 8 & 255) < 255) t[i] += 1 << 8;
            }
            return t;
        }
    }

    /**
     * Anchor colours of a viridis-like map (dark blue-violet -> blue -> teal -> green -> yellow),
     * chosen so that lightness rises monotonically; the table is computed by piecewise-linear
     * interpolation between them in sRGB.
     */
    private static final int[][] ANCHORS = {
            {68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142},
            {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37}};

    /** Relative luminance (sRGB, D65) of a packed colour. */
    static double luminance(int rgb) {
        return 0.2126 * linear(rgb >> 16 & 255) + 0.7152 * linear(rgb >> 8 & 255) + 0.0722 * linear(rgb & 255);
    }

    private static double linear(int c8) {
        double c = c8 / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    static int viridisLike(double x) {
        double p = Math.max(0, Math.min(1, x)) * (ANCHORS.length - 1);
        int k = Math.min(ANCHORS.length - 2, (int) Math.floor(p));
        double f = p - k;
        int[] a = ANCHORS[k], b = ANCHORS[k + 1];
        int r = (int) Math.round(a[0] + f * (b[0] - a[0]));
        int g = (int) Math.round(a[1] + f * (b[1] - a[1]));
        int bl = (int) Math.round(a[2] + f * (b[2] - a[2]));
        return (r << 16) | (g << 8) | bl;
    }

    /** Display level 0..255 of a value through the window; -1 for NaN. */
    static int level(float v, float min, float max) {
        if (Float.isNaN(v)) return -1;
        double f = (v - (double) min) / ((double) max - min);
        if (!(f > 0)) return 0; // also -inf
        if (f >= 1) return 255;
        return (int) Math.min(255, Math.floor(f * 256));
    }

    /**
     * Renders {@code map} (flat C order, {@code h} rows by {@code w} columns) as an RGB image.
     *
     * @param mask optional, same length; pixels where it is false are black
     */
    public static BufferedImage render(float[] map, int h, int w, float min, float max, Colormap cmap, boolean[] mask) {
        if (map.length != (long) h * w) throw new IllegalArgumentException("map has " + map.length + " values, not " + h + "x" + w);
        if (mask != null && mask.length != map.length) throw new IllegalArgumentException("mask size differs from the map");
        if (!(max > min) || !Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException("window [" + min + ", " + max + "] must be finite with max > min");
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int lv = (mask != null && !mask[i]) ? -1 : level(map[i], min, max);
                row[x] = lv < 0 ? 0 : cmap.rgb(lv);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }

    /** Renders a 2D {@link NdArray} (real part). */
    public static BufferedImage render(NdArray map, float min, float max, Colormap cmap, boolean[] mask) {
        if (map.rank() != 2) throw new IllegalArgumentException("a map is (H, W), not rank " + map.rank());
        return render(map.re(), map.dim(0), map.dim(1), min, max, cmap, mask);
    }

    /** A boolean mask from a 0/1 (or any) array: true where the value is non-zero and not NaN. */
    public static boolean[] maskOf(float[] values) {
        boolean[] m = new boolean[values.length];
        for (int i = 0; i < values.length; i++) m[i] = values[i] != 0 && !Float.isNaN(values[i]);
        return m;
    }

    /** Writes an image as PNG. */
    public static void writePng(BufferedImage img, OutputStream out) throws IOException {
        if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this JVM");
        out.flush();
    }

    /** Renders a 2D map and writes it as PNG in one go. */
    public static void writePng(NdArray map, float min, float max, Colormap cmap, boolean[] mask, OutputStream out)
            throws IOException {
        writePng(render(map, min, max, cmap, mask), out);
    }

    /** One panel of a figure: a map with its own window, colormap and title. */
    public record Panel(String title, float[] map, float min, float max, Colormap cmap) {
    }

    /** Layout constants of {@link #tile}: gap between panels, colour bar width, and the label strip. */
    public static final int GAP = 4, BAR_WIDTH = 12, TITLE_HEIGHT = 16;

    /**
     * Tiles maps side by side (e.g. truth | estimate | |error|), each followed by a vertical
     * colour bar of its window (maximum at the top), over a black background, with the panel
     * title above and the window limits beside the bar when a font is available.
     * All maps are {@code h x w}; the mask (optional) applies to every panel.
     */
    public static BufferedImage tile(List<Panel> panels, int h, int w, boolean[] mask) {
        if (panels.isEmpty()) throw new IllegalArgumentException("no panels");
        int labelW = 44;
        int panelW = w + GAP + BAR_WIDTH + labelW;
        int width = panels.size() * panelW + GAP;
        int height = TITLE_HEIGHT + h + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, width, height);
            List<Runnable> text = new ArrayList<>();
            for (int p = 0; p < panels.size(); p++) {
                Panel pn = panels.get(p);
                int x0 = GAP + p * panelW;
                g.drawImage(render(pn.map(), h, w, pn.min(), pn.max(), pn.cmap(), mask), x0, TITLE_HEIGHT, null);
                int bx = x0 + w + GAP;
                for (int y = 0; y < h; y++) { // top = max
                    int lv = h == 1 ? 255 : (int) Math.round(255.0 * (h - 1 - y) / (h - 1));
                    int rgb = pn.cmap().rgb(lv);
                    for (int x = bx; x < bx + BAR_WIDTH; x++) img.setRGB(x, TITLE_HEIGHT + y, rgb);
                }
                text.add(() -> {
                    g.setColor(Color.WHITE);
                    if (pn.title() != null) g.drawString(pn.title(), x0, TITLE_HEIGHT - 4);
                    g.drawString(label(pn.max()), bx + BAR_WIDTH + 2, TITLE_HEIGHT + 10);
                    g.drawString(label(pn.min()), bx + BAR_WIDTH + 2, TITLE_HEIGHT + h - 1);
                });
            }
            try {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                text.forEach(Runnable::run);
            } catch (RuntimeException | Error e) { // no fonts / fontconfig on a bare server JVM: pictures without labels
                if (e instanceof VirtualMachineError vm) throw vm;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Truth | estimate | absolute error, the usual MRF map figure. */
    public static BufferedImage truthEstimateError(String what, float[] truth, float[] estimate, int h, int w, float min,
                                                   float max, float errMax, boolean[] mask) {
        float[] err = new float[truth.length];
        for (int i = 0; i < err.length; i++) err[i] = Math.abs(estimate[i] - truth[i]);
        return tile(List.of(new Panel(what + " truth", truth, min, max, Colormap.VIRIDIS),
                new Panel(what + " estimate", estimate, min, max, Colormap.VIRIDIS),
                new Panel("|error|", err, 0, errMax, Colormap.GRAY)), h, w, mask);
    }

    static String label(float v) {
        float a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-2)) return String.format(Locale.ROOT, "%.1e", v);
        if (a >= 100 || v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
