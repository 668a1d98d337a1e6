package org.mrf.scq.spark.reliability;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.nn.ScqNetworks;

import java.nio.file.Path;

/**
 * Saves two models (network seeds 1 and 2) over the same directory in turn, forever, printing {@code SAVED <n> seed=<s>}
 * after each save, for {@code AtomicOutputKillTest} to kill at an arbitrary moment. Argument: {@code DIR}.
 */
public final class ModelSaveDriver {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ScqModel[] models = {model(1), model(2)};
        for (int i = 0; ; i++) {
            models[i % 2].save(dir);
            System.out.println("SAVED " + i + " seed=" + (i % 2 + 1));
        }
    }

    static ScqModel model(long seed) {
        NetConfig net = new NetConfig(24, Variant.SCQ, new int[]{32, 8}, new int[]{4, 8}, 16, 1, 0.9, seed);
        TrainConfig tc = TrainConfig.quick();
        ComputationGraph g = ScqNetworks.stepTwo(net, ScqNetworks.adam(tc.lr(), tc.beta1(), tc.beta2(), 1, tc.decayFraction()),
                null, null, 0.3);
        return new ScqModel(g, new ModelMetadata(Property.T1, 24, 96, "hash", net, tc, 0, null, "test", "now"));
    }
}
