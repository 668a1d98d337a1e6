package org.mrf.scq.model.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.ScqModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of how a model directory is loaded ({@link ScqModel#load}): the DL4J
 * model zip under a valid metadata.json, and metadata.json on its own. Any bytes either load or
 * fail with one {@link MrfInputException}. The zip seeds store their entries uncompressed, so
 * mutations reach configuration.json and coefficients.bin. Regression inputs:
 * {@code ModelFuzzTestInputs/} (docs/FUZZING.md).
 */
class ModelFuzzTest {
    private static Path dir;
    private static ModelMetadata validMetadata;

    @BeforeAll
    static void createModelDir() throws IOException {
        dir = Files.createTempDirectory("model-fuzz").resolve("model");
        Files.createDirectories(dir);
        try (InputStream in = ModelFuzzTest.class.getResourceAsStream("valid-metadata.json")) {
            byte[] json = in.readAllBytes();
            Files.write(dir.resolve("metadata.json"), json);
            validMetadata = ModelMetadata.fromJson(new String(json, StandardCharsets.UTF_8), "valid-metadata.json");
        }
    }

    @AfterAll
    static void deleteModelDir() throws IOException {
        Files.deleteIfExists(dir.resolve("metadata.json"));
        Files.deleteIfExists(dir.resolve(ModelMetadata.MODEL_FILE));
        Files.deleteIfExists(dir);
        Files.deleteIfExists(dir.getParent());
    }

    @FuzzTest
    void loadModelZip(byte[] zip) throws IOException {
        Files.write(dir.resolve(ModelMetadata.MODEL_FILE), zip);
        ScqModel m;
        try {
            m = ScqModel.load(dir);
        } catch (MrfInputException expected) {
            return; // the loader's own error for a bad model
        }
        assertEquals(validMetadata.property(), m.property());
        assertEquals(validMetadata.t(), m.metadata().t());
    }

    private static byte[] input(String name) throws IOException {
        try (InputStream in = ModelFuzzTest.class.getResourceAsStream("ModelFuzzTestInputs/loadModelZip/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The seed the zip mutations start from must load, or the fuzzer never gets past the checks. */
    @Test
    void theValidSeedLoads() throws IOException {
        Files.write(dir.resolve(ModelMetadata.MODEL_FILE), input("seed-valid.zip"));
        assertEquals(validMetadata.property(), ScqModel.load(dir).property());
    }

    /** A data buffer length of 2^40 floats in coefficients.bin is refused before ND4J allocates it. */
    @Test
    void aForgedParameterCountIsRefusedBeforeAllocating() throws IOException {
        Files.write(dir.resolve(ModelMetadata.MODEL_FILE), input("crafted-coefficients-data-len-2e40.zip"));
        MrfInputException e = assertThrows(MrfInputException.class, () -> ScqModel.load(dir));
        assertTrue(e.getMessage().contains("coefficients.bin") && e.getMessage().contains("1099511627776"), e.getMessage());
    }

    @FuzzTest
    void readMetadata(byte[] json) {
        ModelMetadata md;
        try {
            md = ModelMetadata.fromJson(new String(json, StandardCharsets.UTF_8), "fuzz/metadata.json");
        } catch (MrfInputException expected) {
            return; // the reader's own error for bad metadata
        }
        assertNotNull(md.property());
        assertEquals(md.t(), md.net().t(), "the network takes the metadata's T");
    }
}
