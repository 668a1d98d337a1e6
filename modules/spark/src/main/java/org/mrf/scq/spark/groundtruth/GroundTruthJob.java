package org.mrf.scq.spark.groundtruth;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.eval.MapErrors;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.FailureInjection;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.hadoop.SparkErrors;
import org.mrf.scq.spark.hadoop.SparkProgress;
import org.mrf.scq.spark.method.MatchMethod;
import org.mrf.scq.spark.method.MatchModel;
import org.mrf.scq.spark.method.TrainingData;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceBlock;
import org.mrf.scq.spark.store.SliceStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's ground truth: dictionary matching over all time points of every slice, plus DM at
 * each acceleration rate (first T / ar time points) to show how undersampling degrades it: a {@link MatchModel}
 * per ar, applied on the executors block by block.
 * Writes {@code maps/} (Parquet), {@code images/} (NIfTI + PNG) and {@code summary.json} with
 * {@code dm.ar<N>.t1_err_pct} / {@code t2_err_pct} against the true maps where the slices have them.
 */
public final class GroundTruthJob {
    private GroundTruthJob() {
    }

    public record Result(String path, int slices, Map<String, Map<String, Double>> errors, double seconds) {
        public String summary() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "ground-truth: slices=%d in %.1fs wrote %s/{maps,images,summary.json}",
                    slices, seconds, path));
            errors.forEach((ar, e) -> sb.append(String.format(Locale.ROOT, "%n  dm %-5s T1 error %6.2f %%  T2 error %6.2f %% (vs true maps)",
                    ar, e.getOrDefault("t1_err_pct", Double.NaN), e.getOrDefault("t2_err_pct", Double.NaN))));
            return sb.toString();
        }
    }

    public static Result run(SparkSession spark, String slicesPath, String dictionaryPath, String out, List<Integer> ars,
                             boolean overwrite) {
        long t0 = System.nanoTime();
        int fullT = DictionaryStore.metadata(dictionaryPath, spark.sparkContext().hadoopConfiguration()).timepoints();
        for (int ar : ars) {
            if (ar < 1 || fullT / ar < 1) {
                throw new MrfInputException("acceleration rate " + ar + " is not usable with T=" + fullT + "; use 1 <= ar <= T.");
            }
        }
        if (SliceStore.withoutSeries(spark, slicesPath).isEmpty()) throw new MrfInputException("slices dataset " + slicesPath + " is empty. Ingest a cohort first.");
        MatchMethod dm = new MatchMethod("dm", dictionaryPath, 0);
        try (AtomicOutput target = AtomicOutput.begin(out, spark.sparkContext().hadoopConfiguration(), overwrite);
             SparkProgress ignored = new SparkProgress(spark, "ground-truth")) {
            Dataset<SliceBlock> blocks = SliceStore.blocks(spark, slicesPath, fullT).map((MapFunction<SliceBlock, SliceBlock>) b -> {
                FailureInjection.maybeFail("ground-truth");
                if (b.getT() < fullT) {
                    throw new MrfInputException("slices dataset: subject " + b.getSubject() + " slice " + b.getSlice() + " has T="
                            + b.getT() + " time points, the dictionary " + fullT + ". Use a dictionary of the slices' schedule.");
                }
                return b;
            }, Encoders.bean(SliceBlock.class));
            List<MapsStore.SliceMaps> maps = new ArrayList<>();
            for (int ar : ars) {
                MatchModel model = dm.fit(new TrainingData(spark, fullT / ar, fullT, null, List::of, Map.of(), null));
                try {
                    for (Row r : model.transform(blocks).collectAsList()) {
                        MapsStore.SliceMaps m = MapsStore.SliceMaps.of(r);
                        // Stored under the requested ar (T / ar rounds down; the model's own ar rounds to nearest).
                        maps.add(new MapsStore.SliceMaps(m.subject(), m.slice(), m.method(), ar, m.height(), m.width(), m.t1Ms(),
                                m.t2Ms(), m.pd()));
                    }
                } finally {
                    model.release();
                }
            }
            maps.sort(Comparator.comparing(MapsStore.SliceMaps::key).thenComparing(MapsStore.SliceMaps::ar));
            List<MrfSlice> truth = SliceStore.slices(spark, slicesPath, 1).collect();
            Map<String, MrfSlice> truthByKey = new LinkedHashMap<>();
            truth.forEach(s -> truthByKey.put(s.key(), s));
            MapsStore.writeParquet(spark, maps, target.tmpUri() + "/maps");
            Map<String, Map<String, Double>> summary = new LinkedHashMap<>();
            Map<Integer, List<double[]>> perAr = new LinkedHashMap<>();
            Map<String, MapsStore.SliceMaps> gt = new LinkedHashMap<>();
            for (MapsStore.SliceMaps m : maps) if (m.ar() == 1) gt.put(m.key(), m);
            for (MapsStore.SliceMaps m : maps) {
                MrfSlice s = truthByKey.get(m.key());
                float[] refT1 = s.t1Ms() != null ? s.t1Ms() : gt.containsKey(m.key()) ? gt.get(m.key()).t1Ms() : null;
                float[] refT2 = s.t2Ms() != null ? s.t2Ms() : gt.containsKey(m.key()) ? gt.get(m.key()).t2Ms() : null;
                MapsStore.writeImages(target.fs(), new org.apache.hadoop.fs.Path(target.tmp(), "images"), m, refT1, refT2, s.mask());
                if (s.t1Ms() != null) {
                    perAr.computeIfAbsent(m.ar(), k -> new ArrayList<>()).add(new double[]{
                            MapErrors.meanRelativeErrorPct(m.t1Ms(), s.t1Ms(), s.mask()),
                            MapErrors.meanRelativeErrorPct(m.t2Ms(), s.t2Ms(), s.mask())});
                }
            }
            perAr.forEach((ar, v) -> {
                Map<String, Double> e = new LinkedHashMap<>();
                e.put("t1_err_pct", v.stream().mapToDouble(x -> x[0]).average().orElse(Double.NaN));
                e.put("t2_err_pct", v.stream().mapToDouble(x -> x[1]).average().orElse(Double.NaN));
                e.put("slices", (double) v.size());
                summary.put("ar" + ar, e);
            });
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dm", summary);
            json.put("dictionary", dictionaryPath);
            json.put("slices", slicesPath);
            json.put("timepoints", fullT);
            json.put("error_measure", "mean relative absolute error in the brain mask vs the true maps, percent");
            JsonFiles.writeText(target.fs(), new org.apache.hadoop.fs.Path(target.tmp(), "summary.json"),
                    JsonFiles.JSON.writeValueAsString(json));
            target.commit();
            return new Result(target.target().toString(), gt.size(), summary, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("ground-truth job could not write " + out, e);
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "ground-truth stopped; nothing was written to " + out);
        }
    }
}
