package org.mrf.scq.model.nn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the SCQ ComputationGraphs. All graphs take one NHWC input "input" [n, h, w, C] (C = 2T, or T
 * for SCQ_M) and end in a CnnLossLayer "out" (NHWC, identity, {@link RelativeDifferenceLoss}) giving
 * [n, h, w, 1]. Spatial sizes are free (multiples of 2^levels where there is a U-Net).
 * <ul>
 *   <li>FE layers: ["proj" (fixed subspace projection, {@link NetConfig#projectsInput()})] -> "fe{i}"
 *       ({@link DenseNhwcLayer}, GEMM speed) -> "fe{i}_bn" (BN, NHWC) -> "fe{i}_relu";</li>
 *   <li>extended FNN (step 1, FE-only): FE -> "head" (DenseNhwcLayer D -> 1) -> "out";</li>
 *   <li>SCQ / SCQ_M: FE -> U-Net -> "out"; SCQ_S: "proj" (fixed projection) -> U-Net; SQ-only: U-Net on the input.</li>
 * </ul>
 * Layer names of the FE agree between the extended FNN and the SCQ graph so step 2 can copy them.
 */
public final class ScqNetworks {
    public static final String INPUT = "input";
    public static final String OUTPUT = "out";
    public static final String PROJECTION = "proj";
    /** The extended FNN's per-pixel output layer; in SCQ and SCQ_M's spatial graph it carries the per-pixel estimate. */
    static final String HEAD = "head";
    private static final String RESIDUAL = "head_plus_sq";

    private ScqNetworks() {
    }

    /** Adam with the paper's betas and a constant-then-linear-decay learning rate. */
    public static IUpdater adam(double lr, double beta1, double beta2, int epochs, double decayFraction) {
        return Adam.builder().learningRateSchedule(ConstantThenLinearDecay.of(lr, epochs, decayFraction))
                .beta1(beta1).beta2(beta2).epsilon(1e-8).build();
    }

    /** The Adam updater of training step 1 (pixels, {@code lr}) or 2 (patches, {@code patchLr}) under {@code cfg}. */
    public static IUpdater stepUpdater(TrainConfig cfg, int step) {
        return step == 1
                ? adam(cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.pixelEpochs(), cfg.decayFraction())
                : adam(cfg.patchLr(), cfg.beta1(), cfg.beta2(), Math.max(1, cfg.patchEpochs()), cfg.decayFraction());
    }

    private static ComputationGraphConfiguration.GraphBuilder base(NetConfig c, IUpdater updater, int h, int w) {
        return new NeuralNetConfiguration.Builder()
                .seed(c.seed())
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(h, w, c.inputChannels(), CNN2DFormat.NHWC));
    }

    /**
     * Adds the FE layers after {@code in}, behind the fixed subspace projection "proj" when the configuration
     * {@link NetConfig#projectsInput() projects its input}; returns the name of the last vertex (D channels).
     * Step 1 trains dense + BN + ReLU per layer, and so does step 2 in the paper. With {@code foldedBn} ({@link
     * NetConfig#foldBn()}) each step-2 layer is one dense layer with bias and ReLU into which {@link #copyFe} folds step
     * 1's BN at its running statistics: patch batches of a small cohort (two 32 x 32 patches, mostly background) have BN
     * statistics unlike step 1's brain pixels, and updating BN on them moves the FE away from step 1's features even at
     * a vanishing learning rate (docs/SETTINGS.md). DL4J's FrozenLayerWithBackprop cannot hold BN instead: its backward
     * pass after an inference-mode forward pass fails.
     */
    static String addFe(ComputationGraphConfiguration.GraphBuilder g, NetConfig c, String in, boolean foldedBn) {
        long nIn = c.inputChannels();
        String prev = in;
        if (c.projectsInput()) {
            g.addLayer(PROJECTION, DenseNhwcLayer.fixedProjection(nIn, 2L * c.subspaceRank()), in);
            prev = PROJECTION;
            nIn = 2L * c.subspaceRank();
        }
        int[] widths = c.feWidths();
        for (int i = 0; i < widths.length; i++) {
            String name = "fe" + i;
            if (foldedBn) {
                g.addLayer(name, new DenseNhwcLayer(nIn, widths[i], true, true, false), prev);
                prev = name;
            } else {
                g.addLayer(name, new DenseNhwcLayer(nIn, widths[i], false, false, false), prev);
                g.addLayer(name + "_bn", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).decay(c.bnDecay())
                        .nOut(widths[i]).build(), name);
                g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_bn");
                prev = name + "_relu";
            }
            nIn = widths[i];
        }
        return prev;
    }

    private static String convBlock(ComputationGraphConfiguration.GraphBuilder g, String prefix, String in, int width, int convs) {
        String prev = in;
        for (int k = 0; k < convs; k++) {
            String name = prefix + "_" + k;
            g.addLayer(name, new ConvolutionLayer.Builder(3, 3).stride(1, 1).nOut(width).hasBias(false)
                    .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NHWC).build(), prev);
            g.addLayer(name + "_bn", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).nOut(width).build(), name);
            g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_bn");
            prev = name + "_relu";
        }
        return prev;
    }

    /** Adds the U-Net (SQ) after {@code in}; returns the name of the final one-channel conv. */
    static String addUnet(ComputationGraphConfiguration.GraphBuilder g, NetConfig c, String in) {
        int[] widths = c.unetWidths();
        String[] skips = new String[widths.length];
        String prev = in;
        for (int l = 0; l < widths.length; l++) {
            prev = convBlock(g, "enc" + l, prev, widths[l], c.convsPerBlock());
            skips[l] = prev;
            g.addLayer("pool" + l, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                    .dataFormat(CNN2DFormat.NHWC).build(), prev);
            prev = "pool" + l;
        }
        prev = convBlock(g, "bottom", prev, c.unetBottom(), c.convsPerBlock());
        for (int l = widths.length - 1; l >= 0; l--) {
            g.addLayer("up" + l, new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(widths[l])
                    .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NHWC).build(), prev);
            g.addVertex("cat" + l, new MergeVertex(), "up" + l, skips[l]);
            prev = convBlock(g, "dec" + l, "cat" + l, widths[l], c.convsPerBlock());
        }
        g.addLayer("final", new ConvolutionLayer.Builder(3, 3).stride(1, 1).nOut(1)
                .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NHWC).build(), prev);
        return "final";
    }

    private static void addOutput(ComputationGraphConfiguration.GraphBuilder g, String in) {
        g.addLayer(OUTPUT, new CnnLossLayer.Builder(new RelativeDifferenceLoss()).format(CNN2DFormat.NHWC)
                .activation(Activation.IDENTITY).build(), in);
        g.setOutputs(OUTPUT);
    }

    /** Step 1 / FE-only: the extended FNN, FE + one per-pixel layer to the property. */
    public static ComputationGraphConfiguration extendedFnn(NetConfig c, IUpdater updater) {
        ComputationGraphConfiguration.GraphBuilder g = base(c, updater, 1, 1);
        String fe = addFe(g, c, INPUT, false);
        g.addLayer(HEAD, DenseNhwcLayer.dense(c.d(), 1, false), fe);
        addOutput(g, HEAD);
        return g.build();
    }

    /** Step 2: the full network of the variant (SCQ, SCQ_M: FE + SQ; SCQ_S: projection + SQ; SQ_ONLY: SQ). */
    public static ComputationGraphConfiguration spatial(NetConfig c, IUpdater updater, int projectionRank) {
        int m = c.sizeMultiple();
        ComputationGraphConfiguration.GraphBuilder g = base(c, updater, 8 * m, 8 * m);
        String src = switch (c.variant()) {
            case SCQ, SCQ_M -> addFe(g, c, INPUT, c.foldBn());
            case SCQ_S -> {
                if (projectionRank < 1) throw new IllegalArgumentException("SCQ_S needs a projection rank >= 1");
                g.addLayer(PROJECTION, DenseNhwcLayer.fixedProjection(c.inputChannels(), projectionRank), INPUT);
                yield PROJECTION;
            }
            case SQ_ONLY -> INPUT;
            case FE_ONLY -> throw new IllegalArgumentException("FE_ONLY has no spatial graph: use extendedFnn");
        };
        String sq = addUnet(g, c, src);
        if (hasFeHead(c)) {
            g.addLayer(HEAD, DenseNhwcLayer.dense(c.d(), 1, false), src);
            g.addVertex(RESIDUAL, new ElementWiseVertex(ElementWiseVertex.Op.Add), HEAD, sq);
            sq = RESIDUAL;
        }
        addOutput(g, sq);
        return g.build();
    }

    /** The graph that is the final model of a variant (extended FNN for FE_ONLY, else the spatial graph). */
    public static ComputationGraphConfiguration finalGraph(NetConfig c, IUpdater updater, int projectionRank) {
        return c.variant() == Variant.FE_ONLY ? extendedFnn(c, updater) : spatial(c, updater, projectionRank);
    }

    public static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * With the residual head ({@link NetConfig#residualHead()}), SCQ and SCQ_M keep the extended FNN's head next to
     * the SQ: the network's estimate is the head's per-pixel estimate plus the U-Net's spatial correction. With the
     * head copied from step 1 and the U-Net's last layer started at zero, fine-tuning starts exactly at the FE-only
     * estimate instead of a constant map, which the few hundred step-2 updates of a small cohort cannot recover from
     * (docs/SETTINGS.md). The paper has no such head.
     */
    static boolean hasFeHead(NetConfig c) {
        return c.residualHead() && hasPretrainedFe(c);
    }

    /** SCQ and SCQ_M start step 2 from step 1's FE (the paper's two-step training); the other variants have none to copy. */
    static boolean hasPretrainedFe(NetConfig c) {
        return c.variant() == Variant.SCQ || c.variant() == Variant.SCQ_M;
    }

    /**
     * The initialised step-2 graph of a variant, ready to train (e.g. by SparkComputationGraph): FE (and, with the
     * residual head, head) weights copied from the step-1 graph {@code fnn} (SCQ, SCQ_M; null = fresh FE), or the fixed projection
     * set (SCQ_S, {@code projection} [C x K]); the output started near {@code meanTarget} (see {@link #initOutput}).
     */
    public static ComputationGraph stepTwo(NetConfig c, IUpdater updater, ComputationGraph fnn, float[][] projection, double meanTarget) {
        int rank = c.variant() == Variant.SCQ_S ? projection[0].length : 0;
        ComputationGraph g = init(spatial(c, updater, rank));
        if (usesProjection(c)) setProjection(g, projection);
        if (fnn != null && hasPretrainedFe(c)) copyFe(c, fnn, g);
        boolean pretrained = fnn != null && hasFeHead(c);
        if (pretrained) {
            g.getLayer(HEAD).setParams(fnn.getLayer(HEAD).params().dup());
        } else {
            initOutput(g, meanTarget, 0.1);
        }
        if (hasFeHead(c)) {
            // The U-Net adds a correction that starts at zero (small and unbiased without a pretrained head);
            // its earlier layers get gradients once the first update has moved these weights off zero.
            org.deeplearning4j.nn.api.Layer sq = g.getLayer("final");
            sq.getParam("W").muli(pretrained ? 0 : 0.1);
            sq.getParam("b").assign(0);
        }
        return g;
    }

    /** The layer that gives the property without spatial context: "head" in the extended FNN and in SCQ/SCQ_M, else "final". */
    public static String outputLayer(ComputationGraph g) {
        return g.getConfiguration().getVertices().containsKey(HEAD) ? HEAD : "final";
    }

    /**
     * Starts the output layer near the answer: bias = mean scaled target, weights scaled by {@code weightScale}.
     * Without this a fresh U-Net starts at relative errors of several hundred percent and needs many epochs
     * just to find the target's scale.
     */
    public static void initOutput(ComputationGraph g, double meanTarget, double weightScale) {
        org.deeplearning4j.nn.api.Layer l = g.getLayer(outputLayer(g));
        l.getParam("W").muli(weightScale);
        l.getParam("b").assign(meanTarget);
    }

    /**
     * Copies the FE of a step-1 graph into a step-2 graph of {@code c}: layer by layer where step 2 trains BN, else
     * each BN folded into its dense layer at the running statistics (W' = W g / s, b' = beta - mu g / s, s the BN's
     * inference-time standard deviation), which gives the same features at inference.
     */
    static void copyFe(NetConfig c, ComputationGraph from, ComputationGraph to) {
        for (int i = 0; i < c.feWidths().length; i++) {
            String dense = "fe" + i, bn = dense + "_bn";
            if (!c.foldBn()) {
                for (String name : List.of(dense, bn)) to.getLayer(name).setParams(from.getLayer(name).params().dup());
                continue;
            }
            org.deeplearning4j.nn.api.Layer b = from.getLayer(bn);
            var conf = (BatchNormalization) b.conf().getLayer();
            // DL4J's inference: (x - mean) / sqrt(var + eps), var stored as such or as log10 of the standard deviation.
            INDArray var = conf.isUseLogStd()
                    ? Transforms.exp(b.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).castTo(DataType.DOUBLE)
                    .mul(2 * Math.log(10)), false)
                    : b.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).castTo(DataType.DOUBLE);
            INDArray std = Transforms.sqrt(var.add(conf.getEps()), false).reshape(1, -1);
            INDArray scale = b.getParam(BatchNormalizationParamInitializer.GAMMA).castTo(DataType.DOUBLE).reshape(1, -1).div(std);
            INDArray mean = b.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).castTo(DataType.DOUBLE).reshape(1, -1);
            INDArray beta = b.getParam(BatchNormalizationParamInitializer.BETA).castTo(DataType.DOUBLE).reshape(1, -1);
            INDArray w = from.getLayer(dense).getParam(DenseNhwcLayer.WEIGHT).castTo(DataType.DOUBLE).mulRowVector(scale);
            INDArray bias = beta.sub(mean.mul(scale));
            org.deeplearning4j.nn.api.Layer d = to.getLayer(dense);
            assign(d, DenseNhwcLayer.WEIGHT, w);
            assign(d, DenseNhwcLayer.BIAS, bias);
        }
    }

    /** Whether graphs of {@code c} hold the fixed projection "proj" (SCQ_S's FE, or the FE's subspace projection). */
    public static boolean usesProjection(NetConfig c) {
        return c.variant() == Variant.SCQ_S || c.projectsInput();
    }

    /**
     * Checks the projection a trainer was given against {@code c} and returns its output channels (0 when {@code c}
     * uses none; a projection given anyway is then ignored).
     */
    public static int checkProjection(NetConfig c, float[][] projection) {
        if (!usesProjection(c)) return 0;
        String what = c.variant() == Variant.SCQ_S ? "SCQ_S" : c.variant() + " with subspace rank " + c.subspaceRank();
        if (projection == null || projection.length == 0) {
            throw new MrfInputException(what + " needs a projection matrix (the dictionary's SVD basis)");
        }
        if (projection.length != c.inputChannels()) {
            throw new MrfInputException(what + " projection has " + projection.length + " rows, the input has " + c.inputChannels() + " channels");
        }
        if (c.projectsInput() && projection[0].length != 2 * c.subspaceRank()) {
            throw new MrfInputException(what + " needs a projection with " + 2 * c.subspaceRank() + " columns (re/im of "
                    + c.subspaceRank() + " SVD components), got " + projection[0].length);
        }
        return projection[0].length;
    }

    /** Sets the fixed projection matrix [C x K] (C input channels). */
    public static void setProjection(ComputationGraph g, float[][] matrix) {
        assign(g.getLayer(PROJECTION), DenseNhwcLayer.WEIGHT, Nd4j.createFromArray(matrix));
    }

    /**
     * Writes {@code value} into a layer's parameter in place. Not {@code Layer.setParam}: DL4J's SameDiff layers
     * (DenseNhwcLayer) only check the shape there and keep their old values.
     */
    static void assign(org.deeplearning4j.nn.api.Layer layer, String key, INDArray value) {
        INDArray p = layer.getParam(key);
        if (!java.util.Arrays.equals(p.shape(), value.shape())) {
            throw new IllegalArgumentException(layer.getConfig().getLayerName() + " " + key + " must be "
                    + java.util.Arrays.toString(p.shape()) + ", got "
                    + java.util.Arrays.toString(value.shape()));
        }
        p.assign(value.castTo(p.dataType()));
    }
}
