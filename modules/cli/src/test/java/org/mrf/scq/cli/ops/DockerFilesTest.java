package org.mrf.scq.cli.ops;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Static checks of docker/ (no Docker engine is needed): every file the Dockerfiles copy from the
 * build context exists and is not filtered out by the Dockerfile's .dockerignore, every mrf path
 * the images and the compose file run is put there by a COPY of an existing repository file, and
 * docker-compose.yml has the cluster's services wired to each other.
 */
class DockerFilesTest {
    static final List<String> DOCKERFILES = List.of("docker/Dockerfile", "docker/Dockerfile.cuda");
    static final Pattern MRF_PATH = Pattern.compile("/opt/mrf/(?:bin|jobs|conf|docker)/[A-Za-z0-9._/-]+");
    static Path root;

    /** One COPY/ADD instruction from the build context (not --from another stage). */
    record Copy(String dockerfile, List<String> sources, String dest) {
    }

    @BeforeAll
    static void findRepositoryRoot() {
        root = OpsScripts.repositoryRoot();
    }

    /** Instructions of a Dockerfile: comments dropped, backslash continuations joined. */
    static List<String> instructions(String dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(root.resolve(dockerfile))) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && cur.length() == 0)) continue;
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
            } else {
                cur.append(t);
                if (cur.length() > 0) out.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        if (cur.length() > 0) out.add(cur.toString().strip());
        return out;
    }

    static List<String> args(String instruction) {
        String rest = instruction.substring(instruction.indexOf(' ') + 1).strip();
        List<String> args = new ArrayList<>();
        if (rest.startsWith("[")) {
            Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(rest);
            while (m.find()) args.add(m.group(1));
        } else {
            for (String a : rest.split("\\s+")) args.add(a);
        }
        return args;
    }

    static List<Copy> contextCopies(String dockerfile) throws IOException {
        List<Copy> copies = new ArrayList<>();
        for (String ins : instructions(dockerfile)) {
            String kw = ins.split("\\s+", 2)[0].toUpperCase();
            if (!kw.equals("COPY") && !kw.equals("ADD")) continue;
            List<String> a = args(ins);
            if (a.stream().anyMatch(s -> s.startsWith("--from"))) continue;
            a.removeIf(s -> s.startsWith("--"));
            assertTrue(a.size() >= 2, dockerfile + ": COPY without source and destination: " + ins);
            copies.add(new Copy(dockerfile, List.copyOf(a.subList(0, a.size() - 1)), a.get(a.size() - 1)));
        }
        return copies;
    }

    static List<String> ignorePatterns(String dockerfile) throws IOException {
        Path ignore = root.resolve(dockerfile + ".dockerignore");
        if (!Files.exists(ignore)) ignore = root.resolve(".dockerignore");
        if (!Files.exists(ignore)) return List.of();
        return Files.readAllLines(ignore).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!")).toList();
    }

    /** Whether a simple .dockerignore pattern ("dir/", "**&#47;dir/", "*.ext", "name") drops a path. */
    static boolean ignored(String path, String pattern) {
        String p = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
        String rel = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.startsWith("**/")) {
            String tail = p.substring(3);
            if (tail.startsWith("*.")) return rel.endsWith(tail.substring(1));
            return rel.equals(tail) || rel.startsWith(tail + "/") || rel.endsWith("/" + tail) || rel.contains("/" + tail + "/");
        }
        return rel.equals(p) || rel.startsWith(p + "/");
    }

    @Test
    void everyCopySourceExistsAndIsInTheBuildContext() throws IOException {
        for (String df : DOCKERFILES) {
            List<Copy> copies = contextCopies(df);
            assertFalse(copies.isEmpty(), df + " copies nothing from the build context");
            List<String> ignores = ignorePatterns(df);
            for (Copy c : copies) {
                for (String src : c.sources()) {
                    assertFalse(src.contains("..") || src.startsWith("/"), df + ": COPY source outside the context: " + src);
                    assertTrue(Files.exists(root.resolve(src)), df + ": COPY source missing in the repository: " + src);
                    for (String pattern : ignores) {
                        assertFalse(ignored(src, pattern), df + ": COPY source " + src + " is excluded by .dockerignore pattern " + pattern);
                    }
                }
            }
        }
    }

    @Test
    void theBuildContextKeepsWhatMavenNeedsAndDropsBuildOutput() throws IOException {
        for (String df : DOCKERFILES) {
            List<String> ignores = ignorePatterns(df);
            assertTrue(ignores.stream().anyMatch(p -> ignored("modules/cli/target", p)), df + ": target/ is not ignored");
            try (var poms = Files.walk(root.resolve("modules"), 2)) {
                for (Path pom : poms.filter(p -> p.getFileName().toString().equals("pom.xml")).toList()) {
                    String rel = root.relativize(pom).toString();
                    for (String pattern : ignores) assertFalse(ignored(rel, pattern), df + " ignores " + rel);
                }
            }
        }
    }

    /** Where the image's /opt/mrf/... path comes from in the repository, through the COPY list. */
    static Path sourceOf(String imagePath, List<Copy> copies) {
        for (Copy c : copies) {
            if (c.sources().size() != 1) continue;
            String src = c.sources().get(0);
            String dest = c.dest();
            if (dest.endsWith("/") && imagePath.startsWith(dest)) {
                Path p = root.resolve(src).resolve(imagePath.substring(dest.length()));
                if (Files.exists(p)) return p;
            } else if (imagePath.equals(dest) && Files.exists(root.resolve(src))) {
                return root.resolve(src);
            }
        }
        return null;
    }

    static Set<String> mrfPaths(String text) {
        Set<String> paths = new java.util.TreeSet<>();
        Matcher m = MRF_PATH.matcher(text);
        while (m.find()) paths.add(m.group());
        return paths;
    }

    @Test
    void everyMrfScriptAndConfFileTheImagesRunIsCopiedFromTheRepository() throws IOException {
        String compose = Files.readString(root.resolve("docker/docker-compose.yml"));
        for (String df : DOCKERFILES) {
            List<Copy> copies = contextCopies(df);
            String text = String.join("\n", instructions(df));
            Set<String> used = mrfPaths(text + "\n" + compose);
            assertTrue(used.contains("/opt/mrf/bin/mrf"), df + " does not run bin/mrf");
            for (String path : used) {
                Path src = sourceOf(path, copies);
                assertNotNull(src, df + ": nothing in the repository is copied to " + path);
                if (path.endsWith(".sh") || path.endsWith("/bin/mrf")) {
                    assertTrue(Files.isExecutable(src), src + " is not executable");
                }
            }
            // Scripts run from the build context in RUN steps (e.g. bash docker/stage-runtime.sh).
            Matcher m = Pattern.compile("(?<![/\\w])((?:docker|bin|jobs)/[A-Za-z0-9._-]+\\.sh)").matcher(text);
            while (m.find()) assertTrue(Files.isRegularFile(root.resolve(m.group(1))), df + " runs missing " + m.group(1));
            for (String ins : instructions(df)) {
                if (ins.startsWith("ENTRYPOINT")) assertTrue(ins.contains("/opt/mrf/bin/mrf"), df + ": entrypoint is not bin/mrf: " + ins);
            }
        }
        // The launch scripts read the Java 17 flags and log configuration from these files.
        for (String f : List.of("bin/java-opts.sh", "conf/log4j2.properties", "conf/application.conf", "jobs/submit.sh")) {
            assertTrue(Files.isRegularFile(root.resolve(f)), f);
        }
    }

    @Test
    void cudaImageIsBuiltWithTheCudaProfileOnACuda116Base() throws IOException {
        String text = String.join("\n", instructions("docker/Dockerfile.cuda"));
        assertTrue(text.contains("-Pcuda"), "Dockerfile.cuda does not build with -Pcuda");
        assertTrue(text.matches("(?s).*nvidia/cuda:11\\.6[.\\d]*-.*"), "Dockerfile.cuda is not on an nvidia/cuda 11.6 base");
        String pom = Files.readString(root.resolve("pom.xml"));
        assertTrue(pom.contains("<id>cuda</id>") && pom.contains("nd4j-cuda-11.6"), "root pom has no cuda profile");
    }

    /** Services of a compose file: name -> its indented block, by indentation only. */
    static Map<String, String> services(List<String> lines) {
        Map<String, String> services = new LinkedHashMap<>();
        boolean in = false;
        String name = null;
        StringBuilder block = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            boolean top = !line.startsWith(" ");
            if (top) {
                if (name != null) services.put(name, block.toString());
                name = null;
                in = line.startsWith("services:");
                continue;
            }
            if (!in) continue;
            Matcher m = Pattern.compile("^  ([A-Za-z0-9._-]+):\\s*$").matcher(line);
            if (m.matches()) {
                if (name != null) services.put(name, block.toString());
                name = m.group(1);
                block.setLength(0);
            } else if (name != null) {
                block.append(line).append('\n');
            }
        }
        if (name != null) services.put(name, block.toString());
        return services;
    }

    static String topLevelBlock(List<String> lines, String key) {
        StringBuilder b = new StringBuilder();
        boolean in = false;
        for (String line : lines) {
            if (!line.startsWith(" ") && !line.isBlank() && !line.startsWith("#")) in = line.startsWith(key + ":");
            else if (in) b.append(line).append('\n');
        }
        return b.toString();
    }

    @Test
    void composeHasTheClusterHistoryServerAndDemo() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("docker/docker-compose.yml"));
        String all = String.join("\n", lines);
        Map<String, String> services = services(lines);
        for (String s : List.of("spark-master", "spark-worker-1", "spark-worker-2", "spark-history", "demo")) {
            assertTrue(services.containsKey(s), "docker-compose.yml lacks service " + s + "; has " + services.keySet());
        }
        assertTrue(services.get("spark-master").contains("org.apache.spark.deploy.master.Master"));
        assertTrue(services.get("spark-master").contains("7077"));
        for (String w : List.of("spark-worker-1", "spark-worker-2")) {
            assertTrue(services.get(w).contains("org.apache.spark.deploy.worker.Worker"), w);
            assertTrue(services.get(w).contains("spark://spark-master:7077"), w + " does not join the master");
        }
        String history = services.get("spark-history");
        assertTrue(history.contains("org.apache.spark.deploy.history.HistoryServer"));
        String demo = services.get("demo");
        assertTrue(demo.contains("spark://spark-master:7077"), "demo does not use the master");
        assertTrue(demo.matches("(?s).*\\bdemo\\b.*--out.*"), "demo does not run the demo command");
        // Services inherit volumes from the x-mrf anchor; the anchor must carry both volumes.
        String anchor = topLevelBlock(lines, "x-mrf");
        assertTrue(anchor.contains("- data:/data") && anchor.contains("- spark-events:/spark-events"), anchor);
        for (String s : services.keySet()) assertTrue(services.get(s).contains("<<: *mrf"), s + " does not use the shared image/volumes");
        String volumes = topLevelBlock(lines, "volumes");
        assertTrue(volumes.contains("  data:") && volumes.contains("  spark-events:"), "top-level volumes: " + volumes);

        // Event logs: the driver writes where the history server reads, on the shared volume.
        String defaults = Files.readString(root.resolve("docker/spark-defaults.conf"));
        Matcher dir = Pattern.compile("(?m)^spark\\.eventLog\\.dir\\s+(\\S+)").matcher(defaults);
        assertTrue(dir.find(), "spark-defaults.conf sets no spark.eventLog.dir");
        assertTrue(defaults.matches("(?s).*spark\\.eventLog\\.enabled\\s+true.*"));
        assertTrue(history.contains("logDirectory=" + dir.group(1)), "history server does not read " + dir.group(1));
        assertTrue(dir.group(1).endsWith("/spark-events"));

        // Build section points at an existing Dockerfile, relative to the context.
        Matcher ctx = Pattern.compile("(?m)^\\s+context:\\s*(\\S+)").matcher(all);
        Matcher dfm = Pattern.compile("(?m)^\\s+dockerfile:\\s*(\\S+)").matcher(all);
        assertTrue(ctx.find() && dfm.find(), "no build context/dockerfile");
        Path context = root.resolve("docker").resolve(ctx.group(1)).normalize();
        assertEquals(root.normalize(), context, "build context is not the repository root");
        assertTrue(Files.isRegularFile(context.resolve(dfm.group(1))), dfm.group(1));
    }
}
