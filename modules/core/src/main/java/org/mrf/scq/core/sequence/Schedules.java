package org.mrf.scq.core.sequence;

import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Schedules by name or file. CSV: a header, required columns {@code flip_deg,tr_ms}, optional
 * {@code te_ms} and {@code phase_deg}. TE and inversion delay come from the caller when the file
 * has no column for them.
 */
public final class Schedules {
    public static final String DEFAULT = "default";
    public static final String JIANG2015 = "jiang2015-fisp-1000";
    /** Built-in schedules, for help texts. */
    public static final List<String> BUILT_IN = List.of(DEFAULT, JIANG2015);

    /** The paper's schedule: 2304 points, TR 7 ms, flips 5-12 deg in five sinusoidal lobes. */
    public static final int DEFAULT_LENGTH = 2304;
    public static final double DEFAULT_TR_MS = 7.0;
    public static final double DEFAULT_TE_MS = 2.0;
    public static final double DEFAULT_INVERSION_MS = 18.0;
    private static final double[] DEFAULT_LOBES = {1.0, 0.55, 0.85, 0.4, 0.7};

    private Schedules() {
    }

    /**
     * Resolves {@code spec} as a built-in name or a CSV path. {@code teMs} is used where the file has
     * no te_ms column, {@code inversionMs} always.
     */
    public static FispSequence load(String spec, double teMs, double inversionMs) {
        if (DEFAULT.equals(spec)) {
            return paperDefault(teMs, inversionMs);
        }
        if (JIANG2015.equals(spec)) {
            try (InputStream in = Schedules.class.getResourceAsStream(JIANG2015 + ".csv")) {
                return parse(JIANG2015, new String(in.readAllBytes(), StandardCharsets.UTF_8), teMs, inversionMs);
            } catch (IOException e) {
                throw new IllegalStateException("bundled schedule " + JIANG2015 + " is unreadable", e);
            }
        }
        Path p = Path.of(spec);
        if (!Files.isRegularFile(p)) {
            throw new MrfInputException("schedule '" + spec + "': no such file, and not a built-in schedule "
                    + BUILT_IN + ". Give a CSV path with columns flip_deg,tr_ms[,te_ms][,phase_deg] or a built-in name.");
        }
        try {
            return parse(p.toString(), Files.readString(p, StandardCharsets.UTF_8), teMs, inversionMs);
        } catch (IOException e) {
            throw new MrfInputException("schedule " + p + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** flip_n = 5 + 7 a_k sin(pi m / 461) deg with k = floor(n / 461), m = n mod 461: the SCQ paper's schedule (Fang et al., IEEE TMI 2019; docs/SCIENCE.md). */
    public static FispSequence paperDefault(double teMs, double inversionMs) {
        int n = DEFAULT_LENGTH;
        double[] flip = new double[n];
        double[] tr = new double[n];
        double[] te = new double[n];
        double[] phase = new double[n];
        for (int i = 0; i < n; i++) {
            int k = i / 461;
            int m = i % 461;
            flip[i] = 5 + 7 * DEFAULT_LOBES[k] * Math.sin(Math.PI * m / 461);
            tr[i] = DEFAULT_TR_MS;
            te[i] = teMs;
            phase[i] = FispSequence.DEFAULT_PHASE_DEG;
        }
        return FispSequence.ofDegrees(DEFAULT, flip, tr, te, phase, inversionMs);
    }

    /** Parses schedule CSV text; {@code source} names the file in error messages. */
    public static FispSequence parse(String source, String text, double teMs, double inversionMs) {
        String[] lines = text.split("\\r?\\n", -1);
        int headerLine = 0;
        while (headerLine < lines.length && lines[headerLine].isBlank()) headerLine++;
        if (headerLine == lines.length) {
            throw new MrfInputException("schedule " + source + ": the file is empty. It needs a header line "
                    + "'flip_deg,tr_ms[,te_ms][,phase_deg]' and one row per time point.");
        }
        String[] header = lines[headerLine].strip().toLowerCase(Locale.ROOT).split(",", -1);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            String h = header[i].strip();
            if (!List.of("flip_deg", "tr_ms", "te_ms", "phase_deg").contains(h)) {
                throw new MrfInputException("schedule " + source + " line " + (headerLine + 1) + ": unknown column '"
                        + h + "'. Allowed columns: flip_deg, tr_ms (required), te_ms, phase_deg (optional).");
            }
            if (col.put(h, i) != null) {
                throw new MrfInputException("schedule " + source + " line " + (headerLine + 1) + ": column '" + h
                        + "' appears twice.");
            }
        }
        for (String req : List.of("flip_deg", "tr_ms")) {
            if (!col.containsKey(req)) {
                throw new MrfInputException("schedule " + source + ": missing required column '" + req
                        + "' in header '" + lines[headerLine].strip() + "'. The header must name flip_deg and tr_ms.");
            }
        }
        List<double[]> rows = new ArrayList<>();
        for (int li = headerLine + 1; li < lines.length; li++) {
            String line = lines[li].strip();
            if (line.isEmpty()) continue;
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                throw new MrfInputException("schedule " + source + " line " + (li + 1) + ": " + cells.length
                        + " cells, but the header has " + header.length + ".");
            }
            double flip = cell(source, li, cells, col, "flip_deg");
            double tr = cell(source, li, cells, col, "tr_ms");
            double te = col.containsKey("te_ms") ? cell(source, li, cells, col, "te_ms") : teMs;
            double ph = col.containsKey("phase_deg") ? cell(source, li, cells, col, "phase_deg") : 90.0;
            if (flip < 0 || flip > 180) {
                throw new MrfInputException("schedule " + source + " line " + (li + 1) + ": flip_deg=" + flip
                        + " is outside 0-180 degrees.");
            }
            if (tr <= 0) {
                throw new MrfInputException("schedule " + source + " line " + (li + 1) + ": tr_ms=" + tr
                        + " must be > 0.");
            }
            if (te < 0 || te >= tr) {
                throw new MrfInputException("schedule " + source + " line " + (li + 1) + ": TE=" + te
                        + " ms must satisfy 0 <= TE < TR (TR=" + tr + " ms). Set te_ms in the file or --te-ms.");
            }
            rows.add(new double[]{flip, tr, te, ph});
        }
        if (rows.isEmpty()) {
            throw new MrfInputException("schedule " + source + ": the header has no data rows after it. "
                    + "Add one row per time point.");
        }
        int n = rows.size();
        double[] flip = new double[n], tr = new double[n], te = new double[n], ph = new double[n];
        for (int i = 0; i < n; i++) {
            double[] r = rows.get(i);
            flip[i] = r[0];
            tr[i] = r[1];
            te[i] = r[2];
            ph[i] = r[3];
        }
        if (!(inversionMs >= 0) || !Double.isFinite(inversionMs)) {
            throw new MrfInputException("inversion delay " + inversionMs + " ms (for schedule " + source
                    + ") must be a finite number >= 0. Set --inversion-ms or mrf.sequence.inversion-ms.");
        }
        String name = source.replaceAll(".*/", "").replaceAll("\\.csv$", "");
        return FispSequence.ofDegrees(name, flip, tr, te, ph, inversionMs);
    }

    private static double cell(String source, int li, String[] cells, Map<String, Integer> col, String name) {
        String raw = cells[col.get(name)].strip();
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new MrfInputException("schedule " + source + " line " + (li + 1) + ", column " + name + ": '" + raw
                    + "' is not a number.");
        }
        if (!Double.isFinite(v)) {
            throw new MrfInputException("schedule " + source + " line " + (li + 1) + ", column " + name + ": " + raw
                    + " is not finite. Every cell must be a finite number.");
        }
        return v;
    }

}
