package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.spark.hadoop.AtomicOutput;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Leftovers of killed runs are removed by the next run at the same output, and only those: the folders of a run
 * that is alive in another process are never touched (two real processes).
 */
class OrphanCleanupTest {
    private static List<String> hidden(Path dir, String name) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + name + ".")).sorted().toList();
        }
    }

    @Test
    void aLiveRunsFoldersSurviveAndAKilledRunsAreRemovedByTheNextRun(@TempDir Path dir) throws Exception {
        String out = dir.resolve("maps").toUri().toString();
        try (ChildJvm holder = ChildJvm.start(dir.resolve("logs"), LeaseHolder.class, out, dir.resolve("go").toString())) {
            holder.awaitUntil("the holder's temporary folder", 60_000, () -> holder.count(l -> l.startsWith("holding ")) > 0);
            List<String> live = hidden(dir, "maps");
            assertEquals(2, live.size(), "a lease and a temporary folder: " + live);

            // A second run at the same output, while the first one lives: nothing of the first is touched.
            try (AtomicOutput second = AtomicOutput.begin(out, new Configuration(), true)) {
                assertTrue(hidden(dir, "maps").containsAll(live), hidden(dir, "maps").toString());
            }
            assertEquals(live, hidden(dir, "maps"), "the second run leaves only the first run's folders");

            holder.kill();
        }
        assertEquals(2, hidden(dir, "maps").size(), "SIGKILL leaves the lease and the temporary folder");
        try (AtomicOutput third = AtomicOutput.begin(out, new Configuration(), true)) {
            List<String> now = hidden(dir, "maps");
            assertEquals(1, now.size(), "only the third run's own lease remains: " + now);
            assertTrue(now.get(0).startsWith(".maps.lease-"), now.toString());
        }
        assertEquals(List.of(), hidden(dir, "maps"));
    }

    @Test
    void aRunThatFinishesNormallyLeavesNothingBehind(@TempDir Path dir) throws Exception {
        String out = dir.resolve("dict").toUri().toString();
        Files.createFile(dir.resolve("go"));
        try (ChildJvm holder = ChildJvm.start(dir.resolve("logs"), LeaseHolder.class, out, dir.resolve("go").toString())) {
            holder.awaitSuccess(60);
        }
        assertTrue(Files.exists(dir.resolve("dict/part-0")));
        assertEquals(List.of(), hidden(dir, "dict"));
    }

    @Test
    void anotherHostsLeaseCountsUntilItsHeartbeatStops(@TempDir Path dir) throws Exception {
        Path lease = dir.resolve(".gt.lease-r1");
        Path tmp = Files.createDirectories(dir.resolve(".gt.tmp-r1"));
        Files.writeString(lease, "{\"run_id\":\"r1\",\"host\":\"another-host.invalid\",\"pid\":1}\n", StandardCharsets.UTF_8);
        String out = dir.resolve("gt").toUri().toString();
        try (AtomicOutput ignored = AtomicOutput.begin(out, new Configuration(), true)) {
            assertTrue(Files.isDirectory(tmp), "a fresh heartbeat from another host keeps its folder");
        }
        Files.setLastModifiedTime(lease, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        try (AtomicOutput ignored = AtomicOutput.begin(out, new Configuration(), true)) {
            assertFalse(Files.exists(tmp), "an hour without a heartbeat: the run is gone");
            assertFalse(Files.exists(lease));
        }
    }

    @Test
    void aPreviousOutputLeftAsideByAKilledReplaceIsPutBack(@TempDir Path dir) throws Exception {
        // A replace killed between its two renames: no output, the previous one aside, a lease of a dead process.
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path aside = Files.createDirectories(dir.resolve(".slices.old-r2"));
        Files.writeString(aside.resolve("part-0"), "previous");
        Files.writeString(dir.resolve(".slices.lease-r2"), "{\"run_id\":\"r2\",\"host\":\""
                + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":" + exited.pid() + "}\n");
        Files.createDirectories(dir.resolve(".slices.tmp-r2"));
        String out = dir.resolve("slices").toUri().toString();
        FileSystem.closeAll();
        var refused = assertThrows(org.mrf.scq.core.util.MrfInputException.class,
                () -> AtomicOutput.begin(out, new Configuration(), false));
        assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
        assertEquals("previous", Files.readString(dir.resolve("slices/part-0")));
        assertEquals(List.of(), hidden(dir, "slices"));
    }
}
