package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.SliceStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "mrf ingest of one synthetic complex64 slice (T x H x W, Gaussian values) per export format, then a "
                + "full read of the stored blocks, on a local Spark session.",
        footer = {"", "Prints per format 'ingest format=<f> seconds=<median> mb_per_s=... read_seconds=<median> read_mb_per_s=...",
                "peak_heap_mb=<largest over the repeats>' plus each repeat; MB are 10^6 bytes of complex64 series (8 bytes per",
                "sample); the peak heap is this JVM's (driver and local executor together). The input files are written once",
                "and stay in the page cache (warm reads). Examples:",
                "  mrf bench ingest", "  mrf bench ingest --quick", "  mrf bench ingest --formats npy --repeats 5"})
final class IngestBench implements Runnable {
    @Mixin
    SparkCommon common;
    @Option(names = "--side", defaultValue = "256", description = "Slice side in pixels (default 256, the paper's matrix).")
    int side;
    @Option(names = "--timepoints", defaultValue = "2304", description = "Time points T (default 2304).")
    int timepoints;
    @Option(names = "--formats", defaultValue = "npy,nii,mat", split = ",", description = "Export formats: npy, nii, nii.gz, mat, h5 (default npy,nii,mat).")
    List<String> formats;
    @Mixin
    Repeats repeats;
    @Option(names = "--quick", description = "128 x 128 x 576 and one repeat.")
    boolean quick;
    @Option(names = "--dir", description = "Working folder (default: a temporary folder, removed afterwards).")
    Path dir;

    @Override
    public void run() {
        int s = quick ? 128 : side, t = quick ? 576 : timepoints, reps = quick ? 1 : repeats.count;
        if (s < 1 || t < 1 || reps < 1 || (long) s * s * t > Integer.MAX_VALUE) {
            throw new org.mrf.scq.core.util.MrfInputException("mrf bench ingest: need --side >= 1, --timepoints >= 1, --repeats >= 1 "
                    + "and side^2 x timepoints < 2^31.");
        }
        try {
            Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("mrf-bench-ingest");
            double mb = 8.0 * s * s * t / 1e6;
            SparkSession spark = common.spark();
            try {
                List<String> exts = formats.stream().map(f -> f.strip().replaceFirst("^\\.", "")).toList();
                java.util.Map<String, Double> writeSeconds = new java.util.HashMap<>();
                NdArray series = series(s, t);
                for (String ext : exts) { // all inputs first, so that the synthetic series is not in the heap figures
                    long w0 = System.nanoTime();
                    writeCohort(work.resolve("cohort-" + ext), series, ext, t);
                    writeSeconds.put(ext, (System.nanoTime() - w0) / 1e9);
                }
                series = null;
                for (String ext : exts) {
                    Path cohort = work.resolve("cohort-" + ext);
                    double writeS = writeSeconds.get(ext);
                    double[] sec = new double[reps], cpu = new double[reps], read = new double[reps], peak = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        Path out = work.resolve("slices-" + ext + "-" + r);
                        ReconstructBench.deleteTree(out);
                        System.gc();
                        var pools = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP).toList();
                        pools.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
                        double[] wallCpu = Repeats.time(() -> IngestJob.run(spark, cohort.toString(), out.toString()));
                        sec[r] = wallCpu[0];
                        cpu[r] = wallCpu[1];
                        peak[r] = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6;
                        long r0 = System.nanoTime();
                        long samples = SliceStore.blocks(spark, out.toString(), 0).javaRDD()
                                .map(b -> (long) b.getRe().length + b.getIm().length).reduce(Long::sum);
                        read[r] = (System.nanoTime() - r0) / 1e9;
                        if (samples != 2L * s * s * t) throw new IllegalStateException("read back " + samples + " samples");
                        System.out.printf(Locale.ROOT, "repeat %d %s: ingest %.2f s (%.1f CPU-s, %.0f MB/s, peak heap %.0f MB), "
                                        + "read %.2f s, stored %.0f MB, load average %.1f%n", r + 1, ext, sec[r], cpu[r], mb / sec[r],
                                peak[r], read[r], size(out) / 1e6, Repeats.loadAverage());
                        ReconstructBench.deleteTree(out);
                    }
                    ReconstructBench.deleteTree(cohort);
                    double m = Repeats.median(sec), rm = Repeats.median(read);
                    System.out.printf(Locale.ROOT, "ingest format=%s seconds=%.2f cpu_seconds=%.2f mb_per_s=%.0f read_seconds=%.2f "
                                    + "read_mb_per_s=%.0f peak_heap_mb=%.0f mb=%.0f side=%d timepoints=%d repeats=%d input_write_seconds=%.1f "
                                    + "cores=%d%n", ext, m, Repeats.median(cpu), mb / m, rm, mb / rm, Arrays.stream(peak).max().orElse(0), mb, s, t, reps,
                            writeS, Runtime.getRuntime().availableProcessors());
                }
            } finally {
                spark.stop();
                if (dir == null) ReconstructBench.deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gaussian complex values, time-major (T, H, W). */
    static NdArray series(int side, int t) {
        int n = side * side * t;
        float[] re = new float[n], im = new float[n];
        java.util.stream.IntStream.range(0, t).parallel().forEach(k -> {
            SplittableRandom rnd = new SplittableRandom(1234 + k);
            for (int i = k * side * side, e = i + side * side; i < e; i++) {
                re[i] = (float) nextGaussian(rnd);
                im[i] = (float) nextGaussian(rnd);
            }
        });
        return NdArray.complex("series", re, im, t, side, side);
    }

    private static double nextGaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    static void writeCohort(Path cohort, NdArray series, String ext, int t) throws IOException {
        String file = "slice-000_series." + ext;
        Files.createDirectories(cohort.resolve("sub-000"));
        ArrayFiles.write(cohort.resolve("sub-000").resolve(file), series);
        Files.writeString(cohort.resolve("cohort.json"), "{\"format\": \"mrf-cohort\", \"version\": 1, \"subjects\": [\"sub-000\"], "
                + "\"schedule\": {\"name\": \"bench\", \"timepoints\": " + t + ", \"te_ms\": 2.0, \"inversion_ms\": 20.0}}\n");
        Files.writeString(cohort.resolve("sub-000").resolve("subject.json"), "{\"subject\": \"sub-000\", \"slices\": "
                + "[{\"slice\": 0, \"files\": {\"series\": \"" + file + "\"}}]}\n");
    }

    private static long size(Path p) throws IOException {
        try (Stream<Path> st = Files.walk(p)) {
            return st.filter(Files::isRegularFile).mapToLong(q -> q.toFile().length()).sum();
        }
    }
}
