package org.mrf.scq.io.ismrmrd;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Conformance with the reference ISMRMRD library (libismrmrd 1.8, Debian packages ismrmrd-tools
 * and libismrmrd-dev, which .ci/run installs): libismrmrd reads the files we write (a small C
 * program against it, compiled here, prints what it reads; its C++ XML parser, ismrmrd_test_xml,
 * parses our header), and we read the files its tools write (ismrmrd_generate_cartesian_shepp_logan).
 * Skipped, with the reason, where the tools or a C compiler are missing.
 */
class IsmrmrdConformanceTest {
    @TempDir
    static Path tools;
    @TempDir
    Path dir;
    private static Path dump;
    private static String missing;

    @BeforeAll
    static void compileDump() throws Exception {
        for (String tool : new String[]{"gcc", "ismrmrd_test_xml", "ismrmrd_generate_cartesian_shepp_logan"}) {
            if (!onPath(tool)) {
                missing = tool + " is not installed (apt-get install ismrmrd-tools libismrmrd-dev gcc)";
                return;
            }
        }
        if (!Files.exists(Path.of("/usr/include/ismrmrd/dataset.h"))) {
            missing = "libismrmrd headers are not installed (apt-get install libismrmrd-dev)";
            return;
        }
        Path src = tools.resolve("ismrmrd_dump.c");
        try (InputStream in = IsmrmrdConformanceTest.class.getResourceAsStream("/ismrmrd/ismrmrd_dump.c")) {
            Files.write(src, in.readAllBytes());
        }
        dump = tools.resolve("ismrmrd_dump");
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-o", dump.toString(), src.toString()));
        String cflags = run(List.of("pkg-config", "--cflags", "hdf5"), true).strip();
        cmd.addAll(cflags.isEmpty() ? List.of("-I/usr/include/hdf5/serial") : List.of(cflags.split("\\s+")));
        cmd.addAll(List.of("-lismrmrd", "-lm"));
        run(cmd, false);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    private static String run(List<String> cmd, boolean mayFail) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        if (p.exitValue() != 0) {
            if (mayFail) return "";
            fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** The reference library's view of a file: per acquisition the dump's numbers. */
    private static List<double[]> referenceRead(Path file, Path xmlOut) throws Exception {
        String out = run(List.of(dump.toString(), file.toString(), xmlOut.toString()), false);
        List<double[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("acq ")) continue;
            String[] f = line.split(" ");
            double[] v = new double[f.length - 1];
            for (int i = 1; i < f.length; i++) v[i - 1] = Double.parseDouble(f[i]);
            rows.add(v);
        }
        return rows;
    }

    private static void assertSameAsReference(List<IsmrmrdAcquisition> ours, List<double[]> ref) {
        assertEquals(ours.size(), ref.size(), "acquisitions");
        for (int i = 0; i < ours.size(); i++) {
            IsmrmrdAcquisition a = ours.get(i);
            double[] r = ref.get(i);
            String at = "acquisition " + i;
            assertEquals(a.counter(Counter.KSPACE_ENCODE_STEP_1), (int) r[1], at);
            assertEquals(a.counter(Counter.REPETITION), (int) r[2], at);
            assertEquals(a.counter(Counter.CONTRAST), (int) r[3], at);
            assertEquals(a.samples(), (int) r[7], at);
            assertEquals(a.channels(), (int) r[8], at);
            assertEquals(a.trajectoryDimensions(), (int) r[9], at);
            double sr = 0, si = 0, st = 0, scale = 0;
            for (int k = 0; k < a.data().length; k += 2) {
                sr += a.data()[k];
                si += a.data()[k + 1];
                scale += Math.abs(a.data()[k]) + Math.abs(a.data()[k + 1]);
            }
            for (float v : a.traj()) st += Math.abs(v);
            assertEquals(sr, r[10], 1e-6 * scale + 1e-12, at + " sum of real parts");
            assertEquals(si, r[11], 1e-6 * scale + 1e-12, at + " sum of imaginary parts");
            assertEquals(st, r[12], 1e-6 * st + 1e-12, at + " sum of |traj|");
        }
    }

    @Test
    void theReferenceLibraryReadsOurFiles() throws Exception {
        assumeTrue(missing == null, () -> missing);
        RawSeries s = IsmrmrdRawTest.spiralSeries(16, 3, 6, true, 5);
        Path f = dir.resolve("ours.h5");
        IsmrmrdRaw.write(f, s, 220.0, IsmrmrdRawTest.schedule(6));
        Path xml = dir.resolve("ours.xml");
        List<double[]> ref = referenceRead(f, xml);
        assertSameAsReference(IsmrmrdFile.read(f).acquisitions(), ref);
        for (int t = 0; t < 6; t++) {
            assertEquals(t, (int) ref.get(t)[2], "idx.repetition carries the frame");
            assertEquals(s.frameTrajectory()[t], (int) ref.get(t)[1], "idx.kspace_encode_step_1 carries the interleaf");
            assertEquals(3, (int) ref.get(t)[9], "kx, ky and the density weight");
        }
        // libismrmrd's C++ header parser (ISMRMRD::deserialize) accepts our XML.
        run(List.of("ismrmrd_test_xml", xml.toString()), false);
    }

    @Test
    void weReadTheReferenceGeneratorsFiles() throws Exception {
        assumeTrue(missing == null, () -> missing);
        int n = 32, coils = 4;
        Path f = dir.resolve("shepp.h5");
        run(List.of("ismrmrd_generate_cartesian_shepp_logan", "-m", "" + n, "-c", "" + coils, "-k", "-n", "0",
                "-o", f.toString()), false);
        IsmrmrdFile.Contents ours = IsmrmrdFile.read(f);
        assertSameAsReference(ours.acquisitions(), referenceRead(f, dir.resolve("shepp.xml")));
        IsmrmrdHeader h = IsmrmrdHeader.parse(ours.xml(), f.toString());
        assertArrayEquals(new int[]{2 * n, n, 1}, h.encodedMatrix(), "readout oversampled 2x");
        assertArrayEquals(new int[]{n, n, 1}, h.reconMatrix());

        // All n lines are one frame (idx.repetition = 0). Its k-space is the DFT of the pixel
        // phantom times the coil maps (zero-padded to the 2x readout FOV), so the reconstruction
        // must vanish outside the phantom's outer ellipse (semi-axes 0.69 in x, 0.92 in y of the
        // half FOV; ismrmrd_phantom.cpp): a check of the trajectory scaling, the centring and the
        // axis order of what we read.
        IsmrmrdRaw.Slice sl = IsmrmrdRaw.read(f, 0, Counter.REPETITION);
        assertEquals(1, sl.series().frames());
        float[] img = GriddingReconstruction.reconstruct(sl.series(), GriddingReconstruction.Options.defaults().withThreads(1))[0];
        double inside = 0, outside = 0;
        int nIn = 0;
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                double x = (ix - n / 2.0) / (n / 2.0), y = (iy - n / 2.0) / (n / 2.0);
                double e = (x / 0.69) * (x / 0.69) + (y / 0.92) * (y / 0.92);
                double m = Math.hypot(img[2 * (iy * n + ix)], img[2 * (iy * n + ix) + 1]);
                if (e <= 1) {
                    inside += m;
                    nIn++;
                } else if (e > 1.3) {
                    outside = Math.max(outside, m);
                }
            }
        }
        inside /= nIn;
        assertTrue(inside > 0, "signal inside the phantom");
        assertTrue(outside < 1e-3 * inside, "largest magnitude outside the phantom " + outside + ", mean inside " + inside);
    }
}
