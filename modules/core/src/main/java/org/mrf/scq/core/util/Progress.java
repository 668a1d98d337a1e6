package org.mrf.scq.core.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line for long jobs: percent, rate and ETA on stderr, at most every half second,
 * rewritten in place on a terminal and one line per 10 % otherwise (logs stay readable).
 */
public final class Progress {
    private final String label;
    private long total;
    private final String unit;
    private final long start = System.nanoTime();
    private final PrintStream out;
    private final boolean tty = System.console() != null;
    private long done;
    private long lastPrint;
    private int lastDecile = -1;
    private boolean finished;
    private boolean started;

    public Progress(String label, long total, String unit) {
        this(label, total, unit, System.err);
    }

    public Progress(String label, long total, String unit, PrintStream out) {
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.out = out;
    }

    public synchronized void advance(long units) {
        done = Math.min(total, done + units);
        long now = System.nanoTime();
        int decile = (int) (10 * done / total);
        if (done >= total) {
            return; // the closing line is finish()'s, with the total time
        }
        if (tty ? now - lastPrint > 500_000_000L : decile > lastDecile) {
            lastPrint = now;
            lastDecile = decile;
            print(false);
        }
    }

    /** Work discovered while running (e.g. the tasks of a Spark stage submitted later). */
    public synchronized void addTotal(long more) {
        total = started ? total + more : Math.max(1, more);
        started = true;
    }

    public synchronized void finish() {
        if (finished) return;
        finished = true;
        done = total;
        print(true);
    }

    /** The current line, e.g. "dictionary  45.0%  6,000/13,123 entries  1,210 entries/s  ETA 6s". */
    public synchronized String line() {
        double sec = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        double rate = done / sec;
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        String r = rate >= 10 ? String.format(Locale.ROOT, "%,.0f", rate) : String.format(Locale.ROOT, "%.3g", rate);
        return String.format(Locale.ROOT, "%s %5.1f%%  %,d/%,d %s  %s %s/s  %s", label, 100.0 * done / total, done, total,
                unit, r, unit, done >= total ? "in " + fmt(sec) : "ETA " + fmt(eta));
    }

    private void print(boolean last) {
        String l = line();
        if (tty) {
            out.print("\r" + l + (last ? "\n" : ""));
        } else {
            out.println(l);
        }
        out.flush();
    }

    static String fmt(double s) {
        if (!Double.isFinite(s)) return "?";
        if (s < 60) return String.format(Locale.ROOT, "%.0fs", s);
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", (int) s / 60, (int) s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", (int) s / 3600, ((int) s % 3600) / 60);
    }
}
