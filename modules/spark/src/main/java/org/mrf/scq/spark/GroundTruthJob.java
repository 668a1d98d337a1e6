package org.mrf.scq.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.eval.MapErrors;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.Matcher;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paper's ground truth: dictionary matching over all time points of every slice, plus DM at
 * each acceleration rate (first T / ar time points) to show how undersampling degrades it. Work is
 * sharded by slice block; the dictionary is broadcast and each executor builds its matchers once.
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

    /**
     * Per-executor matchers, built once from the broadcast dictionary per time-point count. Only the
     * current dictionary's matchers are kept: each holds a normalised copy of the dictionary (up to
     * 240 MB), so a long-lived executor (or the embedded driver) must not collect them job after job.
     */
    static final class Matchers {
        private static final Map<Integer, Matcher> CACHE = new ConcurrentHashMap<>();
        private static long dictionaryId = -1;

        static synchronized Matcher dm(Broadcast<Dictionary> dict, int t) {
            if (dict.id() != dictionaryId) {
                clear();
                dictionaryId = dict.id();
            }
            return CACHE.computeIfAbsent(t, k -> new DictionaryMatcher(dict.value().truncate(t)));
        }

        static synchronized void clear() {
            CACHE.values().forEach(Matcher::release);
            CACHE.clear();
            dictionaryId = -1;
        }
    }

    record BlockMaps(String subject, int slice, int ar, int y0, int rows, int height, int width, float[] t1, float[] t2,
                     float[] pd) implements Serializable {
    }

    public static Result run(SparkSession spark, String slicesPath, String dictionaryPath, String out, List<Integer> ars,
                             boolean overwrite) {
        long t0 = System.nanoTime();
        Dictionary dict = DictionaryStore.load(spark, dictionaryPath, 0);
        int fullT = dict.timepoints();
        for (int ar : ars) {
            if (ar < 1 || fullT / ar < 1) {
                throw new MrfInputException("acceleration rate " + ar + " is not usable with T=" + fullT + "; use 1 <= ar <= T.");
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<SliceBlock> probe = SliceStore.blocks(spark, slicesPath, 0).limit(1).collectAsList();
        if (probe.isEmpty()) throw new MrfInputException("slices dataset " + slicesPath + " is empty. Ingest a cohort first.");
        Broadcast<Dictionary> bd = jsc.broadcast(dict);
        List<BlockMaps> results;
        try (AtomicOutput target = AtomicOutput.begin(out, spark.sparkContext().hadoopConfiguration(), overwrite);
             SparkProgress ignored = new SparkProgress(spark, "ground-truth")) {
            results = SliceStore.blocks(spark, slicesPath, fullT).javaRDD().flatMap(b -> {
                FailureInjection.maybeFail("ground-truth");
                if (b.getT() < fullT) {
                    throw new MrfInputException("slices dataset: subject " + b.getSubject() + " slice " + b.getSlice() + " has T="
                            + b.getT() + " time points, the dictionary " + fullT + ". Use a dictionary of the slices' schedule.");
                }
                List<BlockMaps> outB = new ArrayList<>();
                for (int ar : ars) {
                    int t = fullT / ar;
                    Matcher m = Matchers.dm(bd, t);
                    MatchResult r;
                    synchronized (m) {
                        r = m.matchTimeMajor(b.getRe(), b.getIm(), b.getT(), b.getRows(), b.getWidth(), t);
                        m.release();
                    }
                    outB.add(new BlockMaps(b.getSubject(), b.getSlice(), ar, b.getY0(), b.getRows(), b.getHeight(),
                            b.getWidth(), r.t1, r.t2, r.pd));
                }
                return outB.iterator();
            }).collect();
            List<MrfSlice> truth = SliceStore.slices(spark, slicesPath, 1).collect();
            Map<String, MrfSlice> truthByKey = new LinkedHashMap<>();
            truth.forEach(s -> truthByKey.put(s.key(), s));
            List<MapsStore.SliceMaps> maps = assemble(results);
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
            DictionaryStore.writeText(target.fs(), new org.apache.hadoop.fs.Path(target.tmp(), "summary.json"),
                    DictionaryStore.JSON.writeValueAsString(json));
            target.commit();
            return new Result(target.target().toString(), gt.size(), summary, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("ground-truth job could not write " + out, e);
        } catch (Exception e) {
            throw SparkErrors.unwrap(e, "ground-truth stopped; nothing was written to " + out);
        } finally {
            Matchers.clear();
            bd.destroy();
        }
    }

    static List<MapsStore.SliceMaps> assemble(List<BlockMaps> blocks) {
        Map<String, List<BlockMaps>> by = new LinkedHashMap<>();
        for (BlockMaps b : blocks) by.computeIfAbsent(b.subject() + "/" + b.slice() + "/" + b.ar(), k -> new ArrayList<>()).add(b);
        List<MapsStore.SliceMaps> out = new ArrayList<>();
        for (List<BlockMaps> l : by.values()) {
            BlockMaps f = l.get(0);
            int px = f.height() * f.width();
            float[] t1 = new float[px], t2 = new float[px], pd = new float[px];
            for (BlockMaps b : l) {
                int off = b.y0() * b.width();
                System.arraycopy(b.t1(), 0, t1, off, b.t1().length);
                System.arraycopy(b.t2(), 0, t2, off, b.t2().length);
                System.arraycopy(b.pd(), 0, pd, off, b.pd().length);
            }
            out.add(new MapsStore.SliceMaps(f.subject(), f.slice(), "dm", f.ar(), f.height(), f.width(), t1, t2, pd));
        }
        out.sort(java.util.Comparator.comparing(MapsStore.SliceMaps::key).thenComparing(MapsStore.SliceMaps::ar));
        return out;
    }
}
