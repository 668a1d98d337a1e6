package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mrf simulate-cohort --overwrite} killed with SIGKILL while it writes leaves the previous cohort byte for byte
 * at the final path; half-written output exists only under dot-prefixed temporary names.
 */
class OverwriteKillTest {
    private static Map<String, byte[]> contents(Path root) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    private static void assertSameContents(Map<String, byte[]> a, Map<String, byte[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k + " changed");
    }

    @Test
    void simulateCohortOverwriteKilledMidWriteKeepsThePreviousCohort(@TempDir Path dir) throws Exception {
        Path cohort = dir.resolve("cohort");
        // The previous cohort: small and fast (1 subject, 16 x 16).
        assertEquals(0, Mrf.execute("simulate-cohort", "--out", cohort.toString(), "--subjects", "1", "--matrix", "16", "--seed", "1"));
        Map<String, byte[]> before = contents(cohort);
        assertTrue(before.containsKey("cohort.json"));

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--add-opens")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Mrf.class.getName(), "simulate-cohort", "--out",
                cohort.toString(), "--overwrite", "--subjects", "4", "--slices", "2", "--matrix", "64", "--seed", "2"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // Kill once the new cohort has a finished subject under the temporary name.
            long end = System.currentTimeMillis() + 120_000;
            while (true) {
                assertTrue(p.isAlive(), "the child finished before it could be killed: " + Files.readString(dir.resolve("child.log")));
                assertTrue(System.currentTimeMillis() < end, "timed out");
                assertArrayEquals(before.get("cohort.json"), Files.readAllBytes(cohort.resolve("cohort.json")),
                        "the final path shows the previous cohort while the job runs");
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.anyMatch(t -> t.getFileName().toString().startsWith(".cohort.tmp")
                            && Files.exists(t.resolve("sub-000/subject.json")))) break;
                }
                Thread.sleep(20);
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertSameContents(before, contents(cohort));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path n : s.toList()) {
                String name = n.getFileName().toString();
                assertTrue(name.equals("cohort") || name.equals("child.log") || name.startsWith(".cohort.tmp")
                        || name.startsWith(".cohort.lease-"), name);
            }
        }
        // The next run at the same output removes what the killed one left (its process is gone).
        assertEquals(0, Mrf.execute("simulate-cohort", "--out", cohort.toString(), "--overwrite", "--subjects", "1", "--matrix", "16", "--seed", "3"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("child.log", "cohort"), s.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aReplaceKilledBetweenItsTwoRenamesIsUndoneBeforeTheNextCommandLooks(@TempDir Path dir) throws Exception {
        Path cohort = dir.resolve("cohort");
        assertEquals(0, Mrf.execute("simulate-cohort", "--out", cohort.toString(), "--subjects", "1", "--matrix", "16", "--seed", "1"));
        Map<String, byte[]> before = contents(cohort);
        // What replaceDirectory leaves when killed after moving the old cohort aside and before moving the new one in.
        Files.move(cohort, dir.resolve(".cohort.old-5d1e"));
        ByteArrayErr err = new ByteArrayErr();
        int rc = err.run(() -> Mrf.execute("simulate-cohort", "--out", cohort.toString(), "--subjects", "1", "--matrix", "16"));
        assertEquals(2, rc);
        assertTrue(err.text().contains("already exists") && err.text().contains("--overwrite"), err.text());
        assertSameContents(before, contents(cohort));
    }

    /** Captures System.err around one in-process command. */
    static final class ByteArrayErr {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        int run(java.util.function.IntSupplier body) {
            java.io.PrintStream old = System.err;
            try {
                System.setErr(new java.io.PrintStream(buf, true));
                return body.getAsInt();
            } finally {
                System.setErr(old);
            }
        }

        String text() {
            return buf.toString();
        }
    }
}
