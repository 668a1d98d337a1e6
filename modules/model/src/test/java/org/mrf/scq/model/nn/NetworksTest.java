package org.mrf.scq.model.nn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Variant;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.*;

class NetworksTest {
    static NetConfig tiny(Variant v) {
        return new NetConfig(6, v, new int[]{8, 4}, new int[]{4, 8}, 8, 1, 0.9, 42L);
    }

    @Test
    void denseNhwcLayerEqualsPlainMatrixProduct() {
        NetConfig c = tiny(Variant.FE_ONLY);
        ComputationGraph g = ScqNetworks.init(ScqNetworks.extendedFnn(c, ScqNetworks.adam(1e-3, 0.5, 0.999, 1, 0)));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 12);
        // Activations of "fe0" for the whole input vs X[n*h*w, C] . W
        var acts = g.feedForward(new INDArray[]{x}, false, false);
        INDArray fe0 = acts.get("fe0");
        assertArrayEquals(new long[]{2, 3, 5, 8}, fe0.shape());
        INDArray w = g.getLayer("fe0").getParam(DenseNhwcLayer.WEIGHT);
        INDArray expected = x.reshape(30, 12).mmul(w).reshape(2, 3, 5, 8);
        assertTrue(expected.equalsWithEps(fe0, 1e-5), "per-pixel dense layer = matrix product");
        // the head (with bias) on the last FE features
        INDArray head = acts.get("head");
        INDArray feat = acts.get("fe1_relu").reshape(30, 4);
        INDArray expHead = feat.mmul(g.getLayer("head").getParam("W")).addRowVector(g.getLayer("head").getParam("b")).reshape(2, 3, 5, 1);
        assertTrue(expHead.equalsWithEps(head, 1e-5));
    }

    @Test
    void graphConfigurationsSurviveJsonRoundTrip() {
        for (Variant v : Variant.values()) {
            NetConfig c = tiny(v);
            ComputationGraphConfiguration conf = ScqNetworks.finalGraph(c, ScqNetworks.adam(2e-4, 0.5, 0.999, 10, 0.5), 5);
            String json = conf.toJson();
            ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
            assertEquals(json, back.toJson(), v + " JSON round trip");
            ComputationGraph g1 = ScqNetworks.init(conf);
            ComputationGraph g2 = new ComputationGraph(back);
            g2.init(g1.params().dup(), false);
            int m = c.sizeMultiple() * 2;
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, m, m, c.inputChannels());
            assertEquals(g1.outputSingle(false, x), g2.outputSingle(false, x), v + " same output after round trip");
        }
    }

    @Test
    void spatialGraphKeepsSizeAndTrainsWithMaskInLabels() {
        NetConfig c = tiny(Variant.SCQ);
        ComputationGraph g = ScqNetworks.init(ScqNetworks.spatial(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 10, 0), 0));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 12, 12);
        INDArray out = g.outputSingle(false, x);
        assertArrayEquals(new long[]{2, 8, 12, 1}, out.shape());
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 8, 12, 1).addi(0.5);
        y.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 8)).assign(0); // outside
        DataSet ds = new DataSet(x, y);
        // network score (DL4J divides by the minibatch) = masked mean over label > 0
        INDArray yHat = g.outputSingle(false, x);
        INDArray m = y.gt(0).castTo(DataType.FLOAT);
        double expected = Transforms.abs(yHat.sub(y).divi(Transforms.max(y, 1e-6, true))).muli(m).sumNumber().doubleValue()
                / m.sumNumber().doubleValue();
        assertEquals(expected / 2, g.score(ds, false), 1e-5);
        // pixels outside (label 0) get no gradient: changing their prediction target to another 0 pattern changes nothing,
        // and the gradient stays of the same size as with only the inside pixels labelled
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        double norm = g.gradient().gradient().norm2Number().doubleValue();
        assertTrue(Double.isFinite(norm) && norm < 1e3, "no 1/eps blow-up from background labels: " + norm);
        double s1 = g.score(ds, false);
        for (int i = 0; i < 30; i++) g.fit(ds);
        assertTrue(g.score(ds, false) < s1, "loss falls: " + s1 + " -> " + g.score(ds, false));
    }

    @Test
    void quickProfileProjectsTheComplexFeInputOntoTheSubspace() {
        for (Variant v : Variant.values()) {
            NetConfig q = NetConfig.quick(576, v);
            assertEquals(v == Variant.SCQ || v == Variant.FE_ONLY ? NetConfig.QUICK_SUBSPACE_RANK : 0, q.subspaceRank(), v.toString());
            assertEquals(0, NetConfig.paper(576, v).subspaceRank(), "the paper's FE sees the raw input");
        }
        assertEquals(0, NetConfig.quick(576, Variant.SCQ).withVariant(Variant.SCQ_M).subspaceRank(), "magnitude input has no subspace");
        assertThrows(IllegalArgumentException.class, () -> tiny(Variant.SCQ_M).withSubspaceRank(2));
        assertThrows(IllegalArgumentException.class, () -> tiny(Variant.SCQ).withSubspaceRank(7), "rank above T");
        NetConfig c = tiny(Variant.SCQ).withSubspaceRank(2);
        ComputationGraph g = ScqNetworks.init(ScqNetworks.spatial(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 1, 0), 0));
        assertArrayEquals(new long[]{12, 4}, g.getLayer(ScqNetworks.PROJECTION).getParam("W").shape());
        assertArrayEquals(new long[]{4, 8}, g.getLayer("fe0").getParam("W").shape(), "FE reads the 2K projected channels");
    }

    @Test
    void fixedProjectionDoesNotTrain() {
        NetConfig c = tiny(Variant.SCQ_S);
        ComputationGraph g = ScqNetworks.init(ScqNetworks.spatial(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 10, 0), 3));
        float[][] p = new float[12][3];
        for (int i = 0; i < 12; i++) p[i][i % 3] = 1f;
        ScqNetworks.setProjection(g, p);
        INDArray before = g.getLayer(ScqNetworks.PROJECTION).params().dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 4, 12);
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 4, 4, 1).addi(0.5);
        INDArray w0 = g.getLayer("final").params().dup();
        for (int i = 0; i < 3; i++) g.fit(new DataSet(x, y));
        assertEquals(before, g.getLayer(ScqNetworks.PROJECTION).params());
        assertNotEquals(w0, g.getLayer("final").params());
        // ...and the U-Net sees the projected input (Layer.setParam would have left the matrix at zero).
        INDArray projected = g.feedForward(new INDArray[]{x}, false, false).get(ScqNetworks.PROJECTION);
        INDArray expected = x.reshape(32, 12).mmul(Nd4j.createFromArray(p)).reshape(2, 4, 4, 3);
        assertTrue(expected.equalsWithEps(projected, 1e-5), "projection output differs from x P");
    }

    /** An SCQ step-1 network after one update (BN statistics off their start) and the step-2 graph built from it. */
    private static ComputationGraph[] scqStepOneAndTwo() {
        NetConfig c = tiny(Variant.SCQ);
        ComputationGraph fnn = ScqNetworks.init(ScqNetworks.extendedFnn(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 1, 0)));
        fnn.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 64, 1, 1, 12), Nd4j.rand(DataType.FLOAT, 64, 1, 1, 1).addi(0.5)));
        return new ComputationGraph[]{fnn, ScqNetworks.stepTwo(c, ScqNetworks.adam(1e-2, 0.5, 0.999, 1, 0), fnn, null, 0.5)};
    }

    @Test
    void stepTwoStartsFromTheStepOneFe() {
        ComputationGraph[] steps = scqStepOneAndTwo();
        ComputationGraph fnn = steps[0], g = steps[1];
        // Step 2 has no FE BN layers: each BN is folded, at its running statistics, into its dense layer.
        assertFalse(g.getConfiguration().getVertices().containsKey("fe0_bn"));
        // Same FE features on the same pixels (at inference, where step 1's BN uses its running statistics).
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 4, 12);
        INDArray a = fnn.feedForward(new INDArray[]{x}, false, false).get("fe1_relu");
        INDArray b = g.feedForward(new INDArray[]{x}, false, false).get("fe1");
        assertTrue(a.equalsWithEps(b, 1e-5), "folded FE features differ from step 1's: " + a.sub(b).amaxNumber());
    }

    @Test
    void scqStepTwoStartsAtTheFeOnlyEstimateAndThenUsesSpatialContext() {
        ComputationGraph[] steps = scqStepOneAndTwo();
        ComputationGraph fnn = steps[0], g = steps[1];
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 12);
        // The per-pixel FNN on every pixel of the patch = the SCQ graph before any step-2 update.
        INDArray perPixel = fnn.outputSingle(false, x.reshape(128, 1, 1, 12)).reshape(2, 8, 8, 1);
        assertTrue(perPixel.equalsWithEps(g.outputSingle(false, x), 1e-5), "SCQ starts at the FE-only estimate");
        // After updates the U-Net's correction is no longer zero and depends on the neighbourhood.
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 1).addi(0.5);
        for (int i = 0; i < 5; i++) g.fit(new DataSet(x, y));
        INDArray moved = g.outputSingle(false, x);
        assertFalse(perPixel.equalsWithEps(moved, 1e-4), "the SQ learned a correction");
        INDArray shuffled = x.dup();
        shuffled.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                .assign(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(7)));
        double change = Transforms.abs(g.outputSingle(false, shuffled).sub(moved)).getDouble(0, 4, 4, 0);
        assertTrue(change > 0, "a change in row 0 reaches pixel (4, 4) only through the U-Net's receptive field");
    }

    @Test
    void scheduleIsConstantThenLinear() {
        ConstantThenLinearDecay s = ConstantThenLinearDecay.of(1.0, 10, 0.5);
        assertEquals(1.0, s.valueAt(0, 0));
        assertEquals(1.0, s.valueAt(0, 4));
        assertEquals(1 - 1 / 6.0, s.valueAt(0, 5), 1e-12);
        assertEquals(1 / 6.0, s.valueAt(0, 9), 1e-12);
        assertEquals(1 / 6.0, s.valueAt(0, 50), 1e-12);
        // the graph's updater follows its epoch counter
        ComputationGraph g = ScqNetworks.init(ScqNetworks.extendedFnn(tiny(Variant.FE_ONLY), ScqNetworks.adam(2e-4, 0.5, 0.999, 4, 0.5)));
        assertEquals(2e-4, g.getLearningRate("fe0_bn"), 1e-12);
        g.incrementEpochCount();
        g.incrementEpochCount();
        assertEquals(2e-4 * (1 - 1 / 3.0), g.getLearningRate("fe0_bn"), 1e-12);
    }
}
