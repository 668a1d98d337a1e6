package org.mrf.scq.cli;

import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print their figures.",
        subcommands = {BenchCommand.Epg.class, ReconstructBench.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "epg", mixinStandardHelpOptions = true,
            description = "EPG throughput over the configured grid and schedule at the configured tolerance, all cores of one JVM.",
            footer = {"", "Prints 'epg entry_tr_per_s=<median>' plus each repeat.", "Examples:", "  mrf bench epg",
                    "  mrf bench epg --repeats 5 --threads 1"})
    static final class Epg implements Runnable {
        @Mixin
        Common common;
        @Option(names = "--repeats", defaultValue = "3", description = "Timed repeats after one warm-up (default 3).")
        int repeats;
        @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = all cores).")
        int threads;

        @Override
        public void run() {
            MrfConfig c = common.config();
            FispSequence seq = common.sequence();
            DictionaryGrid grid = DictionaryGrid.fromRanges(c.strings("mrf.dictionary.t1-ranges"),
                    c.strings("mrf.dictionary.t2-ranges"), c.bool("mrf.dictionary.t2-at-most-t1"), "mrf.dictionary");
            double tol = c.number("mrf.epg.tolerance");
            int th = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            double[] rates = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                long t0 = System.nanoTime();
                AtomicInteger next = new AtomicInteger();
                IntStream.range(0, th).parallel().forEach(w -> {
                    EpgSimulator sim = new EpgSimulator(seq, tol);
                    double[] re = new double[seq.length()], im = new double[seq.length()];
                    for (int i = next.getAndIncrement(); i < grid.size(); i = next.getAndIncrement()) {
                        sim.simulate(grid.t1(i), grid.t2(i), re, im, 0);
                    }
                });
                double sec = (System.nanoTime() - t0) / 1e9;
                double rate = (double) grid.size() * seq.length() / sec;
                if (r >= 0) {
                    rates[r] = rate;
                    System.out.printf(Locale.ROOT, "repeat %d: %d entries x %d TRs in %.2f s (%.3e entry-TR/s)%n", r + 1,
                            grid.size(), seq.length(), sec, rate);
                }
            }
            Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "epg entry_tr_per_s=%.4e threads=%d tolerance=%g entries=%d timepoints=%d%n",
                    rates[repeats / 2], th, tol, grid.size(), seq.length());
        }
    }
}
