package org.mrf.scq.spark.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started from the test's own class path and --add-opens flags (Spark needs them on Java 17), so that
 * a test can kill a real job with {@link Process#destroyForcibly()} (SIGKILL: no shutdown hooks, no finally
 * blocks) and look at what it left on disk. Stdout is collected line by line; stderr goes to a file.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Path stderr;
    private final Thread reader;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the process was killed: its pipe closes
            }
        }, "child-jvm-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    public static ChildJvm start(Path workDir, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) cmd.add(a);
        }
        cmd.add("-Dspark.ui.enabled=false");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path err = workDir.resolve(main.getSimpleName() + "-" + System.nanoTime() + ".stderr");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectError(err.toFile()).start();
        return new ChildJvm(p, err);
    }

    public List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Waits until {@code done} holds (polled every 20 ms); fails when the child exits first or on timeout. */
    public void awaitUntil(String what, long timeoutMs, java.util.function.BooleanSupplier done) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean()) {
            if (!process.isAlive()) throw new AssertionError("child exited (" + process.exitValue() + ") before " + what + "\n" + tail());
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what + "\n" + tail());
            Thread.sleep(20);
        }
    }

    public long count(Predicate<String> p) {
        return lines().stream().filter(p).count();
    }

    /** Waits for a normal exit and fails with the child's output unless it exits 0. */
    public void awaitSuccess(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not finish in " + timeoutSeconds + " s\n" + tail());
        }
        reader.join(5000);
        if (process.exitValue() != 0) throw new AssertionError("child exited " + process.exitValue() + "\n" + tail());
    }

    /** SIGKILL, like an OOM killer or a lost node: nothing in the child gets to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(5000);
    }

    public String tail() {
        List<String> l = lines();
        String err;
        try {
            List<String> e = Files.readAllLines(stderr);
            err = String.join("\n", e.subList(Math.max(0, e.size() - 40), e.size()));
        } catch (IOException x) {
            err = "(no stderr: " + x.getMessage() + ")";
        }
        return "--- stdout (last lines)\n" + String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()))
                + "\n--- stderr (last lines)\n" + err;
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }
}
