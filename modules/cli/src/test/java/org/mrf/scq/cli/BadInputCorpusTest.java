package org.mrf.scq.cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.io.cohort.SliceEntry;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bad-input corpus under {@code src/test/resources/bad-inputs/}, listed in its {@code index.tsv}: every case is
 * refused with an {@link MrfInputException} (which the command line prints as one line, without a stack trace)
 * whose message names the offending file and the problem. Parquet datasets with the wrong schema are written at
 * test time by Spark.
 */
class BadInputCorpusTest {
    static final Path ROOT = corpusRoot();

    /** One line of index.tsv. */
    record Case(String category, String name, Path path, Path named, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Path corpusRoot() {
        try {
            return Paths.get(BadInputCorpusTest.class.getResource("/bad-inputs/index.tsv").toURI()).getParent();
        } catch (Exception e) {
            throw new IllegalStateException("bad-inputs/index.tsv is not on the test class path", e);
        }
    }

    static List<Case> index() {
        List<Case> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ROOT.resolve("index.tsv"), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                assertEquals(4, f.length, "index.tsv: 4 tab-separated fields expected in: " + line);
                Path p = ROOT.resolve(f[1]);
                out.add(new Case(f[0], f[1], p, f[2].equals(".") ? p : p.resolve(f[2]), List.of(f[3].split(" \\| "))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every case of the corpus, each read the way the command line reads its kind of input (its category). */
    static Stream<Case> cases() {
        return index().stream();
    }

    /** Reads one case the way the command line reads that kind of input. */
    static void load(Case c) throws Exception {
        Path p = c.path();
        switch (c.category()) {
            case "schedule" -> Schedules.load(p.toString(), 2.0, 18.0);
            case "config" -> MrfConfig.load(Map.of(), Map.of(), p, null);
            case "mat" -> ArrayFiles.read(p, "series");
            case "npy", "nifti" -> ArrayFiles.read(p);
            case "model" -> ScqModel.load(p);
            case "cohort" -> {
                CohortReader r = CohortReader.local(p);
                for (SliceEntry e : r.allSlices()) r.read(e);
            }
            default -> fail("index.tsv: unknown category '" + c.category() + "' for " + c.name());
        }
    }

    static void assertRefused(Case c) {
        assertTrue(Files.exists(c.path()), "corpus case missing: " + c.path());
        Throwable t = assertThrows(Throwable.class, () -> load(c), c.name() + " was accepted");
        if (!(t instanceof MrfInputException)) {
            throw new AssertionError(c.name() + ": refused with " + t.getClass().getName() + ", not MrfInputException "
                    + "(the CLI would print a stack trace)", t);
        }
        String m = t.getMessage();
        assertTrue(m.contains(c.named().toString()), c.name() + ": the message does not name " + c.named() + ": " + m);
        for (String f : c.fragments()) assertTrue(m.contains(f), c.name() + ": the message lacks '" + f + "': " + m);
    }

    @ParameterizedTest(name = "{0}") @MethodSource("cases")
    void everyBadInputIsRefusedWithOneClearMessage(Case c) { assertRefused(c); }

    @Test
    void theCorpusHoldsAtLeastThirtyIndexedFilesAndEveryFileBelongsToACase() throws IOException {
        List<Case> cases = index();
        Set<String> names = new TreeSet<>();
        for (Case c : cases) assertTrue(names.add(c.name()), "listed twice in index.tsv: " + c.name());
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROOT)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("index.tsv")).toList();
        }
        assertTrue(files.size() >= 30, "corpus has only " + files.size() + " files");
        for (Path f : files) {
            assertTrue(cases.stream().anyMatch(c -> f.startsWith(c.path())), "not in index.tsv: " + ROOT.relativize(f));
        }
        assertEquals(Set.of("schedule", "config", "mat", "npy", "nifti", "model", "cohort"),
                Set.copyOf(cases.stream().map(Case::category).toList()));
    }

    // ------------------------------------------------------------------ the command line prints one line

    private static String stderrOf(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Mrf.execute(args);
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, "bad input exits 2: " + err);
        return err;
    }

    private static void assertOneCleanLine(String err, String... fragments) {
        assertTrue(err.startsWith("error: "), err);
        for (String f : fragments) assertTrue(err.contains(f), "missing '" + f + "' in: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace, no exception class: " + err);
    }

    @Test
    void theCommandLinePrintsAnIncludeRefusalWithoutAStackTrace() {
        Path conf = ROOT.resolve("config/include-url.conf");
        assertOneCleanLine(stderrOf("config", "show", "--config", conf.toString()), conf.toString(), "is not allowed");
    }

    @Test
    void theCommandLinePrintsABadScheduleWithoutAStackTrace(@TempDir Path dir) {
        Path csv = ROOT.resolve("schedule/non-numeric-tr.csv");
        String err = stderrOf("fingerprint", "--t1", "1000", "--t2", "80", "--schedule", csv.toString(),
                "--out", dir.resolve("f.csv").toString());
        assertOneCleanLine(err, csv.toString(), "'seven' is not a number");
        assertFalse(Files.exists(dir.resolve("f.csv")));
    }

    // ------------------------------------------------------------------ Parquet datasets with the wrong schema

    static SparkSession spark;

    static SparkSession spark() {
        if (spark == null) spark = SparkSessions.create("bad-parquet", "local[1]", "ERROR", Map.of());
        return spark;
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private static void write(Dataset<Row> df, Path dir) {
        df.coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
    }

    private static void assertParquetRefused(Runnable load, String path, String... fragments) {
        MrfInputException e = assertThrows(MrfInputException.class, load::run);
        assertTrue(e.getMessage().contains(path), "names " + path + ": " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "missing '" + f + "' in: " + e.getMessage());
    }

    @Test
    void parquetDatasetsWithTheWrongSchema(@TempDir Path dir) throws IOException {
        SparkSession s = spark();
        // A dictionary whose Parquet data lost a column (metadata sidecars intact).
        Path dict = dir.resolve("dict");
        DictionaryJob.run(s, Schedules.paperDefault(2.0, 18.0).truncate(8), new DictionaryJob.GridSpec(List.of("100:300:100"),
                List.of("10:30:10"), true), 1e-5, dict.toString(), false, 1);
        Dataset<Row> entries = s.read().parquet(dict.toString());
        Path noIm = dir.resolve("dict-no-im");
        write(entries.drop("im"), noIm);
        for (String side : List.of(DictionaryStore.METADATA_FILE, DictionaryStore.SCHEDULE_FILE)) {
            Files.copy(dict.resolve(side), noIm.resolve(side));
        }
        assertParquetRefused(() -> DictionaryStore.load(s, noIm.toString(), 0), noIm.toString(), "column 'im' is missing");

        // ...and one in the former format, series as array<float> columns, through both readers.
        Path arrays = dir.resolve("dict-arrays");
        write(entries.withColumn("re", org.apache.spark.sql.functions.array(org.apache.spark.sql.functions.lit(1f)))
                .withColumn("im", org.apache.spark.sql.functions.array(org.apache.spark.sql.functions.lit(0f))), arrays);
        for (String side : List.of(DictionaryStore.METADATA_FILE, DictionaryStore.SCHEDULE_FILE)) {
            Files.copy(dict.resolve(side), arrays.resolve(side));
        }
        assertParquetRefused(() -> DictionaryStore.load(s, arrays.toString(), 0), arrays.toString(), "column 're'",
                "array<float>", "binary", "mrf dictionary");
        assertParquetRefused(() -> DictionaryStore.read(arrays.toString(), new org.apache.hadoop.conf.Configuration(), 0),
                arrays.toString(), "column 're'", "array", "binary", "mrf dictionary");

        // A slices dataset without its mask column.
        StructType blocks = SliceStore.SCHEMA;
        Path slices = dir.resolve("slices");
        write(s.createDataFrame(List.of(), blocks).drop("mask"), slices);
        assertParquetRefused(() -> SliceStore.blocks(s, slices.toString(), 0).count(), slices.toString(), "column 'mask' is missing");

        // Maps datasets: a column missing, a column of the wrong type.
        Row one = RowFactory.create("s1", 0, "dm", 1, 1, 1, new float[]{1000f}, new float[]{80f}, null);
        Dataset<Row> maps = s.createDataFrame(List.of(one), MapsStore.SCHEMA);
        Path noT2 = dir.resolve("maps-no-t2");
        write(maps.drop("t2_ms"), noT2);
        assertParquetRefused(() -> MapsStore.read(s, noT2.toString()), noT2.toString(), "column 't2_ms' is missing");
        Path textSlice = dir.resolve("maps-text-slice");
        write(maps.withColumn("slice", maps.col("slice").cast(DataTypes.StringType)), textSlice);
        assertParquetRefused(() -> MapsStore.read(s, textSlice.toString()), textSlice.toString(), "column 'slice'", "int");
    }
}
