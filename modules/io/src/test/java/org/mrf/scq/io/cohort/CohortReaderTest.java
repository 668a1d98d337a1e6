package org.mrf.scq.io.cohort;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MatFiles;
import org.mrf.scq.io.NdArray;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.mrf.scq.io.cohort.CohortFixture.*;

class CohortReaderTest {
    @Test
    void readsAHandWrittenNpyCohortExactly(@TempDir Path dir) throws IOException {
        writeBase(dir);
        CohortReader r = CohortReader.local(dir);
        CohortManifest m = r.manifest();
        assertEquals("mrf-cohort", m.format());
        assertEquals(List.of("s1"), m.subjects());
        assertEquals(new CohortManifest.Schedule("default", "abc123", T, 2.0, 18.0), m.schedule());
        assertNull(m.exportFormat());
        List<SliceEntry> slices = r.slices("s1");
        assertEquals(1, slices.size());
        SliceEntry e = slices.get(0);
        assertEquals("s1/slice-000_series.npy", e.path("series"));
        MrfSlice s = r.read(e);
        assertEquals("s1", s.subject());
        assertEquals(0, s.slice());
        assertEquals(T, s.timepoints());
        assertEquals(H, s.height());
        assertEquals(W, s.width());
        NdArray series = series(T, H, W);
        assertArrayEquals(series.re(), s.re());
        assertArrayEquals(series.im(), s.im());
        assertArrayEquals(map("t1_ms", H, W, 10f).re(), s.t1Ms());
        assertArrayEquals(map("t2_ms", H, W, 1f).re(), s.t2Ms());
        assertArrayEquals(map("pd", H, W, 0.01f).re(), s.pd());
        assertArrayEquals(mask(H, W).re(), s.mask());
        assertEquals(dir.toAbsolutePath().resolve("s1/slice-000_series.npy").toString(), s.source());
        assertEquals(-1, s.firstNonFinite());
    }

    @Test
    void readsMixedFormatsMatVariablesAndSubfolders(@TempDir Path dir) throws IOException {
        Path s = dir.resolve("P01");
        Files.createDirectories(s.resolve("raw"));
        Files.writeString(dir.resolve("cohort.json"), "{\"format\": \"mrf-cohort\", \"version\": 1, \"subjects\": [\"P01\"],"
                + " \"schedule\": {\"name\": \"site-fisp\", \"timepoints\": 4, \"te_ms\": 2.5, \"inversion_ms\": 20}}");
        // slice 3: series and t1 in one v7.3 file under their role names; t2 as a v5 variable with another name; pd NIfTI.
        // slice 7: series in a v5 .mat with a foreign variable name, mask in .nii, no maps.
        Files.writeString(s.resolve("subject.json"), "{\"subject\": \"P01\", \"slices\": ["
                + "{\"slice\": 3, \"files\": {\"series\": \"raw/both.mat\", \"t1_ms\": \"raw/both.mat\", \"t2_ms\": \"t2.mat\","
                + " \"pd\": \"pd.nii.gz\"}, \"variables\": {\"t2_ms\": \"T2map\"}},"
                + "{\"slice\": 7, \"files\": {\"series\": \"img7.mat\", \"mask\": \"mask7.nii\"}}]}");
        NdArray series = series(4, 6, 5);
        NdArray other = series(4, 6, 5).withName("ignored");
        writeMat(s.resolve("raw/both.mat"), MatFiles.Version.V73, series, map("t1_ms", 6, 5, 10f));
        writeMat(s.resolve("t2.mat"), MatFiles.Version.V5, map("T2map", 6, 5, 1f), map("junk", 2, 2, 1f));
        write(s.resolve("pd.nii.gz"), map("pd", 6, 5, 0.01f));
        writeMat(s.resolve("img7.mat"), MatFiles.Version.V5, other.withName("im_recon"));
        write(s.resolve("mask7.nii"), mask(6, 5));

        CohortReader r = CohortReader.local(dir);
        assertNull(r.manifest().schedule().hash());
        List<SliceEntry> slices = r.allSlices();
        assertEquals(List.of(3, 7), slices.stream().map(SliceEntry::slice).toList());
        MrfSlice a = r.read(slices.get(0));
        assertArrayEquals(series.re(), a.re());
        assertArrayEquals(series.im(), a.im());
        assertArrayEquals(map("t1_ms", 6, 5, 10f).re(), a.t1Ms());
        assertArrayEquals(map("T2map", 6, 5, 1f).re(), a.t2Ms());
        assertArrayEquals(map("pd", 6, 5, 0.01f).re(), a.pd());
        assertNull(a.mask());
        assertTrue(a.source().endsWith("both.mat"), a.source());
        MrfSlice b = r.read(slices.get(1));
        assertArrayEquals(other.re(), b.re());
        assertArrayEquals(other.im(), b.im());
        assertArrayEquals(mask(6, 5).re(), b.mask());
        assertNull(b.t1Ms());
    }

    @Test
    void sliceEntriesAndLocalSourcesSurviveJavaSerialization(@TempDir Path dir) throws Exception {
        writeBase(dir);
        CohortReader r = CohortReader.local(dir);
        SliceEntry e = r.slices("s1").get(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
            out.writeObject(r.files());
            out.writeObject(r.manifest());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SliceEntry e2 = (SliceEntry) in.readObject();
            FileSource f2 = (FileSource) in.readObject();
            assertEquals(e, e2);
            assertEquals(r.manifest(), in.readObject());
            assertArrayEquals(r.read(e).re(), new CohortReader(f2).read(e2).re());
        }
    }

    @Test
    void relativePathRules() {
        assertEquals("a/b.npy", CohortReader.checkRelative("a/b.npy", "x"));
        assertEquals("..a.npy", CohortReader.checkRelative("..a.npy", "x"));
        for (String bad : List.of("", "../a.npy", "a/../../b.npy", "/abs.npy", "a\\b.npy", "C:x.npy", "a//b.npy", "./a.npy",
                "s3a://bucket/a.npy", "a/..")) {
            MrfInputException x = assertThrows(MrfInputException.class, () -> CohortReader.checkRelative(bad, "where"), bad);
            assertTrue(x.getMessage().startsWith("where = '" + bad + "'"), x.getMessage());
        }
    }
}
