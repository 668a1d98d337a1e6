package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Who owns a hidden folder beside an output, so that a run can remove what killed runs left behind without ever
 * touching a live run's work.
 *
 * <p>A run that writes the output {@code P/NAME} takes a lease before it writes anything: the file
 * {@code P/.NAME.lease-ID}, created atomically, naming its host and process, and touched every {@link #HEARTBEAT_MS}
 * by a daemon thread while the run lives. The run's temporary folder is {@code P/.NAME.tmp-ID}; while it replaces a
 * previous output, that output waits aside as {@code P/.NAME.old-ID}. The lease is deleted last, after those folders
 * are gone, so a folder without its lease belongs to no live run.
 *
 * <p>A run ID is <em>dead</em> when its lease is missing, or names this host and a process that no longer exists,
 * or (another host's run) has not been touched for {@link #STALE_MS}. Age alone never decides for a lease whose
 * holder can be checked. {@link #sweep} removes the folders and lease of dead runs; a dead run's {@code .old-ID}
 * folder is the previous output itself when the output is missing (the run was killed between its two renames),
 * and is then put back instead.
 */
public final class OutputLease implements AutoCloseable {
    static final long HEARTBEAT_MS = 10_000;
    static final long STALE_MS = 12 * HEARTBEAT_MS;

    private static final ScheduledExecutorService HEART = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mrf-output-lease");
        t.setDaemon(true);
        return t;
    });

    private final FileSystem fs;
    private final Path target;
    private final String id;
    private final Path file;
    private final ScheduledFuture<?> heartbeat;
    private boolean released;

    private OutputLease(FileSystem fs, Path target, String id, Path file) {
        this.fs = fs;
        this.target = target;
        this.id = id;
        this.file = file;
        this.heartbeat = HEART.scheduleWithFixedDelay(this::touch, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }

    /** Sweeps dead runs' leftovers at {@code target} (each reported on {@code report}), then takes a new lease. */
    public static OutputLease take(FileSystem fs, Path target, Consumer<String> report) throws IOException {
        sweep(fs, target, report);
        String id = UUID.randomUUID().toString();
        Path file = sibling(target, "lease", id);
        fs = withoutChecksums(fs);
        String holder = JsonFiles.JSON.writeValueAsString(Map.of("run_id", id, "host", RunLock.hostName(),
                "pid", ProcessHandle.current().pid(), "started", processStart(ProcessHandle.current()),
                "time", java.time.Instant.now().toString())) + "\n";
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(holder.getBytes(StandardCharsets.UTF_8));
        }
        return new OutputLease(fs, target, id, file);
    }

    /** A local file system without its {@code .crc} side files: a lease is a few bytes that only this class reads. */
    private static FileSystem withoutChecksums(FileSystem fs) {
        return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    /** The run's temporary folder. */
    public Path tmp() {
        return sibling(target, "tmp", id);
    }

    /** Where the previous output waits while this run replaces it. */
    public Path aside() {
        return sibling(target, "old", id);
    }

    static Path sibling(Path target, String kind, String id) {
        return new Path(target.getParent(), "." + target.getName() + "." + kind + "-" + id);
    }

    private void touch() {
        try {
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (IOException | UnsupportedOperationException ignored) {
            // A missed beat is harmless: only STALE_MS without any makes the lease look dead.
        }
    }

    /** Stops the heartbeat and deletes the lease; call after the run's folders are gone. */
    @Override
    public synchronized void close() {
        if (released) return;
        released = true;
        heartbeat.cancel(false);
        try {
            fs.delete(file, false);
        } catch (IOException ignored) {
            // A lease left behind names a dead process: the next run at this output removes it.
        }
    }

    /**
     * Removes the leftovers of dead runs at {@code target}: their temporary folders, their aside folders (or puts
     * the newest back when the output is missing) and their leases. Returns the removed paths.
     */
    public static List<Path> sweep(FileSystem fs, Path target, Consumer<String> report) throws IOException {
        Path parent = target.getParent();
        List<Path> removed = new ArrayList<>();
        if (parent == null || !fs.exists(parent)) return removed;
        String prefix = "." + target.getName() + ".";
        Map<String, List<FileStatus>> byRun = new TreeMap<>();
        Map<String, FileStatus> leases = new TreeMap<>();
        for (FileStatus st : fs.listStatus(parent)) {
            String name = st.getPath().getName();
            if (!name.startsWith(prefix)) continue;
            String rest = name.substring(prefix.length());
            int dash = rest.indexOf('-');
            if (dash < 0) continue;
            String kind = rest.substring(0, dash), id = rest.substring(dash + 1);
            switch (kind) {
                case "lease" -> leases.put(id, st);
                case "tmp", "old" -> byRun.computeIfAbsent(id, k -> new ArrayList<>()).add(st);
                default -> { }
            }
        }
        FileStatus restore = null;
        for (Map.Entry<String, List<FileStatus>> run : byRun.entrySet()) {
            String why = deadBecause(fs, leases.get(run.getKey()));
            if (why == null) continue;
            for (FileStatus st : run.getValue()) {
                boolean aside = st.getPath().getName().startsWith(prefix + "old-");
                if (aside && !fs.exists(target)) {
                    if (restore == null || st.getModificationTime() > restore.getModificationTime()) restore = st;
                    continue;
                }
                if (fs.delete(st.getPath(), true)) {
                    removed.add(st.getPath());
                    report.accept("removed " + st.getPath() + ", left by a run that is gone (" + why + ")");
                }
            }
        }
        if (restore != null && !fs.rename(restore.getPath(), target)) {
            throw new IOException("cannot restore the previous output " + restore.getPath() + " to " + target
                    + " after an interrupted replace; rename it back by hand");
        }
        for (Map.Entry<String, FileStatus> lease : leases.entrySet()) {
            if (deadBecause(fs, lease.getValue()) != null && fs.delete(lease.getValue().getPath(), false)) {
                removed.add(lease.getValue().getPath());
            }
        }
        return removed;
    }

    private static String processStart(ProcessHandle p) {
        return p.info().startInstant().map(Object::toString).orElse("unknown");
    }

    /** Null while the lease's run may be alive; otherwise why it is not. */
    static String deadBecause(FileSystem fs, FileStatus lease) throws IOException {
        if (lease == null) return "no lease";
        fs = withoutChecksums(fs);
        Map<?, ?> holder;
        try (java.io.InputStream in = fs.open(lease.getPath())) {
            holder = JsonFiles.JSON.readValue(in, Map.class);
        } catch (java.io.FileNotFoundException e) {
            return "no lease";
        } catch (IOException e) {
            // Being written right now, or damaged: only the heartbeat can tell.
            holder = Map.of();
        }
        Object host = holder.get("host"), pid = holder.get("pid"), started = holder.get("started");
        if (RunLock.hostName().equals(host) && pid instanceof Number n) {
            // The start time tells a live holder from another process that got its pid later.
            boolean alive = ProcessHandle.of(n.longValue()).filter(ProcessHandle::isAlive)
                    .map(p -> started == null || processStart(p).equals(started)).orElse(false);
            return alive ? null : "host " + host + ", process " + n + " has exited";
        }
        long age = System.currentTimeMillis() - fs.getFileStatus(lease.getPath()).getModificationTime();
        return age > STALE_MS ? "host " + host + ", no heartbeat for " + age / 1000 + " s" : null;
    }
}
