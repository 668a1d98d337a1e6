package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;

/**
 * An exclusive lock file on any Hadoop file system. {@code create(overwrite=false)} is atomic on
 * HDFS and local file systems (the name node, resp. O_EXCL, decides), so of two runs started at
 * once exactly one gets the lock, on any host. The file records who holds it (host, pid, user,
 * time, run id) so a refused run can tell the operator whether the holder is still alive.
 *
 * <p>Object stores (s3a) have no atomic create-if-absent; there the lock only narrows the window,
 * so schedule reprocessing of an s3a output from one place only.
 */
public final class RunLock implements AutoCloseable {
    private final FileSystem fs;
    private final Path file;
    private final String content;
    private boolean released;

    private RunLock(FileSystem fs, Path file, String content) {
        this.fs = fs;
        this.file = file;
        this.content = content;
    }

    /**
     * Takes the lock or refuses with a message naming the lock file, its holder and how to break a
     * stale one. {@code breakLock} first removes an existing lock (reported on {@code log}).
     */
    public static RunLock acquire(FileSystem fs, Path file, String runId, boolean breakLock, PrintStream log) throws IOException {
        if (breakLock && fs.exists(file)) {
            log.println("reprocess: breaking lock " + file + " held by " + holder(fs, file));
            fs.delete(file, false);
        }
        String content = JsonFiles.JSON.writeValueAsString(java.util.Map.of(
                "run_id", runId, "host", hostName(), "pid", ProcessHandle.current().pid(),
                "user", System.getProperty("user.name", "?"), "time", Instant.now().toString())) + "\n";
        if (file.getParent() != null) fs.mkdirs(file.getParent());
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException e) {
            throw refused(fs, file);
        } catch (IOException e) {
            // Some clients wrap the "already exists" answer (e.g. in a RemoteException); the file tells.
            if (fs.exists(file) && !content.equals(read(fs, file))) throw refused(fs, file);
            throw e;
        }
        return new RunLock(fs, file, content);
    }

    private static MrfInputException refused(FileSystem fs, Path file) {
        return new MrfInputException("another reprocess run holds the lock " + file + " (" + holder(fs, file) + "). Wait for it "
                + "to finish. If that run is dead (its host/pid is gone), remove the stale lock with --break-lock "
                + "(or delete " + file + ") and run again.");
    }

    static String holder(FileSystem fs, Path file) {
        try {
            String s = read(fs, file);
            return s == null ? "holder unknown" : "held by " + s.strip();
        } catch (IOException e) {
            return "holder unreadable: " + e.getMessage();
        }
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h != null ? h : "unknown-host";
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Removes the folders {@code dir/PREFIX*} other than {@code keep}: the work folders of earlier runs under this
     * lock that were killed before they could remove their own. Call it only while holding the lock: no other live
     * run can then own such a folder. Each removal is reported on {@code log}.
     */
    public List<Path> sweep(Path dir, String prefix, Path keep, PrintStream log) throws IOException {
        if (released) throw new IllegalStateException("the lock " + file + " is released");
        List<Path> removed = new ArrayList<>();
        if (!fs.exists(dir)) return removed;
        String own = keep == null ? null : keep.getName();
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (!name.startsWith(prefix) || name.equals(own)) continue;
            if (fs.delete(st.getPath(), true)) {
                removed.add(st.getPath());
                log.println("removed " + st.getPath() + ", left by a killed run (this run holds the lock " + file + ")");
            }
        }
        return removed;
    }

    /** Removes the lock if it is still ours (a --break-lock from elsewhere may have taken it over). */
    @Override
    public void close() throws IOException {
        if (released) return;
        released = true;
        if (content.equals(read(fs, file))) fs.delete(file, false);
    }
}
