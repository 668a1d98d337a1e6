package org.mrf.scq.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import org.mrf.scq.core.util.MrfInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective configuration: command-line flags > -D properties > --config FILE > a command's own profile file
 * (the demo's conf/profiles/demo.conf) > conf/application.conf > the training profile > reference.conf. The training
 * profile is the {@code mrf.train} block of {@code conf/profiles/<mrf.train.profile>.conf} (or of the copy packaged
 * with the application): it fills in the training settings nobody above it set. Every key must exist in
 * reference.conf and have its type; a typo fails with the nearest known key. Files are parsed as HOCON data only:
 * includes of URLs and environment substitution are refused, so a config file cannot pull code or secrets in.
 */
public final class MrfConfig {
    public static final String ROOT = "mrf";
    public static final String PROFILE_KEY = "mrf.train.profile";

    private final Config config;
    /** The training profile over reference.conf: what a key is when no one set it. */
    private final Config profileDefaults;

    private MrfConfig(Config config, Config profileDefaults) {
        this.config = config;
        this.profileDefaults = profileDefaults;
    }

    public Config get() {
        return config;
    }

    /**
     * @param flags     command-line flags as full keys (e.g. mrf.sequence.te-ms), null values skipped
     * @param dProps    -Dkey=value given on the mrf command line (merged above JVM system properties)
     * @param file      the --config file, or null
     * @param confDir   the directory holding application.conf, or null
     */
    public static MrfConfig load(Map<String, Object> flags, Map<String, String> dProps, Path file, Path confDir) {
        return load(flags, dProps, file, confDir, null);
    }

    /** @param commandProfile a command's own profile file, below --config (the demo's), or null */
    public static MrfConfig load(Map<String, Object> flags, Map<String, String> dProps, Path file, Path confDir, Path commandProfile) {
        Config reference = ConfigFactory.parseResources(MrfConfig.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
        Config layered = ConfigFactory.empty();
        if (confDir != null) {
            Path app = confDir.resolve("application.conf");
            if (Files.isRegularFile(app)) layered = parseFile(app).withFallback(layered);
        }
        if (commandProfile != null && Files.isRegularFile(commandProfile)) layered = parseFile(commandProfile).withFallback(layered);
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new MrfInputException("--config " + file + ": no such file. Give an existing HOCON file.");
            }
            layered = parseFile(file).withFallback(layered);
        }
        Map<String, Object> sys = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith(ROOT + ".")) sys.put(k.toString(), v.toString());
        });
        if (dProps != null) sys.putAll(dProps);
        for (Map.Entry<String, Object> e : sys.entrySet()) {
            layered = ConfigFactory.empty().withValue(e.getKey(), hoconValue(e.getKey(), e.getValue().toString()))
                    .withFallback(layered);
        }
        Map<String, Object> cli = new LinkedHashMap<>();
        if (flags != null) flags.forEach((k, v) -> {
            if (v != null) cli.put(k, v instanceof List<?> l ? ConfigValueFactory.fromIterable(l) : v);
        });
        if (!cli.isEmpty()) layered = ConfigFactory.parseMap(cli, "command-line flag").withFallback(layered);
        String profile;
        try {
            profile = layered.withFallback(reference).resolve(ConfigResolveOptions.noSystem()).getString(PROFILE_KEY);
        } catch (ConfigException e) {
            profile = reference.getString(PROFILE_KEY); // the checks below report the malformed value
        }
        Config profileDefaults;
        Config resolved;
        try {
            profileDefaults = trainingProfile(profile, confDir).withFallback(reference);
            resolved = layered.withFallback(profileDefaults).resolve(ConfigResolveOptions.noSystem());
        } catch (ConfigException e) {
            throw new MrfInputException("configuration: " + e.getMessage() + (e instanceof ConfigException.UnresolvedSubstitution
                    ? ". Substitutions see only keys of the configuration itself, never environment variables or system"
                    + " properties: write the value, or pass it with -Dmrf.key=value." : ""), e);
        }
        checkKnownKeys(resolved, reference);
        try {
            resolved.checkValid(reference, ROOT);
        } catch (ConfigException.ValidationFailed e) {
            StringBuilder sb = new StringBuilder("configuration has values of the wrong type:");
            e.problems().forEach(p -> sb.append("\n  ").append(p.path()).append(" (").append(p.origin().description())
                    .append("): ").append(p.problem()));
            throw new MrfInputException(sb.append("\nSee reference.conf or 'mrf config show' for each key's type.").toString(), e);
        }
        checkConvertible(resolved, reference);
        return new MrfConfig(resolved, profileDefaults);
    }

    /**
     * The {@code mrf.train} block of the training profile {@code name}, without its own {@code profile} key: the file
     * {@code confDir/profiles/<name>.conf} where there is one (a site may edit it), else the copy packaged with the
     * application.
     */
    private static Config trainingProfile(String name, Path confDir) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (!org.mrf.scq.model.ScqSettings.PRESETS.contains(n)) {
            throw new MrfInputException(PROFILE_KEY + ": unknown training profile '" + name + "': use one of "
                    + String.join(", ", org.mrf.scq.model.ScqSettings.PRESETS) + ".");
        }
        Path onDisk = confDir == null ? null : confDir.resolve("profiles").resolve(n + ".conf");
        Config p;
        if (onDisk != null && Files.isRegularFile(onDisk)) {
            p = parseFile(onDisk);
        } else {
            p = ConfigFactory.parseResources(MrfConfig.class.getClassLoader(), "profiles/" + n + ".conf",
                    ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(NO_INCLUDES));
        }
        return p.hasPath("mrf.train") ? p.withOnlyPath("mrf.train").withoutPath(PROFILE_KEY) : ConfigFactory.empty();
    }

    /** The value {@code key} has in the training profile (or reference.conf): what "the profile's" means for a sentinel. */
    public Config profileDefaults() {
        return profileDefaults;
    }

    /** -D values are text; read them as HOCON values so lists and numbers work (-Dmrf.x='["a","b"]'). */
    private static ConfigValue hoconValue(String key, String text) {
        ConfigParseOptions opts = ConfigParseOptions.defaults().setOriginDescription("-D system property " + key)
                .setIncluder(NO_INCLUDES);
        try {
            return ConfigFactory.parseString("v = " + text, opts).getValue("v");
        } catch (ConfigException notHocon) {
            return ConfigValueFactory.fromAnyRef(text, "-D system property " + key);
        }
    }

    /**
     * Includes could read other files, fetch URLs or classpath resources at parse time; configs here are plain data.
     * Typesafe Config hands the qualified forms ({@code include file(...)}, {@code url(...)}, {@code classpath(...)},
     * also inside {@code required(...)}) to the File/URL/Classpath includer interfaces and, when the includer does
     * not implement them, loads them itself; so all four are implemented here, and all refuse.
     */
    private static final class NoIncludes implements com.typesafe.config.ConfigIncluder, com.typesafe.config.ConfigIncluderFile,
            com.typesafe.config.ConfigIncluderURL, com.typesafe.config.ConfigIncluderClasspath {
        @Override
        public com.typesafe.config.ConfigIncluder withFallback(com.typesafe.config.ConfigIncluder fallback) {
            return this;
        }

        private static MrfInputException refuse(String what) {
            return new MrfInputException("'include " + what + "' is not allowed (config files are plain data and may not "
                    + "read other files, URLs or classpath resources); put the keys in the file itself.");
        }

        @Override
        public com.typesafe.config.ConfigObject include(com.typesafe.config.ConfigIncludeContext context, String what) {
            throw refuse("\"" + what + "\"");
        }

        @Override
        public com.typesafe.config.ConfigObject includeFile(com.typesafe.config.ConfigIncludeContext context, java.io.File what) {
            throw refuse("file(\"" + what + "\")");
        }

        @Override
        public com.typesafe.config.ConfigObject includeURL(com.typesafe.config.ConfigIncludeContext context, java.net.URL what) {
            throw refuse("url(\"" + what + "\")");
        }

        @Override
        public com.typesafe.config.ConfigObject includeResources(com.typesafe.config.ConfigIncludeContext context, String what) {
            throw refuse("classpath(\"" + what + "\")");
        }
    }

    private static final com.typesafe.config.ConfigIncluder NO_INCLUDES = new NoIncludes();

    private static Config parseFile(Path p) {
        try {
            return ConfigFactory.parseFile(p.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                    .setAllowMissing(false).setIncluder(NO_INCLUDES));
        } catch (ConfigException e) {
            throw new MrfInputException("config file " + p + " is malformed: " + e.getMessage()
                    + ". Fix the HOCON syntax (key = value, blocks in { }).", e);
        } catch (MrfInputException e) {
            throw new MrfInputException("config file " + p + ": " + e.getMessage(), e);
        }
    }

    private static void checkKnownKeys(Config merged, Config reference) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : merged.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(ROOT + ".")) continue;
            if (!reference.hasPathOrNull(key)) {
                unknown.add("'" + key + "' (from " + e.getValue().origin().description() + ")"
                        + nearest(key, reference).map(n -> ": did you mean '" + n + "'?").orElse(""));
            }
        }
        if (!unknown.isEmpty()) {
            throw new MrfInputException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; 'mrf config show' lists every key.");
        }
    }

    /** checkValid accepts any string where a number is due; -D values are strings, so parse each one here. */
    private static void checkConvertible(Config merged, Config reference) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : reference.withOnlyPath(ROOT).entrySet()) {
            String key = e.getKey();
            try {
                switch (e.getValue().valueType()) {
                    case NUMBER -> merged.getDouble(key);
                    case BOOLEAN -> merged.getBoolean(key);
                    case LIST -> merged.getList(key);
                    default -> merged.getString(key);
                }
            } catch (ConfigException ex) {
                bad.add(key + " = " + merged.getValue(key).render(com.typesafe.config.ConfigRenderOptions.concise())
                        + " (from " + merged.getValue(key).origin().description() + ") must be a "
                        + e.getValue().valueType().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (!bad.isEmpty()) {
            throw new MrfInputException("configuration has values of the wrong type: " + String.join("; ", bad) + ".");
        }
    }

    private static java.util.Optional<String> nearest(String key, Config reference) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : reference.withOnlyPath(ROOT).entrySet().stream().map(Map.Entry::getKey).toList()) {
            int d = levenshtein(key, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= Math.max(3, key.length() / 4) ? java.util.Optional.ofNullable(best) : java.util.Optional.empty();
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Every key with its value and where it came from, sorted, for 'mrf config show'. */
    public String describe() {
        Map<String, ConfigValue> sorted = new TreeMap<>();
        config.withOnlyPath(ROOT).entrySet().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder sb = new StringBuilder();
        int width = sorted.keySet().stream().mapToInt(String::length).max().orElse(10);
        sorted.forEach((k, v) -> sb.append(String.format("%-" + width + "s = %-40s # %s%n", k, v.render(
                com.typesafe.config.ConfigRenderOptions.concise()), origin(v))));
        return sb.toString();
    }

    private static String origin(ConfigValue v) {
        String d = v.origin().description();
        if (d.contains("reference.conf")) return "default (reference.conf)";
        return d;
    }

    public String string(String key) { return config.getString(key); }
    public double number(String key) { return config.getDouble(key); }
    public int integer(String key) { return config.getInt(key); }
    public boolean bool(String key) { return config.getBoolean(key); }
    public List<String> strings(String key) { return config.getStringList(key); }
    public List<Double> numbers(String key) { return config.getDoubleList(key); }
}
