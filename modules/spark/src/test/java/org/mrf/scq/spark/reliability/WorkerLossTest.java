package org.mrf.scq.spark.reliability;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.cluster.StandaloneCluster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Worker loss on a real standalone cluster (master + two 1-core workers, {@link StandaloneCluster}): a worker JVM and
 * its executor are killed by SIGKILL, as when a machine is lost, during step 1 and during step 2 of SCQ training on two
 * parameter-averaging workers, and during {@code InferenceJob}. Every job completes, and the killed inference writes
 * the same bytes as an uninterrupted one.
 * <p>
 * Training after the losses equals the uninterrupted run bit for bit (parameters and every epoch's loss): a lost task
 * (one worker's share of an averaging round) is re-run from the same broadcast parameters, and its minibatches, cached
 * on the lost executor, are recomputed from the lineage in the same order (SparkEpochRunner.spread). Inference writes
 * the same bytes: a re-run task maps the same slice with the same network, and the slice's Parquet part does not
 * depend on the executor JVM (StableParquet). When files differ, both outputs are kept under
 * target/worker-loss-evidence. See docs/RELIABILITY.md.
 * <p>
 * The driver ({@link WorkerLossDriver}) is a child JVM; the test kills a worker when the hook on the executors reports
 * a minibatch of the epoch in question in that worker's executor stdout, so the kill lands inside a fit task. The
 * whole test takes several minutes (a cluster, three trainings, two inferences and three executor replacements).
 */
@Tag("slow")
class WorkerLossTest {
    static final long WAIT_MS = 300_000;

    @Test
    void trainingAndInferenceCompleteWhenAWorkerIsLost(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        Path work = Files.createDirectories(dir.resolve("work"));
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 1, "1g")) {
            Map<String, String> conf = new LinkedHashMap<>(cluster.applicationConf(2, "1g"));
            List<Path> jars = new ArrayList<>(cluster.projectJars());
            jars.addAll(cluster.testJars());
            conf.put("spark.jars", jars.stream().map(Path::toString).collect(Collectors.joining(",")));
            conf.put("master", cluster.masterUrl());
            Properties props = new Properties();
            props.putAll(conf);
            Path confFile = work.resolve("spark.properties");
            try (Writer w = Files.newBufferedWriter(confFile)) {
                props.store(w, "WorkerLossTest");
            }
            try (ChildJvm driver = ChildJvm.start(work, WorkerLossDriver.class, confFile.toString(), work.toString())) {
                // 1. Step 1, epoch 2 of the killed training: the worker whose executor fits a minibatch of it.
                driver.awaitUntil("the killed training's step-1 epoch 2", WAIT_MS,
                        () -> after(driver, "PHASE train-killed", "FIT step=1 epoch=1"));
                int w1 = awaitMinibatch(cluster, driver, "MINIBATCH step=1 epoch=1");
                cluster.killWorker(w1);
                System.out.printf("killed worker %d in step 1 after %.1f s%n", w1, (System.nanoTime() - t0) / 1e9);
                cluster.restartWorker(w1);

                // 2. Step 2, epoch 1, likewise (step 2 waits for the go).
                long[] before = minibatches(cluster, "MINIBATCH step=2 epoch=0");
                Files.createFile(work.resolve("go-step2"));
                int w2 = awaitMinibatch(cluster, driver, "MINIBATCH step=2 epoch=0", before);
                cluster.killWorker(w2);
                System.out.printf("killed worker %d in step 2 after %.1f s%n", w2, (System.nanoTime() - t0) / 1e9);
                cluster.restartWorker(w2);

                // 3. Inference: the worker whose executor started a per-slice task.
                driver.awaitUntil("the killed inference's per-slice tasks", WAIT_MS, () -> inferenceTaskExecutor(driver) != null);
                int w3 = cluster.workerOfExecutor(inferenceTaskExecutor(driver));
                cluster.killWorker(w3);
                System.out.printf("killed worker %d in inference after %.1f s%n", w3, (System.nanoTime() - t0) / 1e9);

                driver.awaitSuccess(WAIT_MS / 1000);
                List<String> log = driver.lines();
                String text = String.join("\n", log);
                assertTrue(text.contains("DONE"), text);
                List<String> removed = log.stream().filter(l -> l.startsWith("EXECUTOR_REMOVED")).toList();
                List<String> failed = log.stream().filter(l -> l.startsWith("TASK_FAILED")).toList();
                System.out.println("executors removed: " + removed + "\nfailed task attempts: " + failed);
                assertEquals(3, removed.size(), "the driver lost one executor per kill:\n" + text);
                assertFalse(failed.isEmpty(), "a kill landed inside a running task:\n" + text);
            }
        }

        Map<String, byte[]> refOut = files(work.resolve("infer-reference")), out = files(work.resolve("infer-killed"));
        List<String> differ = refOut.keySet().stream().filter(f -> !java.util.Arrays.equals(refOut.get(f), out.get(f))).toList();
        if (!differ.isEmpty()) {
            Path keep = Path.of("target", "worker-loss-evidence");
            for (String run : List.of("infer-reference", "infer-killed")) copyTree(work.resolve(run), keep.resolve(run));
            System.out.println("inference files that differ (kept in " + keep.toAbsolutePath() + "): " + differ);
        }

        INDArray ref = params(work, "reference"), repeat = params(work, "repeat"), killed = params(work, "killed");
        List<Double> refLoss = losses(work.resolve("train-reference")), killedLoss = losses(work.resolve("train-killed"));
        double dRepeat = ref.sub(repeat).amaxNumber().doubleValue(), dKilled = ref.sub(killed).amaxNumber().doubleValue();
        System.out.printf("training, max |param difference| to the first uninterrupted run over %d parameters: repeated %s, "
                        + "with two workers lost %s; losses %s (uninterrupted), %s (repeated), %s (workers lost); whole test %.1f s%n",
                ref.length(), dRepeat, dKilled, refLoss, losses(work.resolve("train-repeat")), killedLoss, (System.nanoTime() - t0) / 1e9);
        assertFalse(refOut.isEmpty());
        assertEquals(refOut.keySet(), out.keySet(), "the same files");
        assertEquals(List.of(), differ, "inference files that differ after the worker loss");
        assertTrue(ref.amaxNumber().doubleValue() > 0, "the parameters are not all zero");
        assertEquals(refLoss, killedLoss, "training losses with workers lost");
        assertEquals(0.0, dKilled, "max parameter difference with workers lost");
        assertEquals(0.0, dRepeat, "max parameter difference of the repeated run");
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path f : all.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static INDArray params(Path work, String run) throws Exception {
        return ScqModel.load(work.resolve("train-" + run)).graph().params();
    }

    /** {@code line} was printed after {@code marker}. */
    private static boolean after(ChildJvm driver, String marker, String line) {
        List<String> l = driver.lines();
        int m = l.indexOf(marker);
        return m >= 0 && l.subList(m, l.size()).contains(line);
    }

    /** Per worker, how many of its executors' stdout lines equal {@code line}. */
    private static long[] minibatches(StandaloneCluster cluster, String line) {
        return new long[]{cluster.executorStdoutLines(0, line::equals), cluster.executorStdoutLines(1, line::equals)};
    }

    private static int awaitMinibatch(StandaloneCluster cluster, ChildJvm driver, String line) throws Exception {
        return awaitMinibatch(cluster, driver, line, minibatches(cluster, line));
    }

    /** Waits until a worker's executor prints {@code line} once more than {@code before} counted; returns that worker. */
    private static int awaitMinibatch(StandaloneCluster cluster, ChildJvm driver, String line, long[] before) throws Exception {
        int[] worker = {-1};
        driver.awaitUntil("'" + line + "' on a worker", WAIT_MS, () -> {
            long[] now = minibatches(cluster, line);
            for (int i = 0; i < now.length; i++) if (now[i] > before[i]) worker[0] = i;
            return worker[0] >= 0;
        });
        return worker[0];
    }

    /** The executor of the first started task of the job that infers the slices (one task per slice) in the killed run. */
    private static String inferenceTaskExecutor(ChildJvm driver) {
        List<String> l = driver.lines();
        int m = l.indexOf("PHASE infer-killed");
        if (m < 0) return null;
        String stage = null;
        for (String s : l.subList(m, l.size())) {
            if (s.startsWith("STAGE ") && s.contains("name=collect at InferenceJob")) stage = s.substring("STAGE id=".length(), s.indexOf(' ', 6));
            if (stage != null && s.startsWith("TASK_START stage=" + stage + " ")) return s.substring(s.indexOf("executor=") + "executor=".length());
        }
        return null;
    }

    private static List<Double> losses(Path model) throws Exception {
        List<Double> out = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(Files.readString(model.resolve(ScqTrainer.HISTORY_FILE))).get("epochs")) {
            out.add(e.get("trainLoss").asDouble());
        }
        return out;
    }

    /** The maps and images of an inference output, by relative path (the run's metadata names its own path). */
    private static Map<String, byte[]> files(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(f).toString();
                if (rel.startsWith("maps") || rel.startsWith("images")) out.put(rel, Files.readAllBytes(f));
            }
        }
        return out;
    }
}
