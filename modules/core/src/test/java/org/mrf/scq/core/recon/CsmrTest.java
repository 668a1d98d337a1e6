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

    /**
     * The normal operator by Toeplitz embedding against its definition, sum_c conj(s_c) sum_r A_r^H D_r A_r (s_c sum_j
     * G_r(k, j) c_j), computed here with gridding NUFFTs per trajectory and coil on random coefficient images.
     */
    @Test
    void theToeplitzNormalOperatorEqualsTheGriddedOne() {
        int rank = 5;
        org.mrf.scq.core.svd.SvdBasis basis = org.mrf.scq.core.svd.RandomizedSvd.ofDictionary(dict, rank,
                org.mrf.scq.core.svd.RandomizedSvd.DEFAULT_OVERSAMPLING, org.mrf.scq.core.svd.RandomizedSvd.DEFAULT_POWER_ITERATIONS,
                org.mrf.scq.core.svd.RandomizedSvd.DEFAULT_SEED);
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
        try {
            Csmr.Options o = Csmr.Options.defaults().withRank(rank).withThreads(2);
            Csmr.Solver solver = new Csmr.Solver(raw, dict, basis, o, pool, sens);
            java.util.Random rnd = new java.util.Random(3);
            double[][] c = new double[rank][2 * N * N];
            for (double[] cj : c) for (int i = 0; i < cj.length; i++) cj[i] = rnd.nextGaussian();
            double[][] fast = solver.normal(c);

            int kb = basis.rank();
            float[] vr = basis.vRe(), vi = basis.vIm();
            double[][] direct = new double[rank][2 * N * N];
            double[][] w = GriddingReconstruction.densityWeights(N, raw.ky(), raw.kx(), o.kernel());
            for (int r = 0; r < INTERLEAVES; r++) {
                NufftOperator op = new NufftOperator(N, N, raw.ky()[r], raw.kx()[r], o.kernel());
                for (int coil = 0; coil < COILS; coil++) {
                    for (int a = 0; a < rank; a++) {
                        // x = s_c sum_j G_r(a, j) c_j, G_r(a, j) = sum over the frames of r of conj(V(t, a)) V(t, j).
                        double[] x = new double[2 * N * N];
                        for (int j = 0; j < rank; j++) {
                            double gr = 0, gi = 0;
                            for (int t = r; t < FRAMES; t += INTERLEAVES) {
                                double ar = vr[t * kb + a], ai = -vi[t * kb + a], br = vr[t * kb + j], bi = vi[t * kb + j];
                                gr += ar * br - ai * bi;
                                gi += ar * bi + ai * br;
                            }
                            for (int p = 0; p < N * N; p++) {
                                double cr = c[j][2 * p], ci = c[j][2 * p + 1];
                                double yr = gr * cr - gi * ci, yi = gr * ci + gi * cr;
                                double sr = sens[coil][2 * p], si = sens[coil][2 * p + 1];
                                x[2 * p] += sr * yr - si * yi;
                                x[2 * p + 1] += sr * yi + si * yr;
                            }
                        }
                        double[] y = new double[2 * op.samples()];
                        op.forward(x, y);
                        for (int s = 0; s < op.samples(); s++) {
                            y[2 * s] *= w[r][s];
                            y[2 * s + 1] *= w[r][s];
                        }
                        double[] img = new double[2 * N * N];
                        op.adjoint(y, img);
                        for (int p = 0; p < N * N; p++) {
                            double sr = sens[coil][2 * p], si = -sens[coil][2 * p + 1];
                            direct[a][2 * p] += sr * img[2 * p] - si * img[2 * p + 1];
                            direct[a][2 * p + 1] += sr * img[2 * p + 1] + si * img[2 * p];
                        }
                    }
                }
            }
            double diff = 0, ref = 0;
            for (int a = 0; a < rank; a++) {
                for (int i = 0; i < 2 * N * N; i++) {
                    diff += (fast[a][i] - direct[a][i]) * (fast[a][i] - direct[a][i]);
                    ref += direct[a][i] * direct[a][i];
                }
            }
            double rel = Math.sqrt(diff / ref);
            assertTrue(ref > 0 && rel < 1e-4, "Toeplitz vs gridded normal operator: relative difference " + rel);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void refusesASeriesLongerThanTheDictionary() {
        Dictionary short_ = dict.truncate(FRAMES / 2);
        var e = assertThrows(MrfInputException.class, () -> Csmr.reconstruct(raw, short_, Csmr.Options.defaults()));
        assertTrue(e.getMessage().contains("300 frames") && e.getMessage().contains("150 time points"), e.getMessage());
    }
}
