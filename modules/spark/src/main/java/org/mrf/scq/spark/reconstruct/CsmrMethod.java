package org.mrf.scq.spark.reconstruct;

import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.spark.method.MapMethod;
import org.mrf.scq.spark.method.TrainingData;

/**
 * CSMR, the iterative baseline of the SCQ paper's Table I (BLIP, Davies et al., SIAM J Imaging Sci 2014; {@link Csmr}),
 * as an evaluation method: it reconstructs from k-space, so it reads each slice's ISMRMRD file from a raw folder
 * ({@code mrf evaluate --raw DIR}: the folder {@code mrf reconstruct} read, or a cohort written by
 * {@code mrf simulate-cohort --raw}). Nothing is learned; fit lists the raw folder on the driver.
 */
public final class CsmrMethod implements MapMethod {
    public static final String NAME = "csmr";

    private final String rawDir, dictionaryPath;
    private final int rank, iterations;
    private final Counter frameCounter;

    public CsmrMethod(String rawDir, String dictionaryPath, int rank, int iterations, Counter frameCounter) {
        this.rawDir = rawDir;
        this.dictionaryPath = dictionaryPath;
        this.rank = rank;
        this.iterations = iterations;
        this.frameCounter = frameCounter;
    }

    /** With {@link Csmr.Options#defaults()}'s rank and iterations and the default frame counter. */
    public CsmrMethod(String rawDir, String dictionaryPath) {
        this(rawDir, dictionaryPath, Csmr.Options.defaults().rank(), Csmr.Options.defaults().iterations(), IsmrmrdRaw.DEFAULT_FRAME_COUNTER);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean learns() {
        return false;
    }

    @Override
    public CsmrModel fit(TrainingData data) {
        return CsmrModel.of(rawDir, dictionaryPath, data.t(), data.ar(), rank, iterations, frameCounter);
    }
}
