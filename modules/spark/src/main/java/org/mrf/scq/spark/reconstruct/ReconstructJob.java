package org.mrf.scq.spark.reconstruct;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortManifest;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.io.ismrmrd.IsmrmrdReconstruction;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.SparkErrors;
import org.mrf.scq.spark.hadoop.SparkProgress;
import org.mrf.scq.spark.hadoop.SparkSessions;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * ISMRMRD raw data folder -> cohort folder (modules/sim/COHORT-FORMAT.md, {@code "format":
 * "mrf-cohort"}) that {@code mrf ingest} reads. The driver reads every file's header and
 * acquisition heads and checks them (geometry, trajectory present, coils, frames, schedule), so
 * most bad input fails before any task; then one Spark task per slice reads that slice's
 * acquisitions and reconstructs it ({@link IsmrmrdReconstruction}, plain Java). Output goes to a
 * hidden sibling folder renamed into place when everything is written: a failure leaves nothing.
 *
 * <p>Layout of the raw folder: each sub-folder is a subject holding its ISMRMRD files
 * ({@code .h5}, {@code .mrd}), read in name order, one or more slices each (idx.slice); a file
 * directly in the folder is a subject of its own, named after the file. Files are read with
 * libhdf5, so the raw and output folders are local paths (on a cluster: a file system every
 * executor mounts).
 */
public final class ReconstructJob {
    private static final Pattern SUBJECT_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReconstructJob() {
    }

    /**
     * @param raw           raw data folder
     * @param out           cohort folder to create (must not exist)
     * @param coilsCompress virtual coils after compression (0: none)
     * @param schedule      schedule name or CSV, overriding the files' scheduleName (null: the files')
     * @param frameCounter  the idx counter that holds the time point
     */
    public record Settings(String raw, String out, int coilsCompress, String schedule, Counter frameCounter) implements Serializable {
        public Settings {
            if (coilsCompress < 0) throw new MrfInputException("--coils-compress must be >= 0 (0 = no compression), got " + coilsCompress);
        }
    }

    public record Result(String path, int subjects, int slices, int frames, int matrix, double seconds) {
        public String summary() {
            return String.format(Locale.ROOT, "reconstruct: subjects=%d slices=%d frames=%d matrix=%d in %.1fs (%.1f s/slice) wrote %s",
                    subjects, slices, frames, matrix, seconds, seconds / Math.max(1, slices), path);
        }
    }

    /** One task: slice {@code slice} of {@code file} becomes slice {@code number} of {@code subject}. */
    record Task(String subject, String file, int slice, int number, int frames) implements Serializable {
    }

    public static Result run(SparkSession spark, Settings s) {
        long t0 = System.nanoTime();
        Path rawDir = localPath(s.raw());
        Path target = localPath(s.out()).toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new MrfInputException("--out " + target + " exists; reconstruct writes a new cohort folder. Choose another path or remove it.");
        }
        if (!Files.isDirectory(rawDir)) throw new MrfInputException("--raw " + rawDir + " is not a folder of ISMRMRD files.");
        try {
            Map<String, List<Path>> subjects = subjects(rawDir);
            List<Task> tasks = new ArrayList<>();
            FispSequence schedule = null;
            Path scheduleFrom = null;
            int matrix = -1;
            double fov = -1;
            for (Map.Entry<String, List<Path>> e : subjects.entrySet()) {
                int number = 0;
                for (Path f : e.getValue()) {
                    IsmrmrdRaw.Plan plan = IsmrmrdRaw.plan(f, s.frameCounter());
                    FispSequence seq = IsmrmrdRaw.schedule(plan.header(), f, s.schedule(), plan.frames());
                    if (schedule == null) {
                        schedule = seq;
                        scheduleFrom = f;
                    } else if (!schedule.hash().equals(seq.hash())) {
                        throw new MrfInputException(f + ": schedule '" + seq.name() + "' (" + seq.length() + " time points, hash "
                                + seq.hash() + ") differs from " + scheduleFrom + "'s '" + schedule.name() + "' (" + schedule.length()
                                + ", hash " + schedule.hash() + "). A cohort has one schedule; reconstruct the files separately.");
                    }
                    if (matrix < 0) {
                        matrix = plan.matrix();
                        fov = plan.fovMm();
                    } else if (matrix != plan.matrix() || Math.abs(fov - plan.fovMm()) > 1e-6 * fov) {
                        throw new MrfInputException(f + ": encoding/reconSpace is " + plan.matrix() + " x " + plan.matrix() + " over "
                                + plan.fovMm() + " mm, " + scheduleFrom + "'s " + matrix + " x " + matrix + " over " + fov
                                + " mm. A cohort has one image grid; reconstruct the files separately.");
                    }
                    for (int sl : plan.slices()) tasks.add(new Task(e.getKey(), f.toString(), sl, number++, plan.frames()));
                }
            }
            if (tasks.isEmpty()) {
                throw new MrfInputException("--raw " + rawDir + " holds no ISMRMRD file (.h5, .mrd), directly or in subject folders.");
            }
            Path tmp = target.resolveSibling("." + target.getFileName() + ".reconstruct-" + java.util.UUID.randomUUID());
            int cores = spark.sparkContext().defaultParallelism();
            int threads = Math.max(1, cores / Math.min(cores, tasks.size()));
            int compress = s.coilsCompress();
            Counter counter = s.frameCounter();
            String tmpDir = tmp.toString();
            try {
                for (String subject : subjects.keySet()) Files.createDirectories(tmp.resolve(subject));
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                List<Task> done;
                try (SparkProgress ignored = new SparkProgress(spark, "reconstruct", tasks.size(), tasks.size(), "slices")) {
                    done = jsc.parallelize(tasks, tasks.size()).map(task -> {
                        GriddingReconstruction.Options options = GriddingReconstruction.Options.defaults()
                                .withCoilsCompress(compress).withThreads(threads);
                        IsmrmrdReconstruction.toNpy(Path.of(task.file()), task.slice(), counter, task.frames(), options,
                                Path.of(tmpDir, task.subject(), seriesName(task.number())));
                        return task;
                    }).collect();
                }
                writeManifests(tmp, subjects.keySet(), done, schedule, matrix, fov, s);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(tmp)) {
                    SparkSessions.awaitNoRunningTasks(AtomicOutput.ABORT_WAIT_MS);
                    deleteTree(tmp);
                }
            }
            return new Result(target.toString(), subjects.size(), tasks.size(), schedule.length(), matrix, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("reconstruct of " + s.raw() + " failed; nothing was written to " + target, e);
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "nothing was written to " + target);
        }
    }

    /** One slice of a raw folder: its file and its idx.slice there. */
    public record RawSlice(String file, int slice) implements Serializable {
    }

    /**
     * Where each slice of a raw folder is (the layout above, as {@link #run} numbers the slices): subject id -> its
     * slices in order, slice number i at index i.
     */
    public static Map<String, List<RawSlice>> layout(Path rawDir, Counter frameCounter) throws IOException {
        if (!Files.isDirectory(rawDir)) throw new MrfInputException("--raw " + rawDir + " is not a folder of ISMRMRD files.");
        Map<String, List<RawSlice>> out = new TreeMap<>();
        for (Map.Entry<String, List<Path>> e : subjects(rawDir).entrySet()) {
            List<RawSlice> slices = new ArrayList<>();
            for (Path f : e.getValue()) {
                for (int sl : IsmrmrdRaw.plan(f, frameCounter).slices()) slices.add(new RawSlice(f.toAbsolutePath().toString(), sl));
            }
            out.put(e.getKey(), slices);
        }
        return out;
    }

    static String seriesName(int number) {
        return String.format(Locale.ROOT, "slice-%03d_series.npy", number);
    }

    private static Path localPath(String p) {
        return p.startsWith("file:") ? Path.of(java.net.URI.create(p)) : Path.of(p);
    }

    private static boolean isRaw(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && !n.startsWith(".") && (n.endsWith(".h5") || n.endsWith(".mrd"));
    }

    /** Subject id -> its files in name order; sub-folders first, then files in the folder itself. */
    static Map<String, List<Path>> subjects(Path raw) throws IOException {
        Map<String, List<Path>> out = new TreeMap<>();
        List<Path> entries;
        try (Stream<Path> st = Files.list(raw)) {
            entries = st.sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path e : entries) {
            String name = e.getFileName().toString();
            if (name.startsWith(".")) continue;
            if (Files.isDirectory(e)) {
                List<Path> files;
                try (Stream<Path> st = Files.list(e)) {
                    files = st.filter(ReconstructJob::isRaw).sorted(Comparator.comparing(Path::toString)).toList();
                }
                if (!files.isEmpty()) put(out, checkId(name, e), files);
            } else if (isRaw(e)) {
                put(out, checkId(name.replaceAll("\\.(h5|mrd)$", ""), e), List.of(e));
            }
        }
        return out;
    }

    private static void put(Map<String, List<Path>> out, String id, List<Path> files) {
        if (out.putIfAbsent(id, files) != null) {
            throw new MrfInputException(files.get(0) + ": subject '" + id + "' appears twice (a folder and a file of the same name).");
        }
    }

    private static String checkId(String id, Path where) {
        if (!SUBJECT_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new MrfInputException(where + ": '" + id + "' is not a valid subject id ([A-Za-z0-9._-], at most 128 "
                    + "characters). Rename the folder or file.");
        }
        return id;
    }

    private static void writeManifests(Path dir, java.util.Set<String> subjects, List<Task> done, FispSequence seq, int matrix,
                                       double fov, Settings s) throws IOException {
        Map<String, Object> cohort = new LinkedHashMap<>();
        cohort.put("format", "mrf-cohort");
        cohort.put("version", 1);
        cohort.put("subjects", List.copyOf(subjects));
        cohort.put("schedule", CohortManifest.Schedule.json(seq));
        cohort.put("matrix", matrix);
        cohort.put("fov_mm", fov);
        cohort.put("pixel_mm", fov / matrix);
        Map<String, Object> acq = new LinkedHashMap<>();
        acq.put("source", "mrf reconstruct --raw " + s.raw());
        acq.put("reconstruction", "per-frame NUFFT adjoint with density compensation, Walsh adaptive coil combination"
                + (s.coilsCompress() > 0 ? ", coils compressed to " + s.coilsCompress() : ""));
        acq.put("frame_counter", "idx." + s.frameCounter().field());
        cohort.put("acquisition", acq);
        Files.writeString(dir.resolve("cohort.json"), JSON.writeValueAsString(cohort));
        Map<String, List<Task>> bySubject = new TreeMap<>();
        for (Task t : done) bySubject.computeIfAbsent(t.subject(), k -> new ArrayList<>()).add(t);
        for (Map.Entry<String, List<Task>> e : bySubject.entrySet()) {
            List<Map<String, Object>> slices = new ArrayList<>();
            e.getValue().sort(Comparator.comparingInt(Task::number));
            for (Task t : e.getValue()) {
                Map<String, Object> sl = new LinkedHashMap<>();
                sl.put("slice", t.number());
                sl.put("raw", Path.of(t.file()).getFileName().toString());
                sl.put("raw_slice", t.slice());
                sl.put("shape", List.of(t.frames(), matrix, matrix));
                sl.put("files", Map.of("series", seriesName(t.number())));
                slices.add(sl);
            }
            Map<String, Object> subj = new LinkedHashMap<>();
            subj.put("subject", e.getKey());
            subj.put("slices", slices);
            Files.writeString(dir.resolve(e.getKey()).resolve("subject.json"), JSON.writeValueAsString(subj));
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> st = Files.walk(p)) {
            for (Path q : st.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
