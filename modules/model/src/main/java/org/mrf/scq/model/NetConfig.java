package org.mrf.scq.model;

import org.mrf.scq.model.data.SliceInputs;

import java.util.Arrays;

/**
 * Architecture of one SCQ network (one property). Plain data; the CLI maps Typesafe Config onto it.
 *
 * @param t            time points used (the first T of the schedule); input has 2T channels (T for SCQ_M)
 * @param variant      which method of the ablation
 * @param feWidths     widths of the per-pixel FE layers, the last one is D (each layer: dense + BN + ReLU)
 * @param unetWidths   U-Net level widths from the top, e.g. 64,128,256 (one 2x2 max-pool after each level)
 * @param unetBottom   width at the bottom of the U-Net, e.g. 512
 * @param convsPerBlock 3x3 conv+BN+ReLU layers per U-Net block (2 in a classic U-Net)
 * @param bnDecay      batch-norm running-statistics decay
 * @param seed         weight-init seed
 * @param subspaceRank complex rank K of a fixed projection of the input onto the dictionary's SVD subspace in front
 *                     of the FE (SCQ and FE_ONLY only; 0 = the FE sees the raw 2T channels, as in the paper). See
 *                     {@link #projectsInput()}. A deviation from the paper ("subspace input").
 * @param residualHead SCQ and SCQ_M keep step 1's per-pixel head beside the U-Net and add the two (the U-Net learns a
 *                     correction of the FE-only estimate); false = the U-Net alone gives the map, as in the paper. A
 *                     deviation from the paper ("residual head").
 * @param foldBn       step 2 folds each FE batch norm into its dense layer at step 1's running statistics; false = the
 *                     FE's batch norms keep training in step 2, as in the paper. A deviation ("BN folding").
 * @param phaseReference each pixel's complex series is rotated to the phase convention of
 *                     {@link SliceInputs.Form#REFERENCED} before it enters the network (training and inference alike);
 *                     false = re/im as acquired, as in the paper, and as every model before the convention took them.
 *                     Without effect on magnitude input (SCQ_M). A deviation ("phase reference").
 */
public record NetConfig(int t, Variant variant, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock,
                        double bnDecay, long seed, int subspaceRank, boolean residualHead, boolean foldBn,
                        boolean phaseReference) {

    public NetConfig {
        if (t < 1) throw new IllegalArgumentException("T must be >= 1, got " + t);
        if (variant == null) throw new IllegalArgumentException("variant is required");
        feWidths = feWidths == null ? new int[0] : feWidths.clone();
        unetWidths = unetWidths == null ? new int[0] : unetWidths.clone();
        for (int w : feWidths) if (w < 1) throw new IllegalArgumentException("FE widths must be >= 1: " + Arrays.toString(feWidths));
        for (int w : unetWidths) if (w < 1) throw new IllegalArgumentException("U-Net widths must be >= 1: " + Arrays.toString(unetWidths));
        if (variant.hasPixelStep() && feWidths.length == 0) throw new IllegalArgumentException(variant + " needs FE widths");
        if (variant.hasPatchStep() && (unetWidths.length == 0 || unetBottom < 1 || convsPerBlock < 1))
            throw new IllegalArgumentException(variant + " needs U-Net widths, a bottom width and convsPerBlock >= 1");
        if (!(bnDecay > 0 && bnDecay < 1)) throw new IllegalArgumentException("bnDecay must be in (0,1)");
        if (subspaceRank < 0) throw new IllegalArgumentException("subspaceRank must be >= 0, got " + subspaceRank);
        if (subspaceRank > 0 && !variant.complexFe()) {
            throw new IllegalArgumentException(variant + " has no FE on complex input to project: subspaceRank must be 0");
        }
        if (subspaceRank > t) throw new IllegalArgumentException("subspaceRank " + subspaceRank + " exceeds T = " + t);
    }

    /** Re/im as acquired (every model before the phase convention). */
    public NetConfig(int t, Variant variant, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock, double bnDecay,
                     long seed, int subspaceRank, boolean residualHead, boolean foldBn) {
        this(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, subspaceRank, residualHead, foldBn, false);
    }

    /** With this project's residual head and BN folding (the settings every model had before they were switches). */
    public NetConfig(int t, Variant variant, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock, double bnDecay,
                     long seed, int subspaceRank) {
        this(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, subspaceRank, true, true);
    }

    /** The raw 2T channels as the FE's input (subspaceRank 0), with the residual head and BN folding. */
    public NetConfig(int t, Variant variant, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock, double bnDecay, long seed) {
        this(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, 0);
    }

    /** The paper's network ({@link ScqSettings#paper()}) with D = {@code d}. */
    public static NetConfig paper(int t, Variant variant, int d) {
        return paper(t, variant).withD(d);
    }

    /** The paper's network ({@link ScqSettings#paper()}): none of this project's switches on. */
    public static NetConfig paper(int t, Variant variant) {
        return ScqSettings.paper().net(t, variant);
    }

    /**
     * Small widths for 2-core machines, chosen from ModelBench measurements (see the module README):
     * FE 64,D with D = 16; U-Net 8/16 with 32 at the bottom, one conv per block (two poolings, so patch
     * and slice sizes must be multiples of 4). DL4J's 3x3 convolutions cost in proportion to pixels x
     * channels even at tiny widths, so the quick profile keeps full-resolution widths at 8 and trains on
     * 32x32 patches ({@link TrainConfig#quick()}).
     */
    public static NetConfig quick(int t, Variant variant) {
        return ScqSettings.quick().net(t, variant);
    }

    /**
     * The quick profile's FE sees the input projected onto the dictionary's rank-16 SVD subspace (32 real channels)
     * instead of all 2T channels. A first FE layer on 1152 channels has ~74k weights to learn from the ~5k pixels of
     * a small cohort and overfits (one demo fold at ar 4, FE-only 20 epochs: T1 error vs GT 3.2 % test / 2.2 % train);
     * on the subspace, which keeps the fingerprints and drops the noise and aliasing outside it as SDM does, it
     * does not (2.6 % / 2.5 %), and T2 gains most (80 epochs: 7.9 % instead of 15.7 %). Rank 32 was worse (2.8 %).
     */
    public static final int QUICK_SUBSPACE_RANK = 16;

    /** The network of a built-in profile ({@link ScqSettings#preset}). */
    public static NetConfig profile(String name, int t, Variant variant) {
        return ScqSettings.preset(name).net(t, variant);
    }

    public int inputChannels() { return variant.inputChannels(t); }

    /** How {@link SliceInputs} makes this network's input from a slice. */
    public SliceInputs.Form inputForm() {
        return variant.magnitudeInput() ? SliceInputs.Form.MAGNITUDE : phaseReference ? SliceInputs.Form.REFERENCED : SliceInputs.Form.COMPLEX;
    }

    /** D, the number of feature maps the U-Net sees (the FE's last width; 0 when there is no FE). */
    public int d() { return feWidths.length == 0 ? 0 : feWidths[feWidths.length - 1]; }

    /** Spatial sizes must be multiples of this (2^levels) for the U-Net; 1 without one. */
    public int sizeMultiple() { return variant.hasPatchStep() ? 1 << unetWidths.length : 1; }

    /**
     * Complex SVD components kept by the fixed input projection: SCQ_S's FE keeps D / 2 (at least 1; its real and
     * imaginary parts give the U-Net D channels when D is even), SCQ and FE_ONLY their subspace rank; 0 = no projection.
     */
    public int projectionComponents() {
        return variant == Variant.SCQ_S ? Math.max(1, d() / 2) : subspaceRank;
    }

    /** Whether the FE's input is first projected onto the dictionary subspace (a fixed "proj" layer, 2K channels). */
    public boolean projectsInput() { return subspaceRank > 0; }

    /** The same network for variant {@code v}; the subspace projection is kept where {@code v} has a complex FE. */
    public NetConfig withVariant(Variant v) {
        return new NetConfig(t, v, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, v.complexFe() ? subspaceRank : 0,
                residualHead, foldBn, phaseReference);
    }

    /** The same network with the subspace projection of rank {@code k} (0 = raw input). */
    public NetConfig withSubspaceRank(int k) {
        return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, k, residualHead, foldBn, phaseReference);
    }
    /** The same network with D (the FE's last width) set to {@code d}: the error-vs-D ablation varies only D. */
    public NetConfig withD(int d) {
        if (feWidths.length == 0) throw new IllegalArgumentException(variant + " has no FE widths to set D on");
        int[] fe = feWidths.clone();
        fe[fe.length - 1] = d;
        return new NetConfig(t, variant, fe, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, subspaceRank, residualHead, foldBn, phaseReference);
    }
    public NetConfig withSeed(long s) {
        return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, s, subspaceRank, residualHead, foldBn, phaseReference);
    }
    /** The same network with the residual head and BN folding switched as given. */
    public NetConfig withSwitches(boolean head, boolean fold) {
        return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, subspaceRank, head, fold, phaseReference);
    }

    /** The same network with the phase convention on or off. */
    public NetConfig withPhaseReference(boolean on) {
        return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed, subspaceRank, residualHead, foldBn, on);
    }

    @Override public int[] feWidths() { return feWidths.clone(); }
    @Override public int[] unetWidths() { return unetWidths.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof NetConfig c && c.t == t && c.variant == variant && Arrays.equals(c.feWidths, feWidths)
                && Arrays.equals(c.unetWidths, unetWidths) && c.unetBottom == unetBottom && c.convsPerBlock == convsPerBlock
                && c.bnDecay == bnDecay && c.seed == seed && c.subspaceRank == subspaceRank
                && c.residualHead == residualHead && c.foldBn == foldBn && c.phaseReference == phaseReference;
    }
    @Override public int hashCode() { return Arrays.hashCode(feWidths) * 31 + Arrays.hashCode(unetWidths) + t * 7 + variant.hashCode(); }
    @Override public String toString() {
        return "NetConfig[T=" + t + ", " + variant + ", fe=" + Arrays.toString(feWidths) + ", unet=" + Arrays.toString(unetWidths)
                + "/" + unetBottom + " x" + convsPerBlock + ", bnDecay=" + bnDecay + ", seed=" + seed + (subspaceRank > 0 ? ", subspace=" + subspaceRank : "")
                + (residualHead ? "" : ", no residual head") + (foldBn ? "" : ", BN trained in step 2")
                + (phaseReference ? ", phase reference" : "") + "]";
    }
}
