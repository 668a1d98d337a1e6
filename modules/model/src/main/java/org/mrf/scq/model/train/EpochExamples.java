package org.mrf.scq.model.train;

import org.mrf.scq.model.Property;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.data.PatchExamples;
import org.mrf.scq.model.data.PixelExamples;
import org.mrf.scq.model.data.SliceInputs;
import org.mrf.scq.model.data.TrainingSlice;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One epoch's training examples of one step, cut from a sequence of slices: pixels for step 1
 * ({@link PixelExamples}), patches for step 2 ({@link PatchExamples}). Slices are taken in groups of at most
 * {@code maxGroupBytes} of examples (at least one slice); a group's examples are merged, shuffled and cut into
 * minibatches. Lazy: one group is in memory at a time. Every seed follows from the epoch seed, the slice's
 * subject/slice and the index of the sequence (a Spark partition), so the examples do not depend on which
 * runner or executor cuts them, and a recomputed partition gives the same minibatches.
 * Serializable: the Spark epoch runner ships it to the executors.
 */
public final class EpochExamples implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int step;
    private final int epoch;
    private final Property property;
    private final int t;
    private final SliceInputs.Form form;
    private final int pixelsPerSlice;
    private final int patchSize;
    private final int patchStride;
    private final boolean augment;
    private final int batch;
    private final long epochSeed;

    /** The examples of {@code step}'s epoch {@code epoch} (counted from 0) under the settings {@code tc}. */
    public EpochExamples(int step, int epoch, Property property, int t, SliceInputs.Form form, TrainConfig tc) {
        this.step = step;
        this.epoch = epoch;
        this.property = property;
        this.t = t;
        this.form = form;
        this.pixelsPerSlice = tc.pixelsPerSlice();
        this.patchSize = tc.patchSize();
        this.patchStride = tc.patchStride();
        this.augment = tc.augment();
        this.batch = batch(tc, step);
        this.epochSeed = epochSeed(tc, step, epoch);
    }

    /** The minibatch size of a step (per worker under parameter averaging). */
    public static int batch(TrainConfig tc, int step) {
        return step == 1 ? tc.pixelBatch() : tc.patchBatch();
    }

    /** The seed of one step's epoch: each epoch samples afresh, and a resumed run repeats the uninterrupted one. */
    public static long epochSeed(TrainConfig tc, int step, int epoch) {
        return tc.seed() * 1_000_003L + step * 10_007L + epoch;
    }

    public int step() {
        return step;
    }

    /** The epoch, counted from 0. */
    public int epoch() {
        return epoch;
    }

    public int batch() {
        return batch;
    }

    public long epochSeed() {
        return epochSeed;
    }

    /** Seed of one slice's examples in one epoch: independent of where the slice lies in the sequence. */
    static long sliceSeed(long epochSeed, TrainingSlice s) {
        long h = 1125899906842597L;
        for (char c : s.subject().toCharArray()) h = 31 * h + c;
        return epochSeed * 31 + h * 1_000_003L + s.slice();
    }

    /** One slice's examples (null when it has none). */
    public DataSet of(TrainingSlice s) {
        long seed = sliceSeed(epochSeed, s);
        return step == 1
                ? PixelExamples.from(s, property, t, form, pixelsPerSlice, seed)
                : PatchExamples.from(s, property, t, form, patchSize, patchStride, augment, seed);
    }

    /** The minibatches of the slices of sequence (partition) {@code index}, lazily. */
    public Iterator<DataSet> minibatches(Iterator<TrainingSlice> slices, int index, long maxGroupBytes) {
        return new Iterator<>() {
            private Iterator<DataSet> current = Collections.emptyIterator();
            private int group;

            private void advance() {
                while (!current.hasNext() && slices.hasNext()) {
                    List<DataSet> parts = new ArrayList<>();
                    long bytes = 0;
                    while (slices.hasNext() && (parts.isEmpty() || bytes < maxGroupBytes)) {
                        DataSet d = of(slices.next());
                        if (d == null) continue;
                        parts.add(d);
                        bytes += 4L * (d.getFeatures().length() + d.getLabels().length());
                    }
                    if (parts.isEmpty()) continue;
                    DataSet all = parts.size() == 1 ? parts.get(0) : DataSet.merge(parts);
                    all.shuffle(epochSeed * 7919 + index * 104_729L + group++);
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
