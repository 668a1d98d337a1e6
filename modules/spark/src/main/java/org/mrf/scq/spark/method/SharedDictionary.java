package org.mrf.scq.spark.method;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.spark.store.DictionaryStore;

/**
 * A dictionary read on the driver on first use and then kept: the methods of one evaluation that fit on the same
 * dictionary (DM, SDM, DRONE) share one instance, so it is read once, not once per method.
 */
public final class SharedDictionary {
    private final String path;
    private Dictionary dictionary;

    public SharedDictionary(String path) {
        this.path = path;
    }

    /** Where the dictionary is stored (models that read it again on the executors name it). */
    public String path() {
        return path;
    }

    /** All time points of the dictionary, read from {@link #path()} on the first call. */
    public synchronized Dictionary get(SparkSession spark) {
        if (dictionary == null) dictionary = DictionaryStore.load(spark, path, 0);
        return dictionary;
    }
}
