package org.mrf.scq.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.io.NpyArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class CohortSimulatorTest {
    private static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);

    private static CohortSimulator.Options small() {
        return CohortSimulator.Options.defaults(2, 2, 2024).withMatrix(32).withPhantoms(List.of("axial", "hydra"))
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(40).withThreads(2));
    }

    private static NpyArray read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return NpyArray.read(in, p.toString());
        }
    }

    @Test
    void writesTheDocumentedLayoutAndTheSameBytesForTheSameSeed(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        Path manifest = new CohortSimulator(SEQ, small(), new NpyExportWriter()).run(a);
        new CohortSimulator(SEQ, small(), new NpyExportWriter()).run(b);
        String json = Files.readString(manifest);
        assertTrue(json.contains("\"format\": \"mrf-sim-cohort\""), json);
        assertTrue(json.contains("\"sub-000\"") && json.contains("\"sub-001\""));
        assertTrue(json.contains("\"hash\": \"" + SEQ.hash() + "\""));
        for (String sub : List.of("sub-000", "sub-001")) {
            assertTrue(Files.readString(a.resolve(sub).resolve("subject.json")).contains("\"slice-001_series.npy\""));
            for (String slice : List.of("slice-000", "slice-001")) {
                NpyArray series = read(a.resolve(sub).resolve(slice + "_series.npy"));
                assertEquals(NpyArray.DType.COMPLEX64, series.dtype());
                assertArrayEquals(new int[]{48, 32, 32}, series.shape());
                for (String map : List.of("t1_ms", "t2_ms", "pd")) {
                    NpyArray m = read(a.resolve(sub).resolve(slice + "_" + map + ".npy"));
                    assertEquals(NpyArray.DType.FLOAT32, m.dtype());
                    assertArrayEquals(new int[]{32, 32}, m.shape());
                }
                NpyArray mask = read(a.resolve(sub).resolve(slice + "_mask.npy"));
                assertEquals(NpyArray.DType.UINT8, mask.dtype());
            }
        }
        // Determinism: every file byte-identical; no temporary files left behind.
        List<Path> files;
        try (Stream<Path> s = Files.walk(a)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertEquals(2 + 2 * 2 * 6 + 1, files.size(), "cohort.json, 2 subject.json, 6 files per slice");
        for (Path f : files) {
            assertFalse(f.getFileName().toString().endsWith(".tmp"));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(a.relativize(f))), f.toString());
        }
        // Subjects differ from each other.
        assertFalse(java.util.Arrays.equals(read(a.resolve("sub-000/slice-000_t1_ms.npy")).toFloat(),
                read(a.resolve("sub-001/slice-000_t1_ms.npy")).toFloat()));
    }

    @Test
    void seriesFileHoldsExactlyTheAcquiredSeries(@TempDir Path tmp) throws IOException {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(32));
        SubjectMaps maps = gen.fromLabels(LabelMap.bundled("sagittal"), TissueTable.literature3T(), 5);
        ComplexSeries s = new SliceAcquisition(SEQ, 32, SliceAcquisition.Options.defaults()).acquire(maps, 3);
        new NpyExportWriter().writeSlice(tmp, "x", s, maps);
        NpyArray back = read(tmp.resolve("x_series.npy"));
        assertArrayEquals(s.re(), back.toFloat());
        assertArrayEquals(s.im(), back.imagToFloat());
        assertArrayEquals(maps.mask(), toBytes(read(tmp.resolve("x_mask.npy")).toFloat()));
    }

    private static byte[] toBytes(float[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void rejectsBadOptionsWithAFix() {
        var bad = small().withPhantoms(List.of("axial", "knee"));
        var e = assertThrows(org.mrf.scq.core.util.MrfInputException.class, () -> new CohortSimulator(SEQ, bad, new NpyExportWriter()));
        assertTrue(e.getMessage().contains("knee") && e.getMessage().contains("hydra"));
    }
}
