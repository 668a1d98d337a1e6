package org.mrf.scq.model;

/**
 * Two-step training settings. Adam (lr, beta1 0.5 in the paper); the learning rate stays constant for
 * {@code constantEpochs} of each step and then decays linearly towards zero over the remaining epochs.
 *
 * @param pixelEpochs     step-1 epochs (extended FNN on single pixels)
 * @param pixelsPerSlice  step-1 pixels sampled per training slice and epoch (inside the mask); 0 = all masked pixels
 * @param pixelBatch      step-1 minibatch (pixels)
 * @param patchEpochs     step-2 epochs (FE + U-Net on patches)
 * @param patchSize       step-2 patch side (64 in the paper)
 * @param patchStride     step-2 patch stride (32 in the paper)
 * @param augment         step-2 patches at random places in random symmetries of the square (see PatchExamples)
 * @param patchBatch      step-2 minibatch (patches; 32 in the paper)
 * @param lr              Adam learning rate of step 1 (2e-4)
 * @param patchLr         Adam learning rate of step 2, which fine-tunes the pretrained FE and head together with a
 *                        fresh U-Net (2e-4 in the paper, the same as step 1)
 * @param beta1           Adam beta1 (0.5)
 * @param beta2           Adam beta2 (0.999)
 * @param decayFraction   fraction of each step's epochs spent in the linear decay (0 = constant lr)
 * @param seed            sampling / shuffling seed
 */
public record TrainConfig(int pixelEpochs, int pixelsPerSlice, int pixelBatch, int patchEpochs, int patchSize,
                          int patchStride, boolean augment, int patchBatch, double lr, double patchLr, double beta1,
                          double beta2, double decayFraction, long seed) {
    public TrainConfig {
        if (pixelEpochs < 0 || patchEpochs < 0) throw new IllegalArgumentException("epochs must be >= 0");
        if (pixelsPerSlice < 0 || pixelBatch < 1 || patchBatch < 1) throw new IllegalArgumentException("batch sizes must be >= 1");
        if (patchSize < 1 || patchStride < 1) throw new IllegalArgumentException("patch size and stride must be >= 1");
        if (!(lr > 0) || !(patchLr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("bad Adam settings");
        if (!(decayFraction >= 0 && decayFraction <= 1)) throw new IllegalArgumentException("decayFraction must be in [0,1]");
    }

    /** Both steps at one learning rate, as in the paper. */
    public TrainConfig(int pixelEpochs, int pixelsPerSlice, int pixelBatch, int patchEpochs, int patchSize, int patchStride,
                       boolean augment, int patchBatch, double lr, double beta1, double beta2, double decayFraction, long seed) {
        this(pixelEpochs, pixelsPerSlice, pixelBatch, patchEpochs, patchSize, patchStride, augment, patchBatch, lr, lr, beta1, beta2,
                decayFraction, seed);
    }

    /**
     * The paper's setting: 64 x 64 grid patches at stride 32, batch 32, Adam 2e-4 in both steps with beta1 0.5 (epoch
     * counts are ours: the paper does not fix them for this data). No patch augmentation: the paper flips its patches,
     * which the grid patches here do not do.
     */
    public static TrainConfig paper() {
        return new TrainConfig(20, 0, 4096, 100, 64, 32, false, 32, 2e-4, 0.5, 0.999, 0.5, 7L);
    }

    /**
     * The demo's (and the default profile's) setting: the quick one with 80 + 12 epochs, 4096 pixels a slice in
     * batches of 128 for step 1 at 3e-3, and patch batches of 2 for step 2 at its own rate 5e-4 (docs/SETTINGS.md).
     */
    public static TrainConfig demo() {
        TrainConfig q = quick();
        return new TrainConfig(80, 4096, 128, 12, q.patchSize(), q.patchStride(), q.augment(), 2, 3e-3, 5e-4, q.beta1(), q.beta2(),
                q.decayFraction(), q.seed());
    }

    /** Few, cheap epochs for 2-core machines. */
    public static TrainConfig quick() {
        return new TrainConfig(5, 2048, 1024, 5, 32, 16, true, 8, 1e-3, 0.5, 0.999, 0.5, 7L);
    }

    public TrainConfig withEpochs(int pixel, int patch) {
        return new TrainConfig(pixel, pixelsPerSlice, pixelBatch, patch, patchSize, patchStride, augment, patchBatch, lr, patchLr, beta1, beta2,
                decayFraction, seed);
    }

    public TrainConfig withLr(double pixelLr, double newPatchLr) {
        return new TrainConfig(pixelEpochs, pixelsPerSlice, pixelBatch, patchEpochs, patchSize, patchStride, augment, patchBatch, pixelLr, newPatchLr,
                beta1, beta2, decayFraction, seed);
    }

    public TrainConfig withPatches(int size, int stride, int batch) {
        return new TrainConfig(pixelEpochs, pixelsPerSlice, pixelBatch, patchEpochs, size, stride, augment, batch, lr, patchLr, beta1, beta2,
                decayFraction, seed);
    }
}
