package org.mrf.scq.spark.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.LocalSparkTest;
import org.mrf.scq.spark.SparkTestFixtures;
import org.mrf.scq.spark.store.SliceStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class IngestJobTest extends LocalSparkTest {
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(24);

    static Path cohort(Path dir, String name, String format, long seed) throws Exception {
        CohortSimulator.Options o = CohortSimulator.Options.defaults(2, 2, seed).withMatrix(32)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1));
        Path p = dir.resolve(name);
        new CohortSimulator(SEQ, o, ExportWriters.forName(format)).run(p);
        return p;
    }

    @Test
    void everyExportFormatIngestsToIdenticalArrays(@TempDir Path dir) throws Exception {
        Path npy = cohort(dir, "npy", "npy", 5);
        CohortReader direct = CohortReader.local(npy);
        Map<String, MrfSlice> expected = direct.allSlices().stream().map(e -> {
            try {
                return direct.read(e);
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }).collect(Collectors.toMap(MrfSlice::key, s -> s));
        for (String format : List.of("npy", "nifti", "mat73")) {
            Path c = format.equals("npy") ? npy : cohort(dir, format, format, 5);
            String out = dir.resolve("slices-" + format).toString();
            IngestJob.Result r = IngestJob.run(spark, c.toString(), out);
            assertEquals(4, r.slices());
            assertTrue(r.summary().contains("slices=4"), r.summary());
            List<MrfSlice> back = SliceStore.slices(spark, out, 0).collect();
            assertEquals(4, back.size());
            for (MrfSlice s : back) {
                MrfSlice e = expected.get(s.key());
                assertArrayEquals(e.re(), s.re(), format + " " + s.key());
                assertArrayEquals(e.im(), s.im());
                assertArrayEquals(e.t1Ms(), s.t1Ms());
                assertArrayEquals(e.mask(), s.mask());
            }
        }
    }

    @Test
    void appendsNewSubjectsAndRefusesDuplicatesAndBadFilesWithoutTouchingTheDataset(@TempDir Path dir) throws Exception {
        Path first = cohort(dir, "first", "npy", 1);
        String out = dir.resolve("slices").toString();
        IngestJob.run(spark, first.toString(), out);
        MrfInputException dup = assertThrows(MrfInputException.class, () -> IngestJob.run(spark, first.toString(), out));
        assertTrue(dup.getMessage().contains("sub-000") && dup.getMessage().contains("already"), dup.getMessage());

        // A second cohort with other subject ids: rename its subjects by rewriting the manifests.
        Path second = cohort(dir, "second", "npy", 2);
        SparkTestFixtures.renameSubjects(second, List.of("sub-000", "sub-001"), "sub-", "new-");
        // Corrupt one series file: the whole ingest fails and nothing of this cohort appears.
        Path bad = second.resolve("new-001").resolve("slice-001_series.npy");
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        MrfInputException corrupt = assertThrows(MrfInputException.class, () -> IngestJob.run(spark, second.toString(), out));
        assertTrue(corrupt.getMessage().contains("slice-001_series.npy") && corrupt.getMessage().contains("unchanged"),
                corrupt.getMessage());
        assertEquals(4, SliceStore.slices(spark, out, 0).count());
        Files.write(bad, bytes);
        IngestJob.run(spark, second.toString(), out);
        assertEquals(8, SliceStore.slices(spark, out, 0).count());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".slices")), "no temporary dataset left");
        }
    }
}
