package org.mrf.scq.model.drone;

import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.epg.EpgSimulator;
import org.mrf.scq.core.eval.MapErrors;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.util.SplittableRandom;

/**
 * DRONE on the paper's dictionary, against DM, on fingerprints the network never saw.
 *
 * <p>Run: {@code java -cp <model classpath> org.mrf.scq.model.drone.DroneBench [T=576] [epochs=100] [seed=1] [atoms=2000]}.
 *
 * <p>Steps:
 * <ol>
 * <li>Simulate the paper's 13,123-entry grid at the first T points of the default schedule.</li>
 * <li>Train DRONE with the default settings, apart from the epochs given.</li>
 * <li>Draw {@code atoms} (T1, T2) pairs uniformly off the grid (T1 100-3000 ms, T2 10-300 ms, T2 &lt; T1), and simulate
 *     them.</li>
 * <li>Print key=value lines: training seconds, and mean relative errors of DRONE and of DM (on the same dictionary)
 *     without noise and at SNR 30 and 20 dB.</li>
 * </ol>
 */
public final class DroneBench {
    private DroneBench() {
    }

    public static void main(String[] args) {
        int t = args.length > 0 ? Integer.parseInt(args[0]) : 576;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int atoms = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        FispSequence seq = Schedules.paperDefault(Schedules.DEFAULT_TE_MS, Schedules.DEFAULT_INVERSION_MS).truncate(t);
        long t0 = System.nanoTime();
        Dictionary dict = Dictionary.simulate(seq, DictionaryGrid.paper(), EpgSimulator.DEFAULT_TOLERANCE);
        System.out.printf("drone.bench.t=%d%ndrone.bench.entries=%d%ndrone.bench.dictionary_s=%.1f%n", t, dict.size(), secs(t0));
        DroneSettings d = DroneSettings.defaults(seed);
        DroneSettings s = new DroneSettings(d.hidden(), epochs, d.batch(), d.lr(), d.snrDbMin(), d.snrDbMax(), seed);
        System.out.println("drone.bench.settings=" + s);
        t0 = System.nanoTime();
        DroneModel model = DroneTrainer.train(dict, (double) Schedules.DEFAULT_LENGTH / t, s);
        System.out.printf("drone.bench.train_s=%.1f%n", secs(t0));

        SplittableRandom rnd = new SplittableRandom(seed + 1);
        float[] a = new float[atoms], b = new float[atoms];
        for (int i = 0; i < atoms; i++) {
            do {
                a[i] = (float) (100 + 2900 * rnd.nextDouble());
                b[i] = (float) (10 + 290 * rnd.nextDouble());
            } while (b[i] >= a[i]);
        }
        Dictionary test = Dictionary.simulate(seq, DictionaryGrid.of(a, b), EpgSimulator.DEFAULT_TOLERANCE);
        DictionaryMatcher dm = new DictionaryMatcher(dict);
        for (double snr : new double[]{Double.POSITIVE_INFINITY, 30, 20}) {
            float[] re = test.re().clone(), im = test.im().clone();
            if (Double.isFinite(snr)) addNoise(re, im, t, snr, rnd);
            String tag = Double.isFinite(snr) ? "snr" + (int) snr : "noisefree";
            t0 = System.nanoTime();
            DroneModel.Maps maps = model.apply(re, im, t);
            double applyS = secs(t0);
            MatchResult m = dm.match(re, im, atoms, t);
            System.out.printf("drone.%s.t1_err_pct=%.2f%ndrone.%s.t2_err_pct=%.2f%ndrone.%s.pixels_per_s=%.0f%n",
                    tag, MapErrors.meanRelativeErrorPct(maps.t1Ms(), a, null), tag, MapErrors.meanRelativeErrorPct(maps.t2Ms(), b, null), tag, atoms / applyS);
            System.out.printf("dm.%s.t1_err_pct=%.2f%ndm.%s.t2_err_pct=%.2f%n", tag, MapErrors.meanRelativeErrorPct(m.t1, a, null), tag, MapErrors.meanRelativeErrorPct(m.t2, b, null));
        }
    }

    /** Complex white noise with energy 10^(-snr/10) of each fingerprint's own. */
    private static void addNoise(float[] re, float[] im, int t, double snrDb, SplittableRandom rnd) {
        for (int p = 0; p < re.length / t; p++) {
            double e = 0;
            for (int k = 0; k < t; k++) e += re[p * t + k] * re[p * t + k] + im[p * t + k] * im[p * t + k];
            double sigma = Math.sqrt(e * Math.pow(10, -snrDb / 10) / (2 * t));
            for (int k = 0; k < t; k++) {
                re[p * t + k] += (float) (sigma * rnd.nextGaussian());
                im[p * t + k] += (float) (sigma * rnd.nextGaussian());
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
