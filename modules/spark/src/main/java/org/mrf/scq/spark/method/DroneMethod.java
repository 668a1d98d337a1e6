package org.mrf.scq.spark.method;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.model.drone.DroneTrainer;
import org.mrf.scq.spark.store.DictionaryStore;

/**
 * The DL baseline of Fang et al.'s Table I: DRONE (Cohen et al., MRM 2018), a per-pixel network trained on the
 * dictionary's fingerprints with noise, never on subjects. It learns nothing from a fold's training slices, so it is
 * fitted once per time-point count ({@link #learns()} is false) and applied to every fold.
 */
public final class DroneMethod implements MapMethod {
    public static final String NAME = "dl";

    private final String dictionaryPath;
    private final DroneSettings settings;
    private Dictionary dictionary;

    public DroneMethod(String dictionaryPath, DroneSettings settings) {
        this.dictionaryPath = dictionaryPath;
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean learns() {
        return false;
    }

    /** Trains on the first {@code data.t()} time points of the dictionary (on the driver) and ships the network to the executors. */
    @Override
    public synchronized DroneMapModel fit(TrainingData data) {
        if (dictionary == null) dictionary = DictionaryStore.load(data.spark(), dictionaryPath, 0);
        return DroneMapModel.of(data.spark(), DroneTrainer.train(dictionary.truncate(data.t()), data.ar(), settings), data.ar());
    }
}
