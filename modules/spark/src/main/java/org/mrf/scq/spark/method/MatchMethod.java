package org.mrf.scq.spark.method;

import org.mrf.scq.core.util.MrfInputException;

import java.util.List;
import java.util.Locale;

/**
 * Dictionary matching, DM (Ma et al., Nature 2013) or SDM in the dictionary's SVD subspace (McGivney et al., IEEE TMI
 * 2014): nothing is learned, so {@link #fit} only loads the dictionary (once, on the driver) and cuts it to the fold's
 * time points.
 */
public final class MatchMethod extends DictionaryMethod {
    /** The built-in method names. */
    public static final List<String> NAMES = List.of("dm", "sdm");

    private final double energy;

    /**
     * @param name   dm or sdm
     * @param energy SDM's share of the dictionary's energy the subspace keeps (unused by DM)
     */
    public MatchMethod(String name, SharedDictionary dictionary, double energy) {
        super(name.toLowerCase(Locale.ROOT), dictionary);
        if (!NAMES.contains(name())) {
            throw new MrfInputException("method '" + name + "': the matching methods are " + String.join(" and ", NAMES) + ".");
        }
        this.energy = energy;
    }

    /** With a dictionary of its own. */
    public MatchMethod(String name, String dictionaryPath, double energy) {
        this(name, new SharedDictionary(dictionaryPath), energy);
    }

    /** A model over the first {@code data.t()} time points; its broadcast is freed by {@link MatchModel#release}. */
    @Override
    public MatchModel fit(TrainingData data) {
        return MatchModel.of(data.spark(), name(), dictionary.path(), dictionary.get(data.spark()), data.t(), energy);
    }
}
