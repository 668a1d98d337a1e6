package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.ScqSettings;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.spark.method.ModelMethod;
import org.mrf.scq.spark.train.TrainJob;
import org.mrf.scq.spark.train.SparkTrainConfig;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The training settings as the configuration gives them: profiles, defaults, overrides and errors that name the key. */
class TrainSettingsTest {
    private static ScqSettings read(Map<String, String> d, Path file, Path commandProfile) {
        return TrainSettings.model(MrfConfig.load(Map.of(), d, file, null, commandProfile));
    }

    private static Path profile(String name) {
        return ConfigProfilesTest.profiles().resolve(name + ".conf");
    }

    /**
     * The demo's training must stay bit-identical: conf/profiles/demo.conf gives, field for field, the settings
     * DemoCommand wrote in code before they were a profile (the quick network; 80 + 12 epochs, 4096 pixels a slice in
     * batches of 128 at 3e-3, patch batches of 2 at 5e-4).
     */
    @Test
    void demoProfileIsTheDemosFormerHardCodedSettings() {
        TrainConfig formerDemo = new TrainConfig(80, 4096, 128, 12, 32, 16, true, 2, 3e-3, 5e-4, 0.5, 0.999, 0.5, 7L);
        for (ScqSettings s : new ScqSettings[]{read(Map.of(), null, profile("demo")), read(Map.of(), null, null)}) {
            assertEquals(formerDemo, s.train());
            assertEquals("demo", s.profile());
            for (Variant v : new Variant[]{Variant.FE_ONLY, Variant.SCQ}) {
                // The former NetConfig.quick: FE 64,16 on the rank-16 subspace, U-Net 8/16/32 with one conv a block.
                // Since then the demo's one change: the phase reference (docs/SETTINGS.md).
                NetConfig former = new NetConfig(576, v, new int[]{64, 16}, new int[]{8, 16}, 32, 1, 0.9, 12345L, 16);
                assertEquals(former.withPhaseReference(true), s.net(576, v), v.toString());
            }
        }
        // One Spark worker and one averaging round an epoch, as ModelMethod's single-worker constructor gave the demo.
        TrainJob.Settings job = TrainSettings.job(MrfConfig.load(Map.of(), Map.of(), null, null, profile("demo")));
        assertEquals(SparkTrainConfig.of(formerDemo, 1, ModelMethod.SINGLE_WORKER_AVERAGING_FREQUENCY), job.spark());
        // ... and the flags of 'mrf demo' still reach it.
        ScqSettings flagged = TrainSettings.model(MrfConfig.load(Map.of("mrf.train.pixel-epochs", 3), Map.of(), null, null, profile("demo")));
        assertEquals(formerDemo.withEpochs(3, 12), flagged.train());
    }

    @Test
    void everyProfileFileGivesItsBuiltInPreset() {
        for (String name : ScqSettings.PRESETS) {
            assertEquals(ScqSettings.preset(name), read(Map.of("mrf.train.profile", name), null, null), "mrf.train.profile=" + name);
            assertEquals(ScqSettings.preset(name), read(Map.of(), profile(name), null), "--config " + name + ".conf");
            assertEquals(ScqSettings.preset(name), read(Map.of(), null, profile(name)), name + ".conf as a command's profile");
        }
    }

    @Test
    void paperProfileHasThePapersNetwork() {
        ScqSettings p = read(Map.of("mrf.train.profile", "paper"), null, null);
        NetConfig net = p.net(576, Variant.SCQ);
        assertArrayEquals(new int[]{46, 46, 46, 46}, net.feWidths());
        assertArrayEquals(new int[]{64, 128, 256}, net.unetWidths());
        assertEquals(512, net.unetBottom());
        assertEquals(0, net.subspaceRank(), "raw 2T input");
        assertFalse(net.residualHead());
        assertFalse(net.foldBn());
        assertTrue(net.phaseReference());
        assertEquals(new TrainConfig(20, 0, 4096, 100, 64, 32, false, 32, 2e-4, 2e-4, 0.5, 0.999, 0.5, 7L), p.train());
    }

    @Test
    void keysYouSetWinOverTheProfileAndOldSentinelsMeanTheProfiles() {
        ScqSettings s = read(Map.of("mrf.train.profile", "paper", "mrf.train.patch-batch", "4", "mrf.train.residual-head", "true",
                "mrf.train.pixel-epochs", "-1", "mrf.train.lr", "0"), null, null);
        assertEquals(4, s.train().patchBatch());
        assertTrue(s.net(576, Variant.SCQ).residualHead());
        assertEquals(20, s.train().pixelEpochs(), "-1 = the profile's");
        assertEquals(2e-4, s.train().lr(), "0 = the profile's");
        assertEquals(ScqSettings.paper().net(576, Variant.SCQ).feWidths().length, s.net(576, Variant.SCQ).feWidths().length);
        // patch-lr 0: step 2 at step 1's rate (the paper's); a value of its own is the switch "separate step-2 rate".
        assertEquals(1e-3, read(Map.of("mrf.train.lr", "1e-3", "mrf.train.patch-lr", "0"), null, null).train().patchLr());
    }

    @Test
    void errorsNameTheKeyAndTheCommandAddsItsFlag() {
        MrfInputException e = assertThrows(MrfInputException.class, () -> read(Map.of("mrf.train.patch-lr", "-1"), null, null));
        assertEquals("mrf.train.patch-lr: must be in [0, 1) (0 = step 2 at mrf.train.lr), got -1.0", e.getMessage());
        e = assertThrows(MrfInputException.class, () -> read(Map.of("mrf.train.fe-widths", "[64, 0]"), null, null));
        assertTrue(e.getMessage().startsWith("mrf.train.fe-widths: widths must be >= 1"), e.getMessage());
        e = assertThrows(MrfInputException.class, () -> read(Map.of("mrf.train.phase-reference", "dominant-mode"), null, null));
        assertTrue(e.getMessage().startsWith("mrf.train.phase-reference: must be fingerprint"), e.getMessage());
        assertFalse(read(Map.of("mrf.train.phase-reference", "none"), null, null).net(576, Variant.SCQ).phaseReference());
        e = assertThrows(MrfInputException.class, () -> read(Map.of("mrf.train.patch-batch", "0"), null, null));
        assertEquals("mrf.train.patch-batch: must be >= 1, got 0", e.getMessage());
        e = assertThrows(MrfInputException.class, () -> read(Map.of("mrf.train.profile", "fast"), null, null));
        assertTrue(e.getMessage().startsWith("mrf.train.profile: unknown training profile 'fast'"), e.getMessage());
        Common c = new Common();
        c.flag("mrf.train.lr", 2.0);
        e = assertThrows(MrfInputException.class, () -> c.read(TrainSettings::model));
        assertTrue(e.getMessage().startsWith("--lr / mrf.train.lr: must be in (0, 1)"), e.getMessage());
        Common d = new Common();
        d.dProps.put("mrf.train.lr", "2");
        e = assertThrows(MrfInputException.class, () -> d.read(TrainSettings::model));
        assertTrue(e.getMessage().startsWith("mrf.train.lr: "), "no flag to name when -D set it: " + e.getMessage());
    }
}
