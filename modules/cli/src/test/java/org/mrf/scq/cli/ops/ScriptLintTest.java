package org.mrf.scq.cli.ops;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** shellcheck over the docker/, notebooks/ and jobs/ scripts (skipped where shellcheck is not installed). */
class ScriptLintTest {
    @Test
    void dockerNotebookAndJobScriptsPassShellcheck() throws Exception {
        assumeTrue(OpsScripts.available(List.of("shellcheck", "--version")), "shellcheck is not installed");
        Path root = OpsScripts.repositoryRoot();
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x"));
        for (String dir : List.of("docker", "notebooks", "jobs")) {
            try (Stream<Path> s = Files.list(root.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> cmd.add(root.relativize(p).toString()));
            }
        }
        assertTrue(cmd.size() > 3, "no scripts found: " + cmd);
        var r = OpsScripts.run(root, 120, cmd);
        assertEquals(0, r.exitCode(), r.output());
    }
}
