package org.mrf.scq.spark.method;

/**
 * A method fitted from the dictionary alone, never from a fold's subjects (DM, SDM, CSMR, DRONE): {@link #learns()} is
 * false, so it is fitted once per time-point count and applied to every fold.
 */
public abstract class DictionaryMethod implements MapMethod {
    protected final SharedDictionary dictionary;
    private final String name;

    protected DictionaryMethod(String name, SharedDictionary dictionary) {
        this.name = name;
        this.dictionary = dictionary;
    }

    /** Never from the training slices. */
    @Override
    public final boolean learns() {
        return false;
    }

    @Override
    public final String name() {
        return name;
    }
}
