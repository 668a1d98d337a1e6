package org.mrf.scq.spark.ingest;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortManifest;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.io.cohort.SliceEntry;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.FailureInjection;
import org.mrf.scq.spark.hadoop.HadoopFileSource;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.hadoop.OutputLease;
import org.mrf.scq.spark.hadoop.SparkErrors;
import org.mrf.scq.spark.hadoop.SparkProgress;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.SliceBlock;
import org.mrf.scq.spark.store.SliceStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Cohort folder -> slices dataset. Manifests are read and checked on the driver; the array files
 * are read, validated and cut into blocks on the executors. New subjects are written to a hidden
 * temporary dataset first and only then moved into place one subject directory at a time, so a
 * failed or interrupted ingest leaves the existing dataset as it was (and the next ingest removes the
 * killed one's temporary dataset, {@link OutputLease}). Subjects already present are
 * refused (a duplicate subject is an error, not a silent overwrite).
 */
public final class IngestJob {
    public static final String METADATA_FILE = "_mrf_slices.json";

    private IngestJob() {
    }

    public record Result(String path, List<String> subjects, long slices, double seconds) {
        public String summary() {
            return String.format(Locale.ROOT, "ingest: subjects=%d slices=%d in %.1fs (%.2f slices/s) wrote %s",
                    subjects.size(), slices, seconds, slices / Math.max(1e-9, seconds), path);
        }
    }

    public static Result run(SparkSession spark, String cohort, String out) {
        return run(spark, cohort, out, null);
    }

    /** Ingests only the listed subjects of the cohort ({@code null}: all); reprocessing takes just the new and changed ones. */
    public static Result run(SparkSession spark, String cohort, String out, java.util.Collection<String> only) {
        long t0 = System.nanoTime();
        var conf = spark.sparkContext().hadoopConfiguration();
        try {
            CohortReader reader = new CohortReader(new HadoopFileSource(cohort));
            CohortManifest manifest = reader.manifest();
            List<String> subjects = manifest.subjects();
            if (only != null) {
                List<String> missing = only.stream().filter(id -> !manifest.subjects().contains(id)).toList();
                if (!missing.isEmpty()) {
                    throw new MrfInputException("cohort " + cohort + ": subject(s) " + missing + " are not listed in "
                            + manifest.source() + "; add them to \"subjects\".");
                }
                subjects = manifest.subjects().stream().filter(only::contains).toList();
            }
            List<SliceEntry> entries = new ArrayList<>();
            for (String id : subjects) entries.addAll(reader.slices(id));
            if (entries.isEmpty()) {
                throw new MrfInputException("cohort " + cohort + ": the manifest lists no slices. Add subjects to cohort.json.");
            }
            Path target = new Path(out);
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            Set<String> existing = existingSubjects(fs, target);
            Map<String, Object> meta = metadata(manifest);
            if (!existing.isEmpty()) checkSameSchedule(fs, target, meta, cohort);
            List<String> dup = subjects.stream().filter(existing::contains).toList();
            if (!dup.isEmpty()) {
                throw new MrfInputException("cohort " + cohort + ": subject(s) " + dup + " are already in " + out
                        + ". Rename them in the cohort, or remove them from the dataset first; nothing was written.");
            }
            if (target.getParent() != null) fs.mkdirs(target.getParent());
            OutputLease lease = OutputLease.take(fs, target, System.err::println);
            Path tmp = lease.tmp();
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            HadoopFileSource source = new HadoopFileSource(cohort);
            try (SparkProgress ignored = new SparkProgress(spark, "ingest", entries.size(), entries.size(), "slices")) {
                // One slice per task, its blocks cut as the writer takes them: a task holds one slice and one block.
                SliceStore.toDataFrame(spark, jsc.parallelize(entries, entries.size()).flatMap(e -> {
                            FailureInjection.maybeFail("ingest");
                            return SliceStore.blockIterator(new CohortReader(source).read(e), SliceStore.BLOCK_BYTES);
                        })).write().options(SliceStore.WRITE_OPTIONS).mode(SaveMode.ErrorIfExists).partitionBy("subject").parquet(tmp.toString());
                JsonFiles.writeText(fs, new Path(tmp, METADATA_FILE), JsonFiles.JSON.writeValueAsString(meta));
                if (!fs.exists(target)) {
                    if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
                } else {
                    for (FileStatus st : fs.listStatus(tmp)) {
                        if (st.isDirectory() && st.getPath().getName().startsWith("subject=")) {
                            Path dst = new Path(target, st.getPath().getName());
                            if (!fs.rename(st.getPath(), dst)) throw new IOException("cannot move " + st.getPath() + " to " + dst);
                        }
                    }
                }
            } finally {
                try {
                    if (fs.exists(tmp)) {
                        SparkSessions.awaitNoRunningTasks(AtomicOutput.ABORT_WAIT_MS);
                        fs.delete(tmp, true);
                    }
                } finally {
                    lease.close();
                }
            }
            return new Result(target.toString(), subjects, entries.size(), (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("ingest of " + cohort + " into " + out + " failed; the dataset is unchanged", e);
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "ingest of " + cohort + " stopped; " + out + " is unchanged");
        }
    }

    static Set<String> existingSubjects(FileSystem fs, Path target) throws IOException {
        Set<String> s = new TreeSet<>();
        if (!fs.exists(target)) return s;
        for (FileStatus st : fs.listStatus(target)) {
            String n = st.getPath().getName();
            if (st.isDirectory() && n.startsWith("subject=")) s.add(n.substring("subject=".length()));
        }
        return s;
    }

    public static Map<String, Object> metadata(CohortManifest m) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("schedule_name", m.schedule().name());
        meta.put("schedule_hash", m.schedule().hash());
        meta.put("timepoints", m.schedule().timepoints());
        meta.put("te_ms", m.schedule().teMs());
        meta.put("inversion_ms", m.schedule().inversionMs());
        meta.put("code_version", org.mrf.scq.core.util.CodeVersion.get());
        return meta;
    }

    public static void checkSameSchedule(FileSystem fs, Path target, Map<String, Object> meta, String cohort) throws IOException {
        Path mf = new Path(target, METADATA_FILE);
        if (!fs.exists(mf)) return;
        Map<?, ?> old = JsonFiles.JSON.readValue(JsonFiles.readText(fs, mf), Map.class);
        if (!String.valueOf(old.get("timepoints")).equals(String.valueOf(meta.get("timepoints")))
                || (old.get("schedule_hash") != null && meta.get("schedule_hash") != null
                && !old.get("schedule_hash").equals(meta.get("schedule_hash")))) {
            throw new MrfInputException("cohort " + cohort + " was acquired with schedule " + meta.get("schedule_name") + " (T="
                    + meta.get("timepoints") + "), but " + target + " holds slices of " + old.get("schedule_name") + " (T="
                    + old.get("timepoints") + "). Ingest it into a separate dataset.");
        }
    }
}
