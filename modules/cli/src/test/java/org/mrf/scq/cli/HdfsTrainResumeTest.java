package org.mrf.scq.cli;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.spark.JobFixture;
import org.mrf.scq.spark.reliability.ChildJvm;
import org.mrf.scq.spark.reliability.MiniHdfs;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mrf train --checkpoints hdfs://...} killed by SIGKILL after its first checkpoint, and run again with
 * {@code --resume} in a new JVM that knows only the URI: it continues after the checkpoint it finds on HDFS
 * (MiniDFSCluster) and sweeps the killed run's temporary folder there. That the resumed parameters equal an
 * uninterrupted run's is {@code ResumeAfterKillTest}'s part.
 */
class HdfsTrainResumeTest {
    @Test
    void aKilledTrainResumesFromItsHdfsCheckpoints(@TempDir java.nio.file.Path dir) throws Exception {
        SparkSession spark = JobFixture.session("local[2]");
        JobFixture fx;
        try {
            fx = JobFixture.create(spark, dir.resolve("data"));
        } finally {
            spark.stop();
        }
        MiniDFSCluster hdfs = MiniHdfs.start(dir.resolve("minidfs"));
        try {
            FileSystem fs = hdfs.getFileSystem();
            Path ckpt = new Path(fs.getUri() + "/mrf/ckpt");
            String model = dir.resolve("model").toString();
            List<String> train = new ArrayList<>(List.of("train", "--slices", fx.slices, "--ground-truth", fx.groundTruth, "--out", model,
                    "--variant", "fe_only", "--ar", "2", "--properties", "t1", "--pixel-epochs", "6", "--patch-epochs", "0",
                    "--workers", "1", "--checkpoints", ckpt.toString(), "--master", "local[1]"));
            Path first = new Path(ckpt, "t1/step1-epoch001.zip");
            try (ChildJvm killed = ChildJvm.start(dir.resolve("logs"), Mrf.class, train.toArray(String[]::new))) {
                killed.awaitUntil("the first checkpoint on HDFS", 240_000, () -> exists(fs, first));
                killed.kill();
            }
            assertFalse(exists(fs, new Path(ckpt, "t1/step1-epoch006.zip")), "killed before the last epoch");
            assertFalse(Files.exists(dir.resolve("model")), "a killed run publishes no model");

            train.add("--resume");
            List<String> out;
            try (ChildJvm resumed = ChildJvm.start(dir.resolve("logs"), Mrf.class, train.toArray(String[]::new))) {
                resumed.awaitSuccess(300);
                out = resumed.lines();
            }
            String text = String.join("\n", out);
            String line = out.stream().filter(l -> l.startsWith("resuming after step 1 epoch ")).findFirst().orElseThrow(() -> new AssertionError(text));
            assertTrue(line.contains(" in " + new Path(ckpt, "t1") + ")"), line);
            int done = Integer.parseInt(line.substring("resuming after step 1 epoch ".length()).split(" ")[0]);
            assertTrue(done >= 1 && done < 6, line);
            assertFalse(text.contains("step 1 epoch " + done + "/6 done"), "the checkpointed epochs are not trained again:\n" + text);
            assertTrue(text.contains("step 1 epoch 6/6 done"), text);
            assertTrue(text.contains("removed " + fs.getUri() + "/mrf/ckpt/.t1.tmp-"), "the killed run's temporary folder is swept:\n" + text);
            JsonNode history = new ObjectMapper().readTree(Files.readString(dir.resolve("model/t1").resolve(ScqTrainer.HISTORY_FILE)));
            assertEquals(6, history.get("epochs").size(), history.toString());
            assertTrue(exists(fs, new Path(ckpt, "t1/step1-epoch006.zip")));
        } finally {
            hdfs.shutdown(true);
        }
    }

    private static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
