package org.mrf.scq.spark.reliability;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.store.DictionaryStore;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Jobs killed with SIGKILL while they write never damage the previous output and never show a partial one at
 * the final path: all half-written data lives under dot-prefixed temporary names.
 */
class AtomicOutputKillTest {
    static SparkSession spark;
    static final DictionaryJob.GridSpec OLD_GRID = new DictionaryJob.GridSpec(List.of("100:1500:200"), List.of("10:100:30"), true);

    @BeforeAll
    static void start() {
        spark = SparkSessions.create("atomic-kill-test", "local[1]", "ERROR", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void dictionaryRewriteKilledMidWriteLeavesThePreviousDictionaryIntact(@TempDir Path dir) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(24);
        String out = dir.resolve("dict").toString();
        DictionaryJob.run(spark, seq, OLD_GRID, 1e-5, out, false, 2);
        Dictionary before = DictionaryStore.load(spark, out, 0);

        List<String> seenDuringWrite = new ArrayList<>();
        try (ChildJvm job = ChildJvm.start(dir.resolve("logs"), DictionaryDriver.class, out, "400")) {
            // Kill once the new dictionary is half written: at least one finished task's Parquet file under the temp name.
            job.awaitUntil("a part file under the temporary output", 120_000, () -> {
                try {
                    for (String n : names(dir)) if (!n.equals("dict") && !n.equals("logs")) seenDuringWrite.add(n);
                    // Every look at the final path while the job runs finds the old dictionary's metadata.
                    assertEquals(24, DictionaryStore.metadata(out, spark.sparkContext().hadoopConfiguration()).timepoints());
                    try (Stream<Path> s = Files.walk(dir)) {
                        return s.anyMatch(p -> p.getFileName().toString().startsWith("part-")
                                && p.toString().contains("/.dict.tmp-"));
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            job.kill();
        }
        assertFalse(seenDuringWrite.isEmpty(), "the job wrote somewhere besides the final path");
        for (String n : seenDuringWrite) {
            assertTrue(n.startsWith(".dict.tmp-") || n.startsWith(".dict.lease-"), "only a dot-prefixed temporary name or lease, not " + n);
        }
        for (String n : names(dir)) assertTrue(n.equals("dict") || n.equals("logs") || n.startsWith(".dict.tmp-") || n.startsWith(".dict.lease-"), n);

        Dictionary after = DictionaryStore.load(spark, out, 0);
        assertEquals(before.size(), after.size());
        assertEquals(24, after.timepoints());
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.t1(i), after.t1(i));
            assertEquals(before.t2(i), after.t2(i));
        }
        assertArrayEquals(before.re(), after.re(), "the previous dictionary's signals are unchanged bit for bit");
        assertArrayEquals(before.im(), after.im());

        // ...and the next overwrite works, and removes the dead job's leftover temp directory and lease.
        DictionaryJob.run(spark, seq.truncate(12), OLD_GRID, 1e-5, out, true, 2);
        assertEquals(12, DictionaryStore.load(spark, out, 0).timepoints());
        assertEquals(List.of("dict", "logs"), names(dir));
    }

    @Test
    void aCommitKilledBetweenItsTwoRenamesIsUndoneByTheNextJob(@TempDir Path dir) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(24);
        String out = dir.resolve("dict").toString();
        DictionaryJob.run(spark, seq, OLD_GRID, 1e-5, out, false, 2);
        Dictionary before = DictionaryStore.load(spark, out, 0);
        // The state AtomicOutput.commit leaves when killed after moving the old output aside and before moving the
        // new one in: no dictionary at the final path, the complete old one under its .old name.
        Files.move(dir.resolve("dict"), dir.resolve(".dict.old-0b7e2c1a"));

        var e = assertThrows(org.mrf.scq.core.util.MrfInputException.class,
                () -> DictionaryJob.run(spark, seq, OLD_GRID, 1e-5, out, false, 2));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("--overwrite"),
                "the previous dictionary is back, so a job without --overwrite refuses: " + e.getMessage());
        assertEquals(List.of("dict"), names(dir));
        assertArrayEquals(before.re(), DictionaryStore.load(spark, out, 0).re());
    }

    @Test
    void modelSaveKilledAtAnArbitraryMomentLeavesOneCompleteModel(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        INDArray p1 = ModelSaveDriver.model(1).graph().params(), p2 = ModelSaveDriver.model(2).graph().params();
        assertTrue(p1.sub(p2).amaxNumber().doubleValue() > 0, "the two models differ");
        for (int round = 0; round < 2; round++) {
            try (ChildJvm saver = ChildJvm.start(dir.resolve("logs"), ModelSaveDriver.class, model.toString())) {
                int after = 20 + round * 7;
                saver.awaitUntil(after + " saves", 120_000, () -> saver.count(l -> l.startsWith("SAVED")) >= after);
                saver.kill();
            }
            ScqModel back = ScqModel.load(model);
            INDArray p = back.graph().params();
            boolean isOne = p.equals(p1), isTwo = p.equals(p2);
            assertTrue(isOne || isTwo, "round " + round + ": the model on disk is one of the two complete models");
            for (String n : names(dir)) {
                // Hidden leftovers only: a temp dir, or the previous model when the kill came while it was being deleted.
                assertTrue(n.equals("model") || n.equals("logs") || n.startsWith(".model.tmp") || n.startsWith(".model.old-"),
                        "unexpected " + n);
            }
        }
    }

    @Test
    void aModelSaveKilledBetweenItsTwoRenamesIsUndoneByTheNextLoadOrSave(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        ScqModel one = ModelSaveDriver.model(1), two = ModelSaveDriver.model(2);
        one.save(model);
        // The state ScqModel.save leaves when killed after moving the previous model aside and before moving the new
        // one in.
        Files.move(model, dir.resolve(".model.old-7a1c"));
        assertEquals(one.graph().params(), ScqModel.load(model).graph().params(), "load puts the previous model back");
        assertEquals(List.of("model"), names(dir));

        Files.move(model, dir.resolve(".model.old-7a1d"));
        two.save(model);
        assertEquals(two.graph().params(), ScqModel.load(model).graph().params());
        assertEquals(List.of("model"), names(dir), "the restored previous model was replaced and deleted, nothing left over");
    }
}
