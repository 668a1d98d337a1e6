package org.mrf.scq.spark.dictionary;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.CodeVersion;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.FailureInjection;
import org.mrf.scq.spark.hadoop.SparkProgress;
import org.mrf.scq.spark.store.DictionaryStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.col;

/**
 * Simulates a dictionary on the executors: the grid is cut into contiguous entry ranges (T1-major,
 * so every range spans all T2 values and costs about the same), each partition runs its own
 * {@link EpgSimulator}, and rows go straight to Parquet. Nothing but the grid crosses the driver.
 */
public final class DictionaryJob {
    /** What was written, for the summary line. */
    public record Result(String path, long entries, int timepoints, int partitions, double seconds) {
        public String summary() {
            return String.format(java.util.Locale.ROOT, "dictionary: entries=%d timepoints=%d partitions=%d wrote %s in %.1fs",
                    entries, timepoints, partitions, path, seconds);
        }
    }

    /** The grid as plain ranges, so the metadata can say how to rebuild it. */
    public record GridSpec(List<String> t1Ranges, List<String> t2Ranges, boolean t2AtMostT1) {
        public DictionaryGrid build(String where) {
            return DictionaryGrid.fromRanges(t1Ranges, t2Ranges, t2AtMostT1, where);
        }
    }

    private DictionaryJob() {
    }

    /**
     * @param partitions number of Spark partitions; 0 chooses 4 per default-parallelism slot
     */
    public static Result run(SparkSession spark, FispSequence seq, GridSpec spec, double tolerance, String out,
                             boolean overwrite, int partitions) {
        long t0 = System.nanoTime();
        DictionaryGrid grid = spec.build("mrf.dictionary");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int n = grid.size();
        int parts = partitions > 0 ? partitions : Math.max(1, Math.min(n, 4 * jsc.defaultParallelism()));
        float[] t1 = new float[n], t2 = new float[n];
        for (int i = 0; i < n; i++) {
            t1[i] = grid.t1(i);
            t2[i] = grid.t2(i);
        }
        int t = seq.length();
        List<Integer> ids = IntStream.range(0, parts).boxed().toList();
        // Beans, not Rows: Spark's generated encoder copies each entry's series bytes as they are.
        JavaRDD<DictionaryStore.Entry> rows = jsc.parallelize(ids, parts).flatMap(p -> {
            FailureInjection.maybeFail("dictionary");
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            EpgSimulator sim = new EpgSimulator(seq, tolerance);
            double[] sr = new double[t], si = new double[t];
            List<DictionaryStore.Entry> out1 = new ArrayList<>(to - from);
            for (int e = from; e < to; e++) {
                float[] re = new float[t], im = new float[t];
                Dictionary.simulateInto(sim, t1[e], t2[e], sr, si, re, im, 0);
                out1.add(DictionaryStore.Entry.of(e, t1[e], t2[e], re, im));
            }
            return out1.iterator();
        });
        try (AtomicOutput target = AtomicOutput.begin(out, spark.sparkContext().hadoopConfiguration(), overwrite);
             SparkProgress ignored = new SparkProgress(spark, "dictionary", n, parts, "entries")) {
            spark.createDataset(rows.rdd(), Encoders.bean(DictionaryStore.Entry.class))
                    .select(col("entryId").as("entry_id"), col("t1").as("t1_ms"), col("t2").as("t2_ms"), col("re"), col("im"))
                    .write().options(DictionaryStore.WRITE_OPTIONS).mode(SaveMode.ErrorIfExists).parquet(target.tmpUri());
            DictionaryStore.Metadata meta = new DictionaryStore.Metadata(seq.name(), seq.hash(), t, seq.teMs(0),
                    seq.inversionMs(), tolerance, "none: raw complex signal, M0 = 1", spec.t1Ranges(), spec.t2Ranges(),
                    spec.t2AtMostT1(), n, CodeVersion.get(), Instant.now().toString());
            DictionaryStore.writeSidecars(target.fs(), target.tmp(), meta, seq);
            target.commit();
            return new Result(target.target().toString(), n, t, parts, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("dictionary job could not write " + out, e);
        }
    }
}
