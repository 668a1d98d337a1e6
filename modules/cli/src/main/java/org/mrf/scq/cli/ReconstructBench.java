package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.recon.GriddingReconstruction;
import org.mrf.scq.core.recon.RawSeries;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.io.ismrmrd.IsmrmrdAcquisition.Counter;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;
import org.mrf.scq.spark.reconstruct.ReconstructJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "mrf reconstruct on one synthetic slice: writes an ISMRMRD file (the project's spiral, one interleaf "
                + "per frame, a disk phantom times smooth coil maps), then times the whole job (read, grid, combine, "
                + "write the series) on a local Spark session.",
        footer = {"", "Prints 'reconstruct median_s=<median wall> median_cpu_s=<median CPU of this JVM>' plus each repeat",
                "(on a shared machine the CPU seconds over the cores tell what an idle machine would take).", "Examples:",
                "  nice -n 10 mrf bench reconstruct", "  mrf bench reconstruct --matrix 128 --frames 500 --coils-compress 4"})
final class ReconstructBench implements Runnable {
    @Mixin
    SparkCommon common;
    @Option(names = "--matrix", defaultValue = "256", description = "Image matrix (default 256).")
    int matrix;
    @Option(names = "--frames", defaultValue = "2304", description = "Time frames (default 2304, the default schedule).")
    int frames;
    @Option(names = "--coils", defaultValue = "8", description = "Receive coils (default 8).")
    int coils;
    @Option(names = "--coils-compress", defaultValue = "0", description = "Virtual coils (0 = none, default).")
    int coilsCompress;
    @Mixin
    Repeats repeats;

    @Override
    public void run() {
        try {
            Path dir = Files.createTempDirectory("mrf-bench-reconstruct");
            try {
                FispSequence seq = common.sequence().truncate(frames);
                long w0 = System.nanoTime();
                Files.createDirectories(dir.resolve("raw"));
                IsmrmrdRaw.write(dir.resolve("raw/slice-000.h5"), series(matrix, coils, frames), matrix * 1.0, seq);
                double writeS = (System.nanoTime() - w0) / 1e9;
                SparkSession spark = common.spark();
                double[] sec = new double[repeats.count], cpu = new double[repeats.count];
                try {
                    for (int r = 0; r < repeats.count; r++) {
                        Path out = dir.resolve("cohort-" + r);
                        double[] wallCpu = Repeats.time(() -> ReconstructJob.run(spark, new ReconstructJob.Settings(dir.resolve("raw").toString(),
                                out.toString(), coilsCompress, null, Counter.REPETITION)));
                        sec[r] = wallCpu[0];
                        cpu[r] = wallCpu[1];
                        System.out.printf(Locale.ROOT, "repeat %d: %.1f s wall, %.1f s CPU (this JVM, all threads), load average %.1f%n",
                                r + 1, sec[r], cpu[r], Repeats.loadAverage());
                        deleteTree(out);
                    }
                } finally {
                    spark.stop();
                }
                System.out.printf(Locale.ROOT, "reconstruct median_s=%.1f median_cpu_s=%.1f matrix=%d frames=%d coils=%d coils_compress=%d "
                                + "cores=%d raw_write_s=%.1f raw_mb=%.0f%n", Repeats.median(sec), Repeats.median(cpu), matrix, frames, coils,
                        coilsCompress, Runtime.getRuntime().availableProcessors(), writeS, Files.size(dir.resolve("raw/slice-000.h5")) / 1e6);
            } finally {
                deleteTree(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Frame t: interleaf t mod 48 of the k-space of a disk times coil maps, scaled by a smooth curve of t. */
    static RawSeries series(int n, int coils, int frames) {
        SpiralTrajectory sp = SpiralTrajectory.mrfDefault(n);
        int il = sp.interleaves();
        double[][] ky = new double[il][], kx = new double[il][];
        for (int j = 0; j < il; j++) {
            ky[j] = sp.ky(j);
            kx[j] = sp.kx(j);
        }
        double[][] w = GriddingReconstruction.densityWeights(n, ky, kx,
                new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, NufftOperator.DEFAULT_OVERSAMPLING));
        float[][][] base = new float[il][coils][];
        for (int c = 0; c < coils; c++) {
            double[] img = new double[2 * n * n];
            double cy = 0.6 * Math.sin(2 * Math.PI * c / coils), cx = 0.6 * Math.cos(2 * Math.PI * c / coils);
            for (int iy = 0; iy < n; iy++) {
                for (int ix = 0; ix < n; ix++) {
                    double y = (iy - n / 2.0) / n, x = (ix - n / 2.0) / n;
                    if (x * x + y * y > 0.16) continue;
                    double mag = Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) * 2), ph = 2 * Math.PI * c / coils;
                    img[2 * (iy * n + ix)] = mag * Math.cos(ph);
                    img[2 * (iy * n + ix) + 1] = mag * Math.sin(ph);
                }
            }
            for (int j = 0; j < il; j++) {
                double[] y = new NufftOperator(n, n, ky[j], kx[j]).forward(img);
                base[j][c] = new float[y.length];
                for (int i = 0; i < y.length; i++) base[j][c][i] = (float) y[i];
            }
        }
        int[] ft = new int[frames];
        float[][][] data = new float[frames][coils][];
        for (int t = 0; t < frames; t++) {
            ft[t] = t % il;
            float s = (float) (0.2 + Math.abs(Math.sin(t / 150.0)));
            for (int c = 0; c < coils; c++) {
                float[] b = base[ft[t]][c], d = new float[b.length];
                for (int i = 0; i < b.length; i++) d[i] = s * b[i];
                data[t][c] = d;
            }
        }
        return new RawSeries(n, ky, kx, w, ft, data);
    }

    static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> st = Files.walk(p)) {
            for (Path q : st.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
