package org.mrf.scq.model.nn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.Map;

/**
 * A per-pixel fully connected layer on NHWC feature maps at dense-GEMM speed: the input
 * [n, h, w, inSize] is reshaped (no copy, no permute) to [n*h*w, inSize], multiplied by W [inSize, outSize],
 * the bias added, optionally ReLU'd, and reshaped back to [n, h, w, outSize]. Spatial sizes are free,
 * so the same layer serves single pixels ([n,1,1,C]) in step 1, patches in step 2 and whole slices
 * at inference. A {@code fixed} layer has no bias and a zero learning rate: a frozen linear projection
 * (SCQ_S, e.g. an SVD basis), whose matrix is set with {@link ScqNetworks#setProjection} (in place: {@code Layer.setParam}
 * does not write SameDiff layers' parameters).
 * Serialises to the ComputationGraph JSON through its fields (no-arg constructor kept for Jackson).
 */
public class DenseNhwcLayer extends SameDiffLayer {
    public static final String WEIGHT = "W";
    public static final String BIAS = "b";

    private long inSize;
    private long outSize;
    private boolean hasBias = true;
    private boolean relu;
    private boolean fixed;

    /** For Jackson. */
    protected DenseNhwcLayer() {
    }

    public DenseNhwcLayer(long inSize, long outSize, boolean hasBias, boolean relu, boolean fixed) {
        this.inSize = inSize;
        this.outSize = outSize;
        this.hasBias = hasBias && !fixed;
        this.relu = relu;
        this.fixed = fixed;
        if (fixed) {
            // Not NoOp: DL4J's NoOp updater still subtracts the raw gradient (a learning rate of 1).
            this.updater = new Sgd(0.0);
            this.biasUpdater = new Sgd(0.0);
        }
    }

    /** A trainable layer {@code inSize -> outSize} with bias. */
    public static DenseNhwcLayer dense(long inSize, long outSize, boolean relu) {
        return new DenseNhwcLayer(inSize, outSize, true, relu, false);
    }

    /** A frozen projection {@code inSize -> outSize}, no bias, no activation. */
    public static DenseNhwcLayer fixedProjection(long inSize, long outSize) {
        return new DenseNhwcLayer(inSize, outSize, false, false, true);
    }

    public long getInSize() { return inSize; }
    public long getOutSize() { return outSize; }
    public boolean isHasBias() { return hasBias; }
    public boolean isRelu() { return relu; }
    public boolean isFixed() { return fixed; }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable, SDVariable mask) {
        SDVariable shape = layerInput.shape();
        SDVariable flat = sd.reshape(layerInput, -1, inSize);
        SDVariable z = flat.mmul(paramTable.get(WEIGHT));
        if (hasBias) {
            z = z.add(paramTable.get(BIAS));
        }
        if (relu) {
            z = sd.nn.relu(z, 0.0);
        }
        int rank = layerInput.getShape() == null ? 4 : layerInput.getShape().length;
        SDVariable lead = shape.get(SDIndex.interval(0, rank - 1));
        SDVariable outShape = sd.concat(0, lead, sd.constant(Nd4j.createFromArray(outSize)));
        return sd.reshape(z, outShape);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT, inSize, outSize);
        if (hasBias) {
            params.addBiasParam(BIAS, 1, outSize);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray w = params.get(WEIGHT);
        // He initialisation (ReLU follows); a fixed projection starts as zeros until its matrix is set.
        if (fixed) {
            w.assign(0);
        } else {
            w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(Math.sqrt(2.0 / inSize)));
        }
        if (hasBias) {
            params.get(BIAS).assign(0);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            return InputType.convolutional(c.getHeight(), c.getWidth(), outSize, CNN2DFormat.NHWC);
        }
        return InputType.feedForward(outSize);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long in;
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            if (c.getFormat() != CNN2DFormat.NHWC) {
                throw new IllegalArgumentException("DenseNhwcLayer needs NHWC input, got " + c.getFormat());
            }
            in = c.getChannels();
        } else if (inputType instanceof InputType.InputTypeFeedForward f) {
            in = f.getSize();
        } else {
            throw new IllegalArgumentException("DenseNhwcLayer: unsupported input type " + inputType);
        }
        if (override || inSize <= 0) {
            inSize = in;
        } else if (inSize != in) {
            throw new IllegalArgumentException("DenseNhwcLayer expects " + inSize + " input channels, the graph gives " + in);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public String toString() {
        return "DenseNhwcLayer(" + inSize + "->" + outSize + (hasBias ? ", bias" : "") + (relu ? ", relu" : "") + (fixed ? ", fixed" : "") + ")";
    }
}
