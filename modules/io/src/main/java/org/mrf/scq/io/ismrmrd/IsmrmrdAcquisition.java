package org.mrf.scq.io.ismrmrd;

/**
 * One ISMRMRD acquisition (one readout): the header fields the project reads or writes, the
 * trajectory and the samples. Field meanings follow ismrmrd.h (ISMRMRD 1.x, AcquisitionHeader).
 *
 * @param flags                 bit field; bit (f - 1) is flag f of ismrmrd.h (19 = noise measurement)
 * @param scanCounter           acquisition number in the measurement
 * @param counters              idx: the encoding counters in {@link Counter} order
 * @param samples               number_of_samples
 * @param channels              active_channels
 * @param trajectoryDimensions  trajectory_dimensions: 0 (none), 2 (kx, ky) or 3 (kx, ky, density weight)
 * @param discardPre            samples to drop at the start
 * @param discardPost           samples to drop at the end
 * @param centerSample          sample at the k-space centre
 * @param traj                  [sample][dimension], row-major, samples * trajectoryDimensions values
 * @param data                  [channel][sample] interleaved complex, 2 * channels * samples values
 */
public record IsmrmrdAcquisition(long flags, int scanCounter, int[] counters, int samples, int channels,
                                 int trajectoryDimensions, int discardPre, int discardPost, int centerSample,
                                 float[] traj, float[] data) {
    /** Flag numbers of ismrmrd.h that mark readouts which are not image data. */
    public static final int[] NON_IMAGING_FLAGS = {19, 20, 23, 24, 26, 27, 28, 29, 30, 31};

    /** The idx counters in the order of ISMRMRD_EncodingCounters, with their HDF5 member names. */
    public enum Counter {
        KSPACE_ENCODE_STEP_1, KSPACE_ENCODE_STEP_2, AVERAGE, SLICE, CONTRAST, PHASE, REPETITION, SET, SEGMENT;

        public String field() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static Counter parse(String s) {
            for (Counter c : values()) if (c.field().equals(s)) return c;
            throw new IllegalArgumentException("unknown ISMRMRD counter '" + s + "'; one of " + java.util.Arrays.stream(values()).map(Counter::field).toList());
        }
    }

    public int counter(Counter c) { return counters[c.ordinal()]; }

    public boolean hasFlag(int flag) { return (flags & (1L << (flag - 1))) != 0; }

    /** True for noise, calibration, navigator, phase-correction, dummy and feedback readouts. */
    public boolean isNonImaging() {
        for (int f : NON_IMAGING_FLAGS) if (hasFlag(f)) return true;
        return false;
    }
}
