package org.mrf.scq.sim;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;
import org.mrf.scq.io.NpyArray;
import org.mrf.scq.io.cohort.CohortManifest;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.io.cohort.SliceEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Simulate -> export in every format -> CohortReader gives exactly the arrays that were simulated. */
class CohortExportRoundTripTest {
    private static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(12);
    private static final int MATRIX = 32;

    @TempDir
    static Path tmp;
    /** Reference: the npy cohort read with NpyArray directly (not through CohortReader). */
    static Path reference;

    private static CohortSimulator.Options small() {
        return CohortSimulator.Options.defaults(2, 1, 77).withMatrix(MATRIX).withPhantoms(List.of("axial"))
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1));
    }

    @BeforeAll
    static void simulateReference() throws IOException {
        reference = tmp.resolve("ref");
        new CohortSimulator(SEQ, small(), new NpyExportWriter()).run(reference);
    }

    private static float[] npy(Path p, boolean imag) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            NpyArray a = NpyArray.read(in, p.toString());
            return imag ? a.imagToFloat() : a.toFloat();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"npy", "nifti", "nii", "mat", "mat73"})
    void everyFormatReadsBackIdentically(String format) throws IOException {
        Path dir = tmp.resolve("c-" + format);
        new CohortSimulator(SEQ, small(), ExportWriters.forName(format)).run(dir);
        CohortReader r = CohortReader.local(dir);
        CohortManifest m = r.manifest();
        assertEquals("mrf-sim-cohort", m.format());
        assertEquals(format, m.exportFormat());
        assertEquals(List.of("sub-000", "sub-001"), m.subjects());
        assertEquals(SEQ.hash(), m.schedule().hash());
        assertEquals(12, m.schedule().timepoints());
        assertEquals(MATRIX, m.matrix());
        List<SliceEntry> slices = r.allSlices();
        assertEquals(2, slices.size());
        String ext = switch (format) {
            case "npy" -> ".npy";
            case "nifti" -> ".nii.gz";
            case "nii" -> ".nii";
            default -> ".mat";
        };
        for (SliceEntry e : slices) {
            assertTrue(e.files().get("series").endsWith(ext), e.files().toString());
            MrfSlice s = r.read(e);
            Path ref = reference.resolve(e.subject());
            assertEquals(12, s.timepoints());
            assertEquals(MATRIX, s.height());
            assertEquals(MATRIX, s.width());
            assertArrayEquals(npy(ref.resolve("slice-000_series.npy"), false), s.re(), format + " " + e.key() + " re");
            assertArrayEquals(npy(ref.resolve("slice-000_series.npy"), true), s.im(), format + " " + e.key() + " im");
            assertArrayEquals(npy(ref.resolve("slice-000_t1_ms.npy"), false), s.t1Ms());
            assertArrayEquals(npy(ref.resolve("slice-000_t2_ms.npy"), false), s.t2Ms());
            assertArrayEquals(npy(ref.resolve("slice-000_pd.npy"), false), s.pd());
            assertArrayEquals(npy(ref.resolve("slice-000_mask.npy"), false), s.mask());
            assertTrue(s.source().endsWith(e.subject() + java.io.File.separator + e.files().get("series")), s.source());
            // The labels file (not part of MrfSlice) keeps codes above 127 (lesion = 240) as unsigned bytes.
            NdArray labels = ArrayFiles.read(dir.resolve(e.subject()).resolve(e.files().get("labels")));
            assertArrayEquals(npy(ref.resolve("slice-000_labels.npy"), false), labels.re());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left behind");
        }
    }

    @Test
    void writersStoreExactlyTheAcquiredSeriesAndMaps(@TempDir Path out) throws IOException {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(MATRIX).withLesions(2));
        SubjectMaps maps = gen.fromLabels(LabelMap.bundled("coronal"), TissueTable.literature3T(), 9);
        ComplexSeries s = new SliceAcquisition(SEQ, MATRIX, SliceAcquisition.Options.defaults().withThreads(1)).acquire(maps, 4);
        for (String format : ExportWriters.NAMES) {
            Path dir = out.resolve(format);
            var files = ExportWriters.forName(format).writeSlice(dir, "x", s, maps);
            assertEquals(List.of("series", "t1_ms", "t2_ms", "pd", "mask", "labels"), List.copyOf(files.keySet()));
            NdArray series = ArrayFiles.read(dir.resolve(files.get("series")));
            assertArrayEquals(new int[]{12, MATRIX, MATRIX}, series.shape(), format);
            assertEquals(NdArray.ElementType.COMPLEX64, series.elementType(), format);
            assertArrayEquals(s.re(), series.re(), format);
            assertArrayEquals(s.im(), series.im(), format);
            assertArrayEquals(maps.t1Ms(), ArrayFiles.read(dir.resolve(files.get("t1_ms"))).re(), format);
            assertArrayEquals(maps.pd(), ArrayFiles.read(dir.resolve(files.get("pd"))).re(), format);
            NdArray mask = ArrayFiles.read(dir.resolve(files.get("mask")));
            assertEquals(NdArray.ElementType.UINT8, mask.elementType(), format);
            float[] labels = ArrayFiles.read(dir.resolve(files.get("labels"))).re();
            for (int i = 0; i < labels.length; i++) assertEquals(maps.labels()[i] & 0xff, (int) labels[i], format + " label " + i);
        }
    }

    @Test
    void unknownFormatNameIsAClearError() {
        MrfInputException x = assertThrows(MrfInputException.class, () -> ExportWriters.forName("dicom"));
        assertTrue(x.getMessage().contains("'dicom'") && x.getMessage().contains("npy, nifti, nii, mat, mat73"), x.getMessage());
        assertEquals("mat73", ExportWriters.forName("MAT73").format());
        assertEquals("nifti", ExportWriters.forName("nifti").format());
    }
}
