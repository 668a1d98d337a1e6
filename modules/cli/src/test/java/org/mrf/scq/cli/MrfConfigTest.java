package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MrfConfigTest {
    @Test
    void precedenceIsFlagThenDThenFileThenConfDirThenReference(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("application.conf"),
                "mrf.sequence.te-ms = 1.1\nmrf.sequence.inversion-ms = 11\nmrf.epg.tolerance = 1e-3\nmrf.match.energy = 0.5\n");
        Path file = dir.resolve("run.conf");
        Files.writeString(file, "mrf { sequence { te-ms = 2.2, inversion-ms = 22 }, epg.tolerance = 1e-4 }\n");
        MrfConfig c = MrfConfig.load(Map.of("mrf.sequence.te-ms", 4.4), Map.of("mrf.sequence.te-ms", "3.3",
                "mrf.sequence.inversion-ms", "33"), file, conf);
        assertEquals(4.4, c.number("mrf.sequence.te-ms"));
        assertEquals(33, c.number("mrf.sequence.inversion-ms"));
        assertEquals(1e-4, c.number("mrf.epg.tolerance"));
        assertEquals(0.5, c.number("mrf.match.energy"));
        assertEquals("dm", c.string("mrf.match.method"));
        String shown = c.describe();
        assertTrue(shown.contains("command-line flag"), shown);
        assertTrue(shown.contains("-D system property"), shown);
        assertTrue(shown.contains("run.conf"), shown);
        assertTrue(shown.contains("application.conf"), shown);
        assertTrue(shown.contains("default (reference.conf)"), shown);
    }

    @Test
    void unknownKeyNamesTheNearestKnownOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.conf");
        Files.writeString(file, "mrf.epg.tolerence = 1e-6\n");
        MrfInputException e = assertThrows(MrfInputException.class, () -> MrfConfig.load(Map.of(), Map.of(), file, null));
        assertTrue(e.getMessage().contains("mrf.epg.tolerence") && e.getMessage().contains("mrf.epg.tolerance")
                && e.getMessage().contains("typo.conf"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndOrigin() {
        MrfInputException e = assertThrows(MrfInputException.class,
                () -> MrfConfig.load(Map.of(), Map.of("mrf.epg.tolerance", "tiny"), null, null));
        assertTrue(e.getMessage().contains("mrf.epg.tolerance") && e.getMessage().contains("-D"), e.getMessage());
    }

    @Test
    void malformedFilesAndIncludesAreRefused(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "mrf { epg { tolerance = 1e-5 }\n");
        MrfInputException e = assertThrows(MrfInputException.class, () -> MrfConfig.load(Map.of(), Map.of(), bad, null));
        assertTrue(e.getMessage().contains("bad.conf") && e.getMessage().contains("malformed"), e.getMessage());
        Path inc = dir.resolve("inc.conf");
        Files.writeString(inc, "include \"other.conf\"\n");
        MrfInputException i = assertThrows(MrfInputException.class, () -> MrfConfig.load(Map.of(), Map.of(), inc, null));
        assertTrue(i.getMessage().contains("include"), i.getMessage());
        MrfInputException missing = assertThrows(MrfInputException.class,
                () -> MrfConfig.load(Map.of(), Map.of(), dir.resolve("none.conf"), null));
        assertTrue(missing.getMessage().contains("none.conf"), missing.getMessage());
    }
}
