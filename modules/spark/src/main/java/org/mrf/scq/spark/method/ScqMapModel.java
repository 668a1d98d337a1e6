package org.mrf.scq.spark.method;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.model.Property;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.store.ModelSet;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A saved {@link ModelSet} (SCQ or one of its variants, one network per property) applied slice by slice: each
 * executor restores the networks once ({@link ModelSet#cached}, checked against the set's fingerprint) and keeps
 * them for its later tasks. A model fitted in this JVM also keeps its networks in memory, for a method that
 * warm-starts from them.
 */
public final class ScqMapModel extends SliceMapModel {
    private final String path;
    private final String fingerprint;
    private final transient ModelSet trained;

    public ScqMapModel(ModelSet.Info saved, String method, ModelSet trained) {
        super(method, saved.t(), saved.ar());
        saved.require(Property.T1);
        saved.require(Property.T2);
        this.path = saved.path();
        this.fingerprint = saved.fingerprint();
        this.trained = trained;
    }

    /** The model set at {@code path} (written by {@code mrf train} or {@link #save}), under its variant's name. */
    public static ScqMapModel load(String path, Configuration conf) {
        ModelSet.Info info = ModelSet.inspect(path, conf);
        return new ScqMapModel(info, info.method(), null);
    }

    /** Where the set lies, and its fingerprint. */
    public String path() {
        return path;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The networks as fitted in this JVM, or null for a loaded model. */
    public ModelSet trained() {
        return trained;
    }

    @Override
    public float[][] mapSlice(MrfSlice s) {
        return ModelSet.cached(path, fingerprint).predictMs(s);
    }

    @Override
    public void save(String to) {
        Configuration conf = SparkSession.active().sparkContext().hadoopConfiguration();
        Path src = new Path(path);
        try (AtomicOutput out = AtomicOutput.begin(to, conf, false)) {
            var fs = src.getFileSystem(conf);
            out.fs().mkdirs(out.tmp());
            for (var child : fs.listStatus(src)) {
                FileUtil.copy(fs, child.getPath(), out.fs(), new Path(out.tmp(), child.getPath().getName()), false, true, conf);
            }
            out.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model set " + path + " to " + to, e);
        }
    }
}
