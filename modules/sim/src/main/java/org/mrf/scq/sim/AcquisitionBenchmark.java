package org.mrf.scq.sim;

import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

/**
 * Times one simulated slice (subject generation excluded, set-up and acquisition reported apart).
 * Usage: {@code AcquisitionBenchmark [matrix=256] [threads=all] [repeats=2] [gridOversampling=2] [preset=paper]}, preset
 * one of paper (one coil, SNR 50, truth on the grid), ideal, invivo (docs/ACQUISITION.md; invivo generates the subject
 * on the 4x finer grid, which is timed with the acquisition); needs about 2 x 8 x T x M^2 bytes of heap for the series
 * (1.2 GB at 256 x 256 x 2304).
 */
public final class AcquisitionBenchmark {
    private AcquisitionBenchmark() {}

    public static void main(String[] args) {
        int matrix = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        double oversampling = args.length > 3 ? Double.parseDouble(args[3]) : 2.0;
        String preset = args.length > 4 ? args[4] : "paper";
        SliceAcquisition.Options base = switch (preset) {
            case "paper" -> SliceAcquisition.Options.defaults();
            case "ideal" -> SliceAcquisition.Options.ideal();
            case "invivo" -> SliceAcquisition.Options.invivo();
            default -> throw new IllegalArgumentException("preset " + preset + ": use paper, ideal or invivo");
        };
        int sup = preset.equals("invivo") ? CohortSimulator.Options.invivo(1, 1, 0).supersample() : 1;
        FispSequence seq = Schedules.paperDefault(Schedules.DEFAULT_TE_MS, Schedules.DEFAULT_INVERSION_MS);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < repeats; r++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(matrix * sup).withLesions(2));
            SubjectMaps maps = gen.fromLabels(LabelMap.bundled("axial"), TissueTable.literature3T().perturbed(new java.util.Random(1), 0.1), 1);
            SliceAcquisition acq = new SliceAcquisition(seq, matrix, base.withThreads(threads).withGridOversampling(oversampling));
            long t1 = System.nanoTime();
            ComplexSeries s = acq.acquire(maps, r);
            long t2 = System.nanoTime();
            System.out.printf("preset %s, oversampling %.2f, matrix %d, T %d, threads %d: set-up (subject, trajectory, DCF) %.2f s, acquisition %.2f s, total %.2f s (checksum %.4g)%n",
                    preset, oversampling, matrix, s.timepoints(), threads, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9, s.re()[s.re().length / 2]);
            System.out.printf("  process CPU time %.2f s (on a shared machine wall time overstates; CPU / threads is the unloaded estimate)%n",
                    (os.getProcessCpuTime() - c0) / 1e9);
            System.out.println("  " + acq.lastReport());
        }
    }
}
