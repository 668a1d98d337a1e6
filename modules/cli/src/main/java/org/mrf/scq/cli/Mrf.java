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
                EvaluateCommand.class, DemoCommand.class,
                ConfigCommand.class, BenchCommand.class,
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

    /** Exit code 2 with one clear line for bad input; a stack trace only for real bugs. */
    static int execute(String... args) {
        CommandLine cl = new CommandLine(new Mrf());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable root = ex;
            while (root != null && !(root instanceof MrfInputException) && !(root instanceof ConfigException)) {
                root = root.getCause();
            }
            if (root != null) {
                cmd.getErr().println("error: " + root.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
