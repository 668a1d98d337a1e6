package org.mrf.scq.spark.dictionary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.LocalSparkTest;
import org.mrf.scq.spark.SparkTestFixtures;
import org.mrf.scq.spark.store.DictionaryStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DictionaryJobTest extends LocalSparkTest {

    static final DictionaryJob.GridSpec SMALL = new DictionaryJob.GridSpec(List.of("100:1500:100", "2000:4000:1000"),
            List.of("10:100:10", "200:500:150"), true);

    @Test
    void writesEveryEntryWithMetadataAndMatchesTheCoreSimulator(@TempDir Path dir) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(200);
        String out = dir.resolve("dict").toString();
        DictionaryJob.Result r = DictionaryJob.run(spark, seq, SMALL, 1e-5, out, false, 5);
        Dictionary expected = Dictionary.simulate(seq, SMALL.build("test"), 1e-5);
        assertEquals(expected.size(), r.entries());
        assertTrue(r.summary().contains("entries=" + expected.size()), r.summary());
        assertTrue(Files.exists(dir.resolve("dict").resolve(DictionaryStore.METADATA_FILE)));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary directory left beside the output");
        }
        Dictionary back = DictionaryStore.load(spark, out, 0);
        SparkTestFixtures.assertSameDictionary(expected, back);
        assertEquals(seq.hash(), DictionaryStore.schedule(out, spark.sparkContext().hadoopConfiguration()).hash());
        // Truncation on read gives the first T time points.
        Dictionary t50 = DictionaryStore.load(spark, out, 50);
        assertArrayEquals(expected.truncate(50).re(), t50.re());
        double[][] direct = new EpgSimulator(seq, 1e-5).simulate(back.t1(7), back.t2(7));
        assertEquals((float) direct[0][0], back.re()[7 * 200]);
    }

    @Test
    void partitioningDoesNotChangeTheResult(@TempDir Path dir) {
        FispSequence seq = Schedules.load(Schedules.JIANG2015, 1.908, 18).truncate(120);
        DictionaryJob.run(spark, seq, SMALL, 1e-5, dir.resolve("a").toString(), false, 1);
        DictionaryJob.run(spark, seq, SMALL, 1e-5, dir.resolve("b").toString(), false, 7);
        Dictionary a = DictionaryStore.load(spark, dir.resolve("a").toString(), 0);
        Dictionary b = DictionaryStore.load(spark, dir.resolve("b").toString(), 0);
        assertArrayEquals(a.re(), b.re());
        assertArrayEquals(a.im(), b.im());
    }

    @Test
    void refusesToReplaceWithoutOverwriteAndKeepsTheOldDataset(@TempDir Path dir) {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(30);
        String out = dir.resolve("d").toString();
        DictionaryJob.run(spark, seq, SMALL, 1e-5, out, false, 2);
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> DictionaryJob.run(spark, seq, SMALL, 1e-5, out, false, 2));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        DictionaryJob.run(spark, seq.truncate(20), SMALL, 1e-5, out, true, 2);
        assertEquals(20, DictionaryStore.load(spark, out, 0).timepoints());
    }

    @Test
    void clearErrorsForMissingOrForeignDictionaries(@TempDir Path dir) throws Exception {
        MrfInputException missing = assertThrows(MrfInputException.class,
                () -> DictionaryStore.load(spark, dir.resolve("nope").toString(), 0));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(dir.resolve("foreign/part-0.parquet"), "not parquet");
        MrfInputException foreign = assertThrows(MrfInputException.class,
                () -> DictionaryStore.load(spark, dir.resolve("foreign").toString(), 0));
        assertTrue(foreign.getMessage().contains(DictionaryStore.METADATA_FILE), foreign.getMessage());
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(30);
        String out = dir.resolve("d").toString();
        DictionaryJob.run(spark, seq, SMALL, 1e-5, out, false, 2);
        MrfInputException tooLong = assertThrows(MrfInputException.class, () -> DictionaryStore.load(spark, out, 31));
        assertTrue(tooLong.getMessage().contains("T=30"), tooLong.getMessage());
        try (var s = Files.list(dir.resolve("d"))) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList()) {
                Files.writeString(p, "corrupt");
            }
        }
        MrfInputException corrupt = assertThrows(MrfInputException.class, () -> DictionaryStore.load(spark, out, 0));
        assertTrue(corrupt.getMessage().contains("unreadable") && corrupt.getMessage().contains(out), corrupt.getMessage());
    }
}
