package org.mrf.scq.cli;

import picocli.CommandLine.Option;

/** The epochs of the two training steps, for the commands that train (mrf.train.pixel-epochs, mrf.train.patch-epochs). */
public final class EpochOptions {
    @Option(names = "--pixel-epochs", description = "Step-1 epochs (mrf.train.pixel-epochs; default: the training profile's).")
    Integer pixelEpochs;
    @Option(names = "--patch-epochs", description = "Step-2 epochs (mrf.train.patch-epochs; default: the training profile's).")
    Integer patchEpochs;

    /** Maps the options given onto their configuration keys. */
    Common apply(Common common) {
        return common.flag("mrf.train.pixel-epochs", pixelEpochs).flag("mrf.train.patch-epochs", patchEpochs);
    }
}
