package org.mrf.scq.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.JobFixture;
import org.mrf.scq.spark.cluster.StandaloneCluster;
import org.mrf.scq.spark.store.ModelSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mrf application spark-submitted (client mode) to a real standalone cluster of one master and two 1-core
 * workers on 127.0.0.1: {@code mrf train} (DL4J parameter averaging) must run tasks on both workers and write a
 * model set. The training data is made on local[2] in this JVM ({@link JobFixture}) while the cluster starts.
 * <p>
 * Runs in {@code mvn test} (the CI command), before {@code package}: the application jar is assembled from the
 * compiled classes of this reactor build ({@link StandaloneCluster#projectJars()}); its content is what the jar
 * plugin would package as mrf-cli.jar.
 */
class ClusterSubmitTest {
    static final String MAIN = "org.mrf.scq.cli.Mrf";
    static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(6); // 163 s seen with a load average of 40 on 2 cores

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static JobFixture data;

    @BeforeAll
    static void startClusterAndMakeData() throws Exception {
        // The cluster's JVMs start while this JVM makes the training data: the set-up takes the longer of the two.
        long t0 = System.nanoTime();
        CompletableFuture<StandaloneCluster> starting = CompletableFuture.supplyAsync(() -> {
            try {
                StandaloneCluster c = StandaloneCluster.start(dir.resolve("cluster"), 2, 1, "1g");
                System.out.printf("standalone cluster (master + 2 workers) up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                return c;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            SparkSession spark = JobFixture.session("local[2]");
            try {
                data = JobFixture.create(spark, dir.resolve("data"));
            } finally {
                spark.stop();
            }
            System.out.printf("training data (2 subjects x 2 slices, T = 48) made in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            cluster = starting.join(); // also after a failed fixture, so that @AfterAll stops the cluster
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void trainingJobRunsOnBothWorkersAndWritesAModel() throws Exception {
        Path model = dir.resolve("model");
        // FE-only at ar 2 (T = 24), one pixel epoch, two parameter-averaging workers: one per executor.
        String appId = submit(List.of("train", "--slices", data.slices, "--ground-truth", data.groundTruth, "--out", model.toString(),
                "--profile", "quick", "--variant", "fe_only", "--ar", "2", "--properties", "t1", "--pixel-epochs", "1",
                "--patch-epochs", "0", "--validation", "sub-001", "--workers", "2", "--averaging-frequency", "2"));
        assertTrue(Files.isRegularFile(model.resolve(ModelSet.METADATA_FILE)), "no model set written to " + model);
        ScqModel t1 = ScqModel.load(model.resolve("t1"));
        assertEquals(Property.T1, t1.metadata().property());
        assertEquals(24, t1.metadata().t(), "the network of ar 2 reads 48 / 2 time points");
        JsonNode history = new ObjectMapper().readTree(Files.readString(model.resolve("t1").resolve(ScqTrainer.HISTORY_FILE)));
        assertEquals(2, history.path("workers").asInt(), history.toString());
        assertEquals(1, history.path("epochs").size(), history.toString());
        double loss = history.path("epochs").get(0).path("trainLoss").asDouble(Double.NaN);
        assertTrue(Double.isFinite(loss) && loss > 0, "training loss of the one epoch: " + loss);
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
