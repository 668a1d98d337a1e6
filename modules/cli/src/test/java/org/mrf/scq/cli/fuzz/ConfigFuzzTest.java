package org.mrf.scq.cli.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mrf.scq.cli.MrfConfig;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the --config reader (HOCON, includes refused): any file either loads
 * into a configuration every key of which has its reference type, or fails with one
 * {@link MrfInputException}. Regression inputs: {@code ConfigFuzzTestInputs/} (docs/FUZZING.md).
 */
class ConfigFuzzTest {
    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("config-fuzz");
        file = dir.resolve("fuzz.conf");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest
    void loadConfig(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        MrfConfig c;
        try {
            c = MrfConfig.load(null, null, file, null);
        } catch (MrfInputException expected) {
            return; // the reader's own error for bad input
        }
        assertTrue(c.describe().contains("mrf."), "a loaded configuration lists its keys");
    }
}
