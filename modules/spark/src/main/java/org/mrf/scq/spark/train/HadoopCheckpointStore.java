package org.mrf.scq.spark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.train.CheckpointStore;
import org.mrf.scq.spark.hadoop.OutputLease;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link CheckpointStore} on any Hadoop path (HDFS, S3A, file:), so that a training run outlives its driver's
 * machine: a new driver anywhere resumes from the same URI.
 * <p>
 * A run holds an {@link OutputLease} on the checkpoint folder {@code P/NAME} while it trains. Every file is written
 * whole into the run's temporary folder {@code P/.NAME.tmp-ID} and then renamed into {@code P/NAME}, replacing the
 * previous file of that name in one rename ({@link Options.Rename#OVERWRITE}, atomic on HDFS): a driver killed
 * mid-write leaves its bytes only in the temporary folder, which resume never reads and the next run at the same
 * path sweeps once the lease shows that the run is gone.
 */
public final class HadoopCheckpointStore implements CheckpointStore {
    private final FileSystem fs;
    private final FileContext fc;
    private final Path dir;
    private final Path tmp;
    private final OutputLease lease;

    private HadoopCheckpointStore(FileSystem fs, FileContext fc, Path dir, Path tmp, OutputLease lease) {
        this.fs = fs;
        this.fc = fc;
        this.dir = dir;
        this.tmp = tmp;
        this.lease = lease;
    }

    /**
     * The checkpoint folder {@code uri} (any Hadoop path; resolved against {@code conf}'s default file system):
     * sweeps what killed runs left there (each removal reported on {@code report}) and takes this run's lease.
     * Close it when training ends.
     */
    public static HadoopCheckpointStore open(String uri, Configuration conf, Consumer<String> report) {
        try {
            Path p = new Path(uri);
            FileSystem fs = p.getFileSystem(conf);
            Path dir = fs.makeQualified(p);
            OutputLease lease = OutputLease.take(fs, dir, report);
            return new HadoopCheckpointStore(fs, FileContext.getFileContext(dir.toUri(), conf), dir, lease.tmp(), lease);
        } catch (IOException | IllegalArgumentException e) {
            throw new MrfInputException("checkpoints " + uri + ": cannot be used (" + e.getMessage() + "). Give a writable "
                    + "directory or Hadoop URI with --checkpoints / mrf.train.checkpoints.", e);
        }
    }

    /** Deletes the checkpoint folder {@code uri} and everything in it (a fresh run without resume). */
    public static void clear(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        p.getFileSystem(conf).delete(p, true);
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        if (!fs.exists(dir)) return names;
        for (FileStatus st : fs.listStatus(dir)) {
            String n = st.getPath().getName();
            if (st.isFile() && !n.startsWith(".")) names.add(n);
        }
        names.sort(null);
        return names;
    }

    @Override
    public void write(String name, Content content) throws IOException {
        Path part = new Path(tmp, name);
        try (FSDataOutputStream out = fs.create(part, true)) {
            content.writeTo(out);
        }
        fs.mkdirs(dir);
        fc.rename(part, new Path(dir, name), Options.Rename.OVERWRITE);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return fs.open(new Path(dir, name));
    }

    @Override
    public boolean exists(String name) throws IOException {
        return fs.isFile(new Path(dir, name));
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            fs.delete(new Path(dir, name), false);
        } catch (FileNotFoundException alreadyGone) {
            // nothing to delete
        }
    }

    @Override
    public CheckpointStore folder(String name) {
        return new HadoopCheckpointStore(fs, fc, new Path(dir, name), new Path(tmp, name), null);
    }

    @Override
    public String location() {
        return dir.toString();
    }

    /** Removes this run's temporary folder, then its lease (a sub-folder's store holds neither). */
    @Override
    public void close() throws IOException {
        if (lease == null) return;
        try {
            fs.delete(tmp, true);
        } finally {
            lease.close();
        }
    }
}
