package org.mrf.scq.spark.method;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.drone.DroneModel;
import org.mrf.scq.spark.store.SliceBlock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fitted {@link DroneMethod}: the DRONE network applied pixel by pixel to each stored block. Its saved files
 * ({@link DroneModel#save}: the DL4J zip and metadata.json) travel to the executors by broadcast, and each executor
 * restores the network once per model.
 */
public final class DroneMapModel extends BlockMapModel {
    private static final String[] FILES = {ModelMetadata.MODEL_FILE, "metadata.json"};
    /** Networks restored in this JVM, by model id. */
    private static final Map<String, DroneModel> RESTORED = new ConcurrentHashMap<>();

    private final String id;
    private final Broadcast<byte[][]> files;

    private DroneMapModel(String id, int t, int ar, Broadcast<byte[][]> files) {
        super(DroneMethod.NAME, t, ar);
        this.id = id;
        this.files = files;
    }

    /** The model of a network trained in this JVM, for slices stored under acceleration rate {@code ar}. */
    static DroneMapModel of(SparkSession spark, DroneModel model, int ar) {
        byte[][] bytes = new byte[FILES.length][];
        java.nio.file.Path tmp = null;
        try {
            tmp = Files.createTempDirectory("mrf-drone");
            java.nio.file.Path dir = tmp.resolve("model");
            model.save(dir);
            for (int i = 0; i < FILES.length; i++) bytes[i] = Files.readAllBytes(dir.resolve(FILES[i]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the DRONE network", e);
        } finally {
            delete(tmp);
        }
        String id = UUID.randomUUID().toString();
        RESTORED.put(id, model);
        return new DroneMapModel(id, model.metadata().t(), ar,
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes));
    }

    @Override
    protected float[][] mapBlock(SliceBlock b) {
        DroneModel m = RESTORED.computeIfAbsent(id, k -> restore(files.value()));
        DroneModel.Maps maps;
        synchronized (m) { // a DL4J network's forward pass is not thread-safe
            maps = m.applyTimeMajor(b.getRe(), b.getIm(), b.getT(), b.getRows() * b.getWidth());
        }
        return new float[][]{maps.t1Ms(), maps.t2Ms(), null};
    }

    private static DroneModel restore(byte[][] bytes) {
        java.nio.file.Path tmp = null;
        try {
            tmp = Files.createTempDirectory("mrf-drone");
            java.nio.file.Path dir = Files.createDirectories(tmp.resolve("model"));
            for (int i = 0; i < FILES.length; i++) Files.write(dir.resolve(FILES[i]), bytes[i]);
            return DroneModel.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the DRONE network on this executor", e);
        } finally {
            delete(tmp);
        }
    }

    private static void delete(java.nio.file.Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (java.nio.file.Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException ignored) { // a temporary directory left behind is harmless
        }
    }

    /** Frees the broadcast and this JVM's network; the model cannot transform afterwards. */
    public void release() {
        RESTORED.remove(id);
        files.destroy();
    }

    /** Writes the DRONE model directory ({@link DroneModel#save}'s files) to {@code path}, any Hadoop path. */
    @Override
    public void save(String path) {
        try {
            Path dir = new Path(path);
            FileSystem fs = dir.getFileSystem(SparkSession.active().sparkContext().hadoopConfiguration());
            fs.mkdirs(dir);
            for (int i = 0; i < FILES.length; i++) {
                try (FSDataOutputStream o = fs.create(new Path(dir, FILES[i]), false)) {
                    o.write(files.value()[i]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the DRONE model to " + path, e);
        }
    }

    /** The model {@link #save} (or {@link DroneModel#save}) wrote to {@code path}, for slices stored under {@code ar}. */
    public static DroneMapModel load(SparkSession spark, String path, int ar) {
        byte[][] bytes = new byte[FILES.length][];
        try {
            Path dir = new Path(path);
            FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
            for (int i = 0; i < FILES.length; i++) {
                Path f = new Path(dir, FILES[i]);
                if (!fs.exists(f)) throw new MrfInputException("DRONE model " + path + " has no " + FILES[i] + "; save the model again.");
                try (FSDataInputStream in = fs.open(f)) {
                    bytes[i] = in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw new MrfInputException("DRONE model " + path + ": cannot read (" + e.getMessage() + ")", e);
        }
        DroneModel m = restore(bytes);
        String id = UUID.randomUUID().toString();
        RESTORED.put(id, m);
        return new DroneMapModel(id, m.metadata().t(), ar, JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes));
    }
}
