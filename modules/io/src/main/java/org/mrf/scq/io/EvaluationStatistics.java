package org.mrf.scq.io;

import org.mrf.scq.core.eval.MethodComparison;
import org.mrf.scq.core.eval.TissueErrors.Region;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The statistics and figures of docs/STATISTICS.md from what an evaluation leaves on disk, without Spark: its maps
 * ({@code maps/<subject>/slice-NNN/}: {@code gt_t1_ms.npy}, {@code gt_t2_ms.npy}, optional {@code true_t1_ms.npy},
 * {@code true_t2_ms.npy}, {@code mask.npy} and {@code labels.npy}, and {@code <method>_ar<N>_t1_ms.npy} /
 * {@code _t2_ms.npy} per method) and its per-slice table {@code tables/errors.csv}, which gives the methods' order
 * and the seconds per slice.
 */
public final class EvaluationStatistics {
    private static final Pattern SLICE = Pattern.compile("slice-(\\d+)");

    private EvaluationStatistics() {
    }

    /** One row of tables/errors.csv: which method estimated which slice at which ar, and in how many seconds. */
    record Row(String method, int ar, String subject, int slice, double seconds) {
    }

    /**
     * Scores every map of the evaluation in {@code dir} into a {@link MethodComparison}, in the order of
     * tables/errors.csv.
     *
     * @param tissueOfLabel which label code is which tissue; labels are used when every slice has labels.npy
     */
    public static MethodComparison read(Path dir, Map<Integer, Region> tissueOfLabel, long seed) throws IOException {
        return read(List.of(dir), tissueOfLabel, seed);
    }

    /**
     * The same over several evaluations of one cohort (e.g. one per fold and ar), in the order given; a slice held out
     * in several of them is one reference.
     */
    public static MethodComparison read(List<Path> dirs, Map<Integer, Region> tissueOfLabel, long seed) throws IOException {
        return read(dirs, null, tissueOfLabel, seed);
    }

    /**
     * The same, with tissue labels taken from a simulated cohort ({@code <cohort>/<subject>/slice-NNN_labels.npy}, as
     * {@code mrf simulate-cohort} writes them) for slices whose maps folder has no labels.npy.
     */
    public static MethodComparison read(List<Path> dirs, Path cohort, Map<Integer, Region> tissueOfLabel, long seed) throws IOException {
        MethodComparison c = new MethodComparison(tissueOfLabel, seed);
        boolean labels = true;
        for (Path dir : dirs) for (Path s : sliceDirs(dir)) labels &= labelsFile(s, cohort) != null;
        java.util.Set<String> refs = new java.util.HashSet<>();
        for (Path dir : dirs) {
            for (Row r : rows(dir.resolve("tables/errors.csv"))) {
                Path s = sliceDir(dir, r.subject(), r.slice());
                if (refs.add(r.subject() + "/" + r.slice())) c.addReference(reference(s, r.subject(), r.slice(), labels ? labelsFile(s, cohort) : null));
                String stem = r.method() + "_ar" + r.ar();
                c.add(new MethodComparison.Estimate(r.method(), r.ar(), r.subject(), r.slice(), npy(s.resolve(stem + "_t1_ms.npy")).toFloat(),
                        npy(s.resolve(stem + "_t2_ms.npy")).toFloat(), r.seconds()));
            }
        }
        return c;
    }

    /**
     * Writes one {@link ComparisonFigure} per held-out slice and ar into {@code out} ({@code <subject>_slice-NNN_ar<N>.png}),
     * with the methods in the order of tables/errors.csv; returns the files written.
     */
    public static List<Path> writeFigures(Path dir, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Map<Integer, List<String>>> methods = new LinkedHashMap<>(); // slice -> ar -> methods
        for (Row r : rows(dir.resolve("tables/errors.csv"))) {
            methods.computeIfAbsent(r.subject() + "/" + r.slice(), k -> new TreeMap<>()).computeIfAbsent(r.ar(), k -> new ArrayList<>()).add(r.method());
        }
        List<Path> written = new ArrayList<>();
        for (var slice : methods.entrySet()) {
            String subject = slice.getKey().substring(0, slice.getKey().lastIndexOf('/'));
            int number = Integer.parseInt(slice.getKey().substring(slice.getKey().lastIndexOf('/') + 1));
            Path s = sliceDir(dir, subject, number);
            MethodComparison.Reference ref = reference(s, subject, number, null);
            for (var byAr : slice.getValue().entrySet()) {
                List<ComparisonFigure.Method> ms = new ArrayList<>();
                for (String m : byAr.getValue()) {
                    String stem = m + "_ar" + byAr.getKey();
                    ms.add(new ComparisonFigure.Method(m.toUpperCase(Locale.ROOT), npy(s.resolve(stem + "_t1_ms.npy")).toFloat(),
                            npy(s.resolve(stem + "_t2_ms.npy")).toFloat()));
                }
                String name = String.format(Locale.ROOT, "%s_slice-%03d_ar%d.png", subject, number, byAr.getKey());
                Path file = out.resolve(name);
                try (OutputStream o = Files.newOutputStream(file)) {
                    MapImages.writePng(ComparisonFigure.render(String.format(Locale.ROOT, "%s slice %d, ar %d (error against the DM ground truth)",
                            subject, number, byAr.getKey()), ref.gtT1(), ref.gtT2(), ms, ref.height(), ref.width(), ref.mask(),
                            ComparisonFigure.Windows.BRAIN), o);
                }
                written.add(file);
            }
        }
        return written;
    }

    /** The error-against-ar figure of every method evaluated at two or more ar; null when there is none. */
    public static java.awt.image.BufferedImage errorVsAr(MethodComparison c) {
        List<ErrorVsDFigure.Series> series = new ArrayList<>();
        for (String m : c.methods()) {
            int[] ars = c.ars(m).stream().mapToInt(Integer::intValue).sorted().toArray();
            if (ars.length < 2) continue;
            double[] t1 = new double[ars.length], t2 = new double[ars.length];
            for (int i = 0; i < ars.length; i++) {
                t1[i] = c.summary(m, ars[i], "t1_err_pct").mean();
                t2[i] = c.summary(m, ars[i], "t2_err_pct").mean();
            }
            series.add(new ErrorVsDFigure.Series(m.toUpperCase(Locale.ROOT), ars, t1, t2));
        }
        return series.isEmpty() ? null : ErrorVsDFigure.render(series, ErrorVsDFigure.Axis.AR);
    }

    static List<Row> rows(Path csv) throws IOException {
        if (!Files.exists(csv)) throw new MrfInputException(csv + " is missing: it is written by 'mrf evaluate'; rerun the evaluation.");
        List<String> lines = Files.readAllLines(csv);
        String header = lines.isEmpty() ? "" : lines.get(0);
        List<String> cols = List.of(header.split(","));
        int m = cols.indexOf("method"), a = cols.indexOf("ar"), su = cols.indexOf("subject"), sl = cols.indexOf("slice"),
                se = cols.indexOf("seconds_per_slice");
        if (m < 0 || a < 0 || su < 0 || sl < 0 || se < 0) {
            throw new MrfInputException(csv + ": header '" + header + "' lacks one of method, ar, subject, slice, seconds_per_slice;"
                    + " it is not an evaluation's errors.csv.");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split(",");
            try {
                rows.add(new Row(f[m], Integer.parseInt(f[a]), f[su], Integer.parseInt(f[sl]), Double.parseDouble(f[se])));
            } catch (RuntimeException e) {
                throw new MrfInputException(csv + " line " + (i + 1) + ": '" + lines.get(i) + "' is not a row of " + header
                        + "; rerun the evaluation.");
            }
        }
        return rows;
    }

    private static List<Path> sliceDirs(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        Path maps = dir.resolve("maps");
        if (!Files.isDirectory(maps)) throw new MrfInputException(maps + " is missing: the evaluation writes its maps there.");
        try (var subjects = Files.list(maps)) {
            for (Path s : subjects.sorted().toList()) {
                if (!Files.isDirectory(s)) continue;
                try (var slices = Files.list(s)) {
                    slices.filter(p -> SLICE.matcher(p.getFileName().toString()).matches()).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    private static Path sliceDir(Path dir, String subject, int slice) {
        return dir.resolve("maps").resolve(subject).resolve(String.format(Locale.ROOT, "slice-%03d", slice));
    }

    /** A slice's labels: labels.npy beside its maps, else the cohort's {@code <subject>/slice-NNN_labels.npy}; null when neither exists. */
    private static Path labelsFile(Path slice, Path cohort) {
        Path own = slice.resolve("labels.npy");
        if (Files.exists(own)) return own;
        if (cohort == null) return null;
        Path c = cohort.resolve(slice.getParent().getFileName().toString()).resolve(slice.getFileName() + "_labels.npy");
        return Files.exists(c) ? c : null;
    }

    /** @param labelsFile tissue labels of the slice, or null to score without them */
    private static MethodComparison.Reference reference(Path s, String subject, int slice, Path labelsFile) throws IOException {
        NpyArray gt1 = npy(s.resolve("gt_t1_ms.npy"));
        int[] shape = gt1.shape();
        if (shape.length != 2) throw new MrfInputException(s.resolve("gt_t1_ms.npy") + ": a map is (H, W), not " + java.util.Arrays.toString(shape));
        float[] mask = Files.exists(s.resolve("mask.npy")) ? npy(s.resolve("mask.npy")).toFloat() : null;
        float[] true1 = Files.exists(s.resolve("true_t1_ms.npy")) ? npy(s.resolve("true_t1_ms.npy")).toFloat() : null;
        float[] true2 = Files.exists(s.resolve("true_t2_ms.npy")) ? npy(s.resolve("true_t2_ms.npy")).toFloat() : null;
        int[] labels = null;
        if (labelsFile != null) {
            float[] l = npy(labelsFile).toFloat();
            labels = new int[l.length];
            for (int i = 0; i < l.length; i++) labels[i] = Math.round(l[i]);
        }
        return new MethodComparison.Reference(subject, slice, shape[0], shape[1], mask, gt1.toFloat(), npy(s.resolve("gt_t2_ms.npy")).toFloat(),
                true1, true2, labels);
    }

    private static NpyArray npy(Path p) throws IOException {
        if (!Files.exists(p)) throw new MrfInputException(p + " is missing: the evaluation's maps are incomplete; rerun the evaluation.");
        try (InputStream in = Files.newInputStream(p)) {
            return NpyArray.read(in, p.toString());
        }
    }
}
