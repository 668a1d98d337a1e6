package org.mrf.scq.spark.method;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.Matcher;
import org.mrf.scq.core.match.SubspaceMatcher;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.SliceBlock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DM or SDM over the first {@code t} time points of a dictionary. The cut dictionary is broadcast; each executor
 * builds its matcher once ({@link MatcherCache}), SDM's basis with {@link RandomizedSvd}'s fixed seed, so every
 * executor has the same one. Saved as a small JSON file naming the dictionary.
 */
public final class MatchModel extends BlockMapModel {
    public static final String FILE = "_mrf_match_model.json";

    private final String dictionaryPath;
    private final double energy;
    private final Broadcast<Dictionary> dictionary;

    private MatchModel(String method, String dictionaryPath, int t, int ar, double energy, Broadcast<Dictionary> dictionary) {
        super(method, t, ar);
        this.dictionaryPath = dictionaryPath;
        this.energy = energy;
        this.dictionary = dictionary;
    }

    /** {@code method} (dm or sdm) over the first {@code t} time points of {@code dict}, loaded from {@code dictionaryPath}. */
    static MatchModel of(SparkSession spark, String method, String dictionaryPath, Dictionary dict, int t, double energy) {
        if (t < 1 || t > dict.timepoints()) {
            throw new MrfInputException("dictionary " + dictionaryPath + " has T=" + dict.timepoints() + " time points; " + method
                    + " cannot read the first " + t + ". Use 1 <= ar <= T.");
        }
        Broadcast<Dictionary> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(dict.truncate(t));
        return new MatchModel(method, dictionaryPath, t, (int) Math.round((double) dict.timepoints() / t), energy, b);
    }

    @Override
    protected float[][] mapBlock(SliceBlock b) {
        Matcher m = MatcherCache.get(dictionary, method(), timepoints(), this::matcher);
        MatchResult r;
        synchronized (m) {
            r = m.matchTimeMajor(b.getRe(), b.getIm(), b.getT(), b.getRows(), b.getWidth(), timepoints());
            m.release();
        }
        return new float[][]{r.t1, r.t2, r.pd};
    }

    /** The matcher over an already cut dictionary (on an executor). */
    private Matcher matcher(Dictionary cut) {
        return "sdm".equals(method()) ? SubspaceMatcher.forEnergy(cut, RandomizedSvd.ofDictionary(cut), energy) : new DictionaryMatcher(cut);
    }

    /** Frees the broadcast dictionary and this JVM's matchers; the model cannot transform afterwards. */
    public void release() {
        MatcherCache.clear();
        dictionary.destroy();
    }

    @Override
    public void save(String path) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "mrf-match-model");
        json.put("method", method());
        json.put("dictionary", dictionaryPath);
        json.put("t", timepoints());
        json.put("energy", energy);
        try {
            Path dir = new Path(path);
            FileSystem fs = dir.getFileSystem(SparkSession.active().sparkContext().hadoopConfiguration());
            fs.mkdirs(dir);
            JsonFiles.write(fs, new Path(dir, FILE), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the " + method() + " model to " + path, e);
        }
    }

    /** The model {@link #save} wrote to {@code path}; its dictionary is read again from where it was. */
    public static MatchModel load(SparkSession spark, String path) {
        Path file = new Path(path, FILE);
        try {
            Map<?, ?> json = JsonFiles.readMap(file.getFileSystem(spark.sparkContext().hadoopConfiguration()), file);
            String dict = (String) json.get("dictionary");
            return of(spark, (String) json.get("method"), dict, DictionaryStore.load(spark, dict, 0), ((Number) json.get("t")).intValue(),
                    ((Number) json.get("energy")).doubleValue());
        } catch (IOException | RuntimeException e) {
            if (e instanceof MrfInputException x) throw x;
            throw new MrfInputException("match model " + path + ": " + FILE + " is missing or unreadable (" + e.getMessage()
                    + "). Save the model again.", e);
        }
    }
}
