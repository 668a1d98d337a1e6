package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** conf/profiles/*.conf: each loads through MrfConfig (no unknown key, right types) and says what it is for. */
class ConfigProfilesTest {
    static Path profiles() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("conf/profiles"))) dir = dir.getParent();
        assertNotNull(dir, "conf/profiles above " + Path.of("").toAbsolutePath());
        return dir.resolve("conf/profiles");
    }

    @Test
    void everyProfileLoadsWithKnownKeysAndAHeaderComment() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(profiles())) {
            files = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
        assertEquals(List.of("cluster.conf", "demo.conf", "local.conf", "paper-small.conf", "paper.conf", "quick.conf"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            assertTrue(Files.readAllLines(f).get(0).startsWith("# Profile \""), f + " starts with a header comment");
            MrfConfig c = MrfConfig.load(Map.of(), Map.of(), f, null);
            assertTrue(c.describe().contains(f.getFileName().toString()), f + " sets keys");
            TrainCommand.properties(c.strings("mrf.train.properties"));
            assertTrue(org.mrf.scq.model.ScqSettings.PRESETS.contains(c.string("mrf.train.profile")), f.toString());
        }
        MrfConfig paper = MrfConfig.load(Map.of(), Map.of(), profiles().resolve("paper.conf"), null);
        assertEquals(List.of(2, 4, 8, 16), paper.get().getIntList("mrf.evaluate.ars"));
        assertEquals(7, paper.strings("mrf.evaluate.methods").size());
        MrfConfig cluster = MrfConfig.load(Map.of("mrf.spark.master", "local[2]"), Map.of(), profiles().resolve("cluster.conf"), null);
        assertEquals("local[2]", cluster.string("mrf.spark.master"), "a flag overrides the profile");
        assertEquals(8, cluster.integer("mrf.train.workers"));
    }
}
