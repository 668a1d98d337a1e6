/**
 * Distributed two-step SCQ training on Spark by parameter averaging (DL4J Spark 1.0.0-M2 over DL4J 1.0.0-M2.1).
 * <pre>
 * JavaRDD&lt;TrainingSlice&gt; slices = SparkScqTrainer.trainingSlices(jsc, SliceStore.slices(spark, path, t), MapsStore.read(spark, gt));
 * SparkScqTrainer tr = new SparkScqTrainer(jsc, Property.T1, NetConfig.quick(t, Variant.SCQ),
 *         SparkTrainConfig.of(TrainConfig.quick(), workers, averagingFrequency), scheduleHash, ar, checkpointDir, System.out)
 *         .projection(TrainJob.projection(spark, dictionary, sliceMetadata, t, 16))   // the quick FE's input subspace
 *         .resume(true);
 * ScqModel model = tr.train(slices, heldOut);   // heldOut may be null
 * tr.save(model, modelDir);                      // model.zip + metadata.json (ScqModel.load) + training-stats/ + training-history.json
 * </pre>
 * How it runs:
 * <ul>
 *   <li>Every epoch, {@link org.mrf.scq.spark.train.ExampleCutter} cuts the examples on the executors (PixelExamples for
 *   step 1, PatchExamples for step 2), merges and shuffles them per group of slices and cuts minibatches of the
 *   per-worker batch; the minibatch RDD is shuffled evenly into {@code workers} partitions (cutting stays parallel on
 *   the map side) because DL4J deals each partition's objects out to the averaging rounds independently, which leaves
 *   rounds empty (and fails the master) when no partition holds as many objects as there are rounds.</li>
 *   <li>One {@code ParameterAveragingTrainingMaster} per epoch (seeded from the training seed, the step and the epoch;
 *   updater state averaged and kept; Balanced repartitioning to the workers), under a {@code SparkComputationGraph}.</li>
 *   <li>{@link org.mrf.scq.spark.train.WorkerSafeConfiguration}: DL4J M2.1's {@code ComputationGraphConfiguration.clone()},
 *   which the worker uses to build its network, resets the iteration/epoch counters (Adam's bias correction and the
 *   epoch-based learning-rate schedule restart every round) and the NHWC merge axis of the U-Net's skip
 *   concatenations; during a Spark fit the master network carries a configuration whose clone keeps both.</li>
 *   <li>With one worker and averaging frequency 1 the result equals a single-JVM fit on the same minibatches in the
 *   same order, bit for bit (tested).</li>
 *   <li>DL4J Spark statistics time events with an NTP clock by default (and fail without network): unless the
 *   system property {@code org.deeplearning4j.spark.time.TimeSource} is set, the system clock is used.</li>
 * </ul>
 */
package org.mrf.scq.spark.train;
