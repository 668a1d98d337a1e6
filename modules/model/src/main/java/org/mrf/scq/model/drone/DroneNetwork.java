package org.mrf.scq.model.drone;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DRONE, the per-pixel MRF reconstruction network of O. Cohen, B. Zhu, M. S. Rosen, "MR fingerprinting deep
 * reconstruction network (DRONE)", Magn. Reson. Med. 80(3):885-894, 2018: a fully connected network from one
 * fingerprint to (T1, T2) with two hidden layers of 300 units, tanh in the hidden layers and a sigmoid output,
 * trained with Adam on a mean-squared-error loss over dictionary fingerprints with added noise. Fang et al.
 * (IEEE TMI 2019) use it as the deep-learning baseline "DL" of their Table I.
 *
 * <p>Input: the 2T channels [re_0..re_{T-1}, im_0..im_{T-1}] of a unit-energy fingerprint. Output: T1 / 5000 ms
 * and T2 / 500 ms (the targets of {@link org.mrf.scq.model.Property}), which the sigmoid keeps in (0, 1).
 */
public final class DroneNetwork {
    private DroneNetwork() {
    }

    public static MultiLayerNetwork build(int t, DroneSettings s) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(s.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(s.lr()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(2 * t).nOut(s.hidden()).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(s.hidden()).nOut(s.hidden()).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(s.hidden()).nOut(2)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
