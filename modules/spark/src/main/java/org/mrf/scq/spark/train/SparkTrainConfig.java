package org.mrf.scq.spark.train;

import org.mrf.scq.model.TrainConfig;

/**
 * Settings of distributed two-step training by parameter averaging (DL4J Spark's
 * ParameterAveragingTrainingMaster).
 * <p>
 * Epochs, the per-worker minibatch ({@link TrainConfig#pixelBatch()} for step 1, {@link TrainConfig#patchBatch()}
 * for step 2), sampling, Adam and the constant-then-linear-decay learning-rate schedule come from {@code train},
 * exactly as for the single-JVM {@link org.mrf.scq.model.train.ScqTrainer}, so the saved metadata is the same.
 *
 * @param train              epochs, batch per worker, patches, Adam and learning-rate schedule, seed
 * @param workers            parallel workers (Spark tasks) per averaging round; 0 = the context's default parallelism
 * @param averagingFrequency minibatches each worker fits between two parameter averagings
 * @param prefetchBatches    minibatches each worker prepares asynchronously (0 = none)
 * @param repartition        with several workers, deal the epoch's minibatches over them exactly evenly (one more pass
 *                           over the cutting counts them); false deals without counting, evenly up to one minibatch
 *                           per data partition. Either way in a fixed order (SparkEpochRunner.spread)
 * @param collectStats       collect DL4J Spark training statistics (exported as HTML and text after every epoch)
 * @param maxGroupBytes      executor-side example buffer: the examples of a partition's slices are merged and
 *                           shuffled in groups of at most this many bytes (at least one slice per group)
 */
public record SparkTrainConfig(TrainConfig train, int workers, int averagingFrequency, int prefetchBatches,
                               boolean repartition, boolean collectStats, long maxGroupBytes) {
    public static final long DEFAULT_GROUP_BYTES = 256L << 20;

    public SparkTrainConfig {
        if (train == null) throw new IllegalArgumentException("train settings are required");
        if (workers < 0) throw new IllegalArgumentException("workers must be >= 0 (0 = default parallelism)");
        if (averagingFrequency < 1) throw new IllegalArgumentException("averagingFrequency must be >= 1");
        if (prefetchBatches < 0) throw new IllegalArgumentException("prefetchBatches must be >= 0");
        if (maxGroupBytes < 1) throw new IllegalArgumentException("maxGroupBytes must be >= 1");
    }

    /** Balanced repartitioning, statistics on, no prefetch, 256 MiB example groups. */
    public static SparkTrainConfig of(TrainConfig train, int workers, int averagingFrequency) {
        return new SparkTrainConfig(train, workers, averagingFrequency, 0, true, true, DEFAULT_GROUP_BYTES);
    }

    public SparkTrainConfig withTrain(TrainConfig t) {
        return new SparkTrainConfig(t, workers, averagingFrequency, prefetchBatches, repartition, collectStats, maxGroupBytes);
    }

    public SparkTrainConfig withWorkers(int w, int averaging) {
        return new SparkTrainConfig(train, w, averaging, prefetchBatches, repartition, collectStats, maxGroupBytes);
    }

    public SparkTrainConfig withRepartition(boolean r) {
        return new SparkTrainConfig(train, workers, averagingFrequency, prefetchBatches, r, collectStats, maxGroupBytes);
    }

    public SparkTrainConfig withCollectStats(boolean s) {
        return new SparkTrainConfig(train, workers, averagingFrequency, prefetchBatches, repartition, s, maxGroupBytes);
    }
}
