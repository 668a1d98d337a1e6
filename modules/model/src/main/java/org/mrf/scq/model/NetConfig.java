package org.mrf.scq.model;

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
 */
public record NetConfig(int t, Variant variant, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock,
                        double bnDecay, long seed) {

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
    }

    /** The paper's widths: FE 500,250,100,D; U-Net 64/128/256 with 512 at the bottom, two convs per block. */
    public static NetConfig paper(int t, Variant variant, int d) {
        return new NetConfig(t, variant, new int[]{500, 250, 100, d}, new int[]{64, 128, 256}, 512, 2, 0.9, 12345L);
    }

    /** The paper's widths with D = 46. */
    public static NetConfig paper(int t, Variant variant) {
        return paper(t, variant, 46);
    }

    /**
     * Small widths for 2-core machines, chosen from ModelBench measurements (see the module README):
     * FE 64,D with D = 16; U-Net 8/16 with 32 at the bottom, one conv per block (two poolings, so patch
     * and slice sizes must be multiples of 4). DL4J's 3x3 convolutions cost in proportion to pixels x
     * channels even at tiny widths, so the quick profile keeps full-resolution widths at 8 and trains on
     * 32x32 patches ({@link TrainConfig#quick()}).
     */
    public static NetConfig quick(int t, Variant variant) {
        return new NetConfig(t, variant, new int[]{64, 16}, new int[]{8, 16}, 32, 1, 0.9, 12345L);
    }

    public static NetConfig profile(String name, int t, Variant variant) {
        return switch (name.trim().toLowerCase()) {
            case "paper" -> paper(t, variant);
            case "quick" -> quick(t, variant);
            default -> throw new org.mrf.scq.core.util.MrfInputException("unknown model profile '" + name + "': use paper or quick");
        };
    }

    public int inputChannels() { return variant.inputChannels(t); }

    /** D, the number of feature maps the U-Net sees (the FE's last width; 0 when there is no FE). */
    public int d() { return feWidths.length == 0 ? 0 : feWidths[feWidths.length - 1]; }

    /** Spatial sizes must be multiples of this (2^levels) for the U-Net; 1 without one. */
    public int sizeMultiple() { return variant.hasPatchStep() ? 1 << unetWidths.length : 1; }

    public NetConfig withVariant(Variant v) { return new NetConfig(t, v, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, seed); }
    /** The same network with D (the FE's last width) set to {@code d}: the error-vs-D ablation varies only D. */
    public NetConfig withD(int d) {
        if (feWidths.length == 0) throw new IllegalArgumentException(variant + " has no FE widths to set D on");
        int[] fe = feWidths.clone();
        fe[fe.length - 1] = d;
        return new NetConfig(t, variant, fe, unetWidths, unetBottom, convsPerBlock, bnDecay, seed);
    }
    public NetConfig withSeed(long s) { return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, s); }

    @Override public int[] feWidths() { return feWidths.clone(); }
    @Override public int[] unetWidths() { return unetWidths.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof NetConfig c && c.t == t && c.variant == variant && Arrays.equals(c.feWidths, feWidths)
                && Arrays.equals(c.unetWidths, unetWidths) && c.unetBottom == unetBottom && c.convsPerBlock == convsPerBlock
                && c.bnDecay == bnDecay && c.seed == seed;
    }
    @Override public int hashCode() { return Arrays.hashCode(feWidths) * 31 + Arrays.hashCode(unetWidths) + t * 7 + variant.hashCode(); }
    @Override public String toString() {
        return "NetConfig[T=" + t + ", " + variant + ", fe=" + Arrays.toString(feWidths) + ", unet=" + Arrays.toString(unetWidths)
                + "/" + unetBottom + " x" + convsPerBlock + ", bnDecay=" + bnDecay + ", seed=" + seed + "]";
    }
}
