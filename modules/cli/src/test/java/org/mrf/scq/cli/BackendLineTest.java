package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Commands that compute on ND4J name its backend and device first; others do not. */
class BackendLineTest {
    record Run(int exit, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Mrf.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    void theLineNamesTheCpuBackendAndItsThreads() {
        String line = Common.nd4jBackendLine();
        // The test build uses nd4j-native; a -Pcuda build names its devices instead.
        assertTrue(line.matches("nd4j backend=CpuBackend device=cpu threads=[1-9][0-9]*( blas=\\S+)?")
                || line.matches("nd4j backend=JCublasBackend devices=[1-9].*"), line);
    }

    @Test
    void everyNd4jCommandIsAnMrfCommand() {
        assertTrue(Mrf.commandLine().getSubcommands().keySet().containsAll(Mrf.ND4J_COMMANDS),
                Mrf.ND4J_COMMANDS + " vs " + Mrf.commandLine().getSubcommands().keySet());
    }

    @Test
    void nd4jCommandsPrintItFirstOthersDoNot(@TempDir Path dir) throws Exception {
        // match with a missing input fails on its input (exit 2), after the backend line.
        Run match = run("match", "--dictionary", dir.resolve("no-dict").toString(), "--input", dir.resolve("none.npy").toString(),
                "--out", dir.resolve("m").toString());
        assertEquals(2, match.exit(), match.err());
        String[] lines = match.err().split("\\R");
        assertEquals(Common.nd4jBackendLine(), lines[0], match.err());
        assertTrue(lines[lines.length - 1].startsWith("error: "), match.err());

        Run fp = run("fingerprint", "--t1", "1000", "--t2", "80", "--out", dir.resolve("f.csv").toString());
        assertEquals(0, fp.exit(), fp.err());
        assertTrue(Files.size(dir.resolve("f.csv")) > 0);
        assertFalse(fp.err().contains("nd4j backend="), fp.err());

        Run help = run("match", "--help");
        assertEquals(0, help.exit());
        assertFalse(help.err().contains("nd4j backend="), "help needs no backend: " + help.err());
    }
}
