package org.mrf.scq.spark.reconstruct;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.recon.CoilCombination;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.io.cohort.SliceEntry;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition;
import org.mrf.scq.io.ismrmrd.IsmrmrdFile;
import org.mrf.scq.io.ismrmrd.IsmrmrdHeader;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.ingest.IngestJob;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ReconstructJobTest {
    static SparkSession spark;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSessions.create("test", "local[2]", "WARN", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A known multi-coil image series and its k-space by the project's NUFFT, in double precision. */
    static final class Phantom {
        final int n, coils, frames, interleaves;
        final double[][] ky, kx, w;
        final double[][] images;        // [t][2 n n]
        final double[][] sens;          // [c][2 n n]
        final double[][][] kspace;      // [t][c][2 m]
        final NufftOperator[] ops;

        Phantom(int n, int coils, int frames, int interleaves) {
            this.n = n;
            this.coils = coils;
            this.frames = frames;
            this.interleaves = interleaves;
            SpiralTrajectory sp = SpiralTrajectory.variableDensity(n, interleaves, 2.0, 0.5);
            ky = new double[interleaves][];
            kx = new double[interleaves][];
            ops = new NufftOperator[interleaves];
            for (int j = 0; j < interleaves; j++) {
                ky[j] = sp.ky(j);
                kx[j] = sp.kx(j);
                ops[j] = new NufftOperator(n, n, ky[j], kx[j]);
            }
            w = GriddingReconstruction.densityWeights(n, ky, kx, new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH,
                    NufftOperator.DEFAULT_OVERSAMPLING));
            images = new double[frames][2 * n * n];
            for (int t = 0; t < frames; t++) {
                double a = Math.exp(-t / 3.0), b = 1 - Math.exp(-t / 1.5);
                for (int iy = 0; iy < n; iy++) {
                    for (int ix = 0; ix < n; ix++) {
                        double y = (iy - n / 2.0) / n, x = (ix - n / 2.0) / n;
                        boolean outer = x * x / 0.16 + y * y / 0.2 < 1, inner = (x - 0.08) * (x - 0.08) + y * y < 0.02;
                        double v = outer ? (inner ? b : a) : 0;
                        images[t][2 * (iy * n + ix)] = v * Math.cos(0.3 + x);
                        images[t][2 * (iy * n + ix) + 1] = v * Math.sin(0.3 + x);
                    }
                }
            }
            sens = new double[coils][2 * n * n];
            for (int c = 0; c < coils; c++) {
                double cy = 0.7 * Math.sin(2 * Math.PI * c / coils), cx = 0.7 * Math.cos(2 * Math.PI * c / coils);
                for (int iy = 0; iy < n; iy++) {
                    for (int ix = 0; ix < n; ix++) {
                        double y = (iy - n / 2.0) / n, x = (ix - n / 2.0) / n;
                        double mag = Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)));
                        double ph = 2 * Math.PI * c / coils + 0.5 * x;
                        sens[c][2 * (iy * n + ix)] = mag * Math.cos(ph);
                        sens[c][2 * (iy * n + ix) + 1] = mag * Math.sin(ph);
                    }
                }
            }
            kspace = new double[frames][coils][];
            for (int t = 0; t < frames; t++) {
                for (int c = 0; c < coils; c++) kspace[t][c] = ops[t % interleaves].forward(mul(sens[c], images[t]));
            }
        }

        static double[] mul(double[] a, double[] b) {
            double[] o = new double[a.length];
            for (int p = 0; p < a.length / 2; p++) {
                o[2 * p] = a[2 * p] * b[2 * p] - a[2 * p + 1] * b[2 * p + 1];
                o[2 * p + 1] = a[2 * p] * b[2 * p + 1] + a[2 * p + 1] * b[2 * p];
            }
            return o;
        }

        RawSeries series() {
            float[][][] d = new float[frames][coils][];
            int[] ft = new int[frames];
            for (int t = 0; t < frames; t++) {
                ft[t] = t % interleaves;
                for (int c = 0; c < coils; c++) {
                    d[t][c] = new float[kspace[t][c].length];
                    for (int i = 0; i < d[t][c].length; i++) d[t][c][i] = (float) kspace[t][c][i];
                }
            }
            return new RawSeries(n, ky, kx, w, ft, d);
        }

        /**
         * The direct gridding reconstruction, written out here frame by frame: every coil image
         * A_t^H D_t y_{t,c}, their plain time average as the Walsh reference, then the combination.
         */
        double[][] direct() {
            double[][][] coil = new double[frames][coils][];
            double[][] ref = new double[coils][2 * n * n];
            for (int t = 0; t < frames; t++) {
                int r = t % interleaves;
                for (int c = 0; c < coils; c++) {
                    double[] y = kspace[t][c].clone();
                    for (int j = 0; j < w[r].length; j++) {
                        y[2 * j] *= w[r][j];
                        y[2 * j + 1] *= w[r][j];
                    }
                    coil[t][c] = ops[r].adjoint(y);
                    for (int i = 0; i < ref[c].length; i++) ref[c][i] += coil[t][c][i] / frames;
                }
            }
            CoilCombination cc = CoilCombination.fromReference(ref, n, n, CoilCombination.DEFAULT_HALF_WINDOW);
            double[][] out = new double[frames][];
            for (int t = 0; t < frames; t++) out[t] = cc.combine(coil[t]);
            return out;
        }
    }

    static FispSequence schedule(int frames) {
        return Schedules.paperDefault(Schedules.DEFAULT_TE_MS, Schedules.DEFAULT_INVERSION_MS).truncate(frames);
    }

    private ReconstructJob.Settings settings(Path raw, Path out) {
        return new ReconstructJob.Settings(raw.toString(), out.toString(), 0, null, Counter.REPETITION);
    }

    @Test
    void rawRoundTripGivesTheDirectGriddingReconstructionAndIngests() throws Exception {
        int frames = 12;
        Phantom ph = new Phantom(32, 4, frames, 6);
        Path raw = dir.resolve("raw");
        Files.createDirectories(raw.resolve("sub-000"));
        IsmrmrdRaw.write(raw.resolve("sub-000/slice-000.h5"), ph.series(), 240.0, schedule(frames));
        IsmrmrdRaw.write(raw.resolve("sub-000/slice-001.h5"), ph.series(), 240.0, schedule(frames));
        Path out = dir.resolve("cohort");
        ReconstructJob.Result r = ReconstructJob.run(spark, settings(raw, out));
        assertEquals(2, r.slices());

        CohortReader reader = CohortReader.local(out);
        assertEquals(List.of("sub-000"), reader.manifest().subjects());
        assertEquals(schedule(frames).hash(), reader.manifest().schedule().hash());
        double[][] expected = ph.direct();
        List<SliceEntry> entries = reader.allSlices();
        assertEquals(2, entries.size());
        for (SliceEntry e : entries) {
            MrfSlice s = reader.read(e);
            assertEquals(frames, s.timepoints());
            double num = 0, den = 0;
            for (int t = 0; t < frames; t++) {
                for (int p = 0; p < 32 * 32; p++) {
                    double er = s.re()[t * 32 * 32 + p] - expected[t][2 * p], ei = s.im()[t * 32 * 32 + p] - expected[t][2 * p + 1];
                    num += er * er + ei * ei;
                    den += expected[t][2 * p] * expected[t][2 * p] + expected[t][2 * p + 1] * expected[t][2 * p + 1];
                }
            }
            double rel = Math.sqrt(num / den);
            assertTrue(rel < 1e-4, "slice " + e.slice() + ": relative difference to the direct reconstruction " + rel);
        }
        // mrf ingest accepts the cohort folder.
        IngestJob.Result ing = IngestJob.run(spark, out.toString(), dir.resolve("slices").toString());
        assertEquals(2, ing.slices());
    }

    // ------------------------------------------------------------------ bad input

    private Path goodFile(Path raw) throws Exception {
        Files.createDirectories(raw);
        Path f = raw.resolve("P01.h5");
        IsmrmrdRaw.write(f, new Phantom(16, 2, 4, 2).series(), 200.0, schedule(4));
        return f;
    }

    /** Rewrites {@code f} with each acquisition mapped by {@code edit}. */
    private static void edit(Path f, UnaryOperator<IsmrmrdAcquisition> edit) throws Exception {
        IsmrmrdFile.Contents c = IsmrmrdFile.read(f);
        List<IsmrmrdAcquisition> acqs = new ArrayList<>();
        for (IsmrmrdAcquisition a : c.acquisitions()) acqs.add(edit.apply(a));
        IsmrmrdFile.write(f, c.xml(), acqs);
    }

    private static IsmrmrdHeader changed(IsmrmrdHeader h, int[] encoded, int[] recon, Map<String, String> user) {
        return new IsmrmrdHeader(encoded, h.encodedFovMm(), recon, h.reconFovMm(), h.trajectory(), h.channels(), h.trMs(),
                h.teMs(), h.tiMs(), user);
    }

    private void assertRefused(Path raw, Path file, String... fields) throws Exception {
        Path out = dir.resolve("out");
        MrfInputException e = assertThrows(MrfInputException.class, () -> ReconstructJob.run(spark, settings(raw, out)));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String f : fields) assertTrue(m.contains(f), "names " + f + ": " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(Files.exists(out), "nothing written");
        try (Stream<Path> st = Files.list(dir)) {
            assertEquals(List.of(), st.filter(p -> p.getFileName().toString().startsWith(".out")).toList(), "no temporary output left");
        }
    }

    @Test
    void noTrajectoryIsRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        edit(f, a -> new IsmrmrdAcquisition(a.flags(), a.scanCounter(), a.counters(), a.samples(), a.channels(), 0, 0, 0, 0,
                new float[0], a.data()));
        assertRefused(raw, f, "trajectory_dimensions", "no k-space trajectory");
    }

    @Test
    void inconsistentSampleCountsAreRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        edit(f, a -> a.scanCounter() != 2 ? a : new IsmrmrdAcquisition(a.flags(), a.scanCounter(), a.counters(), a.samples(),
                a.channels(), a.trajectoryDimensions(), 0, 0, 0, a.traj(), java.util.Arrays.copyOf(a.data(), a.data().length - 2)));
        assertRefused(raw, f, "acquisition 2", "number_of_samples", "active_channels", "inconsistent");
    }

    @Test
    void wrongEncodingMatrixIsRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        // The header claims a 32 x 32 encoded matrix over the same FOV: the stored trajectory (k / 16) then reads
        // as twice the k it is, beyond the 16 x 16 reconstruction's Nyquist limit.
        IsmrmrdFile.Contents c = IsmrmrdFile.read(f);
        IsmrmrdHeader h = IsmrmrdHeader.parse(c.xml(), f.toString());
        IsmrmrdFile.write(f, changed(h, new int[]{32, 32, 1}, h.reconMatrix(), h.userStrings()).toXml(), c.acquisitions());
        assertRefused(raw, f, "encoding/encodedSpace/matrixSize", "Nyquist");

        IsmrmrdFile.write(f, changed(h, h.encodedMatrix(), new int[]{15, 16, 1}, h.userStrings()).toXml(), c.acquisitions());
        assertRefused(raw, f, "encoding/reconSpace/matrixSize");
    }

    @Test
    void nanDataIsRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        edit(f, a -> {
            if (a.scanCounter() == 3) a.data()[2 * (a.samples() + 5) + 1] = Float.NaN;   // channel 1, sample 5
            return a;
        });
        assertRefused(raw, f, "acquisition 3", "data of channel 1, sample 5", "NaN");
    }

    @Test
    void truncatedFileIsRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(r.length() / 2);
        }
        assertRefused(raw, f, "HDF5", "truncated");
    }

    @Test
    void unknownScheduleIsRefused() throws Exception {
        Path raw = dir.resolve("raw");
        Path f = goodFile(raw);
        IsmrmrdFile.Contents c = IsmrmrdFile.read(f);
        IsmrmrdHeader h = IsmrmrdHeader.parse(c.xml(), f.toString());
        IsmrmrdHeader unknown = changed(h, h.encodedMatrix(), h.reconMatrix(), Map.of(IsmrmrdHeader.SCHEDULE_NAME, "site-fisp-3000"));
        IsmrmrdFile.write(f, unknown.toXml(), c.acquisitions());
        assertRefused(raw, f, "unknown schedule 'site-fisp-3000'", "userParameters/scheduleName");
    }
}
