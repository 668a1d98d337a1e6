package org.mrf.scq.io.cohort;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.MatFiles;
import org.mrf.scq.io.NdArray;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a cohort folder (modules/sim/COHORT-FORMAT.md): {@code cohort.json}, one
 * {@code <subject>/subject.json} per subject, and per slice the files its {@code files} object
 * names, in any format {@link ArrayFiles} reads (.npy, .nii, .nii.gz, .mat v5/v7.3, .h5).
 *
 * <p>Every bad input ends in {@link MrfInputException} whose message names the file (the
 * manifest or the array file), the key or problem, and the fix. Plain I/O failures (network,
 * permissions) stay {@link IOException} so that a caller such as Spark may retry them.
 *
 * <p><b>MAT / HDF5 variables</b>: a role's array is the variable named in the slice's optional
 * {@code variables} object ({@code "variables": {"series": "img"}}), else the variable named
 * after the role ({@code series}, {@code t1_ms}, {@code t2_ms}, {@code pd}, {@code mask}), else
 * the file's only numeric variable. Several roles may name the same .mat file.
 *
 * <p>Thread-safe: the only state is the cached manifest (two threads may both parse it once).
 * The reader itself is not Serializable (its {@link FileSource} may not be); on Spark, list
 * {@link SliceEntry}s on the driver (they are Serializable) and build a reader per partition.
 */
public final class CohortReader {
    /** Manifest {@code format} written by the simulator. */
    public static final String SIM_FORMAT = "mrf-sim-cohort";
    /** Manifest {@code format} for cohorts described by hand (scanner exports). */
    public static final String USER_FORMAT = "mrf-cohort";
    public static final int VERSION = 1;
    public static final String COHORT_JSON = "cohort.json";
    public static final String SUBJECT_JSON = "subject.json";
    /** Roles loaded into an {@link MrfSlice}; {@code series} is required, the maps are optional. */
    public static final List<String> ROLES = List.of("series", "t1_ms", "t2_ms", "pd", "mask");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final FileSource files;
    private volatile CohortManifest manifest;

    public CohortReader(FileSource files) {
        this.files = files;
    }

    public static CohortReader local(java.nio.file.Path dir) {
        return new CohortReader(new LocalFileSource(dir));
    }

    public FileSource files() {
        return files;
    }

    // ------------------------------------------------------------------ cohort.json

    /** Parses and validates {@code cohort.json} (cached). */
    public CohortManifest manifest() throws IOException {
        CohortManifest m = manifest;
        if (m == null) manifest = m = parseManifest();
        return m;
    }

    private CohortManifest parseManifest() throws IOException {
        String src = files.describe(COHORT_JSON);
        if (!files.exists(COHORT_JSON)) {
            throw new MrfInputException(src + ": no cohort manifest. A cohort folder needs a cohort.json (see COHORT-FORMAT.md"
                    + "; for scanner exports write one with \"format\": \"" + USER_FORMAT + "\").");
        }
        JsonNode root = parse(COHORT_JSON);
        String format = text(root, "format", src);
        if (!format.equals(SIM_FORMAT) && !format.equals(USER_FORMAT)) {
            throw new MrfInputException(src + ": \"format\" is '" + format + "'; a cohort manifest has \"format\": \""
                    + USER_FORMAT + "\" (or \"" + SIM_FORMAT + "\" as the simulator writes).");
        }
        int version = integer(root, "version", src);
        if (version != VERSION) {
            throw new MrfInputException(src + ": \"version\" is " + version + "; this reader understands version " + VERSION
                    + ". Write \"version\": 1 or use a newer mrf-scq.");
        }
        boolean sim = format.equals(SIM_FORMAT);
        String exportFormat = root.has("export_format") ? text(root, "export_format", src) : null;
        JsonNode subj = require(root, "subjects", src);
        if (!subj.isArray() || subj.isEmpty()) {
            throw new MrfInputException(src + ": \"subjects\" must be a non-empty list of subject ids (folder names), e.g. "
                    + "[\"sub-000\", \"sub-001\"].");
        }
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < subj.size(); i++) {
            JsonNode n = subj.get(i);
            String where = src + ": subjects[" + i + "]";
            if (!n.isTextual()) throw new MrfInputException(where + " is " + n + ", not a string; list subject ids as strings.");
            String id = MrfSlice.validSubjectId(n.asText(), where);
            if (!seen.add(id)) {
                throw new MrfInputException(where + ": subject '" + id + "' is listed twice; each subject id (folder) must "
                        + "appear once.");
            }
            ids.add(id);
        }
        int matrix = 0;
        if (root.has("matrix")) {
            matrix = integer(root, "matrix", src);
            if (matrix < 1) throw new MrfInputException(src + ": \"matrix\" is " + matrix + "; it must be >= 1 (or left out).");
        }
        JsonNode s = require(root, "schedule", src);
        String ss = src + ": schedule";
        if (!s.isObject()) throw new MrfInputException(ss + " must be an object {name, hash, timepoints, te_ms, inversion_ms}.");
        String name = text(s, "name", ss);
        String hash = sim || s.has("hash") && !s.get("hash").isNull() ? text(s, "hash", ss) : null;
        int t = integer(s, "timepoints", ss);
        if (t < 1) throw new MrfInputException(ss + ".timepoints is " + t + "; it must be the series length T >= 1.");
        double te = number(s, "te_ms", ss), ti = number(s, "inversion_ms", ss);
        if (!(te > 0)) throw new MrfInputException(ss + ".te_ms is " + te + "; give the echo time in ms (> 0).");
        if (!(ti >= 0)) throw new MrfInputException(ss + ".inversion_ms is " + ti + "; give the inversion delay in ms (>= 0).");
        return new CohortManifest(format, version, exportFormat, ids, matrix,
                new CohortManifest.Schedule(name, hash, t, te, ti), src);
    }

    // ------------------------------------------------------------------ subject.json

    /** Every slice of every subject, in manifest order. */
    public List<SliceEntry> allSlices() throws IOException {
        List<SliceEntry> all = new ArrayList<>();
        for (String id : manifest().subjects()) all.addAll(slices(id));
        return all;
    }

    /** Parses and validates {@code <subject>/subject.json}; checks that every loaded file exists. */
    public List<SliceEntry> slices(String subject) throws IOException {
        CohortManifest m = manifest();
        if (!m.subjects().contains(subject)) {
            throw new MrfInputException(m.source() + ": subject '" + subject + "' is not listed in \"subjects\" "
                    + m.subjects() + ".");
        }
        String rel = subject + "/" + SUBJECT_JSON;
        String src = files.describe(rel);
        if (!files.exists(rel)) {
            throw new MrfInputException(src + ": missing. " + m.source() + " lists subject '" + subject + "', whose folder "
                    + "must hold a subject.json (see COHORT-FORMAT.md).");
        }
        JsonNode root = parse(rel);
        String named = text(root, "subject", src);
        if (!named.equals(subject)) {
            throw new MrfInputException(src + ": \"subject\" is '" + named + "' but the file is in folder '" + subject
                    + "'; the subject id must equal its folder name.");
        }
        JsonNode list = require(root, "slices", src);
        if (!list.isArray() || list.isEmpty()) {
            throw new MrfInputException(src + ": \"slices\" must be a non-empty list of {\"slice\": n, \"files\": {\"series\": "
                    + "\"...\"}} objects.");
        }
        List<SliceEntry> out = new ArrayList<>();
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode sl = list.get(i);
            String where = src + ": slices[" + i + "]";
            if (!sl.isObject()) throw new MrfInputException(where + " must be an object with \"slice\" and \"files\".");
            int number = integer(sl, "slice", where);
            if (number < 0) throw new MrfInputException(where + ".slice is " + number + "; slice numbers are >= 0.");
            if (!numbers.add(number)) {
                throw new MrfInputException(where + ": slice number " + number + " appears twice in this subject; slice "
                        + "numbers must be unique.");
            }
            JsonNode f = require(sl, "files", where);
            if (!f.isObject()) throw new MrfInputException(where + ".files must be an object role -> file name.");
            Map<String, String> fileMap = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = where + ".files." + e.getKey();
                if (!e.getValue().isTextual()) throw new MrfInputException(key + " is " + e.getValue() + ", not a file name.");
                fileMap.put(e.getKey(), checkRelative(e.getValue().asText(), key));
            }
            if (!fileMap.containsKey("series")) {
                throw new MrfInputException(where + ".files has no \"series\" entry; name the slice's image series file, e.g. "
                        + "\"series\": \"slice-000_series.npy\".");
            }
            Map<String, String> vars = new LinkedHashMap<>();
            if (sl.has("variables")) {
                JsonNode v = sl.get("variables");
                if (!v.isObject()) throw new MrfInputException(where + ".variables must be an object role -> MAT variable name.");
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
                        throw new MrfInputException(where + ".variables." + e.getKey() + " must be a variable name (string).");
                    }
                    vars.put(e.getKey(), e.getValue().asText());
                }
            }
            if (sl.has("shape")) checkListedShape(sl.get("shape"), where, m);
            for (String role : ROLES) {
                String file = fileMap.get(role);
                if (file == null) continue;
                ArrayFiles.Format fmt;
                try {
                    fmt = ArrayFiles.formatOf(file);
                } catch (MrfInputException e) {
                    throw new MrfInputException(where + ".files." + role + " = '" + file + "': unknown file type; use .npy, "
                            + ".nii, .nii.gz, .mat or .h5.", e);
                }
                if (!files.exists(subject + "/" + file)) {
                    throw new MrfInputException(src + ": slices[" + i + "].files." + role + " names '" + file + "' but "
                            + files.describe(subject + "/" + file) + " does not exist; fix the name or copy the file"
                            + " (" + fmt.extension + ").");
                }
            }
            out.add(new SliceEntry(subject, number, fileMap, vars, src));
        }
        return out;
    }

    private static void checkListedShape(JsonNode shape, String where, CohortManifest m) {
        if (!shape.isArray() || shape.size() != 3 || !shape.get(0).canConvertToInt()) {
            throw new MrfInputException(where + ".shape must be [T, H, W] (or left out); it is " + shape + ".");
        }
        int t = shape.get(0).asInt();
        if (t != m.schedule().timepoints()) {
            throw new MrfInputException(where + ".shape says T = " + t + " but " + m.source() + " schedule.timepoints is "
                    + m.schedule().timepoints() + "; the series must have the schedule's length.");
        }
    }

    /**
     * A path relative to the subject folder that cannot leave it: '/'-separated, not absolute,
     * no '..' or '.' or empty segments, no backslashes or ':' (drive letters, URI schemes).
     */
    static String checkRelative(String path, String where) {
        String why = null;
        if (path.isEmpty()) why = "is empty";
        else if (path.indexOf('\\') >= 0) why = "contains a backslash";
        else if (path.startsWith("/")) why = "is absolute";
        else if (path.indexOf(':') >= 0) why = "contains ':' (a drive letter or URI scheme)";
        else if (path.chars().anyMatch(c -> c < 0x20)) why = "contains a control character";
        else {
            for (String seg : path.split("/", -1)) {
                if (seg.equals("..")) why = "contains '..'";
                else if (seg.isEmpty() || seg.equals(".")) why = "has an empty or '.' path segment";
                if (why != null) break;
            }
        }
        if (why != null) {
            throw new MrfInputException(where + " = '" + path + "' " + why + "; files must be named relative to the subject "
                    + "folder and stay inside it (e.g. \"slice-000_series.npy\" or \"raw/series.mat\").");
        }
        return path;
    }

    // ------------------------------------------------------------------ arrays

    /** Loads and validates one slice: the series and whichever of t1_ms, t2_ms, pd, mask are listed. */
    public MrfSlice read(SliceEntry e) throws IOException {
        CohortManifest m = manifest();
        int t = m.schedule().timepoints();
        String seriesRel = e.path("series");
        String src = files.describe(seriesRel);
        Map<String, byte[]> cache = new LinkedHashMap<>(); // .mat files named by several roles are read once
        NdArray series = load(e, "series", cache);
        ArrayFiles.requireComplex(series, src);
        if (series.rank() != 3) {
            throw new MrfInputException(src + ": series has shape " + Arrays.toString(series.shape()) + " (rank "
                    + series.rank() + "); an MRF image series is (T, H, W) (MATLAB [H W T], NIfTI [W H 1 T]). Export one "
                    + "slice's complex image series per file.");
        }
        if (series.dim(0) != t) {
            throw new MrfInputException(src + ": series has T = " + series.dim(0) + " time points (shape "
                    + Arrays.toString(series.shape()) + ") but " + m.source() + " schedule.timepoints is " + t
                    + "; export all time points, or fix the manifest's schedule.");
        }
        int h = series.dim(1), w = series.dim(2);
        if (m.matrix() > 0 && (h != m.matrix() || w != m.matrix())) {
            throw new MrfInputException(src + ": series is " + h + " x " + w + " but " + m.source() + " says matrix "
                    + m.matrix() + "; fix the manifest or re-export the images.");
        }
        float[] re = series.re(), im = series.im();
        for (int i = 0; i < re.length; i++) {
            if (!Float.isFinite(re[i]) || !Float.isFinite(im[i])) {
                int px = h * w, tt = i / px, r = (i % px) / w, c = i % w;
                throw new MrfInputException(src + ": series value at (t, row, col) = (" + tt + ", " + r + ", " + c + ") is "
                        + "not finite (real " + re[i] + ", imaginary " + im[i] + "); the reconstruction produced NaN/Inf "
                        + "there. Replace non-finite values (e.g. by 0) before export.");
            }
        }
        float[][] maps = new float[4][];
        List<String> mapRoles = ROLES.subList(1, ROLES.size());
        for (int k = 0; k < mapRoles.size(); k++) {
            String role = mapRoles.get(k);
            if (!e.files().containsKey(role)) continue;
            NdArray a = load(e, role, cache);
            String ms = files.describe(e.path(role));
            if (a.isComplex()) {
                throw new MrfInputException(ms + ": " + role + " map is complex (" + a.elementType() + "); maps must be real "
                        + "(float32 or uint8 for the mask).");
            }
            if (a.rank() != 2 || a.dim(0) != h || a.dim(1) != w) {
                throw new MrfInputException(ms + ": " + role + " map has shape " + Arrays.toString(a.shape()) + " but the series "
                        + src + " is (T, H, W) = (" + t + ", " + h + ", " + w + "), so (" + h + ", " + w + ") is expected "
                        + "(MATLAB [H W], NIfTI [W H]).");
            }
            float[] v = a.re();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new MrfInputException(ms + ": " + role + " value at (row, col) = (" + i / w + ", " + i % w + ") is "
                            + v[i] + ", not finite; write 0 where a map is undefined.");
                }
            }
            maps[k] = v;
        }
        return new MrfSlice(e.subject(), e.slice(), h, w, t, re, im, maps[3], maps[0], maps[1], maps[2], src);
    }

    private NdArray load(SliceEntry e, String role, Map<String, byte[]> cache) throws IOException {
        String rel = e.path(role);
        String src = files.describe(rel);
        try {
            ArrayFiles.Format fmt = ArrayFiles.formatOf(rel);
            if (fmt == ArrayFiles.Format.MAT || fmt == ArrayFiles.Format.HDF5) {
                byte[] bytes = cache.get(rel);
                if (bytes == null) {
                    bytes = readAll(rel, src, e);
                    cache.put(rel, bytes);
                }
                String var = variable(e, role, bytes, src);
                try {
                    return MatFiles.read(bytes, src, var);
                } catch (MrfInputException x) {
                    if (e.variables().containsKey(role) || var == null) {
                        throw new MrfInputException(x.getMessage() + " (" + e.manifest() + ", slice " + e.slice() + ": role '"
                                + role + "' reads variable " + (var == null ? "<the only numeric one>" : "'" + var + "'")
                                + "; name it with \"variables\": {\"" + role + "\": \"...\"}.)", x);
                    }
                    throw x;
                }
            }
            try (InputStream in = open(rel, src, e)) {
                return ArrayFiles.read(in, src, null);
            }
        } catch (MrfInputException x) {
            throw x;
        } catch (EOFException x) {
            throw new MrfInputException(src + ": truncated file (" + x.getMessage() + "); re-export or re-copy it.", x);
        } catch (RuntimeException x) {
            // A decoder library failing on garbage: bad input, not a bug of ours to surface as a stack trace.
            throw new MrfInputException(src + ": cannot decode the " + role + " file (" + x + "); check that it is a complete "
                    + ArrayFiles.formatOf(rel).extension + " file (re-export or re-copy it).", x);
        }
    }

    /** MAT variable for a role: named in "variables", else the role's name if present, else null (the only numeric one). */
    private static String variable(SliceEntry e, String role, byte[] bytes, String src) throws IOException {
        String named = e.variables().get(role);
        if (named != null) return named;
        for (MatFiles.VariableInfo v : MatFiles.list(bytes, src)) {
            if (v.name().equals(role)) return role;
        }
        return null;
    }

    private byte[] readAll(String rel, String src, SliceEntry e) throws IOException {
        try (InputStream in = open(rel, src, e)) {
            return in.readAllBytes();
        }
    }

    private InputStream open(String rel, String src, SliceEntry e) throws IOException {
        try {
            return files.open(rel);
        } catch (NoSuchFileException | FileNotFoundException x) {
            throw new MrfInputException(src + ": no such file, though " + (e == null ? "the cohort" : e.manifest())
                    + " names it; fix the manifest or copy the file.", x);
        }
    }

    // ------------------------------------------------------------------ JSON helpers

    private JsonNode parse(String rel) throws IOException {
        String src = files.describe(rel);
        JsonNode n;
        try (InputStream in = open(rel, src, null)) {
            n = JSON.readTree(in);
        } catch (JsonProcessingException x) {
            JsonLocation loc = x.getLocation();
            throw new MrfInputException(src + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
                    + ": malformed JSON (" + x.getOriginalMessage() + "); fix the syntax (a JSON linter, e.g. python -m "
                    + "json.tool, shows where).", x);
        }
        if (n == null || n.isMissingNode() || !n.isObject()) {
            throw new MrfInputException(src + ": the manifest must be a JSON object { ... }; it is "
                    + (n == null || n.isMissingNode() ? "empty" : n.getNodeType().toString().toLowerCase()) + ".");
        }
        return n;
    }

    private static JsonNode require(JsonNode o, String key, String where) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            throw new MrfInputException(where + ": required key \"" + key + "\" is missing; see COHORT-FORMAT.md for the "
                    + "required keys.");
        }
        return v;
    }

    private static String text(JsonNode o, String key, String where) {
        JsonNode v = require(o, key, where);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new MrfInputException(where + ": \"" + key + "\" must be a non-empty string; it is " + v + ".");
        }
        return v.asText();
    }

    private static int integer(JsonNode o, String key, String where) {
        JsonNode v = require(o, key, where);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new MrfInputException(where + ": \"" + key + "\" must be an integer; it is " + v + ".");
        }
        return v.intValue();
    }

    private static double number(JsonNode o, String key, String where) {
        JsonNode v = require(o, key, where);
        if (!v.isNumber()) throw new MrfInputException(where + ": \"" + key + "\" must be a number; it is " + v + ".");
        return v.doubleValue();
    }
}
