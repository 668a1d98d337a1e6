package org.mrf.scq.model.drone;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.util.Progress;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.Property;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Trains DRONE on a dictionary alone, never on subjects (Cohen et al., MRM 2018): every epoch visits each entry
 * once in a fresh random order, scaled as {@link DroneModel#apply} scales a measured fingerprint, plus complex white
 * Gaussian noise at an SNR drawn per example, then scaled again.
 */
public final class DroneTrainer {
    private DroneTrainer() {
    }

    /**
     * @param dictionary fingerprints at the time points the model will see (truncate it to T first)
     * @param ar         acceleration rate the model is for (recorded in its metadata)
     */
    public static DroneModel train(Dictionary dictionary, double ar, DroneSettings settings) {
        int t = dictionary.timepoints(), n = dictionary.size();
        MultiLayerNetwork net = DroneNetwork.build(t, settings);
        float[] clean = new float[n * 2 * t];
        for (int e = 0; e < n; e++) {
            if (!DroneModel.scaledFingerprint(dictionary.re(), dictionary.im(), e * t, t, clean, e * 2 * t)) {
                throw new IllegalArgumentException("dictionary entry " + e + " (T1 " + dictionary.t1(e) + ", T2 "
                        + dictionary.t2(e) + " ms) is all zero over the first " + t + " time points");
            }
        }
        SplittableRandom rnd = new SplittableRandom(settings.seed());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Progress progress = new Progress("DRONE training (" + n + " entries, T=" + t + ")", settings.epochs(), "epochs");
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            shuffle(order, rnd);
            for (int start = 0; start < n; start += settings.batch()) {
                int b = Math.min(settings.batch(), n - start);
                float[] x = new float[b * 2 * t], y = new float[b * 2];
                for (int i = 0; i < b; i++) {
                    int e = order[start + i];
                    noisy(clean, e * 2 * t, 2 * t, settings, rnd, x, i * 2 * t);
                    y[2 * i] = (float) (dictionary.t1(e) / Property.T1.scaleMs());
                    y[2 * i + 1] = (float) (dictionary.t2(e) / Property.T2.scaleMs());
                }
                net.fit(new DataSet(Nd4j.create(x, new long[]{b, 2L * t}, DataType.FLOAT),
                        Nd4j.create(y, new long[]{b, 2}, DataType.FLOAT)));
            }
            progress.advance(1);
        }
        progress.finish();
        DroneMetadata md = new DroneMetadata(t, ar, dictionary.scheduleHash(), n, settings,
                ModelMetadata.currentCodeVersion(), Instant.now().toString());
        return new DroneModel(net, md);
    }

    /**
     * A fingerprint of c real channels with energy c (as {@link DroneModel#scaledFingerprint} makes them) plus
     * Gaussian noise of variance 10^(-snr/10) per channel, so the noise's expected energy is 10^(-snr/10) of the
     * signal's; rescaled to energy c.
     */
    static void noisy(float[] clean, int off, int c, DroneSettings s, SplittableRandom rnd, float[] out, int outOff) {
        double snrDb = s.snrDbMin() + (s.snrDbMax() - s.snrDbMin()) * rnd.nextDouble();
        double sigma = Math.sqrt(Math.pow(10, -snrDb / 10));
        double e = 0;
        for (int k = 0; k < c; k++) {
            double v = clean[off + k] + sigma * rnd.nextGaussian();
            out[outOff + k] = (float) v;
            e += v * v;
        }
        float scale = (float) Math.sqrt(c / e);
        for (int k = 0; k < c; k++) out[outOff + k] *= scale;
    }

    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
