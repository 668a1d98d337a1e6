package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.ingest.IngestJob;
import scala.Tuple2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

/**
 * The slices dataset (docs/PIPELINE.md) in a block layout: a 256 x 256 x 2304 complex slice is 1.2 GB, too
 * large for one Parquet row, so each slice is stored as row blocks of {@code rows} image rows
 * (series T x rows x W, time-major, so dictionary matching is one GEMM per block and blocks are
 * natural units of parallel work). Every contract column stays obtainable: {@link #slices} puts the
 * blocks of a slice back together. Partitioned by subject, so new subjects are new directories.
 *
 * <p>The series columns {@code re} and {@code im} hold the block's float32 samples as little-endian bytes
 * ({@code numpy.frombuffer(b, '<f4')} reads them), not as {@code array<float>}: Parquet writes and reads a
 * repeated float column value by value, with a repetition level per sample, at tens of MB/s, where one
 * binary value per block is a copy (docs/PERFORMANCE.md).
 */
public final class SliceStore {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("subject", DataTypes.StringType, false),
            DataTypes.createStructField("slice", DataTypes.IntegerType, false),
            DataTypes.createStructField("block", DataTypes.IntegerType, false),
            DataTypes.createStructField("y0", DataTypes.IntegerType, false),
            DataTypes.createStructField("rows", DataTypes.IntegerType, false),
            DataTypes.createStructField("height", DataTypes.IntegerType, false),
            DataTypes.createStructField("width", DataTypes.IntegerType, false),
            DataTypes.createStructField("t", DataTypes.IntegerType, false),
            DataTypes.createStructField("re", DataTypes.BinaryType, false),
            DataTypes.createStructField("im", DataTypes.BinaryType, false),
            DataTypes.createStructField("mask", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("t1_ms", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("t2_ms", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("pd", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("source", DataTypes.StringType, false)});
    /** Target size of one block's series in bytes. */
    public static final long BLOCK_BYTES = 16L << 20;

    private SliceStore() {
    }

    public static int blockRows(int t, int width, long blockBytes) {
        return (int) Math.max(1, blockBytes / (8L * t * width));
    }

    public static List<SliceBlock> toBlocks(MrfSlice s) {
        return toBlocks(s, BLOCK_BYTES);
    }

    /** Cuts a slice into blocks of about {@code blockBytes} of series data each. */
    public static List<SliceBlock> toBlocks(MrfSlice s, long blockBytes) {
        List<SliceBlock> out = new ArrayList<>();
        blockIterator(s, blockBytes).forEachRemaining(out::add);
        return out;
    }

    /** The blocks of {@link #toBlocks}, each cut only when asked for (a writer then holds the slice and one block). */
    public static Iterator<SliceBlock> blockIterator(MrfSlice s, long blockBytes) {
        int rowsPerBlock = blockRows(s.timepoints(), s.width(), blockBytes);
        int w = s.width(), h = s.height(), px = s.pixels();
        return new Iterator<>() {
            int y0 = 0, b = 0;

            @Override
            public boolean hasNext() {
                return y0 < h;
            }

            @Override
            public SliceBlock next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                int rows = Math.min(rowsPerBlock, h - y0);
                int bp = rows * w;
                float[] re = new float[s.timepoints() * bp], im = new float[re.length];
                for (int t = 0; t < s.timepoints(); t++) {
                    System.arraycopy(s.re(), t * px + y0 * w, re, t * bp, bp);
                    System.arraycopy(s.im(), t * px + y0 * w, im, t * bp, bp);
                }
                SliceBlock k = new SliceBlock();
                k.setSubject(s.subject());
                k.setSlice(s.slice());
                k.setBlock(b);
                k.setY0(y0);
                k.setRows(rows);
                k.setHeight(h);
                k.setWidth(w);
                k.setT(s.timepoints());
                k.setRe(re);
                k.setIm(im);
                k.setMask(part(s.mask(), y0 * w, bp));
                k.setT1Ms(part(s.t1Ms(), y0 * w, bp));
                k.setT2Ms(part(s.t2Ms(), y0 * w, bp));
                k.setPd(part(s.pd(), y0 * w, bp));
                k.setSource(s.source());
                y0 += rows;
                b++;
                return k;
            }
        };
    }

    private static float[] part(float[] a, int from, int n) {
        return a == null ? null : Arrays.copyOfRange(a, from, from + n);
    }

    /** Blocks as a DataFrame with the stored columns ({@link #SCHEMA}). */
    public static Dataset<Row> toDataFrame(SparkSession spark, JavaRDD<SliceBlock> blocks) {
        return spark.createDataFrame(blocks.map(b -> RowFactory.create(b.getSubject(), b.getSlice(), b.getBlock(), b.getY0(),
                b.getRows(), b.getHeight(), b.getWidth(), b.getT(), bytes(b.getRe()), bytes(b.getIm()), b.getMask(),
                b.getT1Ms(), b.getT2Ms(), b.getPd(), b.getSource())), SCHEMA);
    }

    /** Float32 samples as little-endian bytes, the stored form of the series columns. */
    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** The inverse of {@link #bytes}. */
    static float[] floats(byte[] b) {
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /**
     * Parquet writer settings for the blocks. Series samples are noise-like floats: dictionary encoding never
     * pays and a codec saves a few per cent at a large cost in CPU, so values are stored PLAIN and
     * uncompressed. A block row holds megabytes, and parquet-mr checks page and row-group sizes only every
     * {@code parquet.page.size.row.check.min} rows (default 100), so it is checked after every row: otherwise a
     * slice becomes one page per column of hundreds of MB that writer and reader must hold whole.
     */
    public static final Map<String, String> WRITE_OPTIONS = Map.of(
            "compression", "uncompressed",
            "parquet.enable.dictionary", "false",
            "parquet.page.size.row.check.min", "1",
            "parquet.page.size.row.check.max", "1",
            "parquet.block.size", String.valueOf(64L << 20));

    /** What {@code mrf ingest} records next to the dataset: the schedule (name, hash) and its time points. */
    public record Metadata(String scheduleName, String scheduleHash, int timepoints) {
    }

    /** The dataset's ingest metadata; refuses a dataset without it, since nothing could be checked against it. */
    public static Metadata metadata(String path, Configuration conf) {
        org.apache.hadoop.fs.Path mf = new org.apache.hadoop.fs.Path(path, IngestJob.METADATA_FILE);
        try {
            FileSystem fs = mf.getFileSystem(conf);
            if (!fs.exists(mf)) {
                throw new MrfInputException("slices dataset " + path + " has no " + IngestJob.METADATA_FILE + " (its schedule and "
                        + "time points). Create it with 'mrf ingest --out " + path + "'.");
            }
            Map<?, ?> m = JsonFiles.JSON.readValue(JsonFiles.readText(fs, mf), Map.class);
            return new Metadata(String.valueOf(m.get("schedule_name")), (String) m.get("schedule_hash"),
                    ((Number) m.get("timepoints")).intValue());
        } catch (IOException | RuntimeException e) {
            if (e instanceof MrfInputException x) throw x;
            throw new MrfInputException("slices dataset " + path + ": " + IngestJob.METADATA_FILE + " is unreadable ("
                    + e.getMessage() + "). Re-create the dataset with 'mrf ingest'.", e);
        }
    }

    /** Blocks of the dataset with series cut to the first {@code timepoints} (0 = all). */
    public static Dataset<SliceBlock> blocks(SparkSession spark, String path, int timepoints) {
        Dataset<Row> ds = stored(spark, path);
        if (timepoints > 0) {
            ds = ds.withColumn("re", expr("substring(re, 1, 4 * " + timepoints + " * rows * width)"))
                    .withColumn("im", expr("substring(im, 1, 4 * " + timepoints + " * rows * width)"))
                    .withColumn("t", expr("least(t, " + timepoints + ")"));
        }
        return ds.select(col("subject"), col("slice"), col("block"), col("y0"), col("rows"), col("height"),
                        col("width"), col("t"), col("re"), col("im"), col("mask"), col("t1_ms"), col("t2_ms"), col("pd"),
                        col("source"))
                .map((MapFunction<Row, SliceBlock>) SliceStore::block, Encoders.bean(SliceBlock.class));
    }

    /**
     * The stored rows without their series (keys, shapes, mask and maps, under {@link #SCHEMA}'s column names): for
     * queries of keys or maps, which then read no samples. {@link #blocks} decodes every row's series.
     */
    public static Dataset<Row> withoutSeries(SparkSession spark, String path) {
        return stored(spark, path).drop("re", "im");
    }

    /** The dataset as stored, its schema checked. */
    private static Dataset<Row> stored(SparkSession spark, String path) {
        Dataset<Row> ds;
        try {
            ds = spark.read().parquet(path);
        } catch (Exception e) {
            throw new MrfInputException("slices dataset " + path + " is missing or unreadable ("
                    + DictionaryStore.firstLine(e) + "). Create it with 'mrf ingest --out " + path + "'.", e);
        }
        ParquetSchemas.require("slices dataset", path, ds.schema(), SCHEMA, java.util.Set.of("subject"),
                "Re-create it with 'mrf ingest'.");
        // A partition column: Spark may infer its type from the directory names.
        return ds.withColumn("subject", col("subject").cast("string"));
    }

    /** A row of {@link #blocks}' projection (the stored columns in {@link #SCHEMA}'s order) as a block. */
    private static SliceBlock block(Row r) {
        SliceBlock k = new SliceBlock();
        k.setSubject(String.valueOf(r.get(0))); // a partition column: Spark may infer its type from the directory names
        k.setSlice(r.getInt(1));
        k.setBlock(r.getInt(2));
        k.setY0(r.getInt(3));
        k.setRows(r.getInt(4));
        k.setHeight(r.getInt(5));
        k.setWidth(r.getInt(6));
        k.setT(r.getInt(7));
        k.setRe(floats((byte[]) r.get(8)));
        k.setIm(floats((byte[]) r.get(9)));
        k.setMask(map(r, 10));
        k.setT1Ms(map(r, 11));
        k.setT2Ms(map(r, 12));
        k.setPd(map(r, 13));
        k.setSource(r.getString(14));
        return k;
    }

    private static float[] map(Row r, int i) {
        if (r.isNullAt(i)) return null;
        List<Float> l = r.getList(i);
        float[] v = new float[l.size()];
        for (int j = 0; j < v.length; j++) v[j] = l.get(j);
        return v;
    }

    /** Whole slices, reassembled on the executors. */
    public static JavaRDD<MrfSlice> slices(SparkSession spark, String path, int timepoints) {
        JavaPairRDD<String, Iterable<SliceBlock>> grouped = blocks(spark, path, timepoints).javaRDD()
                .mapToPair(b -> new Tuple2<>(b.sliceKey(), b)).groupByKey();
        return grouped.map(g -> assemble(g._2()));
    }

    /** Puts the blocks of one slice back together; refuses gaps and overlaps. */
    public static MrfSlice assemble(Iterable<SliceBlock> blocks) {
        List<SliceBlock> list = new ArrayList<>();
        blocks.forEach(list::add);
        list.sort((a, b) -> Integer.compare(a.getY0(), b.getY0()));
        SliceBlock first = list.get(0);
        String subject = first.getSubject();
        int slice = first.getSlice(), h = first.getHeight(), w = first.getWidth(), t = first.getT();
        int px = h * w;
        float[] re = new float[t * px], im = new float[t * px];
        float[][] maps = new float[4][];
        int nextY = 0;
        for (SliceBlock b : list) {
            int y0 = b.getY0(), bp = b.pixels();
            if (y0 != nextY) {
                throw new MrfInputException("slices dataset: subject " + subject + " slice " + slice + " has a gap or overlap "
                        + "at image row " + nextY + " (next block starts at " + y0 + "). Re-ingest the subject.");
            }
            if (b.getRe().length != t * bp || b.getIm().length != t * bp) {
                throw new MrfInputException("slices dataset: subject " + subject + " slice " + slice + " block at row " + y0
                        + " holds " + b.getRe().length + " samples, expected T x rows x W = " + t * bp + ". Re-ingest the subject.");
            }
            for (int k = 0; k < t; k++) {
                System.arraycopy(b.getRe(), k * bp, re, k * px + y0 * w, bp);
                System.arraycopy(b.getIm(), k * bp, im, k * px + y0 * w, bp);
            }
            float[][] parts = {b.getMask(), b.getT1Ms(), b.getT2Ms(), b.getPd()};
            for (int m = 0; m < 4; m++) {
                if (parts[m] != null) {
                    if (maps[m] == null) maps[m] = new float[px];
                    System.arraycopy(parts[m], 0, maps[m], y0 * w, bp);
                }
            }
            nextY = y0 + b.getRows();
        }
        if (nextY != h) {
            throw new MrfInputException("slices dataset: subject " + subject + " slice " + slice + " ends at image row " + nextY
                    + " of " + h + ". Re-ingest the subject.");
        }
        return new MrfSlice(subject, slice, h, w, t, re, im, maps[0], maps[1], maps[2], maps[3], first.getSource());
    }
}
