package org.mrf.scq.spark.method;

import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.model.drone.DroneTrainer;

/**
 * The DL baseline of Fang et al.'s Table I: DRONE (Cohen et al., MRM 2018), a per-pixel network trained on the
 * dictionary's fingerprints with noise, never on subjects. It learns nothing from a fold's training slices, so it is
 * fitted once per time-point count and applied to every fold.
 */
public final class DroneMethod extends DictionaryMethod {
    public static final String NAME = "dl";

    private final DroneSettings settings;

    public DroneMethod(SharedDictionary dictionary, DroneSettings settings) {
        super(NAME, dictionary);
        this.settings = settings;
    }

    /** With a dictionary of its own. */
    public DroneMethod(String dictionaryPath, DroneSettings settings) {
        this(new SharedDictionary(dictionaryPath), settings);
    }

    /** Trains on the first {@code data.t()} time points of the dictionary (on the driver) and ships the network to the executors. */
    @Override
    public DroneMapModel fit(TrainingData data) {
        return DroneMapModel.of(data.spark(), DroneTrainer.train(dictionary.get(data.spark()).truncate(data.t()), data.ar(), settings), data.ar());
    }
}
