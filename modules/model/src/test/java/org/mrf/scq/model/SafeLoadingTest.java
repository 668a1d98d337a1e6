package org.mrf.scq.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.nn.ScqNetworks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model artifacts are user files: loading one must never run Java deserialisation (a gadget chain in an
 * ObjectInputStream payload runs code), and a model zip is read only through the entries DL4J's format defines.
 */
class SafeLoadingTest {
    /** Every class Java deserialisation resolves on a thread while recording is on (the filter is JVM-wide). */
    static final List<String> DESERIALISED = Collections.synchronizedList(new ArrayList<>());
    static final ThreadLocal<Boolean> RECORDING = ThreadLocal.withInitial(() -> false);

    @BeforeAll
    static void installRecordingFilter() {
        ObjectInputFilter.Config.setSerialFilter(info -> {
            if (RECORDING.get() && info.serialClass() != null) DESERIALISED.add(info.serialClass().getName());
            return ObjectInputFilter.Status.UNDECIDED;
        });
    }

    static List<String> deserialisedDuring(ThrowingRunnable r) throws Exception {
        DESERIALISED.clear();
        RECORDING.set(true);
        try {
            r.run();
        } finally {
            RECORDING.set(false);
        }
        return List.copyOf(DESERIALISED);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static ScqModel model() {
        NetConfig net = new NetConfig(8, Variant.SCQ, new int[]{8, 4}, new int[]{4}, 4, 1, 0.9, 3L);
        TrainConfig tc = TrainConfig.quick();
        ComputationGraph g = ScqNetworks.stepTwo(net, ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0), null, null, 0.3);
        return new ScqModel(g, new ModelMetadata(Property.T2, 8, 288, "hash", net, tc, 0, null, "test", "now"));
    }

    @Test
    void theRecorderSeesJavaDeserialisation() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(new ArrayList<>(List.of("x")));
        }
        List<String> seen = deserialisedDuring(() -> {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
                in.readObject();
            }
        });
        assertTrue(seen.contains("java.util.ArrayList"), "the filter is installed and records: " + seen);
    }

    @Test
    void loadingAModelAndACheckpointRunsNoJavaDeserialisation(@TempDir Path dir) throws Exception {
        ScqModel m = model();
        m.save(dir.resolve("m"));
        ModelSerializer.writeModel(m.graph(), dir.resolve("checkpoint.zip").toFile(), true);
        List<String> seen = deserialisedDuring(() -> {
            ScqModel back = ScqModel.load(dir.resolve("m"));
            assertEquals(m.graph().params(), back.graph().params());
            ModelSerializer.restoreComputationGraph(dir.resolve("checkpoint.zip").toFile(), true);
        });
        assertEquals(List.of(), seen, "no class went through Java deserialisation");
    }

    @Test
    void aSerialisedPayloadInAModelZipIsRefusedBeforeAnythingReadsIt(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good");
        model().save(good);
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.copy(good.resolve("metadata.json"), bad.resolve("metadata.json"));
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(payload)) {
            o.writeObject(new java.util.HashMap<>(java.util.Map.of("k", "v")));
        }
        // DL4J's ModelSerializer would read a normalizer.bin / preprocessor.bin entry with Java deserialisation.
        try (ZipFile in = new ZipFile(good.resolve(ModelMetadata.MODEL_FILE).toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bad.resolve(ModelMetadata.MODEL_FILE)))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.getInputStream(e).transferTo(out);
            }
            out.putNextEntry(new ZipEntry("normalizer.bin"));
            out.write(payload.toByteArray());
        }
        List<String> seen = deserialisedDuring(() -> {
            MrfInputException e = assertThrows(MrfInputException.class, () -> ScqModel.load(bad));
            assertTrue(e.getMessage().contains("unexpected entry 'normalizer.bin'") && e.getMessage().contains(bad.toString()),
                    e.getMessage());
        });
        assertEquals(List.of(), seen);
    }

    /** A guard against new code: no main source of the project deserialises Java objects. */
    @Test
    void noMainSourceUsesJavaDeserialisation() throws Exception {
        Path modules = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isDirectory(modules.resolve("core/src/main/java")), "run from the module directory: " + modules);
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(modules)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
                String text = Files.readString(p);
                for (String bad : List.of("ObjectInputStream", ".readObject(", "SerializationUtils.deserialize", "XMLDecoder")) {
                    if (text.contains(bad)) offenders.add(modules.relativize(p) + ": " + bad);
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
