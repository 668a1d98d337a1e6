package org.mrf.scq.spark.reconstruct;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdCsmr;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.method.SliceMapModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CSMR as a fitted map model ({@link CsmrMethod}): for each slice of the slices dataset its ISMRMRD file is read on the
 * executor and the maps are reconstructed from the first {@link #timepoints()} frames of k-space by
 * {@link IsmrmrdCsmr} (Davies et al., SIAM J Imaging Sci 2014; {@link Csmr}); the slice's image series is not used.
 * The raw files are local paths every executor can read (docs/RAW-DATA.md); the dictionary is read once per executor JVM.
 */
public final class CsmrModel extends SliceMapModel {
    public static final String FILE = "csmr-model.json";
    private static final Map<String, Dictionary> DICTIONARIES = new ConcurrentHashMap<>();

    private final String dictionaryPath;
    private final Map<String, ReconstructJob.RawSlice> files;   // slice key (subject/slice) -> raw file and idx.slice
    private final String rawDir;
    private final int rank, iterations;
    private final Counter frameCounter;

    CsmrModel(String rawDir, Map<String, ReconstructJob.RawSlice> files, String dictionaryPath, int t, int ar, int rank,
              int iterations, Counter frameCounter) {
        super(CsmrMethod.NAME, t, ar);
        this.rawDir = rawDir;
        this.files = Map.copyOf(files);
        this.dictionaryPath = dictionaryPath;
        this.rank = rank;
        this.iterations = iterations;
        this.frameCounter = frameCounter;
    }

    /** The model over the raw folder {@code rawDir} (laid out as {@code mrf reconstruct} reads it). */
    public static CsmrModel of(String rawDir, String dictionaryPath, int t, int ar, int rank, int iterations, Counter frameCounter) {
        Map<String, ReconstructJob.RawSlice> files = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, List<ReconstructJob.RawSlice>> e : ReconstructJob.layout(Path.of(rawDir), frameCounter).entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) files.put(e.getKey() + "/" + i, e.getValue().get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the raw folder " + rawDir, e);
        }
        return new CsmrModel(rawDir, files, dictionaryPath, t, ar, rank, iterations, frameCounter);
    }

    @Override
    public float[][] mapSlice(MrfSlice s) {
        ReconstructJob.RawSlice raw = files.get(s.key());
        if (raw == null) {
            throw new MrfInputException("csmr: slice " + s.key() + " has no ISMRMRD file in the raw folder " + rawDir
                    + " (subject folder " + s.subject() + ", its files in name order, one slice number per idx.slice). Pass the "
                    + "raw folder the slices were reconstructed or simulated from.");
        }
        Dictionary dict = DICTIONARIES.computeIfAbsent(dictionaryPath, p -> DictionaryStore.read(p, new Configuration(), 0));
        IsmrmrdCsmr.Result r;
        try {
            r = IsmrmrdCsmr.reconstruct(Path.of(raw.file()), raw.slice(), frameCounter, timepoints(), dict, options());
        } catch (IOException e) {
            throw new UncheckedIOException("csmr: cannot read " + raw.file(), e);
        }
        if (r.matrix() != s.height() || r.matrix() != s.width()) {
            throw new MrfInputException("csmr: " + raw.file() + " reconstructs " + r.matrix() + " x " + r.matrix() + ", slice " + s.key()
                    + " is " + s.height() + " x " + s.width() + ". The raw folder does not belong to these slices.");
        }
        return new float[][]{r.maps().t1Ms(), r.maps().t2Ms(), r.maps().pd()};
    }

    /** The reconstruction settings (threads: this executor's cores). */
    public Csmr.Options options() {
        return Csmr.Options.defaults().withRank(rank).withIterations(iterations);
    }

    /** The raw file and idx.slice of a slice key (subject/slice), or null. */
    public ReconstructJob.RawSlice file(String sliceKey) {
        return files.get(sliceKey);
    }

    @Override
    public void save(String path) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "mrf-csmr-model");
        json.put("raw", rawDir);
        json.put("dictionary", dictionaryPath);
        json.put("t", timepoints());
        json.put("ar", ar());
        json.put("rank", rank);
        json.put("iterations", iterations);
        json.put("frame_counter", frameCounter.field());
        try {
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path);
            FileSystem fs = dir.getFileSystem(SparkSession.active().sparkContext().hadoopConfiguration());
            fs.mkdirs(dir);
            JsonFiles.write(fs, new org.apache.hadoop.fs.Path(dir, FILE), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the csmr model to " + path, e);
        }
    }

    /** The model {@link #save} wrote to {@code path}; the raw folder is listed again. */
    public static CsmrModel load(String path, Configuration conf) {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path, FILE);
        try {
            Map<?, ?> json = JsonFiles.readMap(file.getFileSystem(conf), file);
            return of((String) json.get("raw"), (String) json.get("dictionary"), ((Number) json.get("t")).intValue(),
                    ((Number) json.get("ar")).intValue(), ((Number) json.get("rank")).intValue(),
                    ((Number) json.get("iterations")).intValue(), Counter.parse((String) json.get("frame_counter")));
        } catch (IOException | RuntimeException e) {
            if (e instanceof MrfInputException x) throw x;
            throw new MrfInputException("csmr model " + path + ": " + FILE + " is missing or unreadable (" + e.getMessage()
                    + "). Save the model again.", e);
        }
    }
}
