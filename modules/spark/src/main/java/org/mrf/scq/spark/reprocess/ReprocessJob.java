package org.mrf.scq.spark.reprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.CodeVersion;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortManifest;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.spark.hadoop.ContentHashes;
import org.mrf.scq.spark.hadoop.HadoopFileSource;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.hadoop.RunLock;
import org.mrf.scq.spark.hadoop.SparkErrors;
import org.mrf.scq.spark.infer.InferenceJob;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;

/**
 * Scheduled reprocessing of a growing cohort: ingest and infer only the subjects that are new or
 * whose files changed since the last run, and everything again when the model changed.
 *
 * <p>OUT holds {@code slices/} (the slices dataset), {@code maps/} (Parquet maps partitioned by
 * subject), {@code images/<subject>/} (NIfTI + PNG per slice) and {@code _reprocess/} ({@code manifest.json}: the content hash of every subject in
 * the outputs and of the model that made the maps; {@code runs.jsonl}: one JSON line per run;
 * {@code lock} while a run is active).
 *
 * <p>All work goes to a hidden staging directory under OUT first. Only then are the subject
 * directories moved into place (a replaced subject's old directory is moved aside, not deleted,
 * until the end), and the manifest last; a failure during these moves undoes the ones done. So a
 * failed run leaves the previous outputs and manifest, and the next run sees the same changes again.
 * Subjects that disappeared from the cohort are reported and kept: deleting results is an operator's
 * decision.
 */
public final class ReprocessJob {
    public static final String STATE_DIR = "_reprocess";
    public static final String MANIFEST = "manifest.json";
    public static final String RUN_LOG = "runs.jsonl";
    public static final String LOCK = "lock";
    static final String MANIFEST_FORMAT = "mrf-reprocess-manifest";
    /** Test hook (system property): fail before the N-th (0-based) move of the commit, to check the rollback. */
    static final String FAIL_AT_MOVE_KEY = "mrf.test.reprocess-fail-at-move";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReprocessJob() {
    }

    /**
     * Batch inference as reprocessing needs it: the maps of every slice of the dataset {@code slices}
     * by the model set {@code model}, written under the fresh path {@code out} as {@code out/maps}
     * (Parquet with the {@link MapsStore#SCHEMA} columns) and, optionally, {@code out/images/<subject>/}.
     * {@link InferenceJob} in production; tests wrap it to observe or pause a run.
     */
    @FunctionalInterface
    public interface Inference {
        void run(SparkSession spark, String slices, String model, String out) throws Exception;
    }

    public static final Inference INFERENCE_JOB = InferenceJob::run;

    public record Options(boolean breakLock) {
    }

    /** What one run found and did. */
    public record Result(String runId, String out, List<String> added, List<String> changed, List<String> unchanged,
                         List<String> removed, boolean modelChanged, long slicesIngested, long mapsWritten, double seconds) {
        public boolean nothingToDo() {
            return added.isEmpty() && changed.isEmpty() && !modelChanged;
        }

        public String summary() {
            String counts = String.format(Locale.ROOT, "new=%d changed=%d unchanged=%d removed=%d model=%s", added.size(),
                    changed.size(), unchanged.size(), removed.size(), modelChanged ? "changed" : "unchanged");
            if (nothingToDo()) {
                return String.format(Locale.ROOT, "reprocess: nothing to do (%s) in %.1fs, run %s, %s", counts, seconds, runId, out);
            }
            return String.format(Locale.ROOT, "reprocess: %s; ingested %d slices, wrote maps of %d slices in %.1fs, run %s, %s",
                    counts, slicesIngested, mapsWritten, seconds, runId, out);
        }
    }

    /** Previous run's view of the outputs: subject -> content hash, and the model hash of the maps. */
    public record Manifest(Map<String, String> subjects, String modelHash) {
        public static Manifest read(FileSystem fs, Path file) throws IOException {
            if (!fs.exists(file)) return new Manifest(new TreeMap<>(), null);
            JsonNode n;
            try {
                n = JSON.readTree(JsonFiles.readText(fs, file));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new MrfInputException(file + ": the reprocess manifest is not valid JSON (" + e.getOriginalMessage()
                        + "). Restore it from a backup, or delete it to reprocess every subject.", e);
            }
            if (!MANIFEST_FORMAT.equals(n.path("format").asText()) || !n.path("subjects").isObject()) {
                throw new MrfInputException(file + ": \"format\" must be \"" + MANIFEST_FORMAT + "\" with a \"subjects\" object; "
                        + "it is not a reprocess manifest. Delete it to reprocess every subject.");
            }
            Map<String, String> s = new TreeMap<>();
            n.get("subjects").fields().forEachRemaining(e -> s.put(e.getKey(), e.getValue().asText()));
            return new Manifest(s, n.path("model_hash").isTextual() ? n.get("model_hash").asText() : null);
        }
    }

    public static Result run(SparkSession spark, String cohort, String model, String out, Options options, PrintStream log) {
        return run(spark, cohort, model, out, INFERENCE_JOB, options, log);
    }

    public static Result run(SparkSession spark, String cohort, String model, String out, Inference inference, Options options,
                             PrintStream log) {
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(start) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        var conf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs;
        Path root, state;
        try {
            root = new Path(out);
            fs = root.getFileSystem(conf);
            root = fs.makeQualified(root);
            state = new Path(root, STATE_DIR);
            fs.mkdirs(state);
        } catch (IOException e) {
            throw new MrfInputException("output " + out + ": cannot be prepared (" + e.getMessage() + ")", e);
        }
        RunLock lock;
        try {
            lock = RunLock.acquire(fs, new Path(state, LOCK), runId, options.breakLock(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lock under " + state, e);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("run_id", runId);
        record.put("start", start.toString());
        record.put("host", RunLock.hostName());
        record.put("user", System.getProperty("user.name", "?"));
        record.put("pid", ProcessHandle.current().pid());
        record.put("cohort", cohort);
        record.put("model", model);
        record.put("out", root.toString());
        record.put("code_version", CodeVersion.get());
        Path staging = new Path(root, ".reprocess-" + runId);
        try {
            lock.sweep(root, ".reprocess-", staging, log);
            Result r = work(spark, fs, root, state, staging, cohort, model, inference, runId, record, log, t0);
            record.put("outcome", "ok");
            if (r.nothingToDo()) record.put("note", "nothing to do");
            appendRunLog(fs, state, record);
            return r;
        } catch (RuntimeException | Error e) {
            record.put("outcome", "failed");
            // One line: Spark's job-failure messages carry every attempt's stack trace.
            record.put("error", DictionaryStore.firstLine(e));
            try {
                appendRunLog(fs, state, record);
            } catch (IOException le) {
                e.addSuppressed(le);
            }
            throw e;
        } catch (IOException e) {
            record.put("outcome", "failed");
            record.put("error", e.toString());
            try {
                appendRunLog(fs, state, record);
            } catch (IOException le) {
                e.addSuppressed(le);
            }
            throw new UncheckedIOException("reprocess of " + cohort + " into " + out + " failed; the previous outputs and "
                    + "manifest are unchanged", e);
        } finally {
            try {
                if (fs.exists(staging)) fs.delete(staging, true);
            } catch (IOException ignored) {
                // A leftover hidden staging directory is invisible to readers and named after its run.
            }
            try {
                lock.close();
            } catch (IOException e) {
                log.println("reprocess: could not remove the lock " + lock.file() + " (" + e.getMessage() + "); remove it "
                        + "or pass --break-lock next time");
            }
        }
    }

    private static Result work(SparkSession spark, FileSystem fs, Path root, Path state, Path staging, String cohort, String model,
                               Inference inference, String runId, Map<String, Object> record, PrintStream log, long t0)
            throws IOException {
        var conf = spark.sparkContext().hadoopConfiguration();
        Manifest prev = Manifest.read(fs, new Path(state, MANIFEST));
        CohortManifest cm = new CohortReader(new HadoopFileSource(cohort)).manifest();
        String modelHash = ContentHashes.ofTree(model, conf, "model set");
        record.put("model_hash", modelHash);
        log.printf(Locale.ROOT, "reprocess: run %s, hashing %d subjects of %s%n", runId, cm.subjects().size(), cohort);
        Map<String, String> hashes = ContentHashes.subjects(spark, cohort, cm.subjects());

        List<String> added = new ArrayList<>(), changed = new ArrayList<>(), unchanged = new ArrayList<>(), removed = new ArrayList<>();
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            String old = prev.subjects().get(e.getKey());
            (old == null ? added : old.equals(e.getValue()) ? unchanged : changed).add(e.getKey());
        }
        for (String id : prev.subjects().keySet()) if (!hashes.containsKey(id)) removed.add(id);
        // Outputs deleted by hand since the last run: the manifest cannot vouch for them, so redo those subjects.
        for (String id : List.copyOf(unchanged)) {
            if (!fs.exists(new Path(root, "slices/subject=" + id)) || !fs.exists(new Path(root, "maps/subject=" + id))) {
                log.println("reprocess: the slices or maps of unchanged subject " + id + " are missing from " + root
                        + "; processing it again");
                unchanged.remove(id);
                changed.add(id);
            }
        }
        boolean modelChanged = prev.modelHash() != null && !prev.modelHash().equals(modelHash) && !prev.subjects().isEmpty();
        Map<String, Object> subj = new LinkedHashMap<>();
        subj.put("new", added);
        subj.put("changed", changed);
        subj.put("unchanged", unchanged.size());
        subj.put("removed", removed);
        record.put("subjects", subj);
        record.put("model_changed", modelChanged);
        if (!removed.isEmpty()) {
            log.println("reprocess: subject(s) " + removed + " are no longer in the cohort; their slices and maps stay in " + root
                    + " (remove them by hand if they should go)");
        }
        if (added.isEmpty() && changed.isEmpty() && !modelChanged) {
            Result r = new Result(runId, root.toString(), added, changed, unchanged, removed, false, 0, 0, secs(t0));
            record.put("end", Instant.now().toString());
            log.println("reprocess: nothing to do");
            return r;
        }

        Path slices = new Path(root, "slices"), maps = new Path(root, "maps");
        List<String> todo = new ArrayList<>(added);
        todo.addAll(changed);
        Set<String> replaced = new TreeSet<>(todo);
        if (fs.exists(new Path(slices, IngestJob.METADATA_FILE))) {
            IngestJob.checkSameSchedule(fs, slices, IngestJob.metadata(cm), cohort);
        }
        fs.mkdirs(staging);
        long ingested = 0;
        String stagedSlices = new Path(staging, "slices").toString();
        if (!todo.isEmpty()) {
            log.printf(Locale.ROOT, "reprocess: ingesting %d subject(s) %s%n", todo.size(), todo);
            ingested = IngestJob.run(spark, cohort, stagedSlices, todo).slices();
        }

        // Maps of the new and changed subjects; with a new model, also of every subject kept as it is.
        log.printf(Locale.ROOT, "reprocess: inferring %s with %s%n", modelChanged ? "all subjects" : todo.size() + " subject(s)", model);
        Path inferNew = new Path(staging, "infer-new"), inferKept = new Path(staging, "infer-kept");
        Dataset<Row> newMaps = null;
        try {
            if (!todo.isEmpty()) {
                inference.run(spark, stagedSlices, model, inferNew.toString());
                newMaps = spark.read().parquet(new Path(inferNew, "maps").toString());
            }
            if (modelChanged && fs.exists(slices)) {
                inference.run(spark, slices.toString(), model, inferKept.toString());
                Dataset<Row> kept = spark.read().parquet(new Path(inferKept, "maps").toString())
                        .filter(col("subject").isin(replaced.toArray()).unary_$bang());
                newMaps = newMaps == null ? kept : newMaps.unionByName(kept);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "inference with " + model + " stopped; " + root + " is unchanged");
        }
        // Partitioned by subject, so that replacing one subject's maps is one directory rename.
        Path stagedMaps = new Path(staging, "maps"), stagedImages = new Path(staging, "images");
        newMaps.select(java.util.Arrays.stream(MapsStore.SCHEMA.fieldNames()).map(org.apache.spark.sql.functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new)).write().mode(SaveMode.ErrorIfExists).partitionBy("subject")
                .parquet(stagedMaps.toString());
        long mapsWritten = spark.read().parquet(stagedMaps.toString()).select("subject", "slice").distinct().count();
        fs.mkdirs(stagedImages);
        gatherImages(fs, new Path(inferNew, "images"), stagedImages, id -> true);
        if (modelChanged) gatherImages(fs, new Path(inferKept, "images"), stagedImages, id -> !replaced.contains(id));

        // Commit: subject directories of slices, maps and images, then the manifest, undone together on failure.
        Path images = new Path(root, "images");
        List<Path[]> moves = new ArrayList<>();
        for (FileStatus st : todo.isEmpty() ? new FileStatus[0] : fs.listStatus(new Path(stagedSlices))) {
            String n = st.getPath().getName();
            if (n.startsWith("subject=") || n.equals(IngestJob.METADATA_FILE) && !fs.exists(new Path(slices, n))) {
                moves.add(new Path[]{st.getPath(), new Path(slices, n)});
            }
        }
        if (modelChanged) {
            moves.add(new Path[]{stagedMaps, maps});
            moves.add(new Path[]{stagedImages, images});
        } else {
            for (FileStatus st : fs.listStatus(stagedMaps)) {
                String n = st.getPath().getName();
                if (n.startsWith("subject=")) moves.add(new Path[]{st.getPath(), new Path(maps, n)});
            }
            for (FileStatus st : fs.listStatus(stagedImages)) {
                moves.add(new Path[]{st.getPath(), new Path(images, st.getPath().getName())});
            }
        }
        Map<String, String> next = new TreeMap<>(prev.subjects());
        next.putAll(hashes);
        Path stagedManifest = new Path(staging, MANIFEST);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", MANIFEST_FORMAT);
        m.put("version", 1);
        m.put("run_id", runId);
        m.put("updated", Instant.now().toString());
        m.put("cohort", cohort);
        m.put("model", model);
        m.put("model_hash", modelHash);
        m.put("subjects", next);
        JsonFiles.writeText(fs, stagedManifest, JsonFiles.JSON.writeValueAsString(m));
        moves.add(new Path[]{stagedManifest, new Path(state, MANIFEST)});
        fs.mkdirs(slices);
        fs.mkdirs(maps);
        fs.mkdirs(images);
        commit(fs, moves, new Path(staging, "old"));
        record.put("slices_ingested", ingested);
        record.put("maps_written", mapsWritten);
        record.put("end", Instant.now().toString());
        return new Result(runId, root.toString(), added, changed, unchanged, removed, modelChanged, ingested, mapsWritten, secs(t0));
    }

    /** Moves the per-subject image folders the inference wrote (if any) into one staging folder. */
    private static void gatherImages(FileSystem fs, Path from, Path to, java.util.function.Predicate<String> take) throws IOException {
        if (!fs.exists(from)) return;
        for (FileStatus st : fs.listStatus(from)) {
            String id = st.getPath().getName();
            if (!st.isDirectory() || ContentHashes.ignored(id) || !take.test(id)) continue;
            if (!fs.rename(st.getPath(), new Path(to, id))) throw new IOException("cannot move " + st.getPath() + " to " + to);
        }
    }

    /**
     * Moves every {@code src -> dst}; an existing dst is first moved aside under {@code aside}. On a
     * failure the moves done so far are undone in reverse order, so the outputs are the old ones.
     */
    static void commit(FileSystem fs, List<Path[]> moves, Path aside) throws IOException {
        fs.mkdirs(aside);
        List<Path[]> undo = new ArrayList<>();
        int failAt = Integer.getInteger(FAIL_AT_MOVE_KEY, -1);
        try {
            for (int i = 0; i < moves.size(); i++) {
                if (i == failAt) throw new IOException("injected failure before commit move " + i + " (" + FAIL_AT_MOVE_KEY + ")");
                Path src = moves.get(i)[0], dst = moves.get(i)[1];
                if (fs.exists(dst)) {
                    Path old = new Path(aside, Integer.toString(i));
                    if (!fs.rename(dst, old)) throw new IOException("cannot move " + dst + " aside to " + old);
                    undo.add(new Path[]{old, dst});
                }
                if (!fs.rename(src, dst)) throw new IOException("cannot move " + src + " to " + dst);
                undo.add(new Path[]{dst, src});
            }
        } catch (IOException | RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                Path from = undo.get(i)[0], to = undo.get(i)[1];
                try {
                    if (!fs.rename(from, to)) e.addSuppressed(new IOException("rollback: cannot move " + from + " back to " + to));
                } catch (IOException re) {
                    e.addSuppressed(re);
                }
            }
            throw e;
        }
    }

    /**
     * One JSON line more in the run log. Hadoop's local file system cannot append, so the log is
     * rewritten to a temporary file and renamed over the old one; the lock makes this race-free.
     */
    static void appendRunLog(FileSystem fs, Path state, Map<String, Object> record) throws IOException {
        if (!record.containsKey("end")) record.put("end", Instant.now().toString());
        Path logFile = new Path(state, RUN_LOG);
        String old = fs.exists(logFile) ? JsonFiles.readText(fs, logFile) : "";
        Path tmp = new Path(state, "." + RUN_LOG + ".tmp-" + UUID.randomUUID());
        try (FSDataOutputStream o = fs.create(tmp, false)) {
            o.write(old.getBytes(StandardCharsets.UTF_8));
            o.write((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path aside = new Path(state, "." + RUN_LOG + ".old-" + UUID.randomUUID());
        if (fs.exists(logFile) && !fs.rename(logFile, aside)) throw new IOException("cannot move " + logFile + " aside");
        if (!fs.rename(tmp, logFile)) {
            fs.rename(aside, logFile);
            throw new IOException("cannot rename " + tmp + " to " + logFile);
        }
        fs.delete(aside, false);
    }

    /** The run log's records, oldest first. */
    public static List<JsonNode> runLog(FileSystem fs, Path out) throws IOException {
        Path f = new Path(new Path(out, STATE_DIR), RUN_LOG);
        List<JsonNode> l = new ArrayList<>();
        if (!fs.exists(f)) return l;
        for (String line : JsonFiles.readText(fs, f).split("\n")) if (!line.isBlank()) l.add(JSON.readTree(line));
        return l;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
