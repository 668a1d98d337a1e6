package org.mrf.scq.model.nn;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqSettings;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Each of this project's deviations from the paper's network is a switch that changes the built network as documented. */
class SwitchesTest {
    private static NetConfig tiny(boolean head, boolean fold) {
        return new NetConfig(6, Variant.SCQ, new int[]{8, 4}, new int[]{4, 8}, 8, 1, 0.9, 42L, 0, head, fold);
    }

    private static ComputationGraph stepOne(NetConfig c) {
        ComputationGraph fnn = ScqNetworks.init(ScqNetworks.extendedFnn(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 1, 0)));
        fnn.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 64, 1, 1, 12), Nd4j.rand(DataType.FLOAT, 64, 1, 1, 1).addi(0.5)));
        return fnn;
    }

    @Test
    void residualHeadSwitchAddsOrRemovesTheHeadAndItsSum() {
        var with = ScqNetworks.spatial(tiny(true, true), ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0), 0).getVertices();
        var without = ScqNetworks.spatial(tiny(false, true), ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0), 0).getVertices();
        assertTrue(with.containsKey("head") && with.containsKey("head_plus_sq"));
        assertFalse(without.containsKey("head") || without.containsKey("head_plus_sq"), "no residual vertex when the switch is off");
        assertTrue(without.containsKey("final"));
    }

    @Test
    void withoutFoldingStepTwoTrainsTheStepOneBatchNorms() {
        NetConfig c = tiny(false, false);
        ComputationGraph fnn = stepOne(c);
        ComputationGraph g = ScqNetworks.stepTwo(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 1, 0), fnn, null, 0.5);
        for (int i = 0; i < c.feWidths().length; i++) {
            String bn = "fe" + i + "_bn";
            assertInstanceOf(BatchNormalization.class, g.getLayer(bn).conf().getLayer(), bn + " is a BN layer in step 2");
            assertEquals(fnn.getLayer(bn).params(), g.getLayer(bn).params(), bn + " starts at step 1's values");
            assertEquals(fnn.getLayer("fe" + i).params(), g.getLayer("fe" + i).params(), "fe" + i + " starts at step 1's weights");
        }
        // Same FE features as step 1 at inference, before any step-2 update.
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 4, 12);
        INDArray a = fnn.feedForward(new INDArray[]{x}, false, false).get("fe1_relu");
        INDArray b = g.feedForward(new INDArray[]{x}, false, false).get("fe1_relu");
        assertTrue(a.equalsWithEps(b, 1e-6));
        // The BN's scale and shift are trainable parameters of step 2: one update moves them.
        INDArray gamma = g.getLayer("fe0_bn").getParam("gamma").dup();
        g.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 8, 8, 12), Nd4j.rand(DataType.FLOAT, 2, 8, 8, 1).addi(0.5)));
        assertNotEquals(gamma, g.getLayer("fe0_bn").getParam("gamma"), "BN trains in step 2 when folding is off");
    }

    @Test
    void foldingRemovesTheStepTwoBatchNorms() {
        var v = ScqNetworks.spatial(tiny(false, true), ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0), 0).getVertices();
        assertFalse(v.containsKey("fe0_bn") || v.containsKey("fe1_bn"));
        var unfolded = ScqNetworks.spatial(tiny(false, false), ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0), 0).getVertices();
        assertTrue(unfolded.containsKey("fe0_bn") && unfolded.containsKey("fe1_bn"));
    }

    @Test
    void subspaceInputSwitchAddsTheFixedProjection() {
        NetConfig raw = tiny(true, true), sub = raw.withSubspaceRank(2);
        assertFalse(ScqNetworks.extendedFnn(raw, ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0)).getVertices().containsKey(ScqNetworks.PROJECTION));
        assertTrue(ScqNetworks.extendedFnn(sub, ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0)).getVertices().containsKey(ScqNetworks.PROJECTION));
    }

    @Test
    void stepTwoRateIsTheSameAsStepOneUnlessSeparate() {
        TrainConfig paper = TrainConfig.paper(), demo = TrainConfig.demo();
        assertEquals(paper.lr(), paper.patchLr());
        assertEquals(false, ScqSettings.paper().switches().get("separate_step2_lr"));
        assertEquals(true, ScqSettings.demo().switches().get("separate_step2_lr"));
        assertNotEquals(demo.lr(), demo.patchLr());
    }

    @Test
    void metadataRoundTripsTheSwitches() throws Exception {
        for (ScqSettings s : new ScqSettings[]{ScqSettings.paper(), ScqSettings.demo(), ScqSettings.paperSmall()}) {
            NetConfig net = s.net(144, Variant.SCQ);
            ModelMetadata m = new ModelMetadata(Property.T1, 144, 16, "h", net, s.train(), 0, Map.of(), "v", "now");
            String json = m.toJson();
            ModelMetadata back = ModelMetadata.fromJson(json, "metadata.json");
            assertEquals(net, back.net(), s.profile());
            assertEquals(s.train(), back.train(), s.profile());
            assertEquals(s.switches(), ScqSettings.switches(back.net(), back.train()), s.profile());
            assertTrue(json.contains("\"residual_head\" : " + net.residualHead()), json);
        }
        // A model written before the switches existed had the residual head and folded BN.
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var tree = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(new ModelMetadata(Property.T2, 144, 16, "h",
                ScqSettings.paper().net(144, Variant.SCQ), TrainConfig.paper(), 0, Map.of(), "v", "now").toJson());
        ((org.nd4j.shade.jackson.databind.node.ObjectNode) tree.get("net")).remove(java.util.List.of("residualHead", "foldBn"));
        tree.remove("switches");
        ((org.nd4j.shade.jackson.databind.node.ObjectNode) tree.get("net")).remove("phaseReference");
        NetConfig legacy = ModelMetadata.fromJson(mapper.writeValueAsString(tree), "old").net();
        assertTrue(legacy.residualHead() && legacy.foldBn());
        // ... and took re/im as acquired, which is how it is applied.
        assertFalse(legacy.phaseReference());
        assertEquals(org.mrf.scq.model.data.SliceInputs.Form.COMPLEX, legacy.inputForm());
    }

    @Test
    void paperProfileHasThePapersNetworkAndNoSwitchOn() {
        ScqSettings p = ScqSettings.paper();
        NetConfig net = p.net(576, Variant.SCQ);
        assertArrayEquals(new int[]{46, 46, 46, 46}, net.feWidths(), "FE: four layers of width D = 46");
        assertEquals(46, net.d());
        assertArrayEquals(new int[]{64, 128, 256}, net.unetWidths());
        assertEquals(512, net.unetBottom());
        assertEquals(1, net.convsPerBlock());
        assertEquals(1152, net.inputChannels(), "raw 2T input");
        TrainConfig t = p.train();
        assertEquals(64, t.patchSize());
        assertEquals(32, t.patchStride());
        assertEquals(32, t.patchBatch());
        assertEquals(2e-4, t.lr());
        assertEquals(0.5, t.beta1());
        // Every deviation from the paper's network is off; the phase reference, which concerns the data, is on.
        assertEquals(true, p.switches().get("phase_reference"));
        assertEquals(org.mrf.scq.model.data.SliceInputs.Form.REFERENCED, net.inputForm());
        p.switches().forEach((k, v) -> assertTrue(k.equals("phase_reference") || v.equals(false) || v.equals(0),
                "a switch is on in the paper profile: " + p.switches()));
        ScqSettings small = ScqSettings.paperSmall();
        NetConfig s = small.net(576, Variant.SCQ);
        assertArrayEquals(new int[]{12, 12, 12, 12}, s.feWidths(), "a quarter of 46, rounded up");
        assertArrayEquals(new int[]{16, 32, 64}, s.unetWidths());
        assertEquals(128, s.unetBottom());
        assertEquals(p.switches(), small.switches());
        assertEquals(p.train(), small.train());
    }

    /** The paper's network at a quarter of its widths trains both steps, on 64 x 64 patches at stride 32, on a CPU. */
    @Test
    void paperSmallTrainsBothSteps() {
        org.mrf.scq.core.sequence.FispSequence seq = org.mrf.scq.core.sequence.Schedules.paperDefault(2.0, 18.0).truncate(48);
        var gen = new org.mrf.scq.model.data.SyntheticSlices(seq);
        var train = gen.slices("train", 4, 64, 64, 10, 0.0, 1);
        var val = gen.slices("val", 1, 64, 64, 10, 0.0, 2);
        ScqSettings s = ScqSettings.paperSmall();
        TrainConfig tc = s.train().withEpochs(1, 2);
        var tr = new org.mrf.scq.model.train.ScqTrainer(Property.T1, s.net(48, Variant.SCQ), tc, seq.hash(), 2304.0 / 48, null,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        var model = tr.train(train, val);
        assertEquals(2, tr.history().stream().filter(e -> e.step() == 2).count());
        double err = model.metadata().metrics().get("val_rel_err_pct");
        assertTrue(Double.isFinite(err) && err > 0, "validation error " + err);
        assertFalse(model.graph().getConfiguration().getVertices().containsKey("head"), "no residual head");
        assertTrue(model.graph().getConfiguration().getVertices().containsKey("fe3_bn"), "BN in the step-2 FE");
        assertEquals(ScqSettings.switches(model.metadata().net(), model.metadata().train()), s.switches());
    }
}
