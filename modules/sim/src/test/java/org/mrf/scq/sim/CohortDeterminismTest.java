package org.mrf.scq.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The simulated cohort has no Spark path; its parallelism is the acquisition's thread pool. The same seed gives the
 * same bytes in every file whatever the thread count: every pixel's and every coefficient image's work is a pure
 * function of its index, and each thread writes only its own outputs (no shared sums).
 */
class CohortDeterminismTest {
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);

    static Path simulate(Path out, int threads, long seed) throws Exception {
        CohortSimulator.Options o = CohortSimulator.Options.defaults(2, 2, seed).withMatrix(32).withPhantoms(List.of("axial", "hydra"))
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(threads));
        new CohortSimulator(SEQ, o, new NpyExportWriter()).run(out);
        return out;
    }

    static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Test
    void theSameSeedGivesTheSameBytesWithOneOrThreeThreads(@TempDir Path dir) throws Exception {
        Path one = simulate(dir.resolve("one"), 1, 77), three = simulate(dir.resolve("three"), 3, 77);
        List<Path> names = files(one);
        assertEquals(names, files(three));
        assertTrue(names.size() >= 2 * 2 * 5 + 3, "series, four maps per slice, manifests: " + names);
        for (Path n : names) {
            assertArrayEquals(Files.readAllBytes(one.resolve(n)), Files.readAllBytes(three.resolve(n)), n + " differs");
        }
        // ...and the seed matters: another one gives another series.
        Path other = simulate(dir.resolve("other-seed"), 1, 78);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(one.resolve("sub-000/slice-000_series.npy")),
                Files.readAllBytes(other.resolve("sub-000/slice-000_series.npy"))));
    }
}
