package org.mrf.scq.io.ismrmrd;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The CSMR baseline on one slice of an ISMRMRD file (Davies et al., SIAM J Imaging Sci 2014;
 * {@link Csmr}): the slice-level entry point of {@code mrf match --method csmr} and of an
 * evaluation method that reads each slice's raw file on the executors. Plain Java, no Spark.
 */
public final class IsmrmrdCsmr {
    private IsmrmrdCsmr() {
    }

    /** Maps of one slice and the seconds it took (read and reconstruct), with the series' shape. */
    public record Result(Csmr.Result maps, int matrix, int frames, int coils, double seconds) {
    }

    /**
     * Reads slice {@code slice} of {@code file} ({@link IsmrmrdRaw#read}) and reconstructs its maps
     * against {@code dict}. A file that names a schedule hash other than the dictionary's, with as
     * many frames as the dictionary has time points, is refused naming both.
     */
    public static Result reconstruct(Path file, int slice, Counter frameCounter, Dictionary dict, Csmr.Options o) throws IOException {
        return reconstruct(file, slice, frameCounter, 0, dict, o);
    }

    /** As above, from the first {@code frames} frames of the slice (0: all), as an accelerated scan would have them. */
    public static Result reconstruct(Path file, int slice, Counter frameCounter, int frames, Dictionary dict, Csmr.Options o)
            throws IOException {
        long t0 = System.nanoTime();
        IsmrmrdRaw.Slice s = IsmrmrdRaw.read(file, slice, frameCounter);
        if (frames > s.series().frames()) {
            throw new MrfInputException(file + ": slice " + slice + " has " + s.series().frames() + " frames (idx."
                    + frameCounter.field() + "), " + frames + " were asked for.");
        }
        RawSeries series = frames > 0 ? s.series().truncate(frames) : s.series();
        String hash = s.header().userString(IsmrmrdHeader.SCHEDULE_HASH);
        if (hash != null && dict.scheduleHash() != null && series.frames() == dict.timepoints() && !hash.equals(dict.scheduleHash())) {
            throw new MrfInputException(file + ": userParameters/" + IsmrmrdHeader.SCHEDULE_HASH + " " + hash
                    + " is not the dictionary's schedule (" + dict.scheduleHash() + "). Use a dictionary of the schedule the "
                    + "data were acquired with.");
        }
        Csmr.Result r = Csmr.reconstruct(series, dict, o);
        return new Result(r, series.matrix(), series.frames(), series.coils(), (System.nanoTime() - t0) / 1e9);
    }
}
