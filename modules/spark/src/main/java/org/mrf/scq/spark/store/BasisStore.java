package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.NpyArray;
import org.mrf.scq.spark.hadoop.JsonFiles;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The SVD basis stored beside its dictionary, in {@code <dictionary>/_basis/} (skipped by Parquet
 * readers): {@code v_re.npy}, {@code v_im.npy} (T x K float32), {@code singular_values.npy} and
 * {@code svd.json} with the ranks for the standard energy thresholds.
 */
public final class BasisStore {
    public static final String DIR = "_basis";

    private BasisStore() {
    }

    public static Map<String, Integer> ranks(SvdBasis b) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (double e : SvdBasis.STANDARD_ENERGIES) {
            try {
                ranks.put(String.valueOf(e), b.rankForEnergy(e));
            } catch (MrfInputException notReached) {
                ranks.put(String.valueOf(e), null);
            }
        }
        return ranks;
    }

    /** Writes to a temporary sibling and renames, replacing an older basis only when complete. */
    public static void write(String dictionary, SvdBasis b, Configuration conf) throws IOException {
        Path dir = new Path(dictionary, DIR);
        FileSystem fs = dir.getFileSystem(conf);
        Path tmp = new Path(dictionary, "." + DIR + ".tmp-" + UUID.randomUUID());
        fs.mkdirs(tmp);
        try {
            npy(fs, new Path(tmp, "v_re.npy"), NpyArray.ofFloat(b.vRe(), b.timepoints(), b.rank()));
            npy(fs, new Path(tmp, "v_im.npy"), NpyArray.ofFloat(b.vIm(), b.timepoints(), b.rank()));
            npy(fs, new Path(tmp, "singular_values.npy"), NpyArray.ofFloat(b.singularValues(), b.rank()));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("timepoints", b.timepoints());
            meta.put("rank", b.rank());
            meta.put("total_energy", b.totalEnergy());
            meta.put("ranks_for_energy", ranks(b));
            JsonFiles.writeText(fs, new Path(tmp, "svd.json"), JsonFiles.JSON.writeValueAsString(meta));
            if (fs.exists(dir)) fs.delete(dir, true);
            if (!fs.rename(tmp, dir)) throw new IOException("cannot rename " + tmp + " to " + dir);
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, true);
        }
    }

    /** The stored basis, or null when the dictionary has none. */
    public static SvdBasis read(String dictionary, Configuration conf) {
        Path dir = new Path(dictionary, DIR);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(new Path(dir, "svd.json"))) return null;
            Map<?, ?> meta = JsonFiles.JSON.readValue(JsonFiles.readText(fs, new Path(dir, "svd.json")), Map.class);
            int t = ((Number) meta.get("timepoints")).intValue(), k = ((Number) meta.get("rank")).intValue();
            double total = ((Number) meta.get("total_energy")).doubleValue();
            return SvdBasis.fromArrays(t, k, readNpy(fs, new Path(dir, "v_re.npy")).toFloat(),
                    readNpy(fs, new Path(dir, "v_im.npy")).toFloat(), readNpy(fs, new Path(dir, "singular_values.npy")).toFloat(),
                    total);
        } catch (IOException | RuntimeException e) {
            if (e instanceof MrfInputException m) throw m;
            throw new MrfInputException("dictionary " + dictionary + ": SVD basis in " + DIR + "/ is unreadable ("
                    + e.getMessage() + "). Recompute it with 'mrf svd --dictionary " + dictionary + "'.", e);
        }
    }

    private static void npy(FileSystem fs, Path p, NpyArray a) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            a.write(out);
        }
    }

    private static NpyArray readNpy(FileSystem fs, Path p) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            return NpyArray.read(in, p.toString());
        }
    }
}
