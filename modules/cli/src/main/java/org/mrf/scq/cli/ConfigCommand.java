package org.mrf.scq.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Inspect the configuration.",
        subcommands = {ConfigCommand.Show.class})
public final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print every effective key, its value and where the value came from.",
            footer = {"", "Examples:", "  mrf config show", "  mrf config show --config cluster.conf -Dmrf.epg.tolerance=1e-6"})
    static final class Show implements Callable<Integer> {
        @Mixin
        Common common;

        @Override
        public Integer call() {
            System.out.print(common.config().describe());
            return 0;
        }
    }
}
