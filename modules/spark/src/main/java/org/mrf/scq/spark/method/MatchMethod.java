package org.mrf.scq.spark.method;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.store.DictionaryStore;

import java.util.List;
import java.util.Locale;

/**
 * Dictionary matching, DM (Ma et al., Nature 2013) or SDM in the dictionary's SVD subspace (McGivney et al., IEEE TMI
 * 2014): nothing is learned, so {@link #fit} only loads the dictionary (once, on the driver) and cuts it to the fold's
 * time points.
 */
public final class MatchMethod implements MapMethod {
    /** The built-in method names. */
    public static final List<String> NAMES = List.of("dm", "sdm");

    private final String name;
    private final String dictionaryPath;
    private final double energy;
    private Dictionary dictionary;

    /**
     * @param name   dm or sdm
     * @param energy SDM's share of the dictionary's energy the subspace keeps (unused by DM)
     */
    public MatchMethod(String name, String dictionaryPath, double energy) {
        this.name = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(this.name)) {
            throw new MrfInputException("method '" + name + "': the matching methods are " + String.join(" and ", NAMES) + ".");
        }
        this.dictionaryPath = dictionaryPath;
        this.energy = energy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean learns() {
        return false;
    }

    /** A model over the first {@code data.t()} time points; its broadcast is freed by {@link MatchModel#release}. */
    @Override
    public synchronized MatchModel fit(TrainingData data) {
        if (dictionary == null) dictionary = DictionaryStore.load(data.spark(), dictionaryPath, 0);
        return MatchModel.of(data.spark(), name, dictionaryPath, dictionary, data.t(), energy);
    }
}
