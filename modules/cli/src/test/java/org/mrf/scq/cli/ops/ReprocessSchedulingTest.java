package org.mrf.scq.cli.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scheduling examples for 'mrf reprocess': the crontab runs scripts that exist, under flock,
 * with its output redirected; the Airflow DAG is valid Python that submits reprocess through
 * jobs/submit.sh. Both pass the options the command has.
 */
class ReprocessSchedulingTest {
    static final String CRON = "jobs/cron/mrf-reprocess.cron";
    static final String DAG = "jobs/airflow/mrf_reprocess_dag.py";
    static final Pattern FIELD = Pattern.compile("[0-9*/,-]+|@(hourly|daily|weekly|monthly|yearly|reboot)");

    @Test
    void crontabRunsExistingScriptsUnderFlockWithItsOutputLogged() throws Exception {
        Path root = OpsScripts.repositoryRoot();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> jobs = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve(CRON))) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            Matcher m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\\S+)").matcher(t);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
                continue;
            }
            jobs.add(t);
        }
        assertEquals(1, jobs.size(), "one job line: " + jobs);
        String[] f = jobs.get(0).split("\\s+", 6);
        for (int i = 0; i < 5; i++) assertTrue(FIELD.matcher(f[i]).matches(), "schedule field " + i + " '" + f[i] + "'");
        String cmd = f[5];
        assertFalse(cmd.contains("%"), "an unescaped % ends a crontab command: " + cmd);
        assertTrue(cmd.startsWith("flock -n "), "a still-running run must make the next tick exit: " + cmd);
        assertTrue(cmd.matches(".*>>\\s*\\S+\\s+2>&1\\s*$"), "stdout and stderr appended to a log: " + cmd);
        for (String k : List.of("MRF_HOME", "SPARK_HOME", "MASTER", "PATH")) assertTrue(env.containsKey(k), k + " set for cron");

        // Every $MRF_HOME/... the job runs is an executable script of the repository (MRF_HOME is its install).
        Matcher scripts = Pattern.compile("\\$\\{?MRF_HOME}?/([A-Za-z0-9._/-]+)").matcher(cmd);
        List<String> found = new ArrayList<>();
        while (scripts.find()) found.add(scripts.group(1));
        assertEquals(List.of("jobs/reprocess.sh"), found);
        for (String s : found) {
            assertTrue(Files.isRegularFile(root.resolve(s)) && Files.isExecutable(root.resolve(s)), s + " exists and is executable");
        }
        String wrapper = Files.readString(root.resolve("jobs/reprocess.sh"));
        assertTrue(wrapper.contains("submit.sh\" reprocess \"$@\""), "jobs/reprocess.sh submits 'reprocess':\n" + wrapper);
        for (String opt : List.of("--cohort", "--model", "--out")) assertTrue(cmd.contains(opt + " "), opt + " in " + cmd);
        assertOptionsExist(cmd);
    }

    /** Every --option the example passes is one 'mrf reprocess' has. */
    static void assertOptionsExist(String text) {
        var spec = new picocli.CommandLine(new org.mrf.scq.cli.ReprocessCommand()).getCommandSpec();
        Matcher m = Pattern.compile("(?<=\\s)--[a-z][a-z-]*").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            assertNotNull(spec.findOption(m.group()), "'mrf reprocess' has no option " + m.group());
        }
        assertTrue(n >= 3, "options found: " + n);
    }

    @Test
    void airflowDagCompilesAndSubmitsReprocess(@TempDir Path tmp) throws Exception {
        assumeTrue(OpsScripts.available(List.of("python3", "--version")), "python3 is not installed");
        Path root = OpsScripts.repositoryRoot();
        // The byte code goes to a temporary folder, not a __pycache__ in the repository.
        var r = OpsScripts.run(root, 60, List.of("python3", "-m", "py_compile", DAG), Map.of("PYTHONPYCACHEPREFIX", tmp.toString()));
        assertEquals(0, r.exitCode(), r.output());
        try (var s = Files.walk(tmp)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("mrf_reprocess_dag.")), "compiled byte code");
        }
        String dag = Files.readString(root.resolve(DAG));
        Matcher m = Pattern.compile("/(jobs/[A-Za-z0-9._-]+\\.sh) reprocess").matcher(dag);
        assertTrue(m.find(), "the DAG runs jobs/submit.sh reprocess");
        assertEquals("jobs/submit.sh", m.group(1));
        assertTrue(Files.isExecutable(root.resolve(m.group(1))));
        for (String opt : List.of("--cohort", "--model", "--out")) assertTrue(dag.contains(" " + opt + " "), opt);
        assertTrue(dag.contains("max_active_runs=1"), "one run at a time");
        assertOptionsExist(dag.substring(dag.indexOf("REPROCESS = ("), dag.indexOf("with DAG(")));
        assertTrue(dag.contains("dag_id=\"mrf_reprocess\""));
    }
}
