package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.hadoop.JsonFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

/**
 * The dictionary dataset (docs/PIPELINE.md) on any Hadoop path: Parquet rows
 * {@code entry_id long, t1_ms float, t2_ms float, re binary, im binary} plus two
 * sidecar files that Spark's readers skip: {@code _mrf_dictionary.json} (metadata) and
 * {@code _schedule.csv} (the exact schedule the entries were simulated with). {@code re} and {@code im}
 * hold an entry's float32 samples as little-endian bytes, as the slices dataset stores its series, so
 * that reading them is a copy rather than a decode of one Parquet value per sample
 * (docs/PERFORMANCE.md).
 */
public final class DictionaryStore {
    public static final String METADATA_FILE = "_mrf_dictionary.json";
    public static final String SCHEDULE_FILE = "_schedule.csv";
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("entry_id", DataTypes.LongType, false),
            DataTypes.createStructField("t1_ms", DataTypes.FloatType, false),
            DataTypes.createStructField("t2_ms", DataTypes.FloatType, false),
            DataTypes.createStructField("re", DataTypes.BinaryType, false),
            DataTypes.createStructField("im", DataTypes.BinaryType, false)});
    /** Parquet writer options: samples are PLAIN and uncompressed (neither a dictionary nor a codec pays on them). */
    public static final java.util.Map<String, String> WRITE_OPTIONS = java.util.Map.of(
            "compression", "uncompressed",
            "parquet.enable.dictionary", "false");
    private static final String REBUILD = "Rebuild it with 'mrf dictionary --overwrite'.";

    /** What produced a dictionary; enough to rebuild it and to refuse mismatched inputs. */
    public record Metadata(String scheduleName, String scheduleHash, int timepoints, double teMs, double inversionMs,
                           double epgTolerance, String normalisation, List<String> t1Ranges, List<String> t2Ranges,
                           boolean t2AtMostT1, long entries, String codeVersion, String created) {
    }

    private DictionaryStore() {
    }

    public static void writeSidecars(FileSystem fs, Path dir, Metadata meta, FispSequence seq) throws IOException {
        JsonFiles.write(fs, new Path(dir, METADATA_FILE), meta);
        JsonFiles.writeText(fs, new Path(dir, SCHEDULE_FILE), seq.toCsv());
    }


    public static Metadata metadata(String path, Configuration conf) {
        Path dir = new Path(path);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(dir)) {
                throw new MrfInputException("dictionary " + path + " does not exist. Build one with "
                        + "'mrf dictionary --out " + path + "'.");
            }
            Path m = new Path(dir, METADATA_FILE);
            if (!fs.exists(m)) {
                throw new MrfInputException("dictionary " + path + " has no " + METADATA_FILE
                        + ": it was not written by 'mrf dictionary' or its write did not finish. Rebuild it.");
            }
            return JsonFiles.JSON.readValue(JsonFiles.readText(fs, m), Metadata.class);
        } catch (IOException e) {
            throw new MrfInputException("dictionary " + path + ": metadata " + METADATA_FILE + " is unreadable ("
                    + e.getMessage() + "). Rebuild the dictionary.", e);
        }
    }

    /** The schedule the dictionary was simulated with (from its sidecar, not from the caller's config). */
    public static FispSequence schedule(String path, Configuration conf) {
        Metadata meta = metadata(path, conf);
        Path p = new Path(path, SCHEDULE_FILE);
        try {
            FileSystem fs = p.getFileSystem(conf);
            FispSequence seq = Schedules.parse(p.toString(), JsonFiles.readText(fs, p), meta.teMs(), meta.inversionMs());
            if (!seq.hash().equals(meta.scheduleHash())) {
                throw new MrfInputException("dictionary " + path + ": " + SCHEDULE_FILE + " does not match the hash in "
                        + METADATA_FILE + "; the dictionary was modified. Rebuild it.");
            }
            return seq;
        } catch (IOException e) {
            throw new MrfInputException("dictionary " + path + ": " + SCHEDULE_FILE + " is unreadable. Rebuild it.", e);
        }
    }

    /** Loads the first {@code timepoints} time points of every entry into the driver (0 = all). */
    public static Dictionary load(SparkSession spark, String path, int timepoints) {
        Metadata meta = metadata(path, spark.sparkContext().hadoopConfiguration());
        int t = timepoints <= 0 ? meta.timepoints() : timepoints;
        if (t > meta.timepoints()) {
            throw new MrfInputException("dictionary " + path + " has T=" + meta.timepoints() + " time points; "
                    + t + " were asked for. Use --timepoints <= " + meta.timepoints() + " or rebuild the dictionary.");
        }
        Dataset<Row> ds;
        try {
            ds = spark.read().parquet(path);
        } catch (Exception e) {
            throw new MrfInputException("dictionary " + path + ": Parquet data unreadable (" + firstLine(e)
                    + "). Rebuild it with 'mrf dictionary --overwrite'.", e);
        }
        ParquetSchemas.require("dictionary", path, ds.schema(), SCHEMA, java.util.Set.of(), REBUILD);
        List<Entry> rows;
        try {
            rows = ds.select(col("entry_id").as("entryId"), col("t1_ms").as("t1"), col("t2_ms").as("t2"),
                            expr("substring(re, 1, " + 4L * t + ")").as("re"), expr("substring(im, 1, " + 4L * t + ")").as("im"))
                    .as(Encoders.bean(Entry.class)).collectAsList();
        } catch (Exception e) {
            throw new MrfInputException("dictionary " + path + ": Parquet data unreadable (" + firstLine(e)
                    + "). Rebuild it with 'mrf dictionary --overwrite'.", e);
        }
        if (rows.size() != meta.entries()) {
            throw new MrfInputException("dictionary " + path + " holds " + rows.size() + " entries, its metadata says "
                    + meta.entries() + ". It is incomplete; rebuild it.");
        }
        rows.sort(java.util.Comparator.comparingLong(Entry::getEntryId));
        int n = rows.size();
        float[] t1 = new float[n], t2 = new float[n], re = new float[n * t], im = new float[n * t];
        for (int i = 0; i < n; i++) {
            Entry r = rows.get(i);
            t1[i] = r.getT1();
            t2[i] = r.getT2();
            if (r.getRe().length != 4 * t || r.getIm().length != 4 * t) {
                throw new MrfInputException("dictionary " + path + ": entry " + r.getEntryId() + " has " + r.getRe().length / 4.0
                        + " time points, expected " + t + ". Rebuild the dictionary.");
            }
            floats(ByteBuffer.wrap(r.getRe()), re, i * t, t);
            floats(ByteBuffer.wrap(r.getIm()), im, i * t, t);
        }
        return new Dictionary(t1, t2, t, re, im, meta.scheduleHash());
    }

    /** The first n little-endian float32 samples at the buffer's position, into out[at ...]. */
    private static void floats(ByteBuffer b, float[] out, int at, int n) {
        b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, at, n);
    }

    /** One dictionary row as Spark's bean encoder sees it: the series as stored, little-endian float32 bytes. */
    public static final class Entry implements java.io.Serializable {
        private long entryId;
        private float t1, t2;
        private byte[] re, im;

        /** An entry with the series encoded as stored. */
        public static Entry of(long entryId, float t1, float t2, float[] re, float[] im) {
            Entry e = new Entry();
            e.entryId = entryId;
            e.t1 = t1;
            e.t2 = t2;
            e.re = bytes(re);
            e.im = bytes(im);
            return e;
        }

        private static byte[] bytes(float[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            return b.array();
        }

        public long getEntryId() { return entryId; }
        public void setEntryId(long v) { entryId = v; }
        public float getT1() { return t1; }
        public void setT1(float v) { t1 = v; }
        public float getT2() { return t2; }
        public void setT2(float v) { t2 = v; }
        public byte[] getRe() { return re; }
        public void setRe(byte[] v) { re = v; }
        public byte[] getIm() { return im; }
        public void setIm(byte[] v) { im = v; }
    }

    /**
     * As {@link #load}, without a Spark session: the Parquet part files are read column by column
     * through Hadoop's FileSystem (any Hadoop path), for commands that match one local series and
     * must not pay a Spark session's start-up.
     */
    public static Dictionary read(String path, Configuration conf, int timepoints) {
        Metadata meta = metadata(path, conf);
        int t = timepoints <= 0 ? meta.timepoints() : timepoints;
        if (t > meta.timepoints()) {
            throw new MrfInputException("dictionary " + path + " has T=" + meta.timepoints() + " time points; "
                    + t + " were asked for. Use --timepoints <= " + meta.timepoints() + " or rebuild the dictionary.");
        }
        int n = Math.toIntExact(meta.entries());
        long[] ids = new long[n];
        float[] t1 = new float[n], t2 = new float[n], re = new float[n * t], im = new float[n * t];
        Path dir = new Path(path);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            org.apache.hadoop.fs.FileStatus[] parts = fs.listStatus(dir, p -> p.getName().endsWith(".parquet")
                    && !p.getName().startsWith("_") && !p.getName().startsWith("."));
            java.util.Arrays.sort(parts);
            // Row counts from the footers first, so that the parts can be decoded in parallel into their own rows.
            int[] start = new int[parts.length + 1];
            for (int i = 0; i < parts.length; i++) {
                try (var r = org.apache.parquet.hadoop.ParquetFileReader.open(
                        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(parts[i].getPath(), conf))) {
                    long rows = start[i] + r.getRecordCount();
                    if (rows > n) {
                        throw new MrfInputException("dictionary " + path + " holds more than the " + n
                                + " entries its metadata says. Rebuild it with 'mrf dictionary --overwrite'.");
                    }
                    start[i + 1] = (int) rows;
                }
            }
            if (start[parts.length] != n) {
                throw new MrfInputException("dictionary " + path + " holds " + start[parts.length] + " entries, its metadata says "
                        + n + ". It is incomplete; rebuild it.");
            }
            java.util.stream.IntStream.range(0, parts.length).parallel().forEach(i -> {
                try {
                    int end = readPart(parts[i].getPath(), conf, path, meta.timepoints(), t, start[i], ids, t1, t2, re, im);
                    if (end != start[i + 1]) {
                        throw new MrfInputException("dictionary " + path + ": " + parts[i].getPath().getName() + " changed while it "
                                + "was read. Read it again once it is complete.");
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (MrfInputException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new MrfInputException("dictionary " + path + ": Parquet data unreadable in " + parts[i].getPath() + " ("
                            + firstLine(e) + "). Rebuild it with 'mrf dictionary --overwrite'.", e);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new MrfInputException("dictionary " + path + ": Parquet data unreadable (" + firstLine(e)
                    + "). Rebuild it with 'mrf dictionary --overwrite'.", e);
        }
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) sorted = ids[i - 1] < ids[i];
        if (sorted) return new Dictionary(t1, t2, t, re, im, meta.scheduleHash()); // as 'mrf dictionary' writes them
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> ids[i]));
        float[] s1 = new float[n], s2 = new float[n], sr = new float[n * t], si = new float[n * t];
        for (int i = 0; i < n; i++) {
            int o = order[i];
            s1[i] = t1[o];
            s2[i] = t2[o];
            System.arraycopy(re, o * t, sr, i * t, t);
            System.arraycopy(im, o * t, si, i * t, t);
        }
        return new Dictionary(s1, s2, t, sr, si, meta.scheduleHash());
    }

    /** Appends the rows of one part file from row {@code at}; returns the new row count. */
    private static int readPart(Path file, Configuration conf, String path, int fullT, int t, int at, long[] ids, float[] t1,
                                float[] t2, float[] re, float[] im) throws IOException {
        int n = ids.length;
        try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(file, conf))) {
            org.apache.parquet.schema.MessageType schema = r.getFooter().getFileMetaData().getSchema();
            String createdBy = r.getFooter().getFileMetaData().getCreatedBy();
            java.util.Map<String, org.apache.parquet.column.ColumnDescriptor> cols = new java.util.HashMap<>();
            for (org.apache.parquet.column.ColumnDescriptor c : schema.getColumns()) cols.put(c.getPath()[0], c);
            for (String name : SCHEMA.fieldNames()) {
                if (!cols.containsKey(name)) {
                    throw new MrfInputException("dictionary " + path + ": " + file.getName() + " has no column '" + name
                            + "'. " + REBUILD);
                }
            }
            for (String name : new String[]{"re", "im"}) {
                org.apache.parquet.column.ColumnDescriptor c = cols.get(name);
                if (c.getMaxRepetitionLevel() != 0 || c.getPrimitiveType().getPrimitiveTypeName()
                        != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY) {
                    throw new MrfInputException("dictionary " + path + ": " + file.getName() + ": column '" + name + "' is "
                            + (c.getMaxRepetitionLevel() != 0 ? "an array" : c.getPrimitiveType().getPrimitiveTypeName().name().toLowerCase(java.util.Locale.ROOT))
                            + ", but must be binary (little-endian float32 samples; dictionaries written before this format "
                            + "stored array<float>). " + REBUILD);
                }
            }
            org.apache.parquet.column.page.PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                long count = pages.getRowCount();
                if (at + count > n) {
                    throw new MrfInputException("dictionary " + path + " holds more than the " + n
                            + " entries its metadata says. Rebuild it with 'mrf dictionary --overwrite'.");
                }
                var store = new org.apache.parquet.column.impl.ColumnReadStoreImpl(pages,
                        new org.apache.parquet.example.data.simple.convert.GroupRecordConverter(schema).getRootConverter(), schema,
                        createdBy);
                var id = store.getColumnReader(cols.get("entry_id"));
                var a = store.getColumnReader(cols.get("t1_ms"));
                var b = store.getColumnReader(cols.get("t2_ms"));
                for (int i = 0; i < count; i++) {
                    ids[at + i] = id.getLong();
                    t1[at + i] = a.getFloat();
                    t2[at + i] = b.getFloat();
                    id.consume();
                    a.consume();
                    b.consume();
                }
                readSeries(store.getColumnReader(cols.get("re")), cols.get("re"), re, at, (int) count, fullT, t, ids, path);
                readSeries(store.getColumnReader(cols.get("im")), cols.get("im"), im, at, (int) count, fullT, t, ids, path);
                at += (int) count;
            }
        }
        return at;
    }

    /** The first t samples of each row's series (rows [at, at + count)), checking every row holds fullT. */
    private static void readSeries(org.apache.parquet.column.ColumnReader c, org.apache.parquet.column.ColumnDescriptor desc,
                                   float[] out, int at, int count, int fullT, int t, long[] ids, String path) {
        if (c.getTotalValueCount() != count) {
            throw new MrfInputException("dictionary " + path + ": " + desc.getPath()[0] + " has " + c.getTotalValueCount()
                    + " values for " + count + " rows. " + REBUILD);
        }
        for (int row = at; row < at + count; row++) {
            ByteBuffer b = c.getBinary().toByteBuffer();
            if (b.remaining() != 4L * fullT) {
                throw new MrfInputException("dictionary " + path + ": entry " + ids[row] + " has " + b.remaining() + " bytes of "
                        + desc.getPath()[0] + ", expected " + 4L * fullT + " (" + fullT + " float32 samples). " + REBUILD);
            }
            floats(b, out, row * t, t);
            c.consume();
        }
    }

    private static void checkLength(int k, int fullT, long id, String path) {
        if (k != fullT) {
            throw new MrfInputException("dictionary " + path + ": entry " + id + " has " + k + " time points, expected " + fullT
                    + ". Rebuild the dictionary.");
        }
    }

    public static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

}
