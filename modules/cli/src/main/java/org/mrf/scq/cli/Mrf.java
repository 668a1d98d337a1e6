package org.mrf.scq.cli;

import com.typesafe.config.ConfigException;
import org.mrf.scq.core.util.MrfInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The mrf command line: one flat tool per stage over one library, like BART. */
@Command(name = "mrf", mixinStandardHelpOptions = true, versionProvider = Mrf.Version.class,
        description = "MR fingerprinting on Spark: FISP EPG dictionaries, dictionary matching and SCQ.",
        subcommands = {FingerprintCommand.class, DictionaryCommand.class, SvdCommand.class, MatchCommand.class,
                SimulateCohortCommand.class, IngestCommand.class, GroundTruthCommand.class, TrainCommand.class, InferCommand.class,
                EvaluateCommand.class, ReprocessCommand.class, DemoCommand.class, ReconstructCommand.class,
                ConfigCommand.class, BenchCommand.class, ReproduceCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  mrf fingerprint --t1 1000 --t2 80 --out wm.csv",
                "  mrf dictionary --out dict/",
                "  mrf train --slices slices/ --ground-truth gt/ --out models/scq-ar4",
                "  mrf infer --slices slices/ --model models/scq-ar4 --out maps/scq-ar4",
                "  mrf config show",
                "Run 'mrf help COMMAND' for a command's options and examples."})
public final class Mrf implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"mrf " + org.mrf.scq.core.util.CodeVersion.get()};
        }
    }

    /** Commands whose work runs on ND4J (networks, or DM's GEMMs): they name the backend and device first. */
    static final java.util.Set<String> ND4J_COMMANDS = java.util.Set.of("train", "infer", "evaluate", "demo", "reprocess",
            "match", "ground-truth");

    /** Exit code 2 with one clear line for bad input; a stack trace only for real bugs. */
    static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Mrf());
        cl.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) return help;
            CommandLine.ParseResult leaf = parsed;
            while (leaf.hasSubcommand()) leaf = leaf.subcommand();
            if (ND4J_COMMANDS.contains(leaf.commandSpec().name())) {
                // In one place for every such command, so a CPU fallback on a GPU node is visible in any log.
                leaf.commandSpec().commandLine().getErr().println(Common.nd4jBackendLine());
                leaf.commandSpec().commandLine().getErr().flush();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable root = ex;
            while (root != null && !(root instanceof MrfInputException) && !(root instanceof ConfigException)) {
                root = root.getCause();
            }
            if (root != null) {
                cmd.getErr().println("error: " + root.getMessage());
                return 2;
            }
            if (!Terminal.installed()) throw ex;
            // A real failure on the command line: the stack trace goes to the log, the cause is the last line.
            org.apache.logging.log4j.LogManager.getLogger("mrf.failure").error("mrf " + String.join(" ", args0(parsed)) + " failed", ex);
            Throwable cause = ex;
            while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
            Terminal.logFile().ifPresent(f -> cmd.getErr().println("log: " + f));
            cmd.getErr().println("error: " + cause.getClass().getName() + ": " + cause.getMessage());
            return 1;
        });
        return cl;
    }

    private static java.util.List<String> args0(CommandLine.ParseResult parsed) {
        return parsed.originalArgs();
    }

    public static void main(String[] args) {
        Terminal.install();
        System.exit(execute(args));
    }
}
