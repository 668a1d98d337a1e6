package org.mrf.scq.spark.reconstruct;

import org.mrf.scq.core.recon.Csmr;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.spark.method.DictionaryMethod;
import org.mrf.scq.spark.method.SharedDictionary;
import org.mrf.scq.spark.method.TrainingData;

/**
 * CSMR, the iterative baseline of the SCQ paper's Table I (BLIP, Davies et al., SIAM J Imaging Sci 2014; {@link Csmr}),
 * as an evaluation method: it reconstructs from k-space, so it reads each slice's ISMRMRD file from a raw folder
 * ({@code mrf evaluate --raw DIR}: the folder {@code mrf reconstruct} read, or a cohort written by
 * {@code mrf simulate-cohort --raw}). Nothing is learned; fit lists the raw folder on the driver.
 */
public final class CsmrMethod extends DictionaryMethod {
    public static final String NAME = "csmr";

    private final String rawDir;
    private final int rank, iterations;
    private final Counter frameCounter;

    /** The dictionary is read on the executors (by {@link CsmrModel}), never on the driver. */
    public CsmrMethod(String rawDir, String dictionaryPath, int rank, int iterations, Counter frameCounter) {
        super(NAME, new SharedDictionary(dictionaryPath));
        this.rawDir = rawDir;
        this.rank = rank;
        this.iterations = iterations;
        this.frameCounter = frameCounter;
    }

    /** With {@link Csmr.Options#defaults()}'s rank and iterations and the default frame counter. */
    public CsmrMethod(String rawDir, String dictionaryPath) {
        this(rawDir, dictionaryPath, Csmr.Options.defaults().rank(), Csmr.Options.defaults().iterations(), IsmrmrdRaw.DEFAULT_FRAME_COUNTER);
    }

    @Override
    public CsmrModel fit(TrainingData data) {
        return CsmrModel.of(rawDir, dictionary.path(), data.t(), data.ar(), rank, iterations, frameCounter);
    }
}
