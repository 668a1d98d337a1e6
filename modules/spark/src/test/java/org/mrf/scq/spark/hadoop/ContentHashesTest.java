package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.reprocess.ReprocessJob;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Content hashes (what reprocessing compares), the run lock, and the manifest's bad-input messages. */
class ContentHashesTest {
    static String hash(Path dir) {
        return ContentHashes.ofTree(dir.toUri().toString(), new Configuration(), "folder");
    }

    @Test
    void theHashFollowsNamesAndBytesOnly(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a/raw"));
        Files.writeString(a.resolve("series.npy"), "0123456789");
        Files.writeString(tmp.resolve("a/subject.json"), "{}");
        String h = hash(tmp.resolve("a"));
        assertTrue(h.matches("[0-9a-f]{64}"), h);

        // Hidden files (Hadoop checksums, editor leftovers) and half-copied files do not count.
        Files.writeString(a.resolve(".series.npy.crc"), "x");
        Files.writeString(a.resolve("next.npy._COPYING_"), "partial");
        assertEquals(h, hash(tmp.resolve("a")));
        // A copy elsewhere with other timestamps has the same hash.
        Path b = Files.createDirectories(tmp.resolve("b/raw"));
        Files.writeString(b.resolve("series.npy"), "0123456789");
        Files.writeString(tmp.resolve("b/subject.json"), "{}");
        assertEquals(h, hash(tmp.resolve("b")));

        Files.writeString(b.resolve("series.npy"), "0123456780");
        assertNotEquals(h, hash(tmp.resolve("b")), "one byte changed");
        Files.writeString(b.resolve("series.npy"), "0123456789");
        Files.move(b.resolve("series.npy"), b.resolve("series2.npy"));
        assertNotEquals(h, hash(tmp.resolve("b")), "a file renamed");
        Files.move(b.resolve("series2.npy"), b.resolve("series.npy"));
        assertEquals(h, hash(tmp.resolve("b")));
        Files.writeString(b.resolve("extra.npy"), "");
        assertNotEquals(h, hash(tmp.resolve("b")), "an empty file added");

        // Name and content are delimited: moving a byte from one to the other changes the hash.
        Path c = Files.createDirectories(tmp.resolve("c")), d = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(c.resolve("ab"), "c");
        Files.writeString(d.resolve("a"), "bc");
        assertNotEquals(hash(c), hash(d));

        MrfInputException missing = assertThrows(MrfInputException.class, () -> hash(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        MrfInputException empty = assertThrows(MrfInputException.class, () -> hash(tmp.resolve("empty")));
        assertTrue(empty.getMessage().contains("holds no files"), empty.getMessage());
    }

    @Test
    void largeCohortsAreHashedOnTheExecutorsToTheSameValues(@TempDir Path tmp) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ContentHashes.PARALLEL_MIN_SUBJECTS + 4; i++) {
            String id = String.format("sub-%03d", i);
            ids.add(id);
            Files.createDirectories(tmp.resolve(id));
            Files.write(tmp.resolve(id).resolve("slice-000_series.npy"), new byte[100_000 + i]);
        }
        SparkSession spark = SparkSessions.create("hash-test", "local[2]", "ERROR", Map.of());
        try {
            int jobs = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
            Map<String, String> h = ContentHashes.subjects(spark, tmp.toUri().toString(), ids);
            assertTrue(spark.sparkContext().statusTracker().getJobIdsForGroup(null).length > jobs, "ran as a Spark job");
            assertEquals(ids, new ArrayList<>(h.keySet()));
            for (String id : ids) assertEquals(hash(tmp.resolve(id)), h.get(id), id);
            assertEquals(ids.size(), h.values().stream().distinct().count(), "different content, different hashes");
            // A bad subject folder on an executor reaches the caller as the one-line input error.
            MrfInputException e = assertThrows(MrfInputException.class, () -> ContentHashes.subjects(spark, tmp.toUri().toString(),
                    List.of("sub-000", "sub-001", "sub-002", "sub-003", "sub-004", "sub-005", "sub-006", "missing-subject")));
            assertTrue(e.getMessage().contains("missing-subject") && e.getMessage().contains("does not exist"), e.getMessage());
        } finally {
            spark.stop();
        }
    }

    @Test
    void theLockIsExclusiveAndReleasedOnlyByItsHolder(@TempDir Path tmp) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(tmp.resolve("state/lock").toUri());
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        RunLock first = RunLock.acquire(fs, file, "run-1", false, log);
        MrfInputException busy = assertThrows(MrfInputException.class, () -> RunLock.acquire(fs, file, "run-2", false, log));
        assertTrue(busy.getMessage().contains(file.toUri().getPath()) && busy.getMessage().contains("run-1")
                && busy.getMessage().contains("pid") && busy.getMessage().contains("--break-lock"), busy.getMessage());
        // Broken by another run: the first one's close must not remove the new holder's lock.
        RunLock second = RunLock.acquire(fs, file, "run-2", true, log);
        first.close();
        assertTrue(fs.exists(file));
        assertTrue(Files.readString(tmp.resolve("state/lock")).contains("run-2"));
        second.close();
        assertFalse(fs.exists(file));
    }

    @Test
    void aDamagedManifestIsAnInputErrorThatSaysWhatToDo(@TempDir Path tmp) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path m = tmp.resolve("manifest.json");
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(m.toUri());
        assertTrue(ReprocessJob.Manifest.read(fs, p).subjects().isEmpty(), "no manifest: a first run");
        Files.writeString(m, "{\"format\": \"mrf-reprocess-manifest\", \"subjects\": {");
        MrfInputException bad = assertThrows(MrfInputException.class, () -> ReprocessJob.Manifest.read(fs, p));
        assertTrue(bad.getMessage().contains(m.getFileName().toString()) && bad.getMessage().contains("not valid JSON")
                && bad.getMessage().contains("delete it to reprocess every subject"), bad.getMessage());
        Files.writeString(m, "{\"format\": \"something-else\"}");
        MrfInputException other = assertThrows(MrfInputException.class, () -> ReprocessJob.Manifest.read(fs, p));
        assertTrue(other.getMessage().contains("\"format\" must be \"mrf-reprocess-manifest\""), other.getMessage());
        Files.writeString(m, "{\"format\": \"mrf-reprocess-manifest\", \"model_hash\": \"abc\", \"subjects\": {\"sub-000\": \"00ff\"}}");
        ReprocessJob.Manifest ok = ReprocessJob.Manifest.read(fs, p);
        assertEquals(Map.of("sub-000", "00ff"), ok.subjects());
        assertEquals("abc", ok.modelHash());
    }
}
