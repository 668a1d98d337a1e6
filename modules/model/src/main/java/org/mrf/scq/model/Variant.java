package org.mrf.scq.model;

/**
 * The methods of the paper's ablations. Which input the network sees and which steps train it:
 * <ul>
 *   <li>{@link #SCQ}: learned per-pixel FE (pretrained as the extended FNN, step 1) + U-Net (step 2);</li>
 *   <li>{@link #SCQ_S}: FE replaced by a fixed linear projection (e.g. a dictionary SVD basis) + U-Net (step 2 only);</li>
 *   <li>{@link #SQ_ONLY}: U-Net directly on the raw 2T channels (step 2 only);</li>
 *   <li>{@link #FE_ONLY}: the extended FNN alone, per pixel, like DRONE (step 1 only);</li>
 *   <li>{@link #SCQ_M}: SCQ on magnitude-only input (T channels).</li>
 * </ul>
 */
public enum Variant {
    SCQ(true, true, false),
    SCQ_S(false, true, false),
    SQ_ONLY(false, true, false),
    FE_ONLY(true, false, false),
    SCQ_M(true, true, true);

    private final boolean pixelStep;
    private final boolean patchStep;
    private final boolean magnitude;

    Variant(boolean pixelStep, boolean patchStep, boolean magnitude) {
        this.pixelStep = pixelStep;
        this.patchStep = patchStep;
        this.magnitude = magnitude;
    }

    /** Whether step 1 (per-pixel extended FNN) runs. */
    public boolean hasPixelStep() { return pixelStep; }
    /** Whether step 2 (FE + U-Net on patches) runs. */
    public boolean hasPatchStep() { return patchStep; }
    /** Whether the input is the magnitude of each time point (T channels) instead of re/im (2T channels). */
    public boolean magnitudeInput() { return magnitude; }

    /** Whether a learned FE sees complex (re/im) input, which can be projected onto the dictionary subspace first. */
    public boolean complexFe() { return pixelStep && !magnitude; }

    /** Input channels for T time points. */
    public int inputChannels(int t) { return magnitude ? t : 2 * t; }

    public static Variant parse(String s) {
        String k = s.trim().toUpperCase().replace('-', '_');
        if (k.equals("SQ")) k = "SQ_ONLY";
        if (k.equals("FE") || k.equals("FNN") || k.equals("DRONE")) k = "FE_ONLY";
        try {
            return valueOf(k);
        } catch (IllegalArgumentException e) {
            throw new org.mrf.scq.core.util.MrfInputException("unknown model variant '" + s
                    + "': use one of scq, scq_s, sq_only, fe_only, scq_m");
        }
    }
}
