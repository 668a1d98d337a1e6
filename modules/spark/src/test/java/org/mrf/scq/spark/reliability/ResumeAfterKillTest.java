package org.mrf.scq.spark.reliability;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.train.ScqTrainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A training driver killed with SIGKILL in the middle of an epoch, after its first checkpoint, and restarted
 * with resume ends with the parameters of an uninterrupted run with the same seed (three JVMs: reference,
 * killed, resumed; {@link TrainDriver}), with the checkpoints in a local directory and on HDFS.
 */
class ResumeAfterKillTest {
    /**
     * Resume restores parameters, Adam state and the epoch counter from the checkpoint, and every epoch's sampling and
     * split seeds derive from (seed, step, epoch); with one worker nothing else is left to chance, so the runs agree
     * to rounding. Measured: 0 (bit-identical); the tolerance leaves room for BLAS threading on other machines.
     */
    static final double TOLERANCE = 1e-6;

    @Test
    void killedMidEpochAndResumedMatchesAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt");
        List<String> resumed = killAndResume(dir, ckpt.toString(), name -> Files.exists(ckpt.resolve(name)));
        assertTrue(String.join("\n", resumed).contains("resuming after step 1 epoch 1 (step1-epoch001.zip in " + ckpt + ")"), String.join("\n", resumed));
    }

    /**
     * The same on HDFS (MiniDFSCluster): the checkpoints of the killed driver are read back by a new driver JVM that
     * knows nothing but their URI, and the killed run's temporary folder and lease beside them are swept.
     */
    @Test
    void killedMidEpochAndResumedFromHdfsMatchesAnUninterruptedRun(@TempDir Path dir) throws Exception {
        MiniDFSCluster hdfs = MiniHdfs.start(dir.resolve("minidfs"));
        try {
            FileSystem fs = hdfs.getFileSystem();
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(fs.getUri() + "/mrf");
            org.apache.hadoop.fs.Path ckpt = new org.apache.hadoop.fs.Path(root, "ckpt");
            List<String> resumed = killAndResume(dir, ckpt.toString(), name -> {
                try {
                    // Only a complete checkpoint is ever under its final name (renamed from the run's temporary folder).
                    return fs.exists(new org.apache.hadoop.fs.Path(ckpt, name));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String text = String.join("\n", resumed);
            assertTrue(text.contains("resuming after step 1 epoch 1 (step1-epoch001.zip in " + ckpt + ")"), text);
            assertTrue(resumed.stream().anyMatch(l -> l.startsWith("removed " + root + "/.ckpt.tmp-") && l.contains("has exited")),
                    "the killed run's temporary folder is swept:\n" + text);
            List<String> hidden = new ArrayList<>();
            for (FileStatus st : fs.listStatus(root)) if (st.getPath().getName().startsWith(".")) hidden.add(st.getPath().getName());
            assertEquals(List.of(), hidden, "no temporary folder or lease is left beside the checkpoints");
        } finally {
            hdfs.shutdown(true);
        }
    }

    /**
     * Runs the reference and the run that gets killed side by side (they share nothing but the machine), kills the
     * second inside step-1 epoch 2, resumes it in a third JVM, and compares the three; returns the resumed run's output.
     */
    private static List<String> killAndResume(Path dir, String ckpt, Predicate<String> checkpointed) throws Exception {
        Path refCkpt = dir.resolve("ref-ckpt"), refOut = dir.resolve("ref-model"), out = dir.resolve("model");
        try (ChildJvm ref = ChildJvm.start(dir, TrainDriver.class, refCkpt.toString(), refOut.toString(), "false", "0");
             ChildJvm killed = ChildJvm.start(dir, TrainDriver.class, ckpt, out.toString(), "false", "100")) {
            long t0 = System.nanoTime();
            // Kill inside step-1 epoch 2 (epoch counter 1), a few minibatches in, with the epoch-1 checkpoint written.
            killed.awaitUntil("three minibatches of step-1 epoch 2", 120_000,
                    () -> checkpointed.test("step1-epoch001.zip") && killed.count(l -> l.equals("MINIBATCH step=1 epoch=1")) >= 3);
            killed.kill();
            System.out.printf("killed after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertTrue(checkpointed.test("step1-epoch001.zip"));
            assertFalse(checkpointed.test("step1-epoch002.zip"), "killed before the end of epoch 2");
            assertFalse(Files.exists(out), "a killed run leaves no model");
            ref.awaitSuccess(120);
        }

        List<String> log;
        try (ChildJvm resumed = ChildJvm.start(dir, TrainDriver.class, ckpt, out.toString(), "true", "0")) {
            resumed.awaitSuccess(120);
            log = resumed.lines();
        }
        String text = String.join("\n", log);
        assertFalse(text.contains("step 1 epoch 1/3 done"), "epoch 1 was not trained again:\n" + text);
        assertTrue(text.contains("step 1 epoch 2/3 done") && text.contains("step 2 epoch 2/2 done"), text);
        String firstBatch = log.stream().filter(l -> l.startsWith("MINIBATCH")).findFirst().orElseThrow();
        assertEquals("MINIBATCH step=1 epoch=1", firstBatch, "the resumed run starts in epoch 2, from the checkpoint");

        List<String> refEpochs = epochs(refOut), epochs = epochs(out);
        assertEquals(List.of("1/1", "1/2", "1/3", "2/1", "2/2"), epochs.stream().map(e -> e.split(" ")[0]).toList());
        JsonNode refH = history(refOut), h = history(out);
        for (int i = 0; i < 5; i++) {
            assertEquals(refH.get(i).get("trainLoss").asDouble(), h.get(i).get("trainLoss").asDouble(), 1e-6,
                    "training loss of " + epochs.get(i) + " (reference " + refEpochs.get(i) + ")");
        }

        INDArray a = ScqModel.load(refOut).graph().params(), b = ScqModel.load(out).graph().params();
        assertEquals(a.length(), b.length());
        double d = a.sub(b).amaxNumber().doubleValue();
        System.out.println("resumed from " + ckpt + " after SIGKILL vs uninterrupted: max |param difference| = " + d + " over "
                + a.length() + " parameters");
        assertTrue(d <= TOLERANCE, "resumed run differs from the uninterrupted one by " + d);
        assertTrue(a.amaxNumber().doubleValue() > 0, "the parameters are not all zero");
        return log;
    }

    private static JsonNode history(Path model) throws Exception {
        return new ObjectMapper().readTree(Files.readString(model.resolve(ScqTrainer.HISTORY_FILE))).get("epochs");
    }

    private static List<String> epochs(Path model) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : history(model)) out.add(e.get("step").asInt() + "/" + e.get("epoch").asInt() + " loss " + e.get("trainLoss").asDouble());
        return out;
    }
}
