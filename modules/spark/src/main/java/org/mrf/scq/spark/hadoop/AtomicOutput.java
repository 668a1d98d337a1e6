package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;

/**
 * Write-then-rename for any Hadoop path (file://, hdfs://, s3a://): a job writes everything under
 * {@link #tmp()}, and {@link #commit()} moves it to the final path in one rename, so a killed job
 * never leaves a partial dataset where readers look. An existing output is replaced only with
 * {@code overwrite}, and only after the new one is complete.
 */
public final class AtomicOutput implements AutoCloseable {
    private final FileSystem fs;
    private final Path target;
    private final OutputLease lease;
    private final boolean overwrite;
    private boolean committed;
    private boolean closed;

    private AtomicOutput(FileSystem fs, Path target, OutputLease lease, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.lease = lease;
        this.overwrite = overwrite;
    }

    /**
     * Refuses at once (before any work) when the target exists and {@code overwrite} is false. First removes what
     * killed runs left at this output, and puts back a previous output that a killed replace left aside
     * ({@link OutputLease}); a live run's folders are never touched.
     */
    public static AtomicOutput begin(String path, Configuration conf, boolean overwrite) {
        try {
            Path target = new Path(path);
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            OutputLease.sweep(fs, target, System.err::println);
            if (fs.exists(target) && !overwrite) {
                throw new MrfInputException("output " + target + " already exists. Pass --overwrite to replace it, "
                        + "or choose another --out.");
            }
            Path parent = target.getParent();
            if (parent != null && !fs.exists(parent)) fs.mkdirs(parent);
            return new AtomicOutput(fs, target, OutputLease.take(fs, target, System.err::println), overwrite);
        } catch (IOException e) {
            throw new MrfInputException("output " + path + ": cannot be prepared (" + e.getMessage() + ")", e);
        }
    }

    public Path tmp() { return lease.tmp(); }
    public String tmpUri() { return lease.tmp().toString(); }
    public Path target() { return target; }
    public FileSystem fs() { return fs; }

    /**
     * Moves the temporary output into place. A previous output is first renamed aside and deleted only after the
     * new one is in place; a run killed between the two renames leaves it aside, and the next run puts it back.
     */
    public void commit() throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            if (!overwrite) throw new IOException("output " + target + " appeared while the job ran; not replacing it");
            old = lease.aside();
            if (!fs.rename(target, old)) throw new IOException("cannot move the previous " + target + " aside");
        }
        if (!fs.rename(lease.tmp(), target)) {
            if (old != null) fs.rename(old, target);
            throw new IOException("cannot rename " + lease.tmp() + " to " + target);
        }
        committed = true;
        if (old != null) fs.delete(old, true);
    }

    /** How long an abort waits for the failed job's remaining tasks to stop before deleting their output. */
    public static final long ABORT_WAIT_MS = 30_000;

    /** Removes the temporary output unless committed, then gives up the lease. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (!committed) {
                SparkSessions.awaitNoRunningTasks(ABORT_WAIT_MS);
                fs.delete(lease.tmp(), true);
            }
        } catch (IOException ignored) {
            // Best effort: without its lease, the leftover is removed by the next run at this output.
        } finally {
            lease.close();
        }
    }
}
