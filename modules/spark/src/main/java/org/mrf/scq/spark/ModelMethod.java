package org.mrf.scq.spark;

import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A learned method for {@link Evaluation}: one network per property (T1, T2), trained by the
 * two-step SCQ trainer against the DM ground truth (the paper's targets) of the training subjects.
 */
public final class ModelMethod implements Evaluation.LearnedMethod {
    private final String name;
    private final Variant variant;
    private final String profile;
    private final TrainConfig train;
    private final String scheduleHash;
    private final int fullT;
    private final Path workDir;
    private final PrintStream log;

    public ModelMethod(String name, Variant variant, String profile, TrainConfig train, String scheduleHash, int fullT,
                       Path workDir, PrintStream log) {
        this.name = name;
        this.variant = variant;
        this.profile = profile;
        this.train = train;
        this.scheduleHash = scheduleHash;
        this.fullT = fullT;
        this.workDir = workDir;
        this.log = log;
    }

    @Override
    public String name() {
        return name;
    }

    static TrainingSlice toTraining(MrfSlice s, MapsStore.SliceMaps gt) {
        return new TrainingSlice(s.subject(), s.slice(), s.height(), s.width(), s.timepoints(), s.re(), s.im(),
                gt == null ? null : gt.t1Ms(), gt == null ? null : gt.t2Ms(), s.mask());
    }

    @Override
    public Evaluation.Predictor train(List<MrfSlice> slices, Map<String, MapsStore.SliceMaps> groundTruth, int t) {
        List<TrainingSlice> data = new ArrayList<>();
        for (MrfSlice s : slices) data.add(toTraining(s, groundTruth.get(s.key())));
        double ar = (double) fullT / t;
        ScqModel[] models = new ScqModel[2];
        try {
            for (Property p : Property.values()) {
                Path ckpt = Files.createDirectories(workDir.resolve(String.format(Locale.ROOT, "%s-ar%d-%s-%s", name, Math.round(ar),
                        p.name().toLowerCase(Locale.ROOT), slices.get(0).subject() + "-" + data.size())));
                log.printf(Locale.ROOT, "train %s %s at ar %.0f on %d slices (profile %s)%n", name, p, ar, data.size(), profile);
                models[p.ordinal()] = new ScqTrainer(p, NetConfig.profile(profile, t, variant), train, scheduleHash, ar, ckpt, log)
                        .train(data, List.of());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return slice -> {
            TrainingSlice ts = TrainingSlice.ofSignal(slice.subject(), slice.slice(), slice.height(), slice.width(), slice.timepoints(),
                    slice.re(), slice.im());
            return new float[][]{models[0].predictMs(ts, scheduleHash), models[1].predictMs(ts, scheduleHash)};
        };
    }
}
