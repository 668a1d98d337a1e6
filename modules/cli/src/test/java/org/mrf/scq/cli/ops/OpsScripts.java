package org.mrf.scq.cli.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers for the ops tests: the repository root and running external commands. */
final class OpsScripts {
    private OpsScripts() {
    }

    record Result(int exitCode, String output) {
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("docker/Dockerfile"))
                && Files.isRegularFile(dir.resolve("bin/mrf")))) {
            dir = dir.getParent();
        }
        if (dir == null) throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** Runs a command (stdout and stderr merged); exit code -1 when it could not start. */
    static Result run(Path workDir, long timeoutSeconds, List<String> command) throws InterruptedException {
        return run(workDir, timeoutSeconds, command, java.util.Map.of());
    }

    /** Same, with extra environment variables. */
    static Result run(Path workDir, long timeoutSeconds, List<String> command, java.util.Map<String, String> env)
            throws InterruptedException {
        try {
            Path log = Files.createTempFile("ops-cmd", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(124, "timed out after " + timeoutSeconds + " s: " + command);
                }
                return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }

    static boolean available(List<String> probe) throws InterruptedException {
        return run(Path.of("."), 60, probe).exitCode() == 0;
    }
}
