package org.mrf.scq.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.util.UUID;

/**
 * Write-then-rename for any Hadoop path (file://, hdfs://, s3a://): a job writes everything under
 * {@link #tmp()}, and {@link #commit()} moves it to the final path in one rename, so a killed job
 * never leaves a partial dataset where readers look. An existing output is replaced only with
 * {@code overwrite}, and only after the new one is complete.
 */
public final class AtomicOutput implements AutoCloseable {
    private final FileSystem fs;
    private final Path target;
    private final Path tmp;
    private final boolean overwrite;
    private boolean committed;

    private AtomicOutput(FileSystem fs, Path target, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.overwrite = overwrite;
        this.tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
    }

    /** Refuses at once (before any work) when the target exists and {@code overwrite} is false. */
    public static AtomicOutput begin(String path, Configuration conf, boolean overwrite) {
        try {
            Path target = new Path(path);
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            restoreInterruptedCommit(fs, target);
            if (fs.exists(target) && !overwrite) {
                throw new MrfInputException("output " + target + " already exists. Pass --overwrite to replace it, "
                        + "or choose another --out.");
            }
            Path parent = target.getParent();
            if (parent != null && !fs.exists(parent)) fs.mkdirs(parent);
            return new AtomicOutput(fs, target, overwrite);
        } catch (IOException e) {
            throw new MrfInputException("output " + path + ": cannot be prepared (" + e.getMessage() + ")", e);
        }
    }

    /**
     * {@link #commit()} replaces an output in two renames (target -> .old, tmp -> target); a job killed between them
     * leaves no target but a complete previous output under {@code .<name>.old-*}. Put it back before anything
     * else, so that the next job (or its refusal without overwrite) sees the previous output as it was.
     */
    static void restoreInterruptedCommit(FileSystem fs, Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null || fs.exists(target) || !fs.exists(parent)) return;
        String prefix = "." + target.getName() + ".old-";
        org.apache.hadoop.fs.FileStatus newest = null;
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(parent)) {
            if (st.getPath().getName().startsWith(prefix)
                    && (newest == null || st.getModificationTime() > newest.getModificationTime())) newest = st;
        }
        if (newest != null && !fs.rename(newest.getPath(), target)) {
            throw new IOException("cannot restore the previous output " + newest.getPath() + " to " + target
                    + " after an interrupted replace; rename it back by hand");
        }
    }

    public Path tmp() { return tmp; }
    public String tmpUri() { return tmp.toString(); }
    public Path target() { return target; }
    public FileSystem fs() { return fs; }

    public void commit() throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            if (!overwrite) throw new IOException("output " + target + " appeared while the job ran; not replacing it");
            old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
            if (!fs.rename(target, old)) throw new IOException("cannot move the previous " + target + " aside");
        }
        if (!fs.rename(tmp, target)) {
            if (old != null) fs.rename(old, target);
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        committed = true;
        if (old != null) fs.delete(old, true);
    }

    /** How long an abort waits for the failed job's remaining tasks to stop before deleting their output. */
    public static final long ABORT_WAIT_MS = 30_000;

    /** Removes the temporary output unless committed. */
    @Override
    public void close() {
        if (committed) return;
        SparkSessions.awaitNoRunningTasks(ABORT_WAIT_MS);
        try {
            fs.delete(tmp, true);
        } catch (IOException ignored) {
            // Best effort: a leftover dot-prefixed temp dir is invisible to readers.
        }
    }
}
