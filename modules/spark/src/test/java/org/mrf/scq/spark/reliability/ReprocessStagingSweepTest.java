package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.reprocess.ReprocessJob;
import org.mrf.scq.spark.hadoop.RunLock;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ReprocessJob}'s hidden staging folders ({@code OUT/.reprocess-<run>}) are its runs' work in progress, owned
 * by whoever holds the output's lock. Two processes: a live holder's staging survives a second run (which the lock
 * refuses), and once the holder is killed, the next run that takes the lock removes every staging folder but its own.
 */
class ReprocessStagingSweepTest {
    private static List<String> staging(Path root) throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".reprocess-")).sorted().toList();
        }
    }

    @Test
    void aKilledRunsStagingIsRemovedByTheNextRunThatHoldsTheLock(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(root.resolve(".reprocess-older/maps"));
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path hroot = new org.apache.hadoop.fs.Path(root.toUri());
        org.apache.hadoop.fs.Path lockFile = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(hroot, ReprocessJob.STATE_DIR), ReprocessJob.LOCK);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true);
        try (ChildJvm holder = ChildJvm.start(dir.resolve("logs"), ReprocessLockHolder.class, root.toUri().toString(), "live")) {
            holder.awaitUntil("the holder's staging folder", 60_000, () -> holder.count(l -> l.startsWith("staging ")) > 0);
            assertEquals(List.of(".reprocess-live", ".reprocess-older"), staging(root));
            MrfInputException refused = assertThrows(MrfInputException.class, () -> RunLock.acquire(fs, lockFile, "second", false, out));
            assertTrue(refused.getMessage().contains("another reprocess run holds the lock"), refused.getMessage());
            assertEquals(List.of(".reprocess-live", ".reprocess-older"), staging(root), "a refused run touches nothing");
            holder.kill();
        }
        // The operator breaks the dead holder's lock, as the refusal says; the new run sweeps under it.
        org.apache.hadoop.fs.Path own = new org.apache.hadoop.fs.Path(hroot, ".reprocess-third");
        fs.mkdirs(own);
        try (RunLock lock = RunLock.acquire(fs, lockFile, "third", true, out)) {
            List<org.apache.hadoop.fs.Path> removed = lock.sweep(hroot, ".reprocess-", own, out);
            assertEquals(2, removed.size(), removed.toString());
        }
        assertEquals(List.of(".reprocess-third"), staging(root), "only the run's own staging folder is left");
        assertTrue(log.toString().contains("removed " + new org.apache.hadoop.fs.Path(hroot, ".reprocess-live")), log.toString());
    }
}
