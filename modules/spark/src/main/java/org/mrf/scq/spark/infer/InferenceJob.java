package org.mrf.scq.spark.infer;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Property;
import org.mrf.scq.spark.hadoop.FailureInjection;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.hadoop.SparkErrors;
import org.mrf.scq.spark.hadoop.SparkProgress;
import org.mrf.scq.spark.method.ScqMapModel;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

/**
 * Batch inference of a {@link ModelSet} over a slices dataset, applied as a {@link ScqMapModel}. Each slice is one
 * Spark task: its blocks are cut to the model's first T time points, reassembled, and both networks (restored once per
 * executor JVM) predict the T1 and T2 maps.
 * <p>
 * Output {@code OUT/}: {@code maps/part-<subject>_slice-<k>.parquet} (one {@link MapsStore#SCHEMA} row per
 * slice; the directory reads as one maps dataset), {@code images/<subject>/slice-<k>/} (NIfTI + PNG) and
 * {@value #METADATA_FILE}. A slice is finished when its Parquet part exists: images are written first under a
 * temporary name and renamed, then the part is renamed into place, so a killed run leaves no half slice that a
 * re-run would take for finished; a re-run does only the slices without a part (idempotent, resumable).
 */
public final class InferenceJob {
    public static final String METADATA_FILE = "_mrf_inference.json";
    private static final Pattern PART = Pattern.compile("part-(.+)_slice-(\\d+)\\.parquet");

    private InferenceJob() {
    }

    public record Result(String path, int slices, int skipped, int written, String method, int ar, double seconds) {
        public String summary() {
            return String.format(Locale.ROOT, "infer: slices=%d skipped=%d written=%d method=%s ar=%d in %.1fs (%.2f slices/s) "
                    + "wrote %s/{maps,images}", slices, skipped, written, method, ar, seconds, written / Math.max(1e-9, seconds), path);
        }
    }

    static String partName(String subject, int slice) {
        return String.format(Locale.ROOT, "part-%s_slice-%03d.parquet", subject, slice);
    }

    /** One task per slice, by the slice's index in the to-do list. */
    static final class SlicePartitioner extends Partitioner {
        private final Map<String, Integer> index;

        SlicePartitioner(List<String> keys) {
            index = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) index.put(keys.get(i), i);
        }

        @Override
        public int numPartitions() {
            return index.size();
        }

        @Override
        public int getPartition(Object key) {
            return index.get((String) key);
        }
    }

    public static Result run(SparkSession spark, String slicesPath, String modelPath, String out) {
        long t0 = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ModelSet.Info model = ModelSet.inspect(modelPath, conf);
        model.require(Property.T1);
        model.require(Property.T2);
        int t = model.t();
        checkSlicesFitModel(spark, slicesPath, model);
        // Straight from Parquet so only the key columns are read, never the series (checkSlicesFitModel has checked
        // the columns through SliceStore).
        List<Row> perSlice = spark.read().parquet(slicesPath).groupBy(col("subject"), col("slice"))
                .agg(min(col("t")).as("t")).orderBy(col("subject"), col("slice")).collectAsList();
        if (perSlice.isEmpty()) {
            throw new MrfInputException("slices dataset " + slicesPath + " holds no slices. Ingest a cohort into it first "
                    + "('mrf ingest --cohort DIR --out " + slicesPath + "').");
        }
        List<String> keys = new ArrayList<>();
        for (Row r : perSlice) {
            String key = r.getString(0) + "/" + r.getInt(1);
            if (r.getInt(2) < t) {
                throw new MrfInputException("slices dataset " + slicesPath + ": slice " + key + " has T=" + r.getInt(2)
                        + " time points, but model set " + modelPath + " needs the first " + t + " (ar " + model.ar()
                        + "). Use a model trained at a higher ar, or slices with the full schedule.");
            }
            keys.add(key);
        }
        try {
            Path root = new Path(out);
            FileSystem fs = root.getFileSystem(conf);
            root = fs.makeQualified(root);
            Path mapsDir = new Path(root, "maps"), imagesDir = new Path(root, "images");
            claimOutput(fs, root, model, slicesPath);
            fs.mkdirs(mapsDir);
            fs.mkdirs(imagesDir);
            sweepTemporaries(fs, mapsDir, imagesDir);
            Set<String> done = finished(fs, mapsDir);
            List<String> todo = keys.stream().filter(k -> !done.contains(k)).toList();
            int skipped = keys.size() - todo.size();
            List<String> written = todo.isEmpty() ? List.of() : infer(spark, slicesPath, model, root.toString(), todo);
            return new Result(root.toString(), keys.size(), skipped, written.size(), model.method(), model.ar(),
                    (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("inference could not write " + out, e);
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "inference stopped; the slices finished so far are kept in " + out
                    + " and a re-run does only the rest");
        }
    }

    /** Schedule and time points of the dataset (its ingest metadata) against the model's. */
    private static void checkSlicesFitModel(SparkSession spark, String slicesPath, ModelSet.Info model) {
        SliceStore.blocks(spark, slicesPath, 0); // a clear message when the dataset is missing
        SliceStore.Metadata meta = SliceStore.metadata(slicesPath, spark.sparkContext().hadoopConfiguration());
        if (meta.scheduleHash() == null || !meta.scheduleHash().equals(model.scheduleHash())) {
            throw new MrfInputException("slices dataset " + slicesPath + " was acquired with schedule " + meta.scheduleName()
                    + " (hash " + meta.scheduleHash() + "), but model set " + model.path() + " was trained for schedule hash "
                    + model.scheduleHash() + ". Use a model trained on slices of this schedule ('mrf train --slices " + slicesPath + "').");
        }
        if (meta.timepoints() < model.t()) {
            throw new MrfInputException("slices dataset " + slicesPath + " has T=" + meta.timepoints() + " time points, but model set "
                    + model.path() + " needs the first " + model.t() + " (ar " + model.ar() + "). Use a model trained at a higher ar.");
        }
    }

    /**
     * Creates OUT with its metadata, or checks that an existing OUT holds maps of the same model and slices, so a
     * re-run resumes and never mixes two models' maps in one dataset.
     */
    private static void claimOutput(FileSystem fs, Path root, ModelSet.Info model, String slicesPath) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", model.path());
        meta.put("model_fingerprint", model.fingerprint());
        meta.put("slices", slicesPath);
        meta.put("method", model.method());
        meta.put("ar", model.ar());
        meta.put("t", model.t());
        meta.put("schedule_hash", model.scheduleHash());
        meta.put("code_version", org.mrf.scq.core.util.CodeVersion.get());
        Path mf = new Path(root, METADATA_FILE);
        if (fs.exists(mf)) {
            Map<?, ?> old = JsonFiles.JSON.readValue(JsonFiles.readText(fs, mf), Map.class);
            if (!model.fingerprint().equals(old.get("model_fingerprint")) || !slicesPath.equals(old.get("slices"))) {
                throw new MrfInputException("output " + root + " holds maps of model " + old.get("model") + " over " + old.get("slices")
                        + " (another model or dataset than " + model.path() + " over " + slicesPath + "). Choose another --out, "
                        + "or remove it to start again.");
            }
            return;
        }
        if (fs.exists(root) && fs.listStatus(root).length > 0) {
            throw new MrfInputException("output " + root + " exists and is not an 'mrf infer' output (no " + METADATA_FILE
                    + "). Choose another --out.");
        }
        fs.mkdirs(root);
        Path tmp = new Path(root, "." + METADATA_FILE + ".tmp-" + UUID.randomUUID());
        JsonFiles.writeText(fs, tmp, JsonFiles.JSON.writeValueAsString(meta));
        if (!fs.rename(tmp, mf)) throw new IOException("cannot rename " + tmp + " to " + mf);
    }

    /** Keys of the slices whose part is in place. */
    static Set<String> finished(FileSystem fs, Path mapsDir) throws IOException {
        Set<String> done = new TreeSet<>();
        if (!fs.exists(mapsDir)) return done;
        for (FileStatus st : fs.listStatus(mapsDir)) {
            Matcher m = PART.matcher(st.getPath().getName());
            if (m.matches()) done.add(m.group(1) + "/" + Integer.parseInt(m.group(2)));
        }
        return done;
    }

    /** Temporary files of a run killed before its tasks could clean up (never visible as results). */
    private static void sweepTemporaries(FileSystem fs, Path mapsDir, Path imagesDir) throws IOException {
        for (Path dir : new Path[]{mapsDir, imagesDir}) {
            for (FileStatus st : fs.listStatus(dir)) {
                if (st.getPath().getName().startsWith(".") && st.getPath().getName().contains(".tmp-")) fs.delete(st.getPath(), true);
            }
        }
    }

    private static List<String> infer(SparkSession spark, String slicesPath, ModelSet.Info model, String out, List<String> todo) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Set<String>> wanted = jsc.broadcast(new TreeSet<>(todo));
        ScqMapModel scq = new ScqMapModel(model, model.method(), null);
        try (SparkProgress ignored = new SparkProgress(spark, "infer")) {
            return SliceStore.blocks(spark, slicesPath, scq.timepoints()).javaRDD()
                    .filter(b -> wanted.value().contains(b.sliceKey()))
                    .mapToPair(b -> new Tuple2<>(b.sliceKey(), b))
                    .groupByKey(new SlicePartitioner(todo))
                    .map(g -> inferSlice(SliceStore.assemble(g._2()), scq, out))
                    .collect();
        } finally {
            wanted.destroy();
        }
    }

    /**
     * Runs on an executor: maps one slice with the model (as its {@link ScqMapModel#transform} does) and makes its
     * outputs visible, images first, the part last.
     */
    private static String inferSlice(MrfSlice s, ScqMapModel model, String out) throws IOException {
        int t = model.timepoints();
        Configuration conf = new Configuration();
        Path root = new Path(out), mapsDir = new Path(root, "maps"), imagesDir = new Path(root, "images");
        FileSystem fs = root.getFileSystem(conf);
        Path part = new Path(mapsDir, partName(s.subject(), s.slice()));
        if (fs.exists(part)) return s.key(); // finished by an earlier attempt of this task
        if (s.timepoints() < t) {
            throw new MrfInputException("slice " + s.key() + " has T=" + s.timepoints() + " time points, the model needs " + t + ".");
        }
        float[][] maps = model.mapSlice(s);
        MapsStore.SliceMaps m = new MapsStore.SliceMaps(s.subject(), s.slice(), model.method(), model.ar(), s.height(), s.width(),
                maps[0], maps[1], null);
        String id = UUID.randomUUID().toString();
        Path imagesTmp = new Path(imagesDir, ".slice.tmp-" + id);
        Path partTmp = new Path(mapsDir, "." + part.getName() + ".tmp-" + id);
        try {
            MapsStore.writeImages(fs, imagesTmp, m, s.t1Ms(), s.t2Ms(), s.mask());
            String sliceDir = String.format(Locale.ROOT, "slice-%03d", s.slice());
            Path imagesFinal = new Path(new Path(imagesDir, s.subject()), sliceDir);
            fs.mkdirs(imagesFinal.getParent());
            if (fs.exists(imagesFinal)) fs.delete(imagesFinal, true); // images of an attempt killed before its part
            if (!fs.rename(new Path(new Path(imagesTmp, s.subject()), sliceDir), imagesFinal)) {
                throw new IOException("cannot move the images of " + s.key() + " to " + imagesFinal);
            }
            MapsStore.writeSliceParquet(conf, partTmp, m);
            // Between the images and the part: a failure here is the worst case a re-run must repair.
            FailureInjection.maybeFail("infer");
            if (!fs.rename(partTmp, part)) throw new IOException("cannot rename " + partTmp + " to " + part);
            return s.key();
        } finally {
            fs.delete(imagesTmp, true);
            fs.delete(partTmp, false);
            fs.delete(new Path(mapsDir, "." + partTmp.getName() + ".crc"), false);
        }
    }
}
