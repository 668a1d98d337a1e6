package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.JsonFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A trained model set: directory {@code MODEL/} with one {@link ScqModel#save} directory per property
 * ({@code t1/}, {@code t2/}) and {@value #METADATA_FILE} naming what they have in common. This class is the one
 * place that knows the layout; {@code mrf train} writes it, {@code mrf infer} and evaluation read it.
 */
public final class ModelSet {
    public static final String METADATA_FILE = "_mrf_model_set.json";

    /** What a set is for, read from the per-property metadata.json files only (no network is restored). */
    public record Info(String path, Map<Property, ModelMetadata> models, String fingerprint) {
        private ModelMetadata any() {
            return models.values().iterator().next();
        }

        public int t() { return any().t(); }
        public int ar() { return (int) Math.round(any().ar()); }
        public String scheduleHash() { return any().scheduleHash(); }
        public Variant variant() { return any().net().variant(); }
        /** The method name maps are stored under (the variant, e.g. scq, fe_only). */
        public String method() { return variant().name().toLowerCase(Locale.ROOT); }

        public void require(Property p) {
            if (!models.containsKey(p)) {
                throw new MrfInputException("model set " + path + " has no " + p + " model (" + dirName(p) + "/ is missing); "
                        + "train it with 'mrf train --properties t1,t2'.");
            }
        }
    }

    private final Info info;
    private final Map<Property, ScqModel> models;

    private ModelSet(Info info, Map<Property, ScqModel> models) {
        this.info = info;
        this.models = models;
    }

    /** A set of freshly trained models (not saved; e.g. one evaluation fold). */
    public static ModelSet of(Map<Property, ScqModel> models) {
        Map<Property, ModelMetadata> md = new EnumMap<>(Property.class);
        models.forEach((p, m) -> md.put(p, m.metadata()));
        checkConsistent("trained models", md);
        return new ModelSet(new Info("(in memory)", md, ""), new EnumMap<>(models));
    }

    public Info info() {
        return info;
    }

    /** The network for {@code p}, or null when the set has none. */
    public ScqModel model(Property p) {
        return models.get(p);
    }

    public static String dirName(Property p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    /**
     * {T1 ms, T2 ms} maps of a slice (its first T time points are used). A DL4J graph is not safe for
     * concurrent use, and one executor's tasks share the cached set, so calls are serialised per model.
     */
    public float[][] predictMs(MrfSlice s) {
        info.require(Property.T1);
        info.require(Property.T2);
        MrfSlice in = s.timepoints() > info.t() ? s.truncate(info.t()) : s;
        TrainingSlice ts = TrainingSlice.ofSignal(in.subject(), in.slice(), in.height(), in.width(), in.timepoints(), in.re(), in.im());
        float[][] out = new float[2][];
        for (Property p : Property.values()) {
            ScqModel m = models.get(p);
            synchronized (m) {
                out[p.ordinal()] = m.predictMs(ts, info.scheduleHash());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ reading

    /** Reads and cross-checks the metadata of the set at {@code path} (any Hadoop path) and fingerprints its files. */
    public static Info inspect(String path, Configuration conf) {
        try {
            Path root = new Path(path);
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.isDirectory(root)) {
                throw new MrfInputException("model set " + path + " does not exist. Train one with 'mrf train --out " + path + "'.");
            }
            Map<Property, ModelMetadata> md = new EnumMap<>(Property.class);
            for (Property p : Property.values()) {
                Path meta = new Path(new Path(root, dirName(p)), "metadata.json");
                if (!fs.exists(meta)) continue;
                ModelMetadata m = ModelMetadata.fromJson(JsonFiles.readText(fs, meta), meta.toString());
                if (m.property() != p) {
                    throw new MrfInputException(meta + ": holds a " + m.property() + " model, but " + dirName(p) + "/ must hold the "
                            + p + " model. Re-create the set with 'mrf train'.");
                }
                md.put(p, m);
            }
            if (md.isEmpty()) {
                throw new MrfInputException("model set " + path + " holds neither t1/metadata.json nor t2/metadata.json: not a "
                        + "model set. Give the --out directory of 'mrf train'.");
            }
            checkConsistent("model set " + path, md);
            return new Info(fs.makeQualified(root).toString(), md, fingerprint(fs, root, md));
        } catch (IOException e) {
            throw new MrfInputException("model set " + path + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static void checkConsistent(String where, Map<Property, ModelMetadata> md) {
        ModelMetadata a = md.get(Property.T1), b = md.get(Property.T2);
        if (a == null || b == null) return;
        if (a.t() != b.t() || Math.abs(a.ar() - b.ar()) > 1e-9 || !a.scheduleHash().equals(b.scheduleHash())
                || a.net().variant() != b.net().variant()) {
            throw new MrfInputException(where + ": the T1 model (T=" + a.t() + ", ar " + a.ar() + ", " + a.net().variant()
                    + ") and the T2 model (T=" + b.t() + ", ar " + b.ar() + ", " + b.net().variant() + ") were not trained together "
                    + "on the same schedule and time points. Train both in one 'mrf train' run.");
        }
    }

    /** SHA-256 over each property's metadata.json and model.zip: changes whenever a model is replaced. */
    static String fingerprint(FileSystem fs, Path root, Map<Property, ModelMetadata> md) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        for (Property p : md.keySet()) {
            for (String f : new String[]{"metadata.json", ModelMetadata.MODEL_FILE}) {
                d.update((dirName(p) + "/" + f).getBytes(StandardCharsets.UTF_8));
                try (FSDataInputStream in = fs.open(new Path(new Path(root, dirName(p)), f))) {
                    for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** Loads every model of the set from a local directory, checking each zip and its metadata. */
    public static ModelSet load(String path, Configuration conf) {
        Info info = inspect(path, conf);
        Map<Property, ScqModel> models = new EnumMap<>(Property.class);
        for (Property p : info.models().keySet()) {
            Path dir = new Path(new Path(info.path()), dirName(p));
            models.put(p, ScqModel.load(java.nio.file.Path.of(dir.toUri())));
        }
        return new ModelSet(info, models);
    }

    // ------------------------------------------------------------------------------------------ executor cache

    /** Networks restored by {@link #cached} in this JVM (for tests: once per executor, not once per slice). */
    public static final AtomicInteger LOADS = new AtomicInteger();
    private static String cachedKey;
    private static ModelSet cached;
    private static java.nio.file.Path cachedCopy;

    /**
     * The set at {@code path}, restored once per JVM and kept for later tasks. The key includes the driver's
     * fingerprint, and the files read are fingerprinted again, so a set replaced while a job runs is refused
     * rather than silently mixed. Only the latest set is kept: a long-lived executor must not collect networks
     * job after job. Sets on a non-local file system are copied to a local temporary directory first,
     * because DL4J restores from local files.
     */
    public static synchronized ModelSet cached(String path, String expectedFingerprint) {
        String key = path + "#" + expectedFingerprint;
        if (key.equals(cachedKey)) return cached;
        release();
        Configuration conf = new Configuration();
        try {
            Path root = new Path(path);
            FileSystem fs = root.getFileSystem(conf);
            String local = path;
            if (!"file".equals(fs.getUri().getScheme())) {
                cachedCopy = java.nio.file.Files.createTempDirectory("mrf-model-set-");
                for (Property p : Property.values()) {
                    Path src = new Path(root, dirName(p));
                    if (fs.exists(src)) fs.copyToLocalFile(false, src, new Path(cachedCopy.resolve(dirName(p)).toUri()), true);
                }
                local = cachedCopy.toUri().toString();
            }
            ModelSet set = load(local, conf);
            if (!set.info.fingerprint().equals(expectedFingerprint)) {
                throw new MrfInputException("model set " + path + " changed while the job ran (fingerprint "
                        + set.info.fingerprint().substring(0, 12) + "..., expected " + expectedFingerprint.substring(0, 12)
                        + "...). Run the job again.");
            }
            LOADS.incrementAndGet();
            cached = new ModelSet(new Info(path, set.info.models(), set.info.fingerprint()), set.models);
            cachedKey = key;
            return cached;
        } catch (IOException e) {
            release();
            throw new UncheckedIOException("cannot copy model set " + path + " to a local directory", e);
        }
    }

    public static synchronized void release() {
        cached = null;
        cachedKey = null;
        if (cachedCopy != null) {
            try {
                org.apache.commons.io.FileUtils.deleteDirectory(cachedCopy.toFile());
            } catch (IOException ignored) {
                // Best effort: a temporary copy, removed with the machine's temp directory at worst.
            }
            cachedCopy = null;
        }
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Publishes a set assembled in the local directory {@code staging} (per-property directories written by
     * {@link ScqModel#save} or the Spark trainer's save) to {@code target} in one rename: checks it reads back as
     * a consistent set, adds {@value #METADATA_FILE}, and refuses to replace an existing set without {@code overwrite}.
     */
    public static Info publish(java.nio.file.Path staging, String target, Configuration conf, boolean overwrite,
                               Map<String, Object> provenance) throws IOException {
        Info info = inspect(staging.toUri().toString(), conf);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "mrf-scq-model-set");
        meta.put("properties", info.models().keySet().stream().map(ModelSet::dirName).toList());
        meta.put("variant", info.method());
        meta.put("t", info.t());
        meta.put("ar", info.ar());
        meta.put("schedule_hash", info.scheduleHash());
        meta.put("code_version", ModelMetadata.currentCodeVersion());
        meta.putAll(provenance);
        java.nio.file.Files.writeString(staging.resolve(METADATA_FILE), JsonFiles.JSON.writeValueAsString(meta));
        try (AtomicOutput out = AtomicOutput.begin(target, conf, overwrite)) {
            out.fs().copyFromLocalFile(false, true, new Path(staging.toUri()), out.tmp());
            out.commit();
            return new Info(out.target().toString(), info.models(), info.fingerprint());
        }
    }
}
