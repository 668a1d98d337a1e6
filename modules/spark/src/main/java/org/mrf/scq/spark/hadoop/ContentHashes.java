package org.mrf.scq.spark.hadoop;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content hashes of directory trees on any Hadoop path: SHA-256 over every file's path relative to
 * the tree root and its bytes, in path order, so renaming, adding, removing or editing any file
 * changes the hash while timestamps and listing order do not. Reprocessing compares these to decide
 * which cohort subjects (and whether the model) changed since its last run.
 */
public final class ContentHashes {
    /** Below this many subjects a Spark job costs more than it saves; hash on the driver. */
    static final int PARALLEL_MIN_SUBJECTS = 8;

    private ContentHashes() {
    }

    /** Hex SHA-256 of the tree under {@code dir}; a missing or empty tree is an error naming the path. */
    public static String ofTree(FileSystem fs, Path dir, String what) throws IOException {
        if (!fs.exists(dir)) {
            throw new MrfInputException(what + " " + dir + " does not exist; check the path.");
        }
        MessageDigest md = sha256();
        List<String> files = new ArrayList<>();
        list(fs, dir, "", files);
        if (files.isEmpty()) throw new MrfInputException(what + " " + dir + " holds no files; check the path.");
        byte[] buf = new byte[1 << 16];
        for (String rel : files) {
            byte[] name = rel.getBytes(StandardCharsets.UTF_8);
            // Length-prefixed name and content: "a" + "bc" and "ab" + "c" must not collide.
            md.update(longBytes(name.length));
            md.update(name);
            Path p = rel.isEmpty() ? dir : new Path(dir, rel);
            md.update(longBytes(fs.getFileStatus(p).getLen()));
            try (FSDataInputStream in = fs.open(p)) {
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Same, for a path given as a string, with the file system taken from {@code conf}. */
    public static String ofTree(String path, Configuration conf, String what) {
        try {
            Path p = new Path(path);
            return ofTree(p.getFileSystem(conf), p, what);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + what + " " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Hash of each subject folder {@code cohort/<id>}, in id order. Large cohorts are hashed on the
     * executors (one task per few subjects), since reading every byte of a cohort is the slow part.
     */
    public static Map<String, String> subjects(SparkSession spark, String cohort, List<String> ids) {
        Map<String, String> out = new TreeMap<>();
        if (ids.size() < PARALLEL_MIN_SUBJECTS) {
            for (String id : ids) out.put(id, ofTree(new Path(cohort, id).toString(), spark.sparkContext().hadoopConfiguration(),
                    "subject folder"));
            return out;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parts = Math.min(ids.size(), Math.max(1, jsc.defaultParallelism() * 4));
        try (SparkProgress ignored = new SparkProgress(spark, "hash", ids.size(), parts, "subjects")) {
            // Executors build their own Configuration, as HadoopFileSource does for ingest.
            for (Tuple2<String, String> t : jsc.parallelize(ids, parts)
                    .mapToPair(id -> new Tuple2<>(id, ofTree(new Path(cohort, id).toString(), new Configuration(), "subject folder")))
                    .collect()) {
                out.put(t._1(), t._2());
            }
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "hashing cohort " + cohort + " stopped; nothing was written");
        }
        return out;
    }

    private static void list(FileSystem fs, Path p, String rel, List<String> out) throws IOException {
        FileStatus st = fs.getFileStatus(p);
        if (!st.isDirectory()) {
            out.add(rel);
            return;
        }
        FileStatus[] children = fs.listStatus(p);
        java.util.Arrays.sort(children, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        for (FileStatus c : children) {
            String name = c.getPath().getName();
            if (ignored(name)) continue;
            list(fs, c.getPath(), rel.isEmpty() ? name : rel + "/" + name, out);
        }
    }

    /**
     * Hidden files (Hadoop's .crc checksums, editor and copy-tool leftovers) and files still being
     * copied by {@code hdfs dfs -put} are not part of a subject's content.
     */
    public static boolean ignored(String name) {
        return name.startsWith(".") || name.endsWith("._COPYING_");
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--, v >>>= 8) b[i] = (byte) v;
        return b;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
