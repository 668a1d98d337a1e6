package org.mrf.scq.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The error-vs-D plot of the FE ablation (SCQ's learned FE against SCQ_S's fixed SVD projection), and the same plot
 * against the acceleration rate ({@link Axis#AR}, on a log2 axis): two panels, T1 and T2 error in percent against the
 * x values, one line with markers per series, tick labels and a legend. Drawn with
 * {@link Graphics2D} only, so it works headless; like {@link MapImages#tile}, text is left out when the JVM has no
 * usable font rather than failing the report.
 */
public final class ErrorVsDFigure {
    /** Size of the whole picture (two panels side by side). */
    public static final int WIDTH = 760, HEIGHT = 340;
    private static final int LEFT = 52, RIGHT = 12, TOP = 24, BOTTOM = 62;
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75)};

    /** The x axis: its name, and whether positions are log2 of the values (ar 2, 4, 8, 16 evenly spaced). */
    public record Axis(String name, boolean log2) {
        public static final Axis D = new Axis("D", false), AR = new Axis("ar", true);
    }

    /** One line: errors in percent at each x value ({@code d}: D, or ar on {@link Axis#AR}; same length, ascending). */
    public record Series(String label, int[] d, double[] t1ErrPct, double[] t2ErrPct) {
        public Series {
            if (d.length == 0 || d.length != t1ErrPct.length || d.length != t2ErrPct.length) {
                throw new IllegalArgumentException("series " + label + ": D and errors must have the same non-zero length");
            }
        }
    }

    private ErrorVsDFigure() {
    }

    public static BufferedImage render(List<Series> series) {
        return render(series, Axis.D);
    }

    public static BufferedImage render(List<Series> series, Axis axis) {
        if (series.isEmpty()) throw new IllegalArgumentException("no series");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            boolean text = true;
            try {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                g.getFontMetrics();
            } catch (RuntimeException | Error e) { // no fonts / fontconfig on a bare server JVM: lines without labels
                if (e instanceof VirtualMachineError vm) throw vm;
                text = false;
            }
            int panelW = WIDTH / 2;
            panel(g, 0, panelW, "T1 error vs " + axis.name(), series, true, text, axis);
            panel(g, panelW, panelW, "T2 error vs " + axis.name(), series, false, text, axis);
            legend(g, series, text);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void panel(Graphics2D g, int x0, int w, String title, List<Series> series, boolean t1, boolean text, Axis axis) {
        int dMin = Integer.MAX_VALUE, dMax = Integer.MIN_VALUE;
        double eMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.d().length; i++) {
                dMin = Math.min(dMin, s.d()[i]);
                dMax = Math.max(dMax, s.d()[i]);
                double e = (t1 ? s.t1ErrPct() : s.t2ErrPct())[i];
                if (Double.isFinite(e)) eMax = Math.max(eMax, e);
            }
        }
        if (axis.log2() && dMin < 1) throw new IllegalArgumentException("a log2 axis needs x values >= 1, not " + dMin);
        if (dMax == dMin) {
            dMin = axis.log2() ? Math.max(1, dMin / 2) : dMin - 1;
            dMax = axis.log2() ? dMax * 2 : dMax + 1;
        }
        // 5 % headroom so that the largest error's marker is not cut by the frame
        double top = eMax > 0 ? eMax * 1.05 : 1, step = niceStep(top);
        double yMax = Math.ceil(top / step) * step;
        int px = x0 + LEFT, py = TOP, pw = w - LEFT - RIGHT, ph = HEIGHT - TOP - BOTTOM;
        java.util.function.IntToDoubleFunction pos = axis.log2() ? d -> Math.log(d) / Math.log(2) : d -> d;
        final double lo = pos.applyAsDouble(dMin), hi = pos.applyAsDouble(dMax);
        java.util.function.IntUnaryOperator sx = d -> px + (int) Math.round((pos.applyAsDouble(d) - lo) / (hi - lo) * pw);
        java.util.function.DoubleToIntFunction sy = e -> py + ph - (int) Math.round(e / yMax * ph);
        g.setColor(new Color(225, 225, 225));
        for (double y = step; y <= yMax + 1e-9; y += step) g.drawLine(px, sy.applyAsInt(y), px + pw, sy.applyAsInt(y));
        g.setColor(Color.BLACK);
        g.drawRect(px, py, pw, ph);
        java.util.TreeSet<Integer> ticks = new java.util.TreeSet<>();
        for (Series s : series) for (int d : s.d()) ticks.add(d);
        for (int d : ticks) g.drawLine(sx.applyAsInt(d), py + ph, sx.applyAsInt(d), py + ph + 4);
        for (double y = 0; y <= yMax + 1e-9; y += step) g.drawLine(px - 4, sy.applyAsInt(y), px, sy.applyAsInt(y));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            double[] e = t1 ? s.t1ErrPct() : s.t2ErrPct();
            g.setColor(COLORS[k % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int lastX = -1, lastY = -1;
            for (int i = 0; i < s.d().length; i++) {
                if (!Double.isFinite(e[i])) {
                    lastX = -1;
                    continue;
                }
                int x = sx.applyAsInt(s.d()[i]), y = sy.applyAsInt(e[i]);
                if (lastX >= 0) g.drawLine(lastX, lastY, x, y);
                g.fillOval(x - 3, y - 3, 7, 7);
                lastX = x;
                lastY = y;
            }
            g.setStroke(new BasicStroke(1f));
        }
        if (text) {
            try {
                labels(g, x0, px, py, pw, ph, title, axis.name(), ticks, sx, sy, yMax, step);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError vm) throw vm;
            }
        }
    }

    private static void labels(Graphics2D g, int x0, int px, int py, int pw, int ph, String title, String xName, java.util.Set<Integer> ticks,
                               java.util.function.IntUnaryOperator sx, java.util.function.DoubleToIntFunction sy, double yMax,
                               double step) {
        g.setColor(Color.BLACK);
        var fm = g.getFontMetrics();
        g.drawString(title, px + (pw - fm.stringWidth(title)) / 2, TOP - 8);
        for (int d : ticks) {
            String l = Integer.toString(d);
            g.drawString(l, sx.applyAsInt(d) - fm.stringWidth(l) / 2, py + ph + 16);
        }
        for (double y = 0; y <= yMax + 1e-9; y += step) {
            String l = label(y, step);
            g.drawString(l, px - 7 - fm.stringWidth(l), sy.applyAsInt(y) + 4);
        }
        g.drawString(xName, px + (pw - fm.stringWidth(xName)) / 2, py + ph + 30);
        Graphics2D r = (Graphics2D) g.create();
        try {
            r.rotate(-Math.PI / 2);
            String l = "error [%]";
            r.drawString(l, -(py + ph / 2 + fm.stringWidth(l) / 2), x0 + 12);
        } finally {
            r.dispose();
        }
    }

    private static void legend(Graphics2D g, List<Series> series, boolean text) {
        int x = LEFT, y = HEIGHT - 14;
        for (int k = 0; k < series.size(); k++) {
            g.setColor(COLORS[k % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x, y - 4, x + 22, y - 4);
            g.fillOval(x + 8, y - 7, 7, 7);
            g.setStroke(new BasicStroke(1f));
            x += 28;
            int advance = 40;
            if (text) {
                try {
                    g.setColor(Color.BLACK);
                    g.drawString(series.get(k).label(), x, y);
                    advance = g.getFontMetrics().stringWidth(series.get(k).label()) + 18;
                } catch (RuntimeException | Error e) {
                    if (e instanceof VirtualMachineError vm) throw vm;
                }
            }
            x += advance;
        }
    }

    /** 1, 2 or 5 times a power of ten, giving 3 to 6 ticks up to {@code max}. */
    static double niceStep(double max) {
        double raw = max / 5, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static String label(double v, double step) {
        return step >= 1 ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%." + (int) Math.ceil(-Math.log10(step)) + "f", v);
    }
}
