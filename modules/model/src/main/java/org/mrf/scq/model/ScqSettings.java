package org.mrf.scq.model;

import org.mrf.scq.core.util.MrfInputException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that defines how an SCQ network is built and trained, apart from the time points and the variant of a
 * particular run: the network template ({@link #net}) and the two-step training ({@link #train}). The CLI reads it from
 * the configuration keys {@code mrf.train.*} in one place; the built-in presets here are the profiles of
 * {@code conf/profiles/} as code (a test checks that both agree).
 * <p>
 * The paper's network (Fang et al., "Deep learning for fast and spatially-constrained tissue quantification from
 * highly accelerated data in magnetic resonance fingerprinting", IEEE TMI 2019) is {@link #paper()}. Each of this
 * project's deviations from it is a named switch ({@link #switches()}), recorded in every model's metadata.
 *
 * @param profile      the profile these settings started from (for reports; the values below are what counts)
 * @param feWidths     FE layer widths, the last one is D
 * @param unetWidths   U-Net level widths from the top
 * @param unetBottom   U-Net bottom width
 * @param convsPerBlock 3x3 conv + BN + ReLU layers per U-Net block
 * @param bnDecay      batch-norm running-statistics decay
 * @param weightSeed   weight-initialisation seed
 * @param subspaceRank switch "subspace input": complex rank of the FE's fixed input projection (0 = raw 2T channels)
 * @param residualHead switch "residual head" ({@link NetConfig#residualHead()})
 * @param foldBn       switch "BN folding" ({@link NetConfig#foldBn()})
 * @param phaseReference switch "phase reference" ({@link NetConfig#phaseReference()})
 * @param train        two-step training; its switches are "patch augmentation" ({@link TrainConfig#augment()}) and
 *                     "separate step-2 rate" ({@link TrainConfig#patchLr()} differs from {@link TrainConfig#lr()})
 */
public record ScqSettings(String profile, int[] feWidths, int[] unetWidths, int unetBottom, int convsPerBlock, double bnDecay,
                          long weightSeed, int subspaceRank, boolean residualHead, boolean foldBn, boolean phaseReference,
                          TrainConfig train) {
    /** Names of the built-in profiles, each also a file {@code conf/profiles/<name>.conf}. */
    public static final List<String> PRESETS = List.of("demo", "quick", "paper", "paper-small");

    public ScqSettings {
        feWidths = feWidths.clone();
        unetWidths = unetWidths.clone();
        if (train == null) throw new IllegalArgumentException("training settings are required");
        if (subspaceRank < 0) throw new IllegalArgumentException("subspaceRank must be >= 0, got " + subspaceRank);
    }

    /** The network for {@code t} time points and {@code variant}; the subspace input only where the variant's FE is complex. */
    public NetConfig net(int t, Variant variant) {
        return new NetConfig(t, variant, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, weightSeed,
                variant.complexFe() ? Math.min(subspaceRank, t) : 0, residualHead, foldBn, phaseReference);
    }

    public ScqSettings withTrain(TrainConfig t) {
        return new ScqSettings(profile, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, weightSeed, subspaceRank, residualHead,
                foldBn, phaseReference, t);
    }

    /** This project's deviations from the paper, by name, as {@link #switches(NetConfig, TrainConfig)} gives them. */
    public Map<String, Object> switches() {
        return switches(new NetConfig(Math.max(1, subspaceRank), Variant.SCQ, feWidths, unetWidths, unetBottom, convsPerBlock,
                bnDecay, weightSeed, subspaceRank, residualHead, foldBn, phaseReference), train);
    }

    /**
     * The named deviations from the paper's network and training: residual head, BN folding, subspace input (its
     * complex rank; 0 = the raw 2T channels), phase reference, patch augmentation, separate step-2 rate. All are off in
     * the paper profile except the phase reference, which concerns the data rather than the network (see
     * {@link #paper()}).
     */
    public static Map<String, Object> switches(NetConfig net, TrainConfig train) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("residual_head", net.residualHead());
        m.put("bn_folding", net.foldBn());
        m.put("subspace_input", net.subspaceRank());
        m.put("phase_reference", net.phaseReference());
        if (train != null) {
            m.put("patch_augmentation", train.augment());
            m.put("separate_step2_lr", train.patchLr() != train.lr());
        }
        return m;
    }

    /** A built-in profile by name (see {@link #PRESETS}). */
    public static ScqSettings preset(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "demo" -> demo();
            case "quick" -> quick();
            case "paper" -> paper();
            case "paper-small" -> paperSmall();
            default -> throw new MrfInputException("unknown training profile '" + name + "': use one of " + PRESETS);
        };
    }

    /**
     * Small widths for 2-core machines, chosen from ModelBench measurements (see the model module's README): FE 64,D
     * with D = 16 on the input's rank-16 SVD subspace; U-Net 8/16 with 32 at the bottom, one conv per block; few epochs.
     */
    public static ScqSettings quick() {
        return new ScqSettings("quick", new int[]{64, 16}, new int[]{8, 16}, 32, 1, 0.9, 12345L, NetConfig.QUICK_SUBSPACE_RANK, true, true,
                true, TrainConfig.quick());
    }

    /**
     * The default profile: the quick network trained long enough, with small batches, to be useful on the bundled
     * demo cohort (docs/SETTINGS.md says how these values were chosen and what that means for their use).
     */
    public static ScqSettings demo() {
        return quick().named("demo").withTrain(TrainConfig.demo());
    }

    /**
     * The authors' network and training: raw 2T input; FE of four dense + BN + ReLU layers of width D = 46; U-Net of
     * one 3x3 conv + BN + ReLU per level, widths 64, 128, 256 and 512 at the bottom; BN trained in step 2; no residual
     * head; 64 x 64 patches at stride 32, batch 32; Adam 2e-4 (both steps), beta1 0.5. The phase reference is on: the
     * paper's in-vivo data came from one scanner and reconstruction, a simulated cohort gives every subject its own
     * phase (docs/RESULTS.md), and the convention removes it from the input without changing the network.
     */
    public static ScqSettings paper() {
        return new ScqSettings("paper", new int[]{46, 46, 46, 46}, new int[]{64, 128, 256}, 512, 1, 0.9, 12345L, 0, false, false, true,
                TrainConfig.paper());
    }

    /** The paper's architecture and training at a quarter of its widths (FE 12 x 4, U-Net 16/32/64/128), for 2 CPU cores. */
    public static ScqSettings paperSmall() {
        return new ScqSettings("paper-small", new int[]{12, 12, 12, 12}, new int[]{16, 32, 64}, 128, 1, 0.9, 12345L, 0, false, false, true,
                TrainConfig.paper());
    }

    private ScqSettings named(String name) {
        return new ScqSettings(name, feWidths, unetWidths, unetBottom, convsPerBlock, bnDecay, weightSeed, subspaceRank, residualHead,
                foldBn, phaseReference, train);
    }

    @Override public int[] feWidths() { return feWidths.clone(); }
    @Override public int[] unetWidths() { return unetWidths.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof ScqSettings s && s.profile.equals(profile) && Arrays.equals(s.feWidths, feWidths)
                && Arrays.equals(s.unetWidths, unetWidths) && s.unetBottom == unetBottom && s.convsPerBlock == convsPerBlock
                && s.bnDecay == bnDecay && s.weightSeed == weightSeed && s.subspaceRank == subspaceRank
                && s.residualHead == residualHead && s.foldBn == foldBn && s.phaseReference == phaseReference && s.train.equals(train);
    }
    @Override public int hashCode() { return Arrays.hashCode(feWidths) * 31 + Arrays.hashCode(unetWidths) + train.hashCode(); }
    @Override public String toString() {
        return "ScqSettings[" + profile + ", fe=" + Arrays.toString(feWidths) + ", unet=" + Arrays.toString(unetWidths) + "/" + unetBottom
                + " x" + convsPerBlock + ", subspace=" + subspaceRank + ", residualHead=" + residualHead + ", foldBn=" + foldBn
                + ", phaseReference=" + phaseReference + ", " + train + "]";
    }
}
