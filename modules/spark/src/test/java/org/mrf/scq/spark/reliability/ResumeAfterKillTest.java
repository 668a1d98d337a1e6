package org.mrf.scq.spark.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.train.ScqTrainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A training driver killed with SIGKILL in the middle of an epoch, after its first checkpoint, and restarted
 * with resume ends with the parameters of an uninterrupted run with the same seed (three JVMs: reference,
 * killed, resumed; {@link TrainDriver}).
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
        Path refCkpt = dir.resolve("ref-ckpt"), refOut = dir.resolve("ref-model");
        Path ckpt = dir.resolve("ckpt"), out = dir.resolve("model");
        Path first = ckpt.resolve("step1-epoch001.zip");
        // The reference runs beside the run that gets killed: they share nothing but the machine.
        try (ChildJvm ref = ChildJvm.start(dir, TrainDriver.class, refCkpt.toString(), refOut.toString(), "false", "0");
             ChildJvm killed = ChildJvm.start(dir, TrainDriver.class, ckpt.toString(), out.toString(), "false", "100")) {
            long t0 = System.nanoTime();
            // Kill inside step-1 epoch 2 (epoch counter 1), a few minibatches in, with the epoch-1 checkpoint on disk.
            killed.awaitUntil("three minibatches of step-1 epoch 2", 120_000,
                    () -> Files.exists(first) && killed.count(l -> l.equals("MINIBATCH step=1 epoch=1")) >= 3);
            killed.kill();
            System.out.printf("killed after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertTrue(Files.exists(first));
            assertFalse(Files.exists(ckpt.resolve("step1-epoch002.zip")), "killed before the end of epoch 2");
            assertFalse(Files.exists(out), "a killed run leaves no model");
            ref.awaitSuccess(120);
        }

        List<String> log;
        try (ChildJvm resumed = ChildJvm.start(dir, TrainDriver.class, ckpt.toString(), out.toString(), "true", "0")) {
            resumed.awaitSuccess(120);
            log = resumed.lines();
        }
        String text = String.join("\n", log);
        assertTrue(text.contains("resuming after step 1 epoch 1 (step1-epoch001.zip)"), text);
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
        System.out.println("resumed after SIGKILL vs uninterrupted: max |param difference| = " + d + " over " + a.length() + " parameters");
        assertTrue(d <= TOLERANCE, "resumed run differs from the uninterrupted one by " + d);
        assertTrue(a.amaxNumber().doubleValue() > 0, "the parameters are not all zero");
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
