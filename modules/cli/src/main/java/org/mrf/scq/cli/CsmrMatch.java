package org.mrf.scq.cli;

import org.apache.hadoop.conf.Configuration;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdCsmr;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.spark.store.DictionaryStore;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code mrf match --method csmr --raw FILE}: the CSMR baseline (BLIP in the dictionary's subspace,
 * Davies et al., SIAM J Imaging Sci 2014; {@link Csmr}) on one slice of an ISMRMRD file
 * (docs/RAW-DATA.md), maps written as {@code mrf match} writes them. The options of this mixin are
 * those only CSMR reads.
 */
public final class CsmrMatch {
    @Option(names = "--raw", paramLabel = "FILE", description = "csmr: ISMRMRD file (.h5/.mrd) of one slice's k-space (docs/RAW-DATA.md).")
    Path raw;
    @Option(names = "--slice", paramLabel = "N", description = "csmr: the slice (idx.slice) to reconstruct when the file holds several.")
    Integer slice;
    @Option(names = "--frame-counter", defaultValue = "repetition", paramLabel = "COUNTER",
            description = "csmr: encoding counter (idx) holding the time point (default repetition).")
    String frameCounter;
    @Option(names = "--iterations", paramLabel = "N", description = "csmr: gradient-and-projection iterations (default 30).")
    Integer iterations;
    @Option(names = "--rank", paramLabel = "K", description = "csmr: rank of the dictionary subspace (default 8).")
    Integer rank;

    /** Runs CSMR and writes the maps to {@code out}; {@code out}'s existence was checked by the caller. */
    int run(String dictionary, Path out) throws Exception {
        if (raw == null) throw new MrfInputException("--method csmr needs --raw FILE (an ISMRMRD file), not --input.");
        if (!Files.isRegularFile(raw)) throw new MrfInputException("--raw " + raw + ": no such file.");
        Counter counter;
        try {
            counter = Counter.parse(frameCounter);
        } catch (IllegalArgumentException e) {
            throw new MrfInputException("--frame-counter: " + e.getMessage());
        }
        Csmr.Options o = Csmr.Options.defaults();
        if (iterations != null) o = o.withIterations(iterations);
        if (rank != null) o = o.withRank(rank);
        IsmrmrdRaw.Plan plan = IsmrmrdRaw.plan(raw, counter);
        int s = slice != null ? slice : plan.slices().get(0);
        if (slice == null && plan.slices().size() > 1) {
            throw new MrfInputException("--raw " + raw + " holds slices " + plan.slices() + ": pick one with --slice N.");
        }
        if (!plan.slices().contains(s)) throw new MrfInputException("--slice " + s + ": " + raw + " holds slices " + plan.slices() + ".");
        Dictionary dict = DictionaryStore.read(dictionary, new Configuration(), 0);
        IsmrmrdCsmr.Result r = IsmrmrdCsmr.reconstruct(raw, s, counter, dict, o);
        int n = r.matrix();
        MatchCommand.writeMaps(out, new MatchResult(r.maps().index(), r.maps().t1Ms(), r.maps().t2Ms(), r.maps().pd(), new float[n * n]), n, n);
        System.out.printf(Locale.ROOT, "match: method=csmr rank=%d iterations=%d frames=%d coils=%d matrix=%d seconds_per_slice=%.2f wrote %s/{t1_ms,t2_ms,pd}.{npy,nii}%n",
                o.rank(), o.iterations(), r.frames(), r.coils(), n, r.seconds(), out.toAbsolutePath());
        return 0;
    }
}
