package org.mrf.scq.cli;

import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print their figures.",
        subcommands = {BenchCommand.Epg.class, BenchCommand.Match.class, ReconstructBench.class, IngestBench.class, BenchCommand.Train.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "epg", mixinStandardHelpOptions = true,
            description = "EPG throughput over the configured grid and schedule at the configured tolerance, all cores of one JVM.",
            footer = {"", "Prints 'epg entry_tr_per_s=<median>' plus each repeat (after one warm-up).", "Examples:", "  mrf bench epg",
                    "  mrf bench epg --repeats 5 --threads 1"})
    static final class Epg implements Runnable {
        @Mixin
        Common common;
        @Mixin
        Repeats repeats;
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
            double[] rates = new double[repeats.count];
            for (int r = -1; r < repeats.count; r++) {
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
            System.out.printf(Locale.ROOT, "epg entry_tr_per_s=%.4e threads=%d tolerance=%g entries=%d timepoints=%d%n",
                    Repeats.median(rates), th, tol, grid.size(), seq.length());
        }
    }

    @Command(name = "match", mixinStandardHelpOptions = true,
            description = "Exact DM (subspace pruning) against brute-force DM, and the SDM core, on a synthetic slice of the "
                    + "paper dictionary (13,123 entries, T = 2304): random entries, PD and phase plus complex Gaussian noise.",
            footer = {"", "Prints 'match dm_seconds=... dm_bruteforce_seconds=... agree_pct=... ties=... sdm_core_seconds=... "
                    + "sgemm_gflops=...' (medians of the repeats; brute force runs once) after per-ar lines.",
                    "Examples:", "  mrf bench match", "  mrf bench match --quick", "  mrf bench match --side 128 --no-bruteforce --repeats 5"})
    static final class Match implements Runnable {
        @Option(names = "--side", defaultValue = "256", description = "Slice side in pixels (default 256, the paper's matrix).")
        int side;
        @Option(names = "--quick", description = "A 64 x 64 slice and one repeat.")
        boolean quick;
        @Mixin
        Repeats repeats;
        @Option(names = "--noise", defaultValue = "0.03", description = "Noise per component, relative to the pixel's RMS (default 0.03).")
        double noise;
        @Option(names = "--ars", defaultValue = "1,2,4,8,16", split = ",", description = "Acceleration rates, t = 2304 / ar (default 1,2,4,8,16).")
        int[] ars;
        @Option(names = "--energy", defaultValue = "0.9999", description = "SVD energy of the SDM core (default 0.9999).")
        double energy;
        @Option(names = "--no-bruteforce", description = "Skip brute-force DM (and so agreement and ties).")
        boolean noBruteForce;

        @Override
        public void run() {
            org.mrf.scq.core.match.bench.MatchBench.Options o = new org.mrf.scq.core.match.bench.MatchBench.Options();
            o.side = quick ? 64 : side;
            o.repeats = quick ? 1 : repeats.count;
            o.noise = noise;
            o.ars = ars;
            o.energy = energy;
            o.bruteForce = !noBruteForce;
            if (o.side < 1 || o.repeats < 1 || !(o.noise >= 0) || !(o.energy > 0 && o.energy < 1)) {
                throw new org.mrf.scq.core.util.MrfInputException("mrf bench match: need --side >= 1, --repeats >= 1, --noise >= 0 "
                        + "and 0 < --energy < 1.");
            }
            org.mrf.scq.core.match.bench.MatchBench.run(o, System.out);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training speed of the SCQ networks on random data: step 1 (extended FNN, pixel minibatch) and step 2 "
                    + "(FE + U-Net on patches) of each network profile, with the FLOP rate reached and the sgemm rate of this JVM.",
            footer = {"", "Prints per profile 'train profile=<p> step1_px_per_s=... step2_patches_per_s=... step1_gflops=... "
                    + "step2_gflops=... sgemm_gflops=...' (medians of the repeats after one warm-up). Step 2 uses the profile's",
                    "patch side and minibatch, at most 8 patches. Examples:", "  mrf bench train", "  mrf bench train --quick",
                    "  mrf bench train --profiles quick --timepoints 1152 --repeats 5"})
    static final class Train implements Runnable {
        @Option(names = "--timepoints", defaultValue = "576", description = "Series length T (default 576, ar 4 of 2304).")
        int timepoints;
        @Option(names = "--profiles", defaultValue = "quick,paper", split = ",", description = "Network profiles (default quick,paper).")
        java.util.List<String> profiles;
        @Mixin
        Repeats repeats;
        @Option(names = "--quick", description = "The quick profile only, one repeat.")
        boolean quick;

        @Override
        public void run() {
            if (timepoints < 1 || repeats.count < 1) {
                throw new org.mrf.scq.core.util.MrfInputException("mrf bench train: need --timepoints >= 1 and --repeats >= 1.");
            }
            org.mrf.scq.model.bench.ModelBench.trainKeys(timepoints, quick ? 1 : repeats.count,
                    quick ? java.util.List.of("quick") : profiles.stream().map(String::strip).toList(), System.out);
        }
    }
}
