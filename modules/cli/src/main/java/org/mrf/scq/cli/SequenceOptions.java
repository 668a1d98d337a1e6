package org.mrf.scq.cli;

import picocli.CommandLine.Option;

/** The acquisition schedule and EPG options of the commands that simulate fingerprints (mrf.sequence.*, mrf.epg.*). */
public final class SequenceOptions {
    @Option(names = "--schedule", description = "default | jiang2015-fisp-1000 | CSV path (flip_deg,tr_ms[,te_ms][,phase_deg]).")
    String schedule;
    @Option(names = "--te-ms", description = "TE in ms for schedules without a te_ms column.")
    Double teMs;
    @Option(names = "--inversion-ms", description = "Inversion delay in ms.")
    Double inversionMs;
    @Option(names = "--tolerance", description = "EPG truncation tolerance (0 = exact).")
    Double tolerance;

    /** Maps the options given onto their configuration keys. */
    Common apply(Common common) {
        return common.flag("mrf.sequence.schedule", schedule).flag("mrf.sequence.te-ms", teMs)
                .flag("mrf.sequence.inversion-ms", inversionMs).flag("mrf.epg.tolerance", tolerance);
    }
}
