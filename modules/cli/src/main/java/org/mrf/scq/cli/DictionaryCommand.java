package org.mrf.scq.cli;

import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "dictionary", mixinStandardHelpOptions = true,
        description = "Simulate the FISP dictionary on Spark and write it as Parquet (entry_id, t1_ms, t2_ms, re, im).",
        footer = {"", "Examples:",
                "  mrf dictionary --out dict/                      # the paper's 13,123 entries, embedded Spark",
                "  mrf dictionary --out dict576/ --timepoints 576  # the first 576 time points (ar = 4)",
                "  mrf dictionary --out hdfs:///mrf/dict --master spark://host:7077 --overwrite",
                "  mrf dictionary --out d/ -Dmrf.dictionary.t1-ranges='[\"100:3000:20\"]'"})
public final class DictionaryCommand implements Callable<Integer> {
    @Mixin
    SparkCommon common;
    @Mixin
    SequenceOptions sequence;
    @Mixin DatasetOptions.Out out;
    @Option(names = "--timepoints", description = "Simulate only the first T time points (0 = all).")
    Integer timepoints;
    @Option(names = "--partitions", description = "Spark partitions (0 = 4 per core).")
    Integer partitions;
    @Mixin DatasetOptions.Overwrite overwrite;
    @Option(names = "--no-svd", description = "Skip the randomized SVD (otherwise stored in OUT/_basis).")
    boolean noSvd;

    @Override
    public Integer call() throws java.io.IOException {
        sequence.apply(common).flag("mrf.dictionary.timepoints", timepoints).flag("mrf.spark.partitions", partitions);
        MrfConfig c = common.config();
        FispSequence seq = common.sequence();
        int t = c.integer("mrf.dictionary.timepoints");
        if (t > 0) seq = seq.truncate(Math.min(t, seq.length()));
        DictionaryJob.GridSpec grid = new DictionaryJob.GridSpec(c.strings("mrf.dictionary.t1-ranges"),
                c.strings("mrf.dictionary.t2-ranges"), c.bool("mrf.dictionary.t2-at-most-t1"));
        SparkSession spark = common.spark();
        try {
            DictionaryJob.Result r = DictionaryJob.run(spark, seq, grid, c.number("mrf.epg.tolerance"), out.path, overwrite.on,
                    c.integer("mrf.spark.partitions"));
            System.out.println(r.summary());
            if (!noSvd) {
                org.mrf.scq.core.svd.SvdBasis basis = SvdCommand.compute(c, org.mrf.scq.spark.store.DictionaryStore.load(spark, r.path(), 0));
                org.mrf.scq.spark.store.BasisStore.write(r.path(), basis, spark.sparkContext().hadoopConfiguration());
                System.out.println("svd: rank=" + basis.rank() + " ranks_for_energy=" + org.mrf.scq.spark.store.BasisStore.ranks(basis)
                        + " wrote " + r.path() + "/" + org.mrf.scq.spark.store.BasisStore.DIR);
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
