package org.mrf.scq.model.train;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Real DL4J training on small EPG phantoms (T = 48, 32 x 32). */
class ScqTrainerTest {
    static final int T = 48;
    static FispSequence seq;
    static List<TrainingSlice> train, val;

    @BeforeAll
    static void data() {
        seq = Schedules.paperDefault(2.0, 18.0).truncate(T);
        SyntheticSlices gen = new SyntheticSlices(seq);
        train = gen.slices("train", 16, 32, 32, 10, 0.0, 1);
        val = gen.slices("val", 2, 32, 32, 10, 0.0, 2);
    }

    static NetConfig small(Variant v) {
        return new NetConfig(T, v, new int[]{64, 16}, new int[]{8, 16}, 32, 1, 0.9, 1L);
    }

    @Test
    void feOnlyLearnsT1OnCleanData() {
        TrainConfig tc = new TrainConfig(40, 0, 2048, 0, 16, 8, false, 8, 5e-3, 0.5, 0.999, 0.5, 3L);
        ScqTrainer tr = new ScqTrainer(Property.T1, small(Variant.FE_ONLY), tc, seq.hash(), 2304.0 / T, null, quiet());
        ScqModel m = tr.train(train, val);
        double err = ScqTrainer.meanRelativeErrorPct(m, val);
        List<ScqTrainer.EpochStats> h = tr.history();
        assertTrue(h.get(h.size() - 1).trainLoss() < 0.5 * h.get(0).trainLoss(), "loss falls: " + h.get(0) + " -> " + h.get(h.size() - 1));
        System.out.println("FE-only held-out T1 error " + err + "%");
        assertTrue(err < 8, "FE-only T1 error on clean held-out slices " + err + "%");
        assertEquals(err, m.metadata().metrics().get("val_rel_err_pct"), 1e-9);
    }

    @Test
    void twoStepScqTrainsCheckpointsAndReloadsBitIdentically(@TempDir Path dir) throws Exception {
        TrainConfig tc = new TrainConfig(3, 256, 1024, 3, 16, 16, true, 8, 3e-3, 1e-3, 0.5, 0.999, 0.5, 3L);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ScqTrainer tr = new ScqTrainer(Property.T2, small(Variant.SCQ), tc, seq.hash(), 2304.0 / T, dir.resolve("ckpt"),
                new PrintStream(log, true));
        ScqModel m = tr.train(train.subList(0, 6), val.subList(0, 1));
        List<ScqTrainer.EpochStats> step2 = tr.history().stream().filter(e -> e.step() == 2).toList();
        assertEquals(3, step2.size());
        assertTrue(step2.get(2).trainLoss() < step2.get(0).trainLoss(), "step-2 loss falls: " + step2);
        String text = log.toString();
        assertTrue(text.contains("step 1 epoch 3/3 done") && text.contains("step 2 epoch 3/3 done") && text.contains("ETA"), text);
        assertTrue(Files.exists(dir.resolve("ckpt/step1-epoch003.zip")) && Files.exists(dir.resolve("ckpt/step2-epoch003.zip")));
        assertFalse(Files.exists(dir.resolve("ckpt/step2-epoch002.zip")));

        float[] before = m.predictMs(val.get(0), seq.hash());
        assertEquals(32 * 32, before.length);
        m.save(dir.resolve("model-t2"));
        ScqModel back = ScqModel.load(dir.resolve("model-t2"));
        float[] after = back.predictMs(val.get(0), seq.hash());
        assertArrayEquals(before, after, "bit-identical maps after reload");
        ModelMetadata md = back.metadata();
        assertEquals(Property.T2, md.property());
        assertEquals(Variant.SCQ, md.net().variant());
        assertEquals(T, md.t());
        assertEquals(seq.hash(), md.scheduleHash());
        assertEquals(tc, md.train());
        assertTrue(md.metrics().containsKey("step2_val_rel_err_pct"));
        // step 2 ran at its own rate: the U-Net's Adam starts at patchLr, not lr
        var updater = ((org.deeplearning4j.nn.conf.layers.BaseLayer) m.graph().getLayer("final").conf().getLayer()).getIUpdater();
        assertEquals(1e-3, updater.getLearningRate(0, 0), 1e-12);
        // a model saved before step 2 had its own rate trained both steps at "lr"
        Path meta = dir.resolve("model-t2").resolve("metadata.json");
        Files.writeString(meta, Files.readString(meta).replaceAll("\"patchLr\"\\s*:\\s*[0-9.eE+-]+\\s*,", ""));
        assertFalse(Files.readString(meta).contains("patchLr"));
        assertEquals(3e-3, ScqModel.load(dir.resolve("model-t2")).metadata().train().patchLr(), 1e-12);

        // refusals: other schedule, too few time points
        MrfInputException e1 = assertThrows(MrfInputException.class, () -> back.predictMs(val.get(0), "deadbeef"));
        assertTrue(e1.getMessage().contains("schedule"), e1.getMessage());
        TrainingSlice shortSlice = new SyntheticSlices(seq.truncate(24)).slice("x", 0, 32, 32, 3, 0, 5);
        MrfInputException e2 = assertThrows(MrfInputException.class, () -> back.predictMs(shortSlice, seq.hash()));
        assertTrue(e2.getMessage().contains("time points"), e2.getMessage());
    }

    @Test
    void warmStartedFitEqualsStepOneThenStepTwo(@TempDir Path dir) throws Exception {
        TrainConfig tc = new TrainConfig(2, 64, 128, 2, 16, 16, true, 8, 3e-3, 1e-3, 0.5, 0.999, 0.5, 9L);
        List<TrainingSlice> few = train.subList(0, 4);
        ScqModel stepOne = new ScqTrainer(Property.T1, small(Variant.FE_ONLY), tc, seq.hash(), 48, null, quiet()).train(few, List.of());
        ScqModel inSequence = new ScqTrainer(Property.T1, small(Variant.SCQ), tc, seq.hash(), 48, null, quiet()).train(few, List.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ScqTrainer warm = new ScqTrainer(Property.T1, small(Variant.SCQ), tc, seq.hash(), 48, dir, new PrintStream(log, true))
                .pretrained(stepOne.graph());
        ScqModel warmStarted = warm.train(few, List.of());
        assertTrue(log.toString().contains("starting from the given pretrained network"), log.toString());
        assertTrue(warm.history().stream().allMatch(e -> e.step() == 2), "step 1 not trained again: " + warm.history());
        assertEquals(0.0, warmStarted.graph().params().sub(inSequence.graph().params()).amaxNumber().doubleValue(),
                "a warm start from step 1 equals steps 1 and 2 in sequence");
        assertTrue(Files.exists(dir.resolve(ScqTrainer.HISTORY_FILE)));
        assertThrows(IllegalArgumentException.class,
                () -> new ScqTrainer(Property.T1, small(Variant.FE_ONLY), tc, seq.hash(), 48, null, quiet()).pretrained(stepOne.graph()));
    }

    @Test
    void loadRefusesUnexpectedZipEntriesAndBadMetadata(@TempDir Path dir) throws Exception {
        TrainConfig tc = new TrainConfig(1, 64, 256, 0, 16, 16, false, 8, 1e-3, 0.5, 0.999, 0, 3L);
        ScqModel m = new ScqTrainer(Property.T1, small(Variant.FE_ONLY), tc, seq.hash(), 48, null, quiet()).train(train.subList(0, 1), List.of());
        Path good = dir.resolve("good");
        m.save(good);
        assertNotNull(ScqModel.load(good));
        for (String evil : new String[]{"../evil.txt", "objects/x.bin", "preprocessor.bin"}) {
            Path bad = dir.resolve("bad" + evil.hashCode());
            Files.createDirectories(bad);
            Files.copy(good.resolve("metadata.json"), bad.resolve("metadata.json"));
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(good.resolve("model.zip")));
                 ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bad.resolve("model.zip")))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new ZipEntry(evil));
                out.write(new byte[]{1, 2, 3});
                out.closeEntry();
            }
            MrfInputException ex = assertThrows(MrfInputException.class, () -> ScqModel.load(bad));
            assertTrue(ex.getMessage().contains("unexpected entry"), ex.getMessage());
        }
        // a configuration naming a foreign class for Jackson's polymorphic typing
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.copy(good.resolve("metadata.json"), foreign.resolve("metadata.json"));
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(good.resolve("model.zip")));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(foreign.resolve("model.zip")))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                byte[] b = in.readAllBytes();
                if (e.getName().equals("configuration.json")) {
                    b = new String(b, java.nio.charset.StandardCharsets.UTF_8)
                            .replace("org.mrf.scq.model.nn.RelativeDifferenceLoss", "com.example.Gadget").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.write(b);
                out.closeEntry();
            }
        }
        MrfInputException fx = assertThrows(MrfInputException.class, () -> ScqModel.load(foreign));
        assertTrue(fx.getMessage().contains("com.example.Gadget"), fx.getMessage());
        Path badMeta = dir.resolve("badmeta");
        Files.createDirectories(badMeta);
        Files.copy(good.resolve("model.zip"), badMeta.resolve("model.zip"));
        Files.writeString(badMeta.resolve("metadata.json"), Files.readString(good.resolve("metadata.json")).replace("\"T1\"", "\"T7\""));
        assertThrows(MrfInputException.class, () -> ScqModel.load(badMeta));
        // metadata claiming another channel count than the network takes
        Path wrongT = dir.resolve("wrongT");
        Files.createDirectories(wrongT);
        Files.copy(good.resolve("model.zip"), wrongT.resolve("model.zip"));
        Files.writeString(wrongT.resolve("metadata.json"), Files.readString(good.resolve("metadata.json")).replace("\"t\" : 48", "\"t\" : 40"));
        assertThrows(MrfInputException.class, () -> ScqModel.load(wrongT));
        assertThrows(MrfInputException.class, () -> ScqModel.load(dir.resolve("missing")));
    }

    @Test
    void variantsTrainAndPredictWholeSlices() {
        TrainConfig tc = new TrainConfig(1, 128, 512, 1, 16, 16, true, 8, 1e-3, 0.5, 0.999, 0, 3L);
        float[][] proj = new float[2 * T][6];
        for (int i = 0; i < 6; i++) { proj[i][i] = 1f; }
        for (Variant v : new Variant[]{Variant.SQ_ONLY, Variant.SCQ_S, Variant.SCQ_M}) {
            ScqTrainer tr = new ScqTrainer(Property.T1, small(v), tc, seq.hash(), 48, null, quiet());
            if (v == Variant.SCQ_S) tr.projection(proj);
            ScqModel m = tr.train(train.subList(0, 2), List.of());
            TrainingSlice odd = new SyntheticSlices(seq).slice("odd", 0, 30, 26, 4, 0, 9); // padded to 32 x 28 inside
            float[] map = m.predictMs(odd, seq.hash());
            assertEquals(30 * 26, map.length, v.toString());
            for (float f : map) assertTrue(Float.isFinite(f), v.toString());
            assertEquals(v == Variant.SCQ_M ? T : 2 * T, m.metadata().net().inputChannels());
        }
    }

    @Test
    void subspaceFeTrainsBehindAFixedDictionaryProjectionAndReloadsBitIdentically(@TempDir Path dir) throws Exception {
        org.mrf.scq.core.dictionary.DictionaryGrid grid = org.mrf.scq.core.dictionary.DictionaryGrid.fromRanges(
                List.of("100:3000:50", "3500:5000:500"), List.of("10:300:10", "350:500:50"), true, "test grid");
        float[][] proj = org.mrf.scq.core.svd.RandomizedSvd.ofDictionary(org.mrf.scq.core.dictionary.Dictionary.simulate(seq, grid, 1e-5))
                .realProjection(8);
        TrainConfig tc = new TrainConfig(40, 0, 2048, 1, 16, 16, true, 8, 5e-3, 0.5, 0.999, 0.5, 3L);
        NetConfig fe = small(Variant.FE_ONLY).withSubspaceRank(8);
        MrfInputException missing = assertThrows(MrfInputException.class,
                () -> new ScqTrainer(Property.T1, fe, tc, seq.hash(), 48, null, quiet()).train(train, List.of()));
        assertTrue(missing.getMessage().contains("projection"), missing.getMessage());
        float[][] wrong = new float[2 * T][6];
        assertThrows(MrfInputException.class,
                () -> new ScqTrainer(Property.T1, fe, tc, seq.hash(), 48, null, quiet()).projection(wrong).train(train, List.of()));

        ScqModel m = new ScqTrainer(Property.T1, fe, tc, seq.hash(), 48, null, quiet()).projection(proj).train(train, val);
        double err = ScqTrainer.meanRelativeErrorPct(m, val);
        assertTrue(err < 8, "FE-only on the subspace, T1 error on clean held-out slices " + err + "%");
        // The projection is part of the model and did not train.
        assertEquals(org.nd4j.linalg.factory.Nd4j.createFromArray(proj), m.graph().getLayer("proj").getParam("W"));

        ScqModel scq = new ScqTrainer(Property.T1, small(Variant.SCQ).withSubspaceRank(8), tc.withEpochs(2, 1), seq.hash(), 48, null,
                quiet()).projection(proj).train(train.subList(0, 4), List.of());
        scq.save(dir.resolve("scq"));
        ScqModel back = ScqModel.load(dir.resolve("scq"));
        assertEquals(8, back.metadata().net().subspaceRank());
        assertEquals(16, back.metadata().projectionRank());
        assertArrayEquals(scq.predictMs(val.get(0), seq.hash()), back.predictMs(val.get(0), seq.hash()));
    }

    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }
}
