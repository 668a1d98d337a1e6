package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.MapImages;
import org.mrf.scq.io.NdArray;
import org.mrf.scq.io.Nifti;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The maps dataset (docs/PIPELINE.md): one Parquet row per (subject, slice, method, ar) with H x W maps,
 * plus per-slice NIfTI maps and PNG figures (truth | estimate | error) for people to look at.
 */
public final class MapsStore {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("subject", DataTypes.StringType, false),
            DataTypes.createStructField("slice", DataTypes.IntegerType, false),
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("ar", DataTypes.IntegerType, false),
            DataTypes.createStructField("height", DataTypes.IntegerType, false),
            DataTypes.createStructField("width", DataTypes.IntegerType, false),
            DataTypes.createStructField("t1_ms", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("t2_ms", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("pd", DataTypes.createArrayType(DataTypes.FloatType, false), true)});

    /** One slice's maps from one method at one acceleration rate. */
    public record SliceMaps(String subject, int slice, String method, int ar, int height, int width, float[] t1Ms,
                            float[] t2Ms, float[] pd) implements Serializable {
        public String key() {
            return subject + "/" + slice;
        }

        public Row toRow() {
            return RowFactory.create(subject, slice, method, ar, height, width, t1Ms, t2Ms, pd);
        }

        /** A row of {@link #SCHEMA} (or of a schema that starts with its columns). */
        public static SliceMaps of(Row r) {
            return new SliceMaps(r.getAs("subject"), r.getAs("slice"), r.getAs("method"), r.getAs("ar"), r.getAs("height"),
                    r.getAs("width"), floats(r, r.fieldIndex("t1_ms")), floats(r, r.fieldIndex("t2_ms")),
                    r.isNullAt(r.fieldIndex("pd")) ? null : floats(r, r.fieldIndex("pd")));
        }
    }

    private MapsStore() {
    }

    public static void writeParquet(SparkSession spark, List<SliceMaps> maps, String path) {
        List<Row> rows = new ArrayList<>();
        for (SliceMaps m : maps) rows.add(m.toRow());
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(path);
    }

    public static List<SliceMaps> read(SparkSession spark, String path) {
        Dataset<Row> ds;
        try {
            ds = spark.read().parquet(path);
        } catch (Exception e) {
            throw new MrfInputException("maps dataset " + path + " is missing or unreadable (" + DictionaryStore.firstLine(e)
                    + "). Create it with 'mrf ground-truth' or 'mrf infer'.", e);
        }
        ParquetSchemas.require("maps dataset", path, ds.schema(), SCHEMA, java.util.Set.of(),
                "Re-create it with 'mrf ground-truth' or 'mrf infer'.");
        List<SliceMaps> out = new ArrayList<>();
        for (Row r : ds.collectAsList()) {
            MrfSlice.validSubjectId(r.getAs("subject"), "maps dataset " + path);
            out.add(SliceMaps.of(r));
        }
        return out;
    }

    /**
     * NIfTI maps and, where a reference is given, a truth | estimate | error PNG per property, under
     * {@code dir/<subject>/slice-<k>/<method>_ar<N>_*}.
     */
    public static void writeImages(FileSystem fs, Path dir, SliceMaps m, float[] refT1, float[] refT2, float[] mask)
            throws IOException {
        // Subject and method become path parts under the output root: a maps or slices dataset written by hand must
        // not be able to place files outside it (../, absolute paths).
        MrfSlice.validSubjectId(m.subject(), "maps of " + m.subject() + "/" + m.slice());
        if (!m.method().matches("[A-Za-z0-9._-]{1,64}") || m.method().startsWith(".")) {
            throw new MrfInputException("maps of " + m.subject() + "/" + m.slice() + ": method name '" + m.method()
                    + "' is not allowed in a file name. Use A-Z a-z 0-9 . _ - (not starting with '.').");
        }
        Path sliceDir = new Path(new Path(dir, m.subject()), String.format(Locale.ROOT, "slice-%03d", m.slice()));
        String stem = m.method() + "_ar" + m.ar();
        Nifti.Options opt = Nifti.Options.fov(300, 300);
        for (Object[] e : new Object[][]{{"t1_ms", m.t1Ms()}, {"t2_ms", m.t2Ms()}, {"pd", m.pd()}}) {
            if (e[1] == null) continue;
            try (FSDataOutputStream out = fs.create(new Path(sliceDir, stem + "_" + e[0] + ".nii"), true)) {
                Nifti.write(NdArray.real((String) e[0], (float[]) e[1], m.height(), m.width()), out, opt);
            }
        }
        boolean[] bm = null;
        if (mask != null) {
            bm = new boolean[mask.length];
            for (int i = 0; i < mask.length; i++) bm[i] = mask[i] > 0;
        }
        // Without a reference (scanner data, no ground truth given) the figure is the estimate alone.
        png(fs, new Path(sliceDir, stem + "_t1.png"), refT1 != null ? MapImages.truthEstimateError("T1 [ms]", refT1, m.t1Ms(),
                m.height(), m.width(), 0, 3000, 500, bm) : MapImages.render(m.t1Ms(), m.height(), m.width(), 0, 3000,
                MapImages.Colormap.VIRIDIS, bm));
        png(fs, new Path(sliceDir, stem + "_t2.png"), refT2 != null ? MapImages.truthEstimateError("T2 [ms]", refT2, m.t2Ms(),
                m.height(), m.width(), 0, 300, 50, bm) : MapImages.render(m.t2Ms(), m.height(), m.width(), 0, 300,
                MapImages.Colormap.VIRIDIS, bm));
    }

    /**
     * The Parquet schema Spark writes for {@link #SCHEMA}, so one slice's row can be written by a task on its own
     * (no Spark job per slice) and still be read back by {@link #read} together with Spark-written parts.
     */
    static final MessageType PARQUET_SCHEMA = MessageTypeParser.parseMessageType("message spark_schema {"
            + " required binary subject (STRING); required int32 slice; required binary method (STRING); required int32 ar;"
            + " required int32 height; required int32 width;"
            + " required group t1_ms (LIST) { repeated group list { required float element; } }"
            + " required group t2_ms (LIST) { repeated group list { required float element; } }"
            + " optional group pd (LIST) { repeated group list { required float element; } } }");

    /** One slice's maps as a single Parquet file (written in place: callers write to a temporary name and rename). */
    public static void writeSliceParquet(Configuration conf, Path file, SliceMaps m) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
        Group g = groups.newGroup().append("subject", m.subject()).append("slice", m.slice()).append("method", m.method())
                .append("ar", m.ar()).append("height", m.height()).append("width", m.width());
        for (Object[] e : new Object[][]{{"t1_ms", m.t1Ms()}, {"t2_ms", m.t2Ms()}, {"pd", m.pd()}}) {
            if (e[1] == null) continue;
            Group list = g.addGroup((String) e[0]);
            for (float v : (float[]) e[1]) list.addGroup("list").append("element", v);
        }
        // Built in memory and written whole: the same maps give the same bytes on any executor (StableParquet).
        StableParquet buffer = new StableParquet();
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(buffer).withConf(conf).withType(PARQUET_SCHEMA)
                .withCompressionCodec(CompressionCodecName.SNAPPY).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
            w.write(g);
        }
        byte[] bytes = buffer.canonicalBytes();
        try (FSDataOutputStream out = file.getFileSystem(conf).create(file, true)) {
            out.write(bytes);
        }
    }

    static float[] floats(Row r, int i) {
        List<Float> l = r.getList(i);
        float[] a = new float[l.size()];
        for (int k = 0; k < a.length; k++) a[k] = l.get(k);
        return a;
    }

    private static void png(FileSystem fs, Path p, java.awt.image.BufferedImage img) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            MapImages.writePng(img, out);
        }
    }
}
