package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.io.cohort.FileSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;

/**
 * A cohort root on any Hadoop file system (file://, hdfs://, s3a://). Serializable, so executors
 * can read the files of the slices they ingest; the file system is opened lazily on each JVM.
 */
public final class HadoopFileSource implements FileSource, Serializable {
    private final String root;
    private transient FileSystem fs;

    public HadoopFileSource(String root) {
        this.root = root;
    }

    private FileSystem fs() throws IOException {
        if (fs == null) fs = new Path(root).getFileSystem(new Configuration());
        return fs;
    }

    @Override
    public InputStream open(String relPath) throws IOException {
        return fs().open(new Path(root, relPath));
    }

    @Override
    public boolean exists(String relPath) throws IOException {
        return fs().exists(new Path(root, relPath));
    }

    @Override
    public String describe(String relPath) {
        return new Path(root, relPath).toString();
    }
}
