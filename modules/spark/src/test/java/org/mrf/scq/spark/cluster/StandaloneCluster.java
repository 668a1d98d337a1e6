package org.mrf.scq.spark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1 for tests and benchmarks: one master and N workers as child JVMs
 * (Spark's own {@code Master} and {@code Worker} main classes), each worker offering a fixed number of cores. The
 * workers start executors through Spark's launcher, exactly as on a real installation.
 * <p>
 * There is no Spark distribution on the build machine, so the cluster gets a temporary SPARK_HOME whose
 * {@code jars/} links every library jar of this JVM's class path (Spark, Scala, DL4J, ND4J natives ...): that is
 * the classpath Spark's launcher gives masters, workers, executors and spark-submit. This build's own classes
 * (the {@code target/} entries of the class path) are not put there: they become jars ({@link #projectJars()})
 * that an application ships itself ({@code --jars} / {@code spark.jars}), as {@code jobs/submit.sh} does on a
 * real cluster.
 * <p>
 * {@link #close()} ends every child JVM, executors included, and a shutdown hook does the same if the test JVM
 * exits first, so a failed or killed test leaves no Spark daemon behind.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180); // 75 s seen with a load average of 40 on 2 cores

    private final Path dir;
    private final Path sparkHome;
    private final List<Path> projectJars;
    private final List<Path> testOutputs;
    private final Path appJars;
    private List<Path> testJars;
    private final List<String> javaOpens;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> workerDirs = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private int coresPerWorker;
    private String memoryPerWorker;
    private final Map<Process, Path> logs = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::destroyAll, "standalone-cluster-shutdown");
    private int masterPort;
    private int masterWebPort;

    /** The result of one spark-submit: exit code (124 on timeout) and its output file. */
    public record Submission(int exitCode, Path log) {
        public String output() {
            return read(log);
        }
    }

    private StandaloneCluster(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.javaOpens = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).toList();
        if (javaOpens.isEmpty()) {
            throw new IllegalStateException("this JVM was started without --add-opens flags (surefire argLine / bin/java-opts.sh); "
                    + "Spark's daemons and executors need the same ones on Java 17");
        }
        this.sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        // Quiet daemons and executors, except what the tests read: the deploy messages (diagnostics) and the
        // executors' task log (finishedTasksPerWorker). conf/ is first on every classpath Spark's launcher builds.
        Files.writeString(Files.createDirectories(sparkHome.resolve("conf")).resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = warn", "rootLogger.appenderRef.stderr.ref = console",
                "appender.console.type = Console", "appender.console.name = console", "appender.console.target = SYSTEM_ERR",
                "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n",
                "logger.deploy.name = org.apache.spark.deploy", "logger.deploy.level = info",
                "logger.executor.name = org.apache.spark.executor.Executor", "logger.executor.level = info", ""));
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        this.appJars = Files.createDirectories(dir.resolve("app-jars"));
        List<Path> project = new ArrayList<>(), tests = new ArrayList<>();
        Set<Path> linked = new LinkedHashSet<>();
        for (String entry : classPath()) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (!Files.exists(p)) continue;
            if (isBuildOutput(p)) {
                // Tests are not part of any application; a test that runs its own code on executors ships them.
                if (isTestOutput(p)) tests.add(p);
                else project.add(Files.isDirectory(p) ? jarOf(p, appJars, "") : p);
            } else if (p.toString().endsWith(".jar") && linked.add(p)) {
                // Artifacts of different groups may share a file name (guava, jackson ...): keep both.
                Path link = jars.resolve(p.getFileName());
                if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) link = jars.resolve(linked.size() + "-" + p.getFileName());
                Files.createSymbolicLink(link, p);
            }
        }
        this.projectJars = List.copyOf(project);
        this.testOutputs = List.copyOf(tests);
    }

    /**
     * Starts a master and {@code workers} workers of {@code coresPerWorker} cores and {@code memoryPerWorker}
     * (e.g. "1g") each under {@code dir}, and waits until all workers have registered.
     */
    public static StandaloneCluster start(Path dir, int workers, int coresPerWorker, String memoryPerWorker)
            throws IOException, InterruptedException {
        StandaloneCluster c = new StandaloneCluster(dir);
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            c.coresPerWorker = coresPerWorker;
            c.memoryPerWorker = memoryPerWorker;
            c.masterPort = freePort();
            c.masterWebPort = freePort();
            c.launch("master", List.of("-Xmx256m"), "org.apache.spark.deploy.master.Master",
                    List.of("--host", "127.0.0.1", "--port", String.valueOf(c.masterPort), "--webui-port", String.valueOf(c.masterWebPort)));
            for (int i = 0; i < workers; i++) {
                c.workerDirs.add(Files.createDirectories(dir.resolve("worker-" + i)));
                c.workers.add(c.launchWorker(i, "worker-" + i));
            }
            c.awaitWorkers(workers, null);
            return c;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private Process launchWorker(int i, String logName) throws IOException {
        return launch(dir.resolve(logName + ".log"), List.of("-Xmx256m"), "org.apache.spark.deploy.worker.Worker",
                List.of("--host", "127.0.0.1", "--cores", String.valueOf(coresPerWorker), "--memory", memoryPerWorker,
                        "--webui-port", String.valueOf(freePort()), "--work-dir", workerDirs.get(i).toString(), masterUrl()), dir);
    }

    /**
     * Worker {@code i} and the executors it started die at once by SIGKILL, as when their machine is lost: no
     * shutdown hook, no goodbye to the master or the driver. Waits until the master no longer counts the worker alive.
     */
    public void killWorker(int i) throws IOException, InterruptedException {
        Process w = workers.get(i);
        int before = aliveWorkers();
        List<ProcessHandle> all = new ArrayList<>(w.descendants().toList());
        all.add(w.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) h.onExit().join();
        awaitWorkers(before - 1, w);
    }

    /** Starts worker {@code i} again (a new JVM on the same work directory) and waits until it has registered. */
    public void restartWorker(int i) throws IOException, InterruptedException {
        if (workers.get(i).isAlive()) throw new IllegalStateException("worker " + i + " is running");
        Process old = workers.get(i);
        int before = aliveWorkers();
        workers.set(i, launchWorker(i, "worker-" + i + "-" + System.nanoTime()));
        awaitWorkers(before + 1, old);
    }

    private int aliveWorkers() {
        int n = 0;
        for (Process w : workers) if (w.isAlive()) n++;
        return n;
    }

    /** Jars of this build's test classes, for a test whose own code (e.g. a training hook) runs on the executors. */
    public synchronized List<Path> testJars() throws IOException {
        if (testJars == null) {
            List<Path> jars = new ArrayList<>();
            for (Path p : testOutputs) jars.add(Files.isDirectory(p) ? jarOf(p, appJars, "-tests") : p);
            testJars = List.copyOf(jars);
        }
        return testJars;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public Path sparkHome() {
        return sparkHome;
    }

    /** Jars of this build's classes (modules' target/classes), for --jars / spark.jars. */
    public List<Path> projectJars() {
        return projectJars;
    }

    /** The project jar that holds {@code className} (e.g. the CLI's main class: the application jar). */
    public Path jarContaining(String className) {
        String entry = className.replace('.', '/') + ".class";
        for (Path jar : projectJars) {
            try (JarFile jf = new JarFile(jar.toFile())) {
                if (jf.getEntry(entry) != null) return jar;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar, e);
            }
        }
        throw new IllegalStateException("no jar of this build holds " + className + " (project jars: " + projectJars + ")");
    }

    /**
     * What every application on this cluster needs: one executor of {@code executorMemory} per worker core, the
     * Java 17 opens for executors, and no task scheduled before all {@code executors} have registered (otherwise
     * a short job can finish on the first executor alone).
     */
    public Map<String, String> applicationConf(int executors, String executorMemory) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.executor.memory", executorMemory);
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", String.valueOf(executors));
        conf.put("spark.executor.extraJavaOptions", String.join(" ", javaOpens));
        conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
        // Cached partitions would otherwise pull every later task to the executor that computed them.
        conf.put("spark.locality.wait", "0s");
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
        conf.put("spark.ui.enabled", "false");
        return conf;
    }

    /**
     * spark-submit in client mode as a child JVM (the driver; {@code driverHeap} e.g. "2g"): {@code appJar} with
     * main class {@code mainClass}, the other jars by --jars, the given conf and application arguments, run in
     * {@code workDir}. Waits up to {@code timeout}; a run past it is killed and reported with exit code 124.
     */
    public Submission submit(String mainClass, Path appJar, List<Path> jars, Map<String, String> conf, List<String> args,
                             String driverHeap, Path workDir, Duration timeout) throws IOException, InterruptedException {
        List<String> submitArgs = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode", "client", "--class", mainClass));
        if (!jars.isEmpty()) submitArgs.addAll(List.of("--jars", String.join(",", jars.stream().map(Path::toString).toList())));
        conf.forEach((k, v) -> submitArgs.addAll(List.of("--conf", k + "=" + v)));
        submitArgs.add(appJar.toString());
        submitArgs.addAll(args);
        Path log = dir.resolve("submit-" + System.nanoTime() + ".log");
        Process p = launch(log, List.of("-Xmx" + driverHeap, "-Djava.awt.headless=true"), "org.apache.spark.deploy.SparkSubmit",
                submitArgs, workDir);
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) return new Submission(124, log);
            return new Submission(p.exitValue(), log);
        } finally {
            destroy(p);
        }
    }

    /** The master's state (its web UI's /json/: workers, active and completed applications). */
    public JsonNode masterState() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterWebPort + "/json/"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("master /json answered HTTP " + r.statusCode());
        return JSON.readTree(r.body());
    }

    /**
     * For each worker, the number of tasks its executors of application {@code appId} finished, counted from the
     * executors' own logs ({@code <work-dir>/<app>/<executor>/stderr}, where Spark's Executor logs "Finished task ..."
     * at INFO, the level conf/log4j2.properties keeps for it).
     */
    public List<Integer> finishedTasksPerWorker(String appId) {
        List<Integer> counts = new ArrayList<>();
        for (Path work : workerDirs) {
            int n = 0;
            Path app = work.resolve(appId);
            if (Files.isDirectory(app)) {
                try (Stream<Path> executors = Files.list(app)) {
                    for (Path e : executors.toList()) {
                        Path stderr = e.resolve("stderr");
                        if (Files.isRegularFile(stderr)) {
                            n += (int) read(stderr).lines().filter(l -> l.contains("Finished task")).count();
                        }
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot list " + app, ex);
                }
            }
            counts.add(n);
        }
        return counts;
    }

    /**
     * How many lines of the stdout of every executor worker {@code i} has run (for any application, restarts included)
     * match {@code line}: what code on the executors prints, e.g. a test's training hook.
     */
    public long executorStdoutLines(int i, java.util.function.Predicate<String> line) {
        long n = 0;
        try (Stream<Path> files = Files.walk(workerDirs.get(i), 3)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("stdout")).toList()) {
                n += read(f).lines().filter(line).count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + workerDirs.get(i), e);
        }
        return n;
    }

    /** The worker that started executor {@code executorId} (of any application: its folder in the worker's work directory). */
    public int workerOfExecutor(String executorId) throws IOException {
        for (int i = 0; i < workerDirs.size(); i++) {
            try (Stream<Path> apps = Files.list(workerDirs.get(i))) {
                if (apps.anyMatch(a -> Files.isDirectory(a.resolve(executorId)))) return i;
            }
        }
        throw new IllegalStateException("no worker started executor " + executorId);
    }

    /** The ids of the applications the workers ran executors for (their work-dir entries), oldest first. */
    public List<String> applicationIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (Path work : workerDirs) {
            try (Stream<Path> apps = Files.list(work)) {
                apps.map(a -> a.getFileName().toString()).filter(n -> n.startsWith("app-")).forEach(ids::add);
            }
        }
        return List.copyOf(ids);
    }

    /** The last lines of every daemon log and executor stderr: context for a failure message. */
    public String diagnostics(int linesEach) {
        StringBuilder sb = new StringBuilder();
        logs.forEach((p, log) -> sb.append(tail(log, linesEach, "== " + log.getFileName() + (p.isAlive() ? " (running)" : " (exit " + p.exitValue() + ")"))));
        for (Path work : workerDirs) {
            try (Stream<Path> files = Files.walk(work)) {
                files.filter(f -> f.getFileName().toString().equals("stderr"))
                        .forEach(f -> sb.append(tail(f, linesEach, "== " + work.relativize(f.getParent()) + " on " + work.getFileName())));
            } catch (IOException e) {
                sb.append("cannot list ").append(work).append(": ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    /** Stops every child JVM (spark-submit, workers with their executors, master). Safe to call twice. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
    }

    // ------------------------------------------------------------------------------------------ internals

    private void destroyAll() {
        List<Process> reversed = new ArrayList<>(processes);
        Collections.reverse(reversed); // workers (and their executors) before the master
        reversed.forEach(StandaloneCluster::destroy);
    }

    /** Executors are the workers' children: a worker killed first would orphan them, so descendants go first. */
    private static void destroy(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
        }
    }

    private void launch(String name, List<String> jvmOpts, String mainClass, List<String> args) throws IOException {
        launch(dir.resolve(name + ".log"), jvmOpts, mainClass, args, dir);
    }

    private Process launch(Path log, List<String> jvmOpts, String mainClass, List<String> args, Path workDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        cmd.addAll(javaOpens);
        cmd.addAll(List.of("-cp", sparkHome.resolve("conf") + File.pathSeparator + sparkHome.resolve("jars") + "/*", mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        // What sbin/spark-daemon.sh and bin/spark-class would set; the workers' launcher needs all of them.
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("SPARK_MASTER");
        env.remove("MASTER");
        Process p = pb.start();
        processes.add(p);
        logs.put(p, log);
        return p;
    }

    /** Waits until the master counts exactly {@code workers} alive; {@code dead} (a killed worker, or null) may have exited. */
    private void awaitWorkers(int expected, Process dead) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "master web UI not answering yet";
        while (System.nanoTime() < deadline) {
            List<Process> daemons = new ArrayList<>(workers);
            daemons.add(processes.get(0)); // the master
            daemons.remove(dead);
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a Spark daemon exited with " + p.exitValue() + "\n" + diagnostics(40));
                }
            }
            try {
                JsonNode s = masterState();
                int alive = s.path("aliveworkers").asInt(0);
                if (alive == expected) return;
                last = alive + " of " + expected + " workers alive";
            } catch (IOException notYet) {
                last = "master web UI: " + notYet;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the master did not count " + expected + " workers alive within " + START_TIMEOUT.toSeconds() + " s (" + last
                + ")\n" + diagnostics(40));
    }

    /** The test JVM's real class path: surefire hides it behind a manifest-only jar and names it in a property. */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(cp.split(File.pathSeparator));
    }

    /** Classes and jars this Maven build made (any target/ folder), as opposed to resolved libraries. */
    private static boolean isBuildOutput(Path p) {
        for (Path part : p) if (part.toString().equals("target")) return true;
        return false;
    }

    private static boolean isTestOutput(Path p) {
        String n = p.getFileName().toString();
        return n.equals("test-classes") || n.endsWith("-tests.jar");
    }

    /** modules/core/target/classes -> mrf-core.jar (the module's artifact name); test-classes -> mrf-core-tests.jar. */
    private static Path jarOf(Path classes, Path outDir, String suffix) throws IOException {
        Path module = classes.getParent().getParent();
        Path jar = outDir.resolve("mrf-" + module.getFileName() + suffix + ".jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.sorted().toList()) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                // Class loading needs no directory entries; the manifest is the one written above.
                if (Files.isDirectory(f) || name.equals("META-INF/MANIFEST.MF")) continue;
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + f + ": " + e + ")";
        }
    }

    private static String tail(Path f, int lines, String header) {
        List<String> all = read(f).lines().toList();
        return header + "\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    }
}
