package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.svd.RandomizedSvd;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.spark.store.BasisStore;
import org.mrf.scq.spark.store.DictionaryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "svd", mixinStandardHelpOptions = true,
        description = "Randomized SVD of a dictionary: ranks for the standard energy thresholds; the basis is stored beside the dictionary.",
        footer = {"", "Examples:", "  mrf svd --dictionary dict/                    # T of the dictionary, stores dict/_basis/",
                "  mrf svd --dictionary dict/ --timepoints 576   # ranks at ar = 4 (printed, not stored)"})
public final class SvdCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Mixin DatasetOptions.Dictionary dictionary;
    @Option(names = "--timepoints", defaultValue = "0", description = "Use the first T time points (0 = all).")
    int timepoints;

    @Override
    public Integer call() throws Exception {
        MrfConfig c = common.config();
        SparkSession spark = common.spark();
        try {
            Dictionary dict = DictionaryStore.load(spark, dictionary.path, timepoints);
            long t0 = System.nanoTime();
            SvdBasis basis = compute(c, dict);
            double sec = (System.nanoTime() - t0) / 1e9;
            Map<String, Integer> ranks = BasisStore.ranks(basis);
            ranks.forEach((e, k) -> System.out.printf(Locale.ROOT, "svd energy=%s rank=%s%n", e, k == null ? "n/a" : k));
            boolean full = timepoints <= 0 || timepoints == DictionaryStore.metadata(dictionary.path,
                    spark.sparkContext().hadoopConfiguration()).timepoints();
            if (full) BasisStore.write(dictionary.path, basis, spark.sparkContext().hadoopConfiguration());
            System.out.printf(Locale.ROOT, "svd: entries=%d timepoints=%d rank=%d in %.1fs%s%n", dict.size(), dict.timepoints(),
                    basis.rank(), sec, full ? " wrote " + dictionary.path + "/" + BasisStore.DIR : " (not stored: T differs from the dictionary's)");
        } finally {
            spark.stop();
        }
        return 0;
    }

    static SvdBasis compute(MrfConfig c, Dictionary dict) {
        return RandomizedSvd.ofDictionary(dict, c.integer("mrf.svd.max-rank"), c.integer("mrf.svd.oversampling"),
                c.integer("mrf.svd.power-iterations"), c.get().getLong("mrf.svd.seed"));
    }
}
