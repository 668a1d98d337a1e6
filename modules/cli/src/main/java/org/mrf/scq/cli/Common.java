package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.spark.SparkSessions;
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

    @Option(names = {"-v", "--verbose"}, description = "More log output (Spark at INFO).")
    boolean verbose;

    /** Flags of the command itself, as full config keys; set by each command before config(). */
    final Map<String, Object> flags = new LinkedHashMap<>();

    private MrfConfig config;

    public Common flag(String key, Object value) {
        if (value != null) flags.put(key, value);
        return this;
    }

    public MrfConfig config() {
        if (config == null) {
            if (verbose) flags.put("mrf.spark.log-level", "INFO");
            config = MrfConfig.load(flags, dProps, configFile, confDir());
        }
        return config;
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

    public SparkSession spark() {
        MrfConfig c = config();
        return SparkSessions.create(c.string("mrf.spark.app-name"), c.string("mrf.spark.master"),
                c.string("mrf.spark.log-level"), Map.of());
    }
}
