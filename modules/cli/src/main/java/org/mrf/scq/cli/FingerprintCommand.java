package org.mrf.scq.cli;

import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fingerprint", mixinStandardHelpOptions = true,
        description = "Simulate one FISP fingerprint (EPG, M0 = 1, not normalised) and write it as CSV.",
        footer = {"", "Examples:",
                "  mrf fingerprint --t1 1000 --t2 80 --out wm.csv",
                "  mrf fingerprint --schedule jiang2015-fisp-1000 --te-ms 1.908 --inversion-ms 18 --t1 1400 --t2 110 --out gm.csv",
                "  mrf fingerprint --schedule my_schedule.csv --t1 4000 --t2 2000 --tolerance 0 --out csf.csv"})
public final class FingerprintCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Mixin
    SequenceOptions sequence;
    @Option(names = "--t1", required = true, description = "T1 in ms.")
    double t1;
    @Option(names = "--t2", required = true, description = "T2 in ms.")
    double t2;
    @Option(names = "--out", required = true, description = "Output CSV with header n,real,imag,magnitude.")
    Path out;

    @Override
    public Integer call() throws IOException {
        sequence.apply(common);
        if (!(t1 > 0) || !(t2 > 0) || !Double.isFinite(t1) || !Double.isFinite(t2)) {
            throw new org.mrf.scq.core.util.MrfInputException("--t1 and --t2 must be finite and > 0 ms (got " + t1 + ", " + t2 + ").");
        }
        FispSequence seq = common.sequence();
        double[][] x = new EpgSimulator(seq, common.config().number("mrf.epg.tolerance")).simulate(t1, t2);
        StringBuilder sb = new StringBuilder("n,real,imag,magnitude\n");
        for (int i = 0; i < seq.length(); i++) {
            sb.append(i).append(',').append(String.format(Locale.ROOT, "%.9e,%.9e,%.9e", x[0][i], x[1][i],
                    Math.hypot(x[0][i], x[1][i]))).append('\n');
        }
        LocalFiles.writeAtomically(out, sb.toString());
        System.out.printf(Locale.ROOT, "fingerprint: T1=%.1f ms T2=%.1f ms schedule=%s T=%d wrote %s%n", t1, t2, seq.name(),
                seq.length(), out.toAbsolutePath());
        return 0;
    }
}
