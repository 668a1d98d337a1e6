package org.mrf.scq.io.cohort;

import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.MatFiles;
import org.mrf.scq.io.NdArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tiny hand-written ("mrf-cohort") cohort: T = 4, 8 x 8, one subject "s1" with one slice, written in a test folder. */
final class CohortFixture {
    static final int T = 4, H = 8, W = 8;

    private CohortFixture() {
    }

    static String cohortJson(String subjectsJson) {
        return "{\n \"format\": \"mrf-cohort\",\n \"version\": 1,\n \"subjects\": " + subjectsJson + ",\n"
                + " \"schedule\": {\"name\": \"default\", \"hash\": \"abc123\", \"timepoints\": " + T
                + ", \"te_ms\": 2.0, \"inversion_ms\": 18.0}\n}\n";
    }

    static String subjectJson(String subject, String slicesJson) {
        return "{\"subject\": \"" + subject + "\", \"slices\": " + slicesJson + "}\n";
    }

    static String slice(int n, String filesJson) {
        return "{\"slice\": " + n + ", \"files\": " + filesJson + "}";
    }

    static final String NPY_FILES = "{\"series\": \"slice-000_series.npy\", \"t1_ms\": \"slice-000_t1_ms.npy\", "
            + "\"t2_ms\": \"slice-000_t2_ms.npy\", \"pd\": \"slice-000_pd.npy\", \"mask\": \"slice-000_mask.npy\"}";

    /** Deterministic series values: distinct, finite, both parts non-zero. */
    static NdArray series(int t, int h, int w) {
        int n = t * h * w;
        float[] re = new float[n], im = new float[n];
        for (int i = 0; i < n; i++) {
            re[i] = (float) Math.sin(0.37 * i) * 100f;
            im[i] = (float) Math.cos(0.11 * i + 1) * 50f - 0.5f;
        }
        return NdArray.complex("series", re, im, t, h, w);
    }

    static NdArray map(String name, int h, int w, float scale) {
        float[] v = new float[h * w];
        for (int i = 0; i < v.length; i++) v[i] = scale * (1 + (i * 7919) % 97);
        return NdArray.real(name, v, h, w);
    }

    static NdArray mask(int h, int w) {
        float[] v = new float[h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i / w > 1 && i / w < h - 2) ? 1 : 0;
        return NdArray.of("mask", NdArray.ElementType.UINT8, v, null, h, w);
    }

    static void write(Path p, NdArray a) throws IOException {
        ArrayFiles.write(p, a);
    }

    static void writeMat(Path p, MatFiles.Version v, NdArray... arrays) throws IOException {
        ArrayFiles.write(p, List.of(arrays), ArrayFiles.WriteOptions.defaults().mat(v));
    }

    /** Writes the valid base cohort (all .npy) into {@code dir}. */
    static void writeBase(Path dir) throws IOException {
        Path s = dir.resolve("s1");
        Files.createDirectories(s);
        Files.writeString(dir.resolve("cohort.json"), cohortJson("[\"s1\"]"));
        Files.writeString(s.resolve("subject.json"), subjectJson("s1", "[" + slice(0, NPY_FILES) + "]"));
        write(s.resolve("slice-000_series.npy"), series(T, H, W));
        write(s.resolve("slice-000_t1_ms.npy"), map("t1_ms", H, W, 10f));
        write(s.resolve("slice-000_t2_ms.npy"), map("t2_ms", H, W, 1f));
        write(s.resolve("slice-000_pd.npy"), map("pd", H, W, 0.01f));
        write(s.resolve("slice-000_mask.npy"), mask(H, W));
    }

    /** Lists and reads everything the way the ingest does. */
    static void readEverything(Path dir) throws IOException {
        CohortReader r = CohortReader.local(dir);
        r.manifest();
        for (SliceEntry e : r.allSlices()) r.read(e);
    }
}
