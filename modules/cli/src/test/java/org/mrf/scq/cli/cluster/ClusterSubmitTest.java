package org.mrf.scq.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.spark.cluster.StandaloneCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mrf application spark-submitted (client mode) to a real standalone cluster of one master and two 1-core
 * workers on 127.0.0.1: the job must run tasks on both workers and write its output.
 * <p>
 * Runs in {@code mvn test} (the CI command), before {@code package}: the application jar is assembled from the
 * compiled classes of this reactor build ({@link StandaloneCluster#projectJars()}); its content is what the jar
 * plugin would package as mrf-cli.jar.
 */
class ClusterSubmitTest {
    static final String MAIN = "org.mrf.scq.cli.Mrf";
    static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(4);
    // 190 entries instead of the paper's 13,123: enough partitions for both workers at a fraction of the time.
    static final String GRID_T1 = "-Dmrf.dictionary.t1-ranges=[\"200:2000:100\"]";
    static final String GRID_T2 = "-Dmrf.dictionary.t2-ranges=[\"20:200:20\"]";

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        long t0 = System.nanoTime();
        cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 1, "1g");
        System.out.printf("standalone cluster (master + 2 workers) up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void dictionaryJobRunsOnBothWorkers() throws Exception {
        Path out = dir.resolve("dict");
        String appId = submit(List.of("dictionary", "--out", out.toUri().toString(), "--timepoints", "50", GRID_T1, GRID_T2));
        assertTrue(Files.isRegularFile(out.resolve("_basis/svd.json")), "the dictionary's SVD basis was not written to " + out);
        try (var parts = Files.list(out)) {
            assertTrue(parts.anyMatch(f -> f.getFileName().toString().endsWith(".parquet")), "no Parquet part in " + out);
        }
        assertRanOnBothWorkers(appId);
    }

    /** spark-submits the mrf CLI with {@code args}; fails with the logs unless it exits 0; returns its application id. */
    static String submit(List<String> args) throws Exception {
        List<String> before = cluster.applicationIds();
        Path app = cluster.jarContaining(MAIN);
        List<Path> others = new ArrayList<>(cluster.projectJars());
        others.remove(app);
        Map<String, String> conf = cluster.applicationConf(2, "1g");
        long t0 = System.nanoTime();
        StandaloneCluster.Submission s = cluster.submit(MAIN, app, others, conf, args, "2g", Files.createDirectories(dir.resolve("driver")),
                SUBMIT_TIMEOUT);
        if (s.exitCode() != 0) {
            fail("spark-submit mrf " + String.join(" ", args) + " exited with " + s.exitCode() + "\n--- driver output:\n" + s.output()
                    + "\n--- cluster:\n" + cluster.diagnostics(30));
        }
        System.out.printf("spark-submit mrf %s: %.1f s%n", args.get(0), (System.nanoTime() - t0) / 1e9);
        List<String> ids = new ArrayList<>(cluster.applicationIds());
        ids.removeAll(before);
        assertEquals(1, ids.size(), "expected one new application on the workers, found " + ids + "\n" + cluster.diagnostics(20));
        return ids.get(0);
    }

    /** Both workers' executors finished tasks of the application, and the master records it as FINISHED. */
    static void assertRanOnBothWorkers(String appId) throws Exception {
        List<Integer> tasks = cluster.finishedTasksPerWorker(appId);
        System.out.println(appId + ": tasks finished per worker " + tasks);
        assertEquals(2, tasks.size());
        assertTrue(tasks.get(0) > 0 && tasks.get(1) > 0,
                "tasks finished per worker " + tasks + ": each worker must have run some\n" + cluster.diagnostics(30));
        JsonNode state = cluster.masterState();
        String appState = null;
        for (JsonNode a : state.path("completedapps")) if (appId.equals(a.path("id").asText())) appState = a.path("state").asText();
        assertEquals("FINISHED", appState, "the master's record of " + appId + " in " + state);
    }
}
