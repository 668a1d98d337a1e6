package org.mrf.scq.cli;

import org.apache.commons.io.IOUtils;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalTest {
    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private final List<String> logged = new ArrayList<>();
    private final PrintStream routed = new PrintStream(
            new Terminal.Router(new PrintStream(terminal, true, StandardCharsets.UTF_8), (who, line) -> logged.add(who + ": " + line)),
            true, StandardCharsets.UTF_8);

    private String terminalText() {
        return terminal.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ourLinesReachTheTerminalAndALibrarysGoToTheLog() throws Exception {
        routed.println("ingest: subjects=6");
        IOUtils.write("chatter from a library\nsecond line\n", routed, StandardCharsets.UTF_8);
        routed.printf("progress %d%%%n", 50);
        assertEquals("ingest: subjects=6" + System.lineSeparator() + "progress 50%" + System.lineSeparator(), terminalText());
        assertEquals(List.of("org.apache.commons.io.IOUtils: chatter from a library", "org.apache.commons.io.IOUtils: second line"), logged);
    }

    @Test
    void sameDiffGradientChatterNeverReachesTheTerminal() {
        PrintStream saved = System.out;
        System.setOut(routed);
        try {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
            SDVariable w = sd.var("w", DataType.FLOAT, 3, 1);
            sd.setLossVariables(sd.sum("loss", x.mmul(w)));
            sd.createGradFunction();
            System.out.println("done building");
        } finally {
            System.setOut(saved);
        }
        assertFalse(terminalText().contains("Added differentiated op"), terminalText());
        assertTrue(terminalText().contains("done building"));
        assertTrue(logged.stream().anyMatch(l -> l.startsWith("org.nd4j.autodiff.samediff.SameDiff: Added differentiated op")), logged.toString());
    }

    @Test
    void writerIsTheFirstClassOutsideTheJdk() {
        assertEquals(getClass().getName(), Terminal.writer().orElseThrow());
        assertTrue(Terminal.ours(Terminal.writer()));
        assertFalse(Terminal.ours(java.util.Optional.of("org.nd4j.autodiff.samediff.SameDiff")));
        assertTrue(Terminal.ours(java.util.Optional.empty()), "a line with no writer outside the JDK (a JVM message) stays visible");
    }
}
