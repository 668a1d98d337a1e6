package org.mrf.scq.sim;

import org.mrf.scq.core.slice.MrfSlice;

/** A simulated acquisition as the pipeline's slice record (what ingest would produce from its files). */
public final class SimulatedSlices {
    private SimulatedSlices() {
    }

    public static MrfSlice toSlice(String subject, int slice, ComplexSeries series, SubjectMaps maps, String source) {
        float[] mask = new float[maps.pixels()];
        for (int i = 0; i < mask.length; i++) mask[i] = maps.mask()[i] != 0 ? 1f : 0f;
        return new MrfSlice(subject, slice, series.height(), series.width(), series.timepoints(), series.re(), series.im(),
                mask, maps.t1Ms(), maps.t2Ms(), maps.pd(), source);
    }
}
