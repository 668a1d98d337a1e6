package org.mrf.scq.io.ismrmrd;

import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * MRF raw data in ISMRMRD files, the project's way (docs/RAW-DATA.md):
 * <ul>
 *   <li>one acquisition per readout; the time point (frame) index in an encoding counter,
 *       {@code idx.repetition} by default, the interleaf in {@code idx.kspace_encode_step_1}, the
 *       slice in {@code idx.slice};</li>
 *   <li>the trajectory in every acquisition, normalised as libismrmrd's tools and Gadgetron write
 *       it: k / encoded matrix, so [-0.5, 0.5) is the encoded Nyquist box; with
 *       {@code trajectory_dimensions = 3} the third value of each sample is its density
 *       compensation weight (Gadgetron's convention for non-Cartesian data), in the scale of
 *       {@link org.mrf.scq.core.nufft.DensityCompensation} (A^H D A ~ identity);</li>
 *   <li>the schedule in the header's user parameters {@code scheduleName} / {@code scheduleHash},
 *       TR, TE and TI (ms) in sequenceParameters.</li>
 * </ul>
 * Reading accepts files of other writers: samples to discard, noise and calibration readouts
 * (skipped), several readouts per frame (concatenated), any encoded / reconstruction FOV (k is
 * rescaled to cycles per reconstruction FOV). Every inconsistency is one {@link MrfInputException}
 * naming the file and the field.
 */
public final class IsmrmrdRaw {
    public static final Counter DEFAULT_FRAME_COUNTER = Counter.REPETITION;

    private IsmrmrdRaw() {
    }

    /** One slice read from a file: its header, the series (k in cycles per reconstruction FOV) and the FOV. */
    public record Slice(Path file, int slice, IsmrmrdHeader header, RawSeries series, double fovMm) {
    }

    /** What the driver checks before any task: the header, the slices present and frames per slice. */
    public record Plan(Path file, IsmrmrdHeader header, int matrix, double fovMm, List<Integer> slices, int frames, int channels) {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one slice's series: acquisition t carries frame t (idx.repetition = t), its
     * trajectory index (idx.kspace_encode_step_1) and, when the series has weights, the density
     * weights as a third trajectory dimension. {@code schedule} is named in the header.
     */
    public static void write(Path file, RawSeries s, double fovMm, FispSequence schedule) throws IOException {
        Map<String, String> user = new LinkedHashMap<>();
        user.put(IsmrmrdHeader.SCHEDULE_NAME, schedule.name());
        user.put(IsmrmrdHeader.SCHEDULE_HASH, schedule.hash());
        IsmrmrdHeader h = IsmrmrdHeader.square(s.matrix(), fovMm, "spiral", s.coils(), schedule.trMs(0), schedule.teMs(0),
                schedule.inversionMs(), user);
        write(file, h, s);
    }

    /** Writes {@code s} under a given header (its matrix must be the series' matrix). */
    public static void write(Path file, IsmrmrdHeader h, RawSeries s) throws IOException {
        int n = s.matrix();
        if (n != h.reconMatrix()[0]) throw new IllegalArgumentException("header matrix " + h.reconMatrix()[0] + " != series " + n);
        double sx = scaleX(h), sy = scaleY(h);
        boolean weights = s.weights() != null;
        int dims = weights ? 3 : 2;
        List<IsmrmrdAcquisition> acqs = new ArrayList<>(s.frames());
        for (int t = 0; t < s.frames(); t++) {
            int r = s.frameTrajectory()[t];
            double[] ky = s.ky()[r], kx = s.kx()[r];
            int m = ky.length;
            float[] traj = new float[dims * m];
            for (int j = 0; j < m; j++) {
                traj[dims * j] = (float) (kx[j] / sx);
                traj[dims * j + 1] = (float) (ky[j] / sy);
                if (weights) traj[dims * j + 2] = (float) s.weights()[r][j];
            }
            float[] data = new float[2 * s.coils() * m];
            for (int c = 0; c < s.coils(); c++) System.arraycopy(s.data()[t][c], 0, data, 2 * c * m, 2 * m);
            int[] counters = new int[9];
            counters[Counter.KSPACE_ENCODE_STEP_1.ordinal()] = r;
            counters[Counter.REPETITION.ordinal()] = t;
            long flags = 0;
            if (t == 0) flags |= 1L << (7 - 1);                              // first in slice
            if (t == s.frames() - 1) flags |= (1L << (8 - 1)) | (1L << (25 - 1));   // last in slice, in measurement
            acqs.add(new IsmrmrdAcquisition(flags, t, counters, m, s.coils(), dims, 0, 0, 0, traj, data));
        }
        IsmrmrdFile.write(file, h.toXml(), acqs);
    }

    // ---------------------------------------------------------------- reading

    /** Header-level checks and the slices of a file, from the XML and the acquisition heads only. */
    public static Plan plan(Path file, Counter frameCounter) throws IOException {
        IsmrmrdFile.Contents c = IsmrmrdFile.readHeads(file);
        IsmrmrdHeader h = IsmrmrdHeader.parse(c.xml(), file.toString());
        int n = checkGeometry(h, file);
        List<IsmrmrdAcquisition> imaging = imaging(c.acquisitions(), file);
        int channels = imaging.get(0).channels();
        Map<Integer, TreeSet<Integer>> frames = new TreeMap<>();
        for (int i = 0; i < imaging.size(); i++) {
            IsmrmrdAcquisition a = imaging.get(i);
            checkHead(a, channels, file);
            frames.computeIfAbsent(a.counter(Counter.SLICE), k -> new TreeSet<>()).add(a.counter(frameCounter));
        }
        int count = -1;
        for (Map.Entry<Integer, TreeSet<Integer>> e : frames.entrySet()) {
            int t = checkFrames(e.getValue(), frameCounter, e.getKey(), file);
            if (count >= 0 && t != count) {
                throw new MrfInputException(file + ": slice " + e.getKey() + " has " + t + " frames (idx." + frameCounter.field()
                        + "), an earlier slice " + count + ". Every slice must hold the whole schedule.");
            }
            count = t;
        }
        return new Plan(file, h, n, h.reconFovMm()[0], List.copyOf(frames.keySet()), count, channels);
    }

    /** Reads slice {@code slice} (idx.slice) of a file, checking every acquisition of it. */
    public static Slice read(Path file, int slice, Counter frameCounter) throws IOException {
        IsmrmrdFile.Contents contents = IsmrmrdFile.read(file);
        IsmrmrdHeader h = IsmrmrdHeader.parse(contents.xml(), file.toString());
        int n = checkGeometry(h, file);
        List<IsmrmrdAcquisition> imaging = imaging(contents.acquisitions(), file);
        int channels = imaging.get(0).channels();
        double sx = scaleX(h), sy = scaleY(h);
        TreeMap<Integer, List<IsmrmrdAcquisition>> byFrame = new TreeMap<>();
        for (IsmrmrdAcquisition a : imaging) {
            checkHead(a, channels, file);
            if (a.counter(Counter.SLICE) != slice) continue;
            checkPayload(a, file, n, sx, sy);
            byFrame.computeIfAbsent(a.counter(frameCounter), k -> new ArrayList<>()).add(a);
        }
        if (byFrame.isEmpty()) throw new MrfInputException(file + ": no imaging acquisition has idx.slice = " + slice + ".");
        int frames = checkFrames(new TreeSet<>(byFrame.keySet()), frameCounter, slice, file);
        // Concatenate each frame's readouts; frames with the same k-space locations share one trajectory.
        Map<TrajectoryKey, Integer> index = new HashMap<>();
        List<double[]> kys = new ArrayList<>(), kxs = new ArrayList<>(), ws = new ArrayList<>();
        boolean weights = true;
        int[] frameTraj = new int[frames];
        float[][][] data = new float[frames][channels][];
        for (int t = 0; t < frames; t++) {
            List<IsmrmrdAcquisition> ro = byFrame.get(t);
            int m = 0;
            for (IsmrmrdAcquisition a : ro) m += a.samples() - a.discardPre() - a.discardPost();
            float[] key = new float[2 * m];
            double[] w = new double[m];
            for (int c = 0; c < channels; c++) data[t][c] = new float[2 * m];
            int o = 0;
            for (IsmrmrdAcquisition a : ro) {
                int d = a.trajectoryDimensions(), ns = a.samples();
                for (int j = a.discardPre(); j < ns - a.discardPost(); j++, o++) {
                    key[2 * o] = a.traj()[d * j];
                    key[2 * o + 1] = a.traj()[d * j + 1];
                    if (d >= 3) w[o] = a.traj()[d * j + 2];
                    for (int c = 0; c < channels; c++) {
                        data[t][c][2 * o] = a.data()[2 * (c * ns + j)];
                        data[t][c][2 * o + 1] = a.data()[2 * (c * ns + j) + 1];
                    }
                }
                if (d < 3) weights = false;
            }
            TrajectoryKey k = new TrajectoryKey(key);
            Integer r = index.get(k);
            if (r == null) {
                r = kys.size();
                index.put(k, r);
                double[] ky = new double[m], kx = new double[m];
                for (int j = 0; j < m; j++) {
                    kx[j] = key[2 * j] * sx;
                    ky[j] = key[2 * j + 1] * sy;
                }
                kys.add(ky);
                kxs.add(kx);
                ws.add(w);
            }
            frameTraj[t] = r;
        }
        RawSeries s = new RawSeries(n, kys.toArray(double[][]::new), kxs.toArray(double[][]::new),
                weights ? ws.toArray(double[][]::new) : null, frameTraj, data);
        return new Slice(file, slice, h, s, h.reconFovMm()[0]);
    }

    /**
     * The schedule: {@code override} (a built-in name or CSV path) if given, else the header's
     * {@code scheduleName}; TE and TI from sequenceParameters when present; its first
     * {@code frames} time points (a series may stop early). A header hash must match the result's.
     */
    public static FispSequence schedule(IsmrmrdHeader h, Path file, String override, int frames) {
        String name = override != null ? override : h.userString(IsmrmrdHeader.SCHEDULE_NAME);
        if (name == null || name.isBlank()) {
            throw new MrfInputException(file + ": the header names no schedule (userParameters/userParameterString '"
                    + IsmrmrdHeader.SCHEDULE_NAME + "'). Pass the schedule with --schedule NAME|CSV.");
        }
        double te = Double.isFinite(h.teMs()) ? h.teMs() : Schedules.DEFAULT_TE_MS;
        double ti = Double.isFinite(h.tiMs()) ? h.tiMs() : Schedules.DEFAULT_INVERSION_MS;
        FispSequence seq;
        try {
            seq = Schedules.load(name, te, ti);
        } catch (MrfInputException e) {
            throw new MrfInputException(file + ": unknown schedule '" + name + "' in "
                    + (override != null ? "--schedule" : "userParameters/" + IsmrmrdHeader.SCHEDULE_NAME)
                    + ": neither a built-in schedule " + Schedules.BUILT_IN + " nor a CSV file. Pass --schedule with the "
                    + "schedule's name or CSV path.", e);
        }
        if (frames > seq.length()) {
            throw new MrfInputException(file + ": " + frames + " frames, but schedule '" + name + "' has " + seq.length()
                    + " time points. Pass the schedule the data were acquired with (--schedule).");
        }
        if (frames < seq.length()) seq = seq.truncate(frames);
        String hash = h.userString(IsmrmrdHeader.SCHEDULE_HASH);
        if (hash != null && !hash.equals(seq.hash())) {
            throw new MrfInputException(file + ": userParameters/" + IsmrmrdHeader.SCHEDULE_HASH + " " + hash
                    + " does not match schedule '" + name + "' with TE " + te + " ms and TI " + ti + " ms (hash " + seq.hash()
                    + "). The data were acquired with another schedule; pass it with --schedule.");
        }
        return seq;
    }

    /** k in cycles per reconstruction FOV = traj * encoded matrix * recon FOV / encoded FOV (x: readout). */
    private static double scaleX(IsmrmrdHeader h) {
        return h.encodedMatrix()[0] * h.reconFovMm()[0] / h.encodedFovMm()[0];
    }

    private static double scaleY(IsmrmrdHeader h) {
        return h.encodedMatrix()[1] * h.reconFovMm()[1] / h.encodedFovMm()[1];
    }

    private record TrajectoryKey(float[] k) {
        @Override public boolean equals(Object o) { return o instanceof TrajectoryKey t && java.util.Arrays.equals(k, t.k); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(k); }
    }

    private static int checkGeometry(IsmrmrdHeader h, Path file) {
        int[] m = h.reconMatrix();
        if (m[0] != m[1] || m[0] < 4 || m[0] % 2 != 0 || m[2] != 1) {
            throw new MrfInputException(file + ": encoding/reconSpace/matrixSize is " + m[0] + " x " + m[1] + " x " + m[2]
                    + "; the reconstruction needs a square, even 2D matrix (x = y >= 4, z = 1). Fix the header's matrixSize.");
        }
        int[] e = h.encodedMatrix();
        if (e[0] < 1 || e[1] < 1) {
            throw new MrfInputException(file + ": encoding/encodedSpace/matrixSize is " + e[0] + " x " + e[1] + "; it must be positive.");
        }
        double[] rf = h.reconFovMm(), ef = h.encodedFovMm();
        if (!(rf[0] > 0) || Math.abs(rf[0] - rf[1]) > 1e-6 * rf[0] || !(ef[0] > 0) || !(ef[1] > 0)) {
            throw new MrfInputException(file + ": encoding fieldOfView_mm is reconSpace " + rf[0] + " x " + rf[1] + ", encodedSpace "
                    + ef[0] + " x " + ef[1] + "; the reconstruction needs positive FOVs and a square reconSpace FOV.");
        }
        return m[0];
    }

    private static List<IsmrmrdAcquisition> imaging(List<IsmrmrdAcquisition> all, Path file) {
        List<IsmrmrdAcquisition> out = new ArrayList<>();
        for (IsmrmrdAcquisition a : all) if (!a.isNonImaging()) out.add(a);
        if (out.isEmpty()) {
            throw new MrfInputException(file + ": /dataset/data holds no imaging acquisition (" + all.size()
                    + " acquisitions, all noise, calibration or navigator readouts by their flags).");
        }
        return out;
    }

    private static String where(Path file, IsmrmrdAcquisition a) {
        return file + ": acquisition " + a.scanCounter() + " (scan_counter)";
    }

    private static void checkHead(IsmrmrdAcquisition a, int channels, Path file) {
        if (a.trajectoryDimensions() < 2) {
            throw new MrfInputException(where(file, a) + " has trajectory_dimensions " + a.trajectoryDimensions()
                    + ": the file has no k-space trajectory. Store kx, ky (and optionally the density weight) in traj with "
                    + "trajectory_dimensions 2 or 3, e.g. from the scanner's gradient waveforms.");
        }
        if (a.channels() != channels) {
            throw new MrfInputException(where(file, a) + " has active_channels " + a.channels() + ", the first acquisition "
                    + channels + ". All readouts of a slice must carry the same coils.");
        }
        if (a.samples() < 1 || a.discardPre() + a.discardPost() >= a.samples()) {
            throw new MrfInputException(where(file, a) + " has number_of_samples " + a.samples() + " with discard_pre "
                    + a.discardPre() + " and discard_post " + a.discardPost() + ": no samples are left.");
        }
    }

    private static void checkPayload(IsmrmrdAcquisition a, Path file, int n, double sx, double sy) {
        int ns = a.samples(), d = a.trajectoryDimensions();
        if (a.traj().length != ns * d) {
            throw new MrfInputException(where(file, a) + ": traj holds " + a.traj().length + " values, but number_of_samples "
                    + ns + " x trajectory_dimensions " + d + " = " + ns * d + ". The sample counts are inconsistent.");
        }
        if (a.data().length != 2 * ns * a.channels()) {
            throw new MrfInputException(where(file, a) + ": data holds " + a.data().length / 2 + " complex samples, but "
                    + "number_of_samples " + ns + " x active_channels " + a.channels() + " = " + ns * a.channels()
                    + ". The sample counts are inconsistent.");
        }
        for (int i = 0; i < a.data().length; i++) {
            if (!Float.isFinite(a.data()[i])) {
                int s = (i / 2) % ns, c = (i / 2) / ns;
                throw new MrfInputException(where(file, a) + ": data of channel " + c + ", sample " + s + " is " + a.data()[i]
                        + ". The raw data must be finite; re-export the measurement.");
            }
        }
        double limit = n / 2.0 * (1 + 1e-4);
        for (int j = 0; j < ns; j++) {
            double kx = a.traj()[d * j] * sx, ky = a.traj()[d * j + 1] * sy;
            if (!Double.isFinite(kx) || !Double.isFinite(ky)) {
                throw new MrfInputException(where(file, a) + ": traj of sample " + j + " is not finite.");
            }
            if (Math.abs(kx) > limit || Math.abs(ky) > limit) {
                throw new MrfInputException(where(file, a) + ": traj of sample " + j + " is at k = (" + kx + ", " + ky
                        + ") cycles per FOV, beyond the Nyquist limit " + n / 2 + " of the " + n + " x " + n + " reconstruction: "
                        + "encoding/encodedSpace/matrixSize or fieldOfView_mm in the header is wrong (traj is normalised "
                        + "to the encoded matrix, [-0.5, 0.5)).");
            }
            if (d >= 3 && !(a.traj()[d * j + 2] >= 0)) {
                throw new MrfInputException(where(file, a) + ": the density weight (traj dimension 3) of sample " + j + " is "
                        + a.traj()[d * j + 2] + "; weights must be finite and >= 0.");
            }
        }
    }

    private static int checkFrames(TreeSet<Integer> values, Counter counter, int slice, Path file) {
        int t = values.last() + 1;
        if (values.size() != t) {
            int missing = 0;
            while (values.contains(missing)) missing++;
            throw new MrfInputException(file + ": slice " + slice + " has frames (idx." + counter.field() + ") up to " + values.last()
                    + " but none with " + missing + ". Every time point needs a readout; if this file keeps the time "
                    + "point in another counter, pass --frame-counter NAME.");
        }
        return t;
    }
}
