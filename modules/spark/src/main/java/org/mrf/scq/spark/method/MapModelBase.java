package org.mrf.scq.spark.method;

/** What every fitted model states: the method name its maps carry, the time points it reads and its ar. */
public abstract class MapModelBase implements MapModel {
    private final String method;
    private final int t;
    private final int ar;

    protected MapModelBase(String method, int t, int ar) {
        this.method = method;
        this.t = t;
        this.ar = ar;
    }

    @Override
    public final String method() {
        return method;
    }

    @Override
    public final int timepoints() {
        return t;
    }

    @Override
    public final int ar() {
        return ar;
    }
}
