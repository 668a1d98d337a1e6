package org.mrf.scq.core.recon;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.nufft.KaiserBesselKernel;
import org.mrf.scq.core.nufft.NufftOperator;
import org.mrf.scq.core.nufft.SpiralTrajectory;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.util.MrfInputException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CSMR against a phantom whose every pixel is a dictionary atom, acquired through a known multi-coil spiral forward
 * model without noise: the data are consistent with the true dictionary-valued series (its residual is zero up to
 * the subspace's truncation), and the iteration must come much closer to it than gridding followed by DM, which the
 * aliasing of 16-fold undersampled frames misleads.
 */
class CsmrTest {
    static final int N = 32, FRAMES = 300, INTERLEAVES = 16, COILS = 4;
    static final float[][] TISSUES = {{800, 60}, {1300, 100}, {1800, 150}};
    static Dictionary dict;
    static RawSeries raw;
    static int[] truthIndex;
    static boolean[] object;
    static double[][] sens;

    @BeforeAll
    static void acquire() {
        dict = Dictionary.simulate(Schedules.paperDefault(2.0, 18.0).truncate(FRAMES),
                DictionaryGrid.fromRanges(List.of("400:2000:100"), List.of("20:200:10"), true, "test grid"), 1e-5);
        int[] tissueEntry = new int[TISSUES.length];
        for (int i = 0; i < TISSUES.length; i++) {
            for (int e = 0; e < dict.size(); e++) {
                if (dict.t1(e) == TISSUES[i][0] && dict.t2(e) == TISSUES[i][1]) tissueEntry[i] = e;
            }
        }
        // Three regions: a large disk of tissue 0, a smaller off-centre disk of tissue 1, a square of tissue 2.
        truthIndex = new int[N * N];
        object = new boolean[N * N];
        double[] pd = new double[N * N];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                int p = y * N + x;
                truthIndex[p] = -1;
                double r = Math.hypot(y - N / 2.0 + 0.5, x - N / 2.0 + 0.5);
                if (r < 12) truthIndex[p] = tissueEntry[0];
                if (Math.hypot(y - 12, x - 19) < 5) truthIndex[p] = tissueEntry[1];
                if (y >= 17 && y < 23 && x >= 9 && x < 15) truthIndex[p] = tissueEntry[2];
                object[p] = truthIndex[p] >= 0;
                pd[p] = object[p] ? 0.8 + 0.2 * Math.cos(0.3 * x) : 0;
            }
        }
        SpiralTrajectory traj = SpiralTrajectory.variableDensity(N, INTERLEAVES, 2.0, 0.5);
        KaiserBesselKernel kernel = new KaiserBesselKernel(NufftOperator.DEFAULT_WIDTH, NufftOperator.DEFAULT_OVERSAMPLING);
        double[][] ky = new double[INTERLEAVES][], kx = new double[INTERLEAVES][];
        NufftOperator[] ops = new NufftOperator[INTERLEAVES];
        for (int r = 0; r < INTERLEAVES; r++) {
            ky[r] = traj.ky(r);
            kx[r] = traj.kx(r);
            ops[r] = new NufftOperator(N, N, ky[r], kx[r], kernel);
        }
        // Smooth complex coil sensitivities centred near the four corners.
        sens = new double[COILS][2 * N * N];
        for (int c = 0; c < COILS; c++) {
            double cy = (c / 2) * N, cx = (c % 2) * N, phase = 0.7 * c;
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    double g = Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2.0 * N * N));
                    double ph = phase + 0.05 * (x - y);
                    sens[c][2 * (y * N + x)] = g * Math.cos(ph);
                    sens[c][2 * (y * N + x) + 1] = g * Math.sin(ph);
                }
            }
        }
        int[] frameTrajectory = new int[FRAMES];
        float[][][] data = new float[FRAMES][COILS][];
        double[] img = new double[2 * N * N];
        for (int t = 0; t < FRAMES; t++) {
            int r = t % INTERLEAVES;
            frameTrajectory[t] = r;
            for (int c = 0; c < COILS; c++) {
                for (int p = 0; p < N * N; p++) {
                    double xr = 0, xi = 0;
                    if (object[p]) {
                        xr = pd[p] * dict.re()[truthIndex[p] * FRAMES + t];
                        xi = pd[p] * dict.im()[truthIndex[p] * FRAMES + t];
                    }
                    double sr = sens[c][2 * p], si = sens[c][2 * p + 1];
                    img[2 * p] = sr * xr - si * xi;
                    img[2 * p + 1] = sr * xi + si * xr;
                }
                double[] y = new double[2 * ops[r].samples()];
                ops[r].forward(img, y);
                float[] f = new float[y.length];
                for (int i = 0; i < y.length; i++) f[i] = (float) y[i];
                data[t][c] = f;
            }
        }
        raw = new RawSeries(N, ky, kx, null, frameTrajectory, data);
    }

    private static double exactFraction(int[] index) {
        int hit = 0, total = 0;
        for (int p = 0; p < N * N; p++) {
            if (!object[p]) continue;
            total++;
            if (index[p] >= 0 && dict.t1(index[p]) == dict.t1(truthIndex[p]) && dict.t2(index[p]) == dict.t2(truthIndex[p])) hit++;
        }
        return (double) hit / total;
    }

    /** Fraction of object pixels at most one grid step (100 ms in T1, 10 ms in T2) from the truth. */
    private static double withinOneGridStep(int[] index) {
        int hit = 0, total = 0;
        for (int p = 0; p < N * N; p++) {
            if (!object[p]) continue;
            total++;
            if (index[p] >= 0 && Math.abs(dict.t1(index[p]) - dict.t1(truthIndex[p])) <= 100
                    && Math.abs(dict.t2(index[p]) - dict.t2(truthIndex[p])) <= 10) hit++;
        }
        return (double) hit / total;
    }

    @Test
    void comesCloserToADictionaryValuedObjectThanGriddingAndDm() {
        Csmr.Result csmr = Csmr.reconstruct(raw, dict, Csmr.Options.defaults().withRank(8).withIterations(30).withThreads(2));

        float[][] frames = GriddingReconstruction.reconstruct(raw, GriddingReconstruction.Options.defaults().withThreads(2));
        float[] re = new float[FRAMES * N * N], im = new float[re.length];
        for (int t = 0; t < FRAMES; t++) {
            for (int p = 0; p < N * N; p++) {
                re[t * N * N + p] = frames[t][2 * p];
                im[t * N * N + p] = frames[t][2 * p + 1];
            }
        }
        MatchResult dm = new DictionaryMatcher(dict).matchTimeMajor(re, im, FRAMES, N, N, FRAMES);

        double csmrExact = exactFraction(csmr.index()), dmExact = exactFraction(dm.index);
        // Noise-free and consistent data, but a non-convex iteration: it reaches a fixed point near, not at, the truth.
        assertTrue(csmrExact >= 0.8, "CSMR finds the true (T1, T2) in " + csmrExact + " of the object, gridding + DM in " + dmExact);
        assertTrue(csmrExact >= dmExact + 0.15, "CSMR " + csmrExact + " vs gridding + DM " + dmExact);
        double csmrNear = withinOneGridStep(csmr.index()), dmNear = withinOneGridStep(dm.index);
        assertTrue(csmrNear >= 0.97, "CSMR within one grid step in " + csmrNear + " of the object, gridding + DM " + dmNear);
        double[] r = csmr.residuals();
        assertTrue(r[r.length - 1] < 0.05 * r[0], "the data-consistency residual falls: " + java.util.Arrays.toString(r));
        for (int p = 0; p < N * N; p++) {
            if (!object[p] && csmr.index()[p] >= 0) {
                // Pixels outside the object that the signal mask kept must carry little proton density.
                assertTrue(csmr.pd()[p] < 0.3, "background pixel " + p + " pd " + csmr.pd()[p]);
            }
        }
    }

    @Test
    void refusesASeriesLongerThanTheDictionary() {
        Dictionary short_ = dict.truncate(FRAMES / 2);
        var e = assertThrows(MrfInputException.class, () -> Csmr.reconstruct(raw, short_, Csmr.Options.defaults()));
        assertTrue(e.getMessage().contains("300 frames") && e.getMessage().contains("150 time points"), e.getMessage());
    }
}
