package org.mrf.scq.io.cohort;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MatFiles;
import org.mrf.scq.io.NdArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.mrf.scq.io.cohort.CohortFixture.*;

/**
 * The bad-input corpus: each case starts from the valid base cohort ({@link CohortFixture#writeBase}),
 * breaks one thing, and expects an {@link MrfInputException} whose message names the file and the problem.
 */
class CohortBadInputTest {
    interface Mutation {
        void apply(Path dir) throws IOException;
    }

    private static Arguments c(String name, Mutation m, String file, String problem) {
        return Arguments.of(name, m, file, problem);
    }

    private static void cohort(Path dir, String text) throws IOException {
        Files.writeString(dir.resolve("cohort.json"), text);
    }

    private static void subject(Path dir, String text) throws IOException {
        Files.writeString(dir.resolve("s1/subject.json"), text);
    }

    private static void files(Path dir, String filesJson) throws IOException {
        subject(dir, subjectJson("s1", "[" + slice(0, filesJson) + "]"));
    }

    private static Path seriesNpy(Path dir) {
        return dir.resolve("s1/slice-000_series.npy");
    }

    private static void truncate(Path p, int keep) throws IOException {
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, Math.min(keep, b.length)));
    }

    private static void seriesAs(Path dir, String name, NdArray a) throws IOException {
        write(dir.resolve("s1/" + name), a);
        files(dir, NPY_FILES.replace("slice-000_series.npy", name));
    }

    private static NdArray seriesWith(int index, float value) {
        NdArray s = series(T, H, W);
        s.re()[index] = value;
        return s;
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                // ---- cohort.json
                c("missing cohort.json", d -> Files.delete(d.resolve("cohort.json")), "cohort.json", "no cohort manifest"),
                c("malformed cohort.json", d -> cohort(d, "{\"format\": \"mrf-cohort\", \"version\": 1,,}"), "cohort.json",
                        "malformed JSON"),
                c("cohort.json is a list", d -> cohort(d, "[1, 2]"), "cohort.json", "must be a JSON object"),
                c("missing schedule", d -> cohort(d, "{\"format\": \"mrf-cohort\", \"version\": 1, \"subjects\": [\"s1\"]}"),
                        "cohort.json", "required key \"schedule\" is missing"),
                c("missing format", d -> cohort(d, cohortJson("[\"s1\"]").replace("\"format\": \"mrf-cohort\",", "")),
                        "cohort.json", "required key \"format\""),
                c("wrong format", d -> cohort(d, cohortJson("[\"s1\"]").replace("mrf-cohort", "bids")), "cohort.json",
                        "\"format\" is 'bids'"),
                c("unsupported version", d -> cohort(d, cohortJson("[\"s1\"]").replace("\"version\": 1", "\"version\": 2")),
                        "cohort.json", "\"version\" is 2"),
                c("timepoints not an integer", d -> cohort(d, cohortJson("[\"s1\"]").replace("\"timepoints\": 4",
                        "\"timepoints\": \"four\"")), "cohort.json", "\"timepoints\" must be an integer"),
                c("sim manifest without schedule hash", d -> cohort(d, cohortJson("[\"s1\"]").replace("mrf-cohort",
                        "mrf-sim-cohort").replace("\"hash\": \"abc123\", ", "")), "cohort.json", "required key \"hash\""),
                c("subject id with ..", d -> cohort(d, cohortJson("[\"../x\"]")), "cohort.json", "subject id '../x' is not allowed"),
                c("subject id with slash", d -> cohort(d, cohortJson("[\"a/b\"]")), "cohort.json", "subject id 'a/b' is not allowed"),
                c("subject id not a string", d -> cohort(d, cohortJson("[7]")), "cohort.json", "subjects[0] is 7, not a string"),
                c("duplicate subject", d -> cohort(d, cohortJson("[\"s1\", \"s1\"]")), "cohort.json", "listed twice"),
                c("duplicate JSON key", d -> cohort(d, cohortJson("[\"s1\"]").replace("\"version\": 1,",
                        "\"version\": 1, \"version\": 1,")), "cohort.json", "malformed JSON"),
                // ---- subject.json
                c("missing subject.json", d -> Files.delete(d.resolve("s1/subject.json")), "subject.json", "missing"),
                c("malformed subject.json", d -> subject(d, "{\"subject\": \"s1\", \"slices\": [ {\"slice\": 0, "),
                        "subject.json", "malformed JSON"),
                c("subject.json names another subject", d -> subject(d, subjectJson("s2", "[" + slice(0, NPY_FILES) + "]")),
                        "subject.json", "\"subject\" is 's2' but the file is in folder 's1'"),
                c("duplicate slice numbers", d -> subject(d, subjectJson("s1", "[" + slice(0, NPY_FILES) + ", "
                        + slice(0, NPY_FILES) + "]")), "subject.json", "slice number 0 appears twice"),
                c("slice number missing", d -> subject(d, subjectJson("s1", "[{\"files\": " + NPY_FILES + "}]")),
                        "subject.json", "required key \"slice\""),
                c("no series entry", d -> files(d, "{\"t1_ms\": \"slice-000_t1_ms.npy\"}"), "subject.json",
                        "no \"series\" entry"),
                c("files entry escaping with ..", d -> files(d, NPY_FILES.replace("\"slice-000_t1_ms.npy\"",
                        "\"../s2/slice-000_t1_ms.npy\"")), "subject.json", "contains '..'"),
                c("files entry absolute", d -> files(d, NPY_FILES.replace("\"slice-000_series.npy\"", "\"/etc/passwd.npy\"")),
                        "subject.json", "is absolute"),
                c("files entry with backslash", d -> files(d, NPY_FILES.replace("\"slice-000_pd.npy\"",
                        "\"..\\\\pd.npy\"")), "subject.json", "contains a backslash"),
                c("manifest names a missing file", d -> files(d, NPY_FILES.replace("slice-000_series.npy", "slice-009_series.npy")),
                        "subject.json", "names 'slice-009_series.npy' but"),
                c("manifest names a missing map", d -> Files.delete(d.resolve("s1/slice-000_mask.npy")), "subject.json",
                        "slice-000_mask.npy"),
                c("unknown file type", d -> files(d, NPY_FILES.replace("slice-000_series.npy", "slice-000_series.txt")),
                        "subject.json", "unknown file type"),
                c("listed shape with wrong T", d -> subject(d, subjectJson("s1", "[{\"slice\": 0, \"shape\": [9, 8, 8], "
                        + "\"files\": " + NPY_FILES + "}]")), "subject.json", "T = 9"),
                // ---- array files: corrupt / truncated
                c("corrupt .npy", d -> Files.write(seriesNpy(d), "this is not numpy".getBytes()), "slice-000_series.npy",
                        "not a NumPy .npy file"),
                c("truncated .npy", d -> truncate(seriesNpy(d), 300), "slice-000_series.npy", "truncated"),
                c("empty .npy", d -> Files.write(seriesNpy(d), new byte[0]), "slice-000_series.npy", "not a NumPy"),
                c("truncated .nii.gz", d -> {
                    seriesAs(d, "series.nii.gz", series(T, H, W));
                    truncate(d.resolve("s1/series.nii.gz"), 200);
                }, "series.nii.gz", "truncated"),
                c("corrupt .nii", d -> {
                    seriesAs(d, "series.nii", series(T, H, W));
                    byte[] b = Files.readAllBytes(d.resolve("s1/series.nii"));
                    Arrays.fill(b, 0, 348, (byte) 7);
                    Files.write(d.resolve("s1/series.nii"), b);
                }, "series.nii", "NIfTI"),
                c("truncated .mat v5", d -> {
                    writeMat(d.resolve("s1/series.mat"), MatFiles.Version.V5, series(T, H, W));
                    files(d, NPY_FILES.replace("slice-000_series.npy", "series.mat"));
                    truncate(d.resolve("s1/series.mat"), 200);
                }, "series.mat", "MAT-file"),
                c("truncated .mat v7.3", d -> {
                    writeMat(d.resolve("s1/series.mat"), MatFiles.Version.V73, series(T, H, W));
                    files(d, NPY_FILES.replace("slice-000_series.npy", "series.mat"));
                    truncate(d.resolve("s1/series.mat"), 1200);
                }, "series.mat", "series.mat"),
                c("not a .mat at all", d -> {
                    Files.write(d.resolve("s1/series.mat"), new byte[300]);
                    files(d, NPY_FILES.replace("slice-000_series.npy", "series.mat"));
                }, "series.mat", "not a MATLAB"),
                c("mat without the named variable", d -> {
                    writeMat(d.resolve("s1/series.mat"), MatFiles.Version.V5, series(T, H, W).withName("a"),
                            series(T, H, W).withName("b"));
                    files(d, NPY_FILES.replace("slice-000_series.npy", "series.mat"));
                }, "series.mat", "name it with \"variables\": {\"series\""),
                c("named variable absent", d -> {
                    writeMat(d.resolve("s1/series.mat"), MatFiles.Version.V5, series(T, H, W).withName("img"));
                    subject(d, subjectJson("s1", "[{\"slice\": 0, \"files\": {\"series\": \"series.mat\"}, "
                            + "\"variables\": {\"series\": \"recon\"}}]"));
                }, "series.mat", "no variable 'recon'"),
                // ---- array content
                c("real series", d -> write(seriesNpy(d), NdArray.real("series", series(T, H, W).re(), T, H, W)),
                        "slice-000_series.npy", "is real"),
                c("2D series", d -> write(seriesNpy(d), NdArray.complex("series", new float[H * W], new float[H * W], H, W)),
                        "slice-000_series.npy", "(rank 2)"),
                c("wrong T", d -> write(seriesNpy(d), series(T + 1, H, W)), "slice-000_series.npy",
                        "T = 5 time points"),
                c("NaN in series", d -> write(seriesNpy(d), seriesWith(H * W + 2 * W + 3, Float.NaN)), "slice-000_series.npy",
                        "(t, row, col) = (1, 2, 3) is not finite (real NaN"),
                c("Inf in series", d -> write(seriesNpy(d), seriesWith(5, Float.POSITIVE_INFINITY)), "slice-000_series.npy",
                        "(t, row, col) = (0, 0, 5) is not finite (real Infinity"),
                c("map of wrong size", d -> write(d.resolve("s1/slice-000_t1_ms.npy"), map("t1_ms", H, W + 1, 1f)),
                        "slice-000_t1_ms.npy", "t1_ms map has shape [8, 9]"),
                c("complex map", d -> write(d.resolve("s1/slice-000_pd.npy"), series(1, H, W).reshape(H, W)),
                        "slice-000_pd.npy", "pd map is complex"),
                c("NaN in a map", d -> {
                    NdArray m = map("t2_ms", H, W, 1f);
                    m.re()[W + 1] = Float.NaN;
                    write(d.resolve("s1/slice-000_t2_ms.npy"), m);
                }, "slice-000_t2_ms.npy", "(row, col) = (1, 1) is NaN"),
                c("matrix disagrees with manifest", d -> cohort(d, cohortJson("[\"s1\"]").replace("\"version\": 1,",
                        "\"version\": 1, \"matrix\": 16,")), "slice-000_series.npy", "says matrix 16")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badInputIsReportedWithFileAndProblem(String name, Mutation mutation, String file, String problem, @TempDir Path dir)
            throws IOException {
        writeBase(dir);
        readEverything(dir); // the base cohort is valid
        mutation.apply(dir);
        MrfInputException x = assertThrows(MrfInputException.class, () -> readEverything(dir), name);
        String msg = x.getMessage();
        assertTrue(msg.contains(file), name + ": message does not name " + file + ": " + msg);
        assertTrue(msg.contains(problem), name + ": message does not say '" + problem + "': " + msg);
        assertFalse(msg.contains("\n"), name + ": one-line message expected: " + msg);
    }
}
