package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.spark.hadoop.SparkSessions;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options every command shares, and the effective configuration they lead to. */
public final class Common {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with mrf.* keys (above conf/application.conf).")
    Path configFile;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Set a configuration key, e.g. -Dmrf.epg.tolerance=1e-6.")
    Map<String, String> dProps = new LinkedHashMap<>();

    @Option(names = {"-v", "--verbose"}, description = "Library log output on the terminal too (Spark at INFO).")
    boolean verbose;

    @Option(names = "--log", paramLabel = "FILE", description = "Log file (default: the command's, else $TMPDIR/mrf-logs/mrf-<time>-<pid>.log).")
    Path logFile;

    /** Flags of the command itself, as full config keys; set by each command before config(). */
    final Map<String, Object> flags = new LinkedHashMap<>();

    private MrfConfig config;

    public Common flag(String key, Object value) {
        if (value != null) flags.put(key, value);
        return this;
    }

    public MrfConfig config() {
        if (config == null) {
            if (logFile != null) Terminal.logTo(logFile);
            if (verbose) {
                flags.put("mrf.spark.log-level", "INFO");
                Terminal.verbose();
            }
            config = MrfConfig.load(flags, dProps, configFile, confDir());
        }
        return config;
    }

    /** The command's own default log file, unless {@code --log} named one. */
    public void defaultLog(Path file) {
        if (logFile == null) Terminal.logTo(file);
    }

    /** conf/ of the installation (MRF_HOME, set by bin/mrf) or of the working directory. */
    static Path confDir() {
        String home = System.getenv("MRF_HOME");
        Path dir = home != null ? Path.of(home, "conf") : Path.of("conf");
        return Files.isDirectory(dir) ? dir : null;
    }

    public FispSequence sequence() {
        MrfConfig c = config();
        return Schedules.load(c.string("mrf.sequence.schedule"), c.number("mrf.sequence.te-ms"),
                c.number("mrf.sequence.inversion-ms"));
    }

    /**
     * The ND4J backend and device(s) this JVM computes on, as one line, e.g.
     * {@code nd4j backend=CpuBackend device=cpu threads=2 blas=OPENBLAS} or
     * {@code nd4j backend=JCublasBackend devices=1 device0="NVIDIA H100 80GB HBM3" memory0=79.6GiB}. A CUDA
     * build that silently fell back to the CPU is the usual surprise on a GPU node; this line shows it.
     */
    public static String nd4jBackendLine() {
        String backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        java.util.Properties env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        StringBuilder sb = new StringBuilder("nd4j backend=").append(backend);
        Object devices = env.get("cuda.devicesInformation");
        if (devices instanceof java.util.List<?> list && !list.isEmpty()) {
            sb.append(" devices=").append(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Map<?, ?> d)) continue;
                sb.append(" device").append(i).append("=\"").append(d.get("cuda.deviceName")).append('"');
                if (d.get("cuda.totalMemory") instanceof Number mem) {
                    sb.append(String.format(java.util.Locale.ROOT, " memory%d=%.1fGiB", i, mem.doubleValue() / (1L << 30)));
                }
            }
        } else {
            // Values are Integers, not Strings: Properties.getProperty would miss them.
            Object threads = env.get("omp.threads");
            sb.append(" device=cpu threads=").append(threads != null ? threads
                    : org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
            Object blas = env.get("blas.vendor");
            if (blas != null) sb.append(" blas=").append(blas);
        }
        return sb.toString();
    }

    /**
     * Runs one Spark job on a session for {@code master} (null = configured), prints the job's summary line and
     * stops the session; exit code 0.
     */
    public int runJob(String master, java.util.function.Function<SparkSession, String> job) {
        flag("mrf.spark.master", master);
        SparkSession spark = spark();
        try {
            System.out.println(job.apply(spark));
        } finally {
            spark.stop();
        }
        return 0;
    }

    public SparkSession spark() {
        MrfConfig c = config();
        return SparkSessions.create(c.string("mrf.spark.app-name"), c.string("mrf.spark.master"),
                c.string("mrf.spark.log-level"), Map.of());
    }
}
