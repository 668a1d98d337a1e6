package org.mrf.scq.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.data.SliceInputs;
import org.mrf.scq.model.data.TrainingSlice;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A trained network for one property plus its metadata. Saved as a directory holding
 * {@code model.zip} (DL4J ModelSerializer format, no updater state) and {@code metadata.json}.
 * <p>
 * Inference takes whole slices in one pass: {@link #predictMs(TrainingSlice, String)} returns the map in
 * ms (H x W, C order). Slices whose sides are not multiples of 2^levels are zero-padded and cropped.
 */
public final class ScqModel {
    /** Entries a DL4J ComputationGraph zip may hold here; anything else is refused. */
    static final Set<String> ALLOWED_ENTRIES = Set.of("configuration.json", "coefficients.bin", "updaterState.bin");
    static final long MAX_METADATA_BYTES = 1 << 20;

    private final ComputationGraph graph;
    private final ModelMetadata metadata;

    public ScqModel(ComputationGraph graph, ModelMetadata metadata) {
        this.graph = graph;
        this.metadata = metadata;
    }

    public ComputationGraph graph() { return graph; }
    public ModelMetadata metadata() { return metadata; }
    public Property property() { return metadata.property(); }

    /** Spatial sizes the graph needs: 2^(number of 2x2 poolings); 1 for per-pixel graphs. */
    public int sizeMultiple() {
        long pools = graph.getConfiguration().getVertices().keySet().stream().filter(k -> k.matches("pool\\d+")).count();
        return 1 << pools;
    }

    /** Refuses data from another schedule or with too few time points. */
    public void checkCompatible(String scheduleHash, int dataT, String what) {
        if (scheduleHash == null || !scheduleHash.equals(metadata.scheduleHash())) {
            throw new MrfInputException(what + " was acquired with schedule " + shortHash(scheduleHash) + ", but the "
                    + metadata.property() + " model was trained for schedule " + shortHash(metadata.scheduleHash())
                    + ": use a model trained on this schedule");
        }
        if (dataT < metadata.t()) {
            throw new MrfInputException(what + " has " + dataT + " time points, but the " + metadata.property()
                    + " model needs the first " + metadata.t() + " (ar " + metadata.ar() + ")");
        }
    }

    private static String shortHash(String h) {
        return h == null ? "(none)" : h.length() > 12 ? h.substring(0, 12) + "..." : h;
    }

    /** The network output (target units, i.e. value / scale) for a whole slice, [H*W]. */
    public float[] predictScaled(TrainingSlice s) {
        int t = metadata.t();
        SliceInputs.Form form = metadata.net().inputForm();
        int c = SliceInputs.channels(t, form);
        int m = sizeMultiple();
        int h = s.h(), w = s.w();
        int hp = (h + m - 1) / m * m, wp = (w + m - 1) / m * m;
        float[] x = SliceInputs.nhwc(s, t, form);
        if (hp != h || wp != w) {
            float[] padded = new float[hp * wp * c];
            for (int y = 0; y < h; y++) System.arraycopy(x, y * w * c, padded, y * wp * c, w * c);
            x = padded;
        }
        INDArray in = Nd4j.create(x, new long[]{1, hp, wp, c});
        INDArray out = graph.outputSingle(false, in);
        float[] o = out.castTo(DataType.FLOAT).data().asFloat();
        if (hp == h && wp == w) return o;
        float[] crop = new float[h * w];
        for (int y = 0; y < h; y++) System.arraycopy(o, y * wp, crop, y * w, w);
        return crop;
    }

    /** The property map in ms (H x W) for a whole slice of data acquired with {@code scheduleHash}. */
    public float[] predictMs(TrainingSlice s, String scheduleHash) {
        checkCompatible(scheduleHash, s.t(), "slice " + s.subject() + "/" + s.slice());
        float[] o = predictScaled(s);
        float scale = (float) metadata.property().scaleMs();
        for (int i = 0; i < o.length; i++) o[i] *= scale;
        return o;
    }

    /**
     * Writes {@code dir} (model.zip + metadata.json) into a temporary sibling and renames it into place. A previous
     * model there is first renamed aside ({@code .<name>.old-*}) and deleted only once the new one is in place, so a
     * save killed at any point leaves either the previous or the new model complete: between the two renames the
     * previous one is under its .old name, and the next {@link #save} or {@link #load} puts it back.
     */
    public void save(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        restoreInterruptedSave(dir);
        deleteStalePrevious(dir);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
        try {
            ModelSerializer.writeModel(graph, tmp.resolve(ModelMetadata.MODEL_FILE).toFile(), false);
            Files.writeString(tmp.resolve("metadata.json"), metadata.toJson(), StandardCharsets.UTF_8);
            Path old = null;
            if (Files.exists(dir)) {
                old = parent.resolve("." + dir.getFileName() + ".old-" + java.util.UUID.randomUUID());
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (old != null) Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            if (old != null) deleteTree(old);
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
    }

    /** When {@code dir} is missing but a save was killed between its two renames, moves the previous model back. */
    static void restoreInterruptedSave(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (Files.exists(dir) || parent == null || !Files.isDirectory(parent)) return;
        String prefix = "." + dir.getFileName() + ".old-";
        Path newest = null;
        try (var s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                if (newest == null || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(newest)) > 0) newest = p;
            }
        }
        if (newest != null) Files.move(newest, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** With {@code dir} in place, a {@code .<name>.old-*} sibling is a previous model whose deletion was killed. */
    static void deleteStalePrevious(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (!Files.exists(dir) || parent == null) return;
        String prefix = "." + dir.getFileName() + ".old-";
        try (var s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) deleteTree(p);
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    /** Checks that a DL4J zip holds only the expected entries, with plain names (no paths, no duplicates). */
    public static void checkZip(Path zip) {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Set<String> seen = new HashSet<>();
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                String n = e.getName();
                if (n.contains("/") || n.contains("\\") || n.contains("..") || !ALLOWED_ENTRIES.contains(n)) {
                    throw new MrfInputException(zip + ": unexpected entry '" + n + "' (a model zip holds only " + ALLOWED_ENTRIES + ")");
                }
                if (!seen.add(n)) throw new MrfInputException(zip + ": duplicate entry '" + n + "'");
            }
            if (!seen.contains("configuration.json") || !seen.contains("coefficients.bin")) {
                throw new MrfInputException(zip + ": not a DL4J model zip (needs configuration.json and coefficients.bin)");
            }
            checkConfigurationClasses(zip, z);
            checkCoefficients(zip, z);
        } catch (IOException e) {
            throw new MrfInputException(zip + ": cannot read the model zip (" + e.getMessage() + ")", e);
        }
    }

    static final long MAX_CONFIGURATION_BYTES = 64L << 20;
    private static final java.util.List<String> ALLOWED_CLASS_PREFIXES = java.util.List.of("org.deeplearning4j.", "org.nd4j.", "org.mrf.scq.");

    /**
     * The graph JSON names classes for Jackson's polymorphic typing: only DL4J, ND4J and this project's classes
     * may appear, so a crafted zip cannot make Jackson build anything else.
     */
    private static void checkConfigurationClasses(Path zip, ZipFile z) throws IOException {
        ZipEntry e = z.getEntry("configuration.json");
        byte[] bytes;
        try (var in = z.getInputStream(e)) {
            bytes = in.readNBytes((int) MAX_CONFIGURATION_BYTES + 1);
        }
        if (bytes.length > MAX_CONFIGURATION_BYTES) throw new MrfInputException(zip + ": configuration.json larger than 64 MiB");
        org.nd4j.shade.jackson.databind.JsonNode root;
        try {
            root = new org.nd4j.shade.jackson.databind.ObjectMapper().readTree(bytes); // plain tree: no typing, escapes decoded
        } catch (IOException ex) {
            throw new MrfInputException(zip + ": configuration.json is not valid JSON (" + ex.getMessage() + ")", ex);
        }
        java.util.ArrayDeque<org.nd4j.shade.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
        if (root != null) todo.add(root);
        while (!todo.isEmpty()) {
            org.nd4j.shade.jackson.databind.JsonNode n = todo.poll();
            if (n.isObject()) {
                for (var it = n.fields(); it.hasNext(); ) {
                    var f = it.next();
                    if (f.getKey().equals("@class")) {
                        String cls = f.getValue().asText();
                        if (ALLOWED_CLASS_PREFIXES.stream().noneMatch(cls::startsWith)) {
                            throw new MrfInputException(zip + ": configuration names class '" + cls + "', which a model may not use");
                        }
                    }
                    todo.add(f.getValue());
                }
            } else if (n.isArray()) {
                n.forEach(todo::add);
            }
        }
    }

    /** The most dims an ND4J shape descriptor may declare (ND4J's own limit). */
    private static final int MAX_RANK = 32;
    /** Bytes per value of the types a parameter vector may have. */
    private static final java.util.Map<String, Integer> PARAMETER_TYPES = java.util.Map.of("FLOAT", 4, "DOUBLE", 8, "HALF", 2,
            "BFLOAT16", 2);

    /**
     * coefficients.bin is the parameter vector as ND4J writes it ({@code Nd4j.write}): a shape descriptor buffer, then
     * the data buffer, each as (UTF allocation mode, long length, UTF data type, length values). ND4J allocates
     * {@code length} values off-heap before reading them, so a forged length could ask for terabytes (a test JVM was
     * killed by the kernel that way): this walks the stream first, checks that each length fits the bytes that
     * follow and that the shape matches the data, and allocates nothing of a header's size.
     */
    private static void checkCoefficients(Path zip, ZipFile z) throws IOException {
        String what = zip + ": coefficients.bin";
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
                z.getInputStream(z.getEntry("coefficients.bin")), 1 << 16))) {
            long shapeLength = bufferLength(in, what, "shape", java.util.Map.of("LONG", 8), new String[1]);
            if (shapeLength < 4 || shapeLength > 2L * MAX_RANK + 4) {
                throw new MrfInputException(what + ": a shape descriptor of " + shapeLength + " values describes no array;"
                        + " the file is corrupt, save the model again");
            }
            long[] shapeInfo = new long[(int) shapeLength];
            for (int i = 0; i < shapeInfo.length; i++) shapeInfo[i] = in.readLong();
            long rank = shapeInfo[0];
            if (rank < 0 || rank > MAX_RANK || shapeLength != 2 * rank + 4) {
                throw new MrfInputException(what + ": a shape descriptor of rank " + rank + " cannot have " + shapeLength
                        + " values; the file is corrupt, save the model again");
            }
            long values = 1;
            for (int i = 1; i <= rank; i++) {
                long d = shapeInfo[i];
                if (d < 0 || (d > 0 && values > Long.MAX_VALUE / d)) {
                    throw new MrfInputException(what + ": dimension " + d + " of the parameter shape is negative or too "
                            + "large; the file is corrupt, save the model again");
                }
                values *= d;
            }
            String[] type = new String[1];
            long length = bufferLength(in, what, "data", PARAMETER_TYPES, type);
            if (length != values) {
                throw new MrfInputException(what + ": the data buffer holds " + length + " values but the shape needs "
                        + values + "; the file is corrupt, save the model again");
            }
            in.skipNBytes(length * PARAMETER_TYPES.get(type[0]));
        } catch (java.io.EOFException e) {
            throw new MrfInputException(what + " is shorter than its headers say; the file is truncated, copy or save it "
                    + "again", e);
        }
    }

    /** Reads one buffer header (mode, length, type), checks them, and returns the length; {@code type[0]} gets the type. */
    private static long bufferLength(java.io.DataInputStream in, String what, String buffer, java.util.Map<String, Integer> types,
                                     String[] type) throws IOException {
        String mode = in.readUTF();
        if (!mode.equals("MIXED_DATA_TYPES") && !mode.equals("LONG_SHAPE")) {
            throw new MrfInputException(what + ": the " + buffer + " buffer has allocation mode '" + mode + "', not one "
                    + "that ND4J 1.0.0-M2 writes; save the model again with this version");
        }
        long length = in.readLong();
        type[0] = in.readUTF();
        if (!types.containsKey(type[0])) {
            throw new MrfInputException(what + ": the " + buffer + " buffer has type '" + type[0] + "', expected one of "
                    + new java.util.TreeSet<>(types.keySet()) + "; the file is corrupt, save the model again");
        }
        if (length < 0 || length > (Long.MAX_VALUE >> 4)) {
            throw new MrfInputException(what + ": the " + buffer + " buffer declares " + length + " values; the file is "
                    + "corrupt, save the model again");
        }
        return length;
    }

    /** Loads a model directory written by {@link #save(Path)}, checking the metadata and the zip first. */
    public static ScqModel load(Path dir) {
        try {
            restoreInterruptedSave(dir);
        } catch (IOException e) {
            throw new MrfInputException(dir + ": missing, and its previous version (." + dir.getFileName()
                    + ".old-*) cannot be moved back (" + e.getMessage() + "); rename it back by hand", e);
        }
        Path meta = dir.resolve("metadata.json");
        Path zip = dir.resolve(ModelMetadata.MODEL_FILE);
        if (!Files.isRegularFile(meta) || !Files.isRegularFile(zip)) {
            throw new MrfInputException(dir + ": not a model directory (needs metadata.json and " + ModelMetadata.MODEL_FILE + ")");
        }
        ModelMetadata md;
        try {
            if (Files.size(meta) > MAX_METADATA_BYTES) throw new MrfInputException(meta + ": metadata larger than 1 MiB");
            md = ModelMetadata.fromJson(Files.readString(meta, StandardCharsets.UTF_8), meta.toString());
        } catch (IOException e) {
            throw new MrfInputException(meta + ": cannot read (" + e.getMessage() + ")", e);
        }
        checkZip(zip);
        ComputationGraph g;
        try {
            g = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (Exception e) {
            throw new MrfInputException(zip + ": cannot restore the DL4J model (" + e.getMessage() + ")", e);
        }
        ScqModel model = new ScqModel(g, md);
        model.checkShape(zip);
        return model;
    }

    /** A tiny forward pass proving the network takes the metadata's channel count and gives one output channel. */
    private void checkShape(Path where) {
        int m = sizeMultiple();
        int c = metadata.net().inputChannels();
        try {
            INDArray out = graph.outputSingle(false, Nd4j.zeros(DataType.FLOAT, 1, m, m, c));
            if (out.rank() != 4 || out.size(3) != 1 || out.size(1) != m || out.size(2) != m) {
                throw new MrfInputException(where + ": network output " + java.util.Arrays.toString(out.shape()) + " is not one map channel");
            }
        } catch (MrfInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MrfInputException(where + ": network does not take " + c + " input channels as its metadata says ("
                    + e.getMessage() + ")", e);
        }
    }
}
