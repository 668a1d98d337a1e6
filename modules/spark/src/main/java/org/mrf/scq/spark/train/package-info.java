/**
 * The Spark epoch runner of the one two-step trainer ({@link org.mrf.scq.model.train.ScqTrainer}): parameter averaging
 * (DL4J Spark 1.0.0-M2 over DL4J 1.0.0-M2.1).
 * <pre>
 * JavaRDD&lt;TrainingSlice&gt; slices = SparkEpochRunner.trainingSlices(jsc, SliceStore.slices(spark, path, t), gt, targets, path);
 * SparkTrainConfig sc = SparkTrainConfig.of(TrainConfig.quick(), workers, averagingFrequency);
 * ScqTrainer tr = new ScqTrainer(Property.T1, NetConfig.quick(t, Variant.SCQ), sc.train(), scheduleHash, ar, checkpointDir, System.out)
 *         .projection(TrainJob.projection(spark, dictionary, sliceMetadata, t, 16))   // the quick FE's input subspace
 *         .resume(true);
 * ScqModel model = tr.train(new SparkEpochRunner(jsc, sc, slices, heldOut, System.out));   // heldOut may be null
 * tr.save(model, modelDir);   // model.zip + metadata.json (ScqModel.load) + training-stats/ + training-history.json
 * </pre>
 * How it runs:
 * <ul>
 *   <li>Every epoch, {@link org.mrf.scq.model.train.EpochExamples} cuts the examples on the executors (PixelExamples for
 *   step 1, PatchExamples for step 2), merges and shuffles them per group of slices and cuts minibatches of the
 *   per-worker batch; with several workers the minibatch RDD is dealt evenly into {@code workers} partitions, each
 *   sorted by (source partition, index), so a partition lost with its executor recomputes the same minibatches in the
 *   same order (cutting stays parallel on the map side). Spread evenly, because DL4J deals each partition's objects
 *   out to the averaging rounds independently, which leaves rounds empty (and fails the master) when no partition
 *   holds as many objects as there are rounds.</li>
 *   <li>One {@code ParameterAveragingTrainingMaster} per epoch (seeded from the training seed, the step and the epoch;
 *   updater state averaged and kept; DL4J's own repartitioning off: it would index the minibatches in their fetched,
 *   unfixed order), under a {@code SparkComputationGraph}.</li>
 *   <li>{@link org.mrf.scq.spark.train.WorkerSafeConfiguration}: DL4J M2.1's {@code ComputationGraphConfiguration.clone()},
 *   which the worker uses to build its network, resets the iteration/epoch counters (Adam's bias correction and the
 *   epoch-based learning-rate schedule restart every round) and the NHWC merge axis of the U-Net's skip
 *   concatenations; during a Spark fit the master network carries a configuration whose clone keeps both.</li>
 *   <li>With one worker and the slices in one partition the runner fits the local runner's minibatches in the same
 *   order. DL4J advances the iteration counter (Adam's bias correction) by the averaging frequency per round, not
 *   by the minibatches fitted; when a round is exactly an epoch the two agree bit for bit (tested).</li>
 *   <li>DL4J Spark statistics time events with an NTP clock by default (and fail without network): unless the
 *   system property {@code org.deeplearning4j.spark.time.TimeSource} is set, the system clock is used.</li>
 * </ul>
 */
package org.mrf.scq.spark.train;
