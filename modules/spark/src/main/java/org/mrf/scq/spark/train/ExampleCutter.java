package org.mrf.scq.spark.train;

import org.apache.spark.api.java.function.Function2;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.data.PatchExamples;
import org.mrf.scq.model.data.PixelExamples;
import org.mrf.scq.model.data.TrainingSlice;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs on the executors: cuts one epoch's training examples from the slices of a partition (pixels for
 * step 1 with {@link PixelExamples}, patches for step 2 with {@link PatchExamples}) and gives them as
 * minibatch DataSets. Slices are taken in groups of at most {@code maxGroupBytes} of examples (at least one
 * slice); a group's examples are merged, shuffled and cut into minibatches of {@code batch}, as the
 * single-JVM trainer does. Lazy: one group is in memory at a time. Every seed follows from the epoch seed,
 * the slice's subject/slice and the partition index, so a recomputed partition gives the same minibatches.
 */
final class ExampleCutter implements Function2<Integer, Iterator<TrainingSlice>, Iterator<DataSet>> {
    private static final long serialVersionUID = 1L;

    private final int step;
    private final Property property;
    private final int t;
    private final boolean magnitude;
    private final int pixelsPerSlice;
    private final int patchSize;
    private final int patchStride;
    private final boolean augment;
    private final int batch;
    private final long epochSeed;
    private final long maxGroupBytes;

    ExampleCutter(int step, Property property, int t, boolean magnitude, int pixelsPerSlice, int patchSize, int patchStride,
                  boolean augment, int batch, long epochSeed, long maxGroupBytes) {
        this.step = step;
        this.property = property;
        this.t = t;
        this.magnitude = magnitude;
        this.pixelsPerSlice = pixelsPerSlice;
        this.patchSize = patchSize;
        this.patchStride = patchStride;
        this.augment = augment;
        this.batch = batch;
        this.epochSeed = epochSeed;
        this.maxGroupBytes = maxGroupBytes;
    }

    /** Seed of one slice's examples in one epoch: independent of where the slice lies in the RDD. */
    static long sliceSeed(long epochSeed, TrainingSlice s) {
        long h = 1125899906842597L;
        for (char c : s.subject().toCharArray()) h = 31 * h + c;
        return epochSeed * 31 + h * 1_000_003L + s.slice();
    }

    DataSet examples(TrainingSlice s) {
        long seed = sliceSeed(epochSeed, s);
        return step == 1
                ? PixelExamples.from(s, property, t, magnitude, pixelsPerSlice, seed)
                : PatchExamples.from(s, property, t, magnitude, patchSize, patchStride, augment, seed);
    }

    /**
     * DL4J Spark's training statistics time events with an NTP clock by default (it queries pool.ntp.org and
     * fails without network). Unless a time source is configured explicitly (system property
     * {@value #TIME_SOURCE_PROPERTY}), the JVM's clock is used; called on the driver and on every executor
     * before training there.
     */
    static void defaultTimeSource() {
        if (System.getProperty(TIME_SOURCE_PROPERTY) == null) {
            System.setProperty(TIME_SOURCE_PROPERTY, "org.deeplearning4j.spark.time.SystemClockTimeSource");
        }
    }

    static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";

    @Override
    public Iterator<DataSet> call(Integer partition, Iterator<TrainingSlice> slices) {
        defaultTimeSource();
        return new Iterator<>() {
            private Iterator<DataSet> current = Collections.emptyIterator();
            private int group;

            private void advance() {
                while (!current.hasNext() && slices.hasNext()) {
                    List<DataSet> parts = new ArrayList<>();
                    long bytes = 0;
                    while (slices.hasNext() && (parts.isEmpty() || bytes < maxGroupBytes)) {
                        DataSet d = examples(slices.next());
                        if (d == null) continue;
                        parts.add(d);
                        bytes += 4L * (d.getFeatures().length() + d.getLabels().length());
                    }
                    if (parts.isEmpty()) continue;
                    DataSet all = parts.size() == 1 ? parts.get(0) : DataSet.merge(parts);
                    all.shuffle(epochSeed * 7919 + partition * 104_729L + group++);
                    current = all.batchBy(batch).iterator();
                }
            }

            @Override
            public boolean hasNext() {
                advance();
                return current.hasNext();
            }

            @Override
            public DataSet next() {
                if (!hasNext()) throw new NoSuchElementException();
                return current.next();
            }
        };
    }
}
