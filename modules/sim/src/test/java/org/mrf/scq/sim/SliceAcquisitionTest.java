package org.mrf.scq.sim;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.*;

class SliceAcquisitionTest {
    private static final FispSequence PAPER = Schedules.paperDefault(2.0, 18.0);

    private static SubjectMaps subject(int matrix, long seed) {
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(matrix).withLesions(1));
        return gen.fromLabels(LabelMap.bundled("axial"), TissueTable.literature3T().perturbed(new Random(seed), 0.1), seed);
    }

    @Test
    void subspaceModelMatchesExactFingerprints() {
        SubjectMaps maps = subject(32, 4);
        ForkJoinPool pool = new ForkJoinPool(2);
        FingerprintSubspace model = FingerprintSubspace.build(PAPER, maps, 0.05, 1e-3, 1e-5, pool);
        pool.shutdown();
        assertTrue(model.rank() > 3 && model.rank() < 60, "rank " + model.rank());
        var sim = new org.mrf.scq.core.epg.EpgSimulator(PAPER, 1e-5);
        double worst = 0;
        for (int i = 0; i < maps.pixels(); i += 7) {
            if (!maps.hasSignal(i)) continue;
            double[][] exact = sim.simulate(maps.t1Ms()[i], maps.t2Ms()[i]);
            double[] approx = model.fingerprint(maps.t1Ms()[i], maps.t2Ms()[i]);
            double d = 0, n = 0;
            for (int t = 0; t < PAPER.length(); t++) {
                double a = approx[2 * t] - exact[0][t], b = approx[2 * t + 1] - exact[1][t];
                d += a * a + b * b;
                n += exact[0][t] * exact[0][t] + exact[1][t] * exact[1][t];
            }
            worst = Math.max(worst, Math.sqrt(d / n));
        }
        assertTrue(worst < 2e-3, "worst relative fingerprint error of the interpolated subspace model: " + worst);
        System.out.printf("subspace rank %d, %d nodes, worst fingerprint error %.2e%n", model.rank(), model.nodes(), worst);
    }

    @Test
    void shortcutEqualsDirectPerTimePointModel() {
        FispSequence seq = PAPER.truncate(96);
        SubjectMaps maps = subject(32, 11);
        var acq = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(30).withThreads(2));
        ComplexSeries fast = acq.acquire(maps, 5);
        ComplexSeries direct = acq.acquireDirect(maps, 5);
        double err = fast.relativeError(direct);
        // Stated tolerance: 2e-3 relative over the whole series (subspace tolerance 1e-3 plus the
        // O(step^2) interpolation in ln T1, ln T2, about 2e-4 at the default 5% step); the noise is
        // identical in both.
        assertTrue(err < 2e-3, "fast vs direct relative error " + err);
        System.out.printf("32x32x96 fast vs direct relative error %.2e%n", err);
        ComplexSeries noiseFree = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(Double.POSITIVE_INFINITY))
                .acquire(maps, 5);
        assertTrue(fast.relativeError(noiseFree) > 10 * err, "the comparison is not blind to noise");
    }

    @Test
    void rejectsMismatchedMapsAndBadSnrWithAFix() {
        var acq = new SliceAcquisition(PAPER.truncate(10), 32, SliceAcquisition.Options.defaults());
        var e = assertThrows(org.mrf.scq.core.util.MrfInputException.class, () -> acq.acquire(subject(48, 1), 1));
        assertTrue(e.getMessage().contains("48 x 48") && e.getMessage().contains("32 x 32"), e.getMessage());
        assertThrows(org.mrf.scq.core.util.MrfInputException.class,
                () -> new SliceAcquisition(PAPER, 32, SliceAcquisition.Options.defaults().withSnr(0)));
    }

    @Test
    void sameSeedIdenticalSeriesWhateverTheThreadCount() {
        FispSequence seq = PAPER.truncate(60);
        SubjectMaps maps = subject(32, 2);
        ComplexSeries a = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withThreads(1)).acquire(maps, 99);
        ComplexSeries b = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withThreads(2)).acquire(maps, 99);
        ComplexSeries c = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withThreads(2)).acquire(maps, 100);
        assertArrayEquals(a.re(), b.re());
        assertArrayEquals(a.im(), b.im());
        assertFalse(java.util.Arrays.equals(a.re(), c.re()), "another noise seed gives other noise");
    }

    @Test
    void noiseHasTheClosedFormVariance() {
        FispSequence seq = PAPER.truncate(48);
        SubjectMaps maps = subject(32, 3);
        var noisy = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(20));
        var clean = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(Double.POSITIVE_INFINITY));
        ComplexSeries a = noisy.acquire(maps, 1), b = clean.acquire(maps, 1);
        ForkJoinPool pool = new ForkJoinPool(1);
        double sigma = noisy.noiseSigma(maps, FingerprintSubspace.build(seq, maps, 0.05, 1e-3, 1e-5, pool));
        pool.shutdown();
        // b_t noise = A_p^H D_p n_t: per pixel variance sigma^2 sum_{j in p} (P w_j)^2, since each
        // adjoint row has unit-modulus phases.
        double[] w = org.mrf.scq.core.nufft.DensityCompensation.spiral(noisy.trajectory(),
                new org.mrf.scq.core.nufft.NufftOperator(32, 32, noisy.trajectory().allKy(), noisy.trajectory().allKx()));
        int per = noisy.trajectory().samplesPerInterleaf(), n2 = 32 * 32;
        double predicted = 0, measured = 0;
        for (int t = 0; t < 48; t++) {
            double s = 0;
            for (int q = 0; q < per; q++) s += Math.pow(48 * w[t * per + q], 2);
            predicted += sigma * sigma * s;
            for (int i = 0; i < n2; i++) {
                double dr = a.re()[t * n2 + i] - b.re()[t * n2 + i], di = a.im()[t * n2 + i] - b.im()[t * n2 + i];
                measured += (dr * dr + di * di) / n2;
            }
        }
        assertEquals(1, measured / predicted, 0.05, "noise power measured / closed form");
    }

    @Test
    void undersampledImagesAliasButTimeCoursesStillMatchFingerprints() {
        TissueTable values = TissueTable.literature3T();
        var gen = new DigitalSubjectGenerator(DigitalSubjectGenerator.Options.defaults().withMatrix(64));
        SubjectMaps maps = gen.fromLabels(LabelMap.bundled("axial"), values, 8);
        var acq = new SliceAcquisition(PAPER, 64, SliceAcquisition.Options.defaults().withSnr(Double.POSITIVE_INFINITY));
        ComplexSeries b = acq.acquire(maps, 1);
        ComplexSeries x = acq.trueImages(maps);
        // Reduction factor 48 (centre oversampled x2): aliasing energy is several times the image's.
        double err = b.relativeError(x);
        assertTrue(err > 1, "single-interleaf gridding images must alias: relative error " + err);
        // Against the fully sampled (all 48 interleaves) gridding image of the same time point too,
        // which itself is close to the true image (only the k-space corners outside the disk are lost).
        var traj = acq.trajectory();
        var fullOp = new org.mrf.scq.core.nufft.NufftOperator(64, 64, traj.allKy(), traj.allKx());
        double[] w = org.mrf.scq.core.nufft.DensityCompensation.spiral(traj, fullOp);
        int t0 = 500, n2px = 64 * 64;
        double[] xt = new double[2 * n2px], bt = new double[2 * n2px];
        for (int i = 0; i < n2px; i++) {
            xt[2 * i] = x.re()[t0 * n2px + i];
            xt[2 * i + 1] = x.im()[t0 * n2px + i];
            bt[2 * i] = b.re()[t0 * n2px + i];
            bt[2 * i + 1] = b.im()[t0 * n2px + i];
        }
        double[] fullImage = fullOp.adjointOperator().compose(org.mrf.scq.core.nufft.LinearOperator.diagonal(w, fullOp.samples()))
                .compose(fullOp).forward(xt);
        double fullErr = org.mrf.scq.core.nufft.ComplexVectors.relativeError(fullImage, xt);
        double aliasErr = org.mrf.scq.core.nufft.ComplexVectors.relativeError(bt, fullImage);
        assertTrue(fullErr < 0.25, "fully sampled gridding is close to the truth: " + fullErr);
        assertTrue(aliasErr > 4 * fullErr, "one interleaf vs fully sampled: " + aliasErr + " vs " + fullErr);
        // Yet the aliasing is incoherent over time (the interleaf rotates), so matching each brain
        // pixel's time course against the three brain tissues' fingerprints finds its own tissue.
        Tissue[] classes = {Tissue.CSF, Tissue.GREY_MATTER, Tissue.WHITE_MATTER};
        var sim = new org.mrf.scq.core.epg.EpgSimulator(PAPER, 1e-5);
        double[][][] fp = new double[3][][];
        for (int c = 0; c < 3; c++) fp[c] = sim.simulate(values.t1Ms(classes[c]), values.t2Ms(classes[c]));
        int n2 = 64 * 64, t = PAPER.length(), right = 0, count = 0;
        double sumCorr = 0;
        for (int i = 0; i < n2; i++) {
            Tissue truth = Tissue.ofCode(maps.labels()[i] & 0xff);
            int want = java.util.Arrays.asList(classes).indexOf(truth);
            if (want < 0) continue;
            double best = -1;
            int arg = -1;
            for (int c = 0; c < 3; c++) {
                double corr = correlation(b, i, n2, t, fp[c][0], fp[c][1]);
                if (corr > best) {
                    best = corr;
                    arg = c;
                }
                if (c == want) sumCorr += corr;
            }
            if (arg == want) right++;
            count++;
        }
        double meanCorr = sumCorr / count, accuracy = (double) right / count;
        // Unbiased scale: D_p = 48 w_p makes the projection of each brain pixel's series on its true
        // series ~1 (aliasing averages out over the rotating interleaves), which PD estimation needs.
        java.util.List<Double> ratios = new java.util.ArrayList<>();
        for (int i = 0; i < n2; i++) {
            if (maps.mask()[i] == 0) continue;
            double num = 0, den = 0;
            for (int ti = 0; ti < t; ti++) {
                int q = ti * n2 + i;
                num += x.re()[q] * b.re()[q] + x.im()[q] * b.im()[q];
                den += x.re()[q] * x.re()[q] + x.im()[q] * x.im()[q];
            }
            ratios.add(num / den);
        }
        java.util.Collections.sort(ratios);
        double median = ratios.get(ratios.size() / 2);
        assertEquals(1, median, 0.05, "median projection of the series on the true series");
        assertTrue(meanCorr > 0.4, "mean |correlation| with the own tissue's fingerprint " + meanCorr);
        assertTrue(accuracy > 0.8, "tissue matched from aliased time courses: " + accuracy);
        System.out.printf("64x64x2304: aliasing error %.3f (vs full-spiral image %.3f; full vs truth %.3f), mean correlation %.3f, tissue match %.3f%n",
                err, aliasErr, fullErr, meanCorr, accuracy);
    }

    private static double correlation(ComplexSeries b, int pixel, int n2, int t, double[] fr, double[] fi) {
        double re = 0, im = 0, nb = 0, nf = 0;
        for (int ti = 0; ti < t; ti++) {
            int q = ti * n2 + pixel;
            re += b.re()[q] * fr[ti] + b.im()[q] * fi[ti];
            im += b.re()[q] * fi[ti] - b.im()[q] * fr[ti];
            nb += b.re()[q] * b.re()[q] + b.im()[q] * b.im()[q];
            nf += fr[ti] * fr[ti] + fi[ti] * fi[ti];
        }
        return Math.hypot(re, im) / Math.sqrt(nb * nf);
    }

    /** Per-pixel correlation |<a, b>| / (|a| |b|) of two series' time courses. */
    private static double correlation(ComplexSeries a, ComplexSeries b, int pixel) {
        int n2 = a.height() * a.width();
        double re = 0, im = 0, na = 0, nb = 0;
        for (int t = 0; t < a.timepoints(); t++) {
            int i = t * n2 + pixel;
            double ar = a.re()[i], ai = a.im()[i], br = b.re()[i], bi = b.im()[i];
            re += ar * br + ai * bi;
            im += ar * bi - ai * br;
            na += ar * ar + ai * ai;
            nb += br * br + bi * bi;
        }
        return Math.hypot(re, im) / Math.sqrt(na * nb);
    }

    @Test
    void coilCombinationAndPhaseKeepEveryFingerprintsShape() {
        // Smooth sensitivities and phase multiply each pixel's time course by one complex number, and the
        // Walsh combination with weights fixed over time keeps that: in homogeneous tissue the combined
        // noise-free time course is the one-coil one up to a complex scale. Every frame is fully sampled
        // (one interleaf covering k-space) and the spiral covers the Nyquist box, so neither single-interleaf aliasing
        // nor the ringing of the k-space disk (which the sensitivities and phase reshuffle between neighbours) is present.
        FispSequence seq = PAPER.truncate(192);
        SubjectMaps maps = subject(128, 3);
        var base = SliceAcquisition.Options.defaults().withSnr(Double.POSITIVE_INFINITY).withThreads(2);
        base = new SliceAcquisition.Options(base.snr(), 1, base.centreDensity(), base.sampleSpacing(), base.epgTolerance(),
                base.basisTolerance(), base.logStep(), base.gridOversampling(), 2, SliceAcquisition.IDEAL_K_RADIUS, 1, 0, 0, 1, 1, 0, 0);
        var one = new SliceAcquisition(seq, 128, base);
        var eight = new SliceAcquisition(seq, 128, base.withCoils(8, 0.2).withPhase(Math.PI));
        ComplexSeries a = one.acquire(maps, 1), b = eight.acquire(maps, 1);
        boolean[] in = AcquisitionEffects.interior(maps);
        double worst = 1;
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (!in[i]) continue;
            worst = Math.min(worst, correlation(a, b, i));
            n++;
        }
        assertTrue(n > 10, "interior pixels " + n);
        assertTrue(worst > 0.995, "worst interior correlation of 8-coil vs 1-coil time courses " + worst);
        assertTrue(a.relativeError(b) > 0.1, "the coils and phase changed the images");
    }

    @Test
    void kSpaceGriddedFrameByFrameIsTheSeries() {
        FispSequence seq = PAPER.truncate(60);
        SubjectMaps maps = subject(32, 5);
        var acq = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(30).withThreads(2));
        ComplexSeries series = acq.acquire(maps, 9);
        org.mrf.scq.core.recon.RawSeries k = acq.kSpace(maps, 9);
        assertEquals(60, k.frames());
        assertEquals(1, k.coils());
        // Independent gridding from the record alone: a NUFFT on the record's trajectory and weights.
        double worst = 0;
        for (int t = 0; t < k.frames(); t++) {
            int p = k.frameTrajectory()[t];
            var op = new org.mrf.scq.core.nufft.NufftOperator(32, 32, k.ky()[p], k.kx()[p]);
            double[] y = new double[k.data()[t][0].length];
            for (int q = 0; q < y.length; q++) y[q] = k.data()[t][0][q] * k.weights()[p][q / 2];
            double[] img = op.adjoint(y);
            double d = 0, nn = 0;
            for (int i = 0; i < 32 * 32; i++) {
                int s = series.index(t, i / 32, i % 32);
                d += Math.pow(img[2 * i] - series.re()[s], 2) + Math.pow(img[2 * i + 1] - series.im()[s], 2);
                nn += Math.pow(series.re()[s], 2) + Math.pow(series.im()[s], 2);
            }
            worst = Math.max(worst, Math.sqrt(d / nn));
        }
        assertTrue(worst < 1e-5, "gridding the k-space record vs the series, worst frame " + worst);
    }

    @Test
    void b1ModelMatchesEpgWithScaledFlips() {
        FispSequence seq = PAPER.truncate(400);
        SubjectMaps maps = subject(32, 8);
        float[] b1 = new float[maps.pixels()];
        for (int i = 0; i < b1.length; i++) b1[i] = (float) (0.75 + 0.5 * i / b1.length);
        ForkJoinPool pool = new ForkJoinPool(2);
        FingerprintSubspace model = FingerprintSubspace.build(seq, maps, b1, 0.05, 1e-3, 1e-5, pool);
        pool.shutdown();
        double worst = 0;
        for (int i = 0; i < maps.pixels(); i += 13) {
            if (!maps.hasSignal(i)) continue;
            double[][] exact = new org.mrf.scq.core.epg.EpgSimulator(FingerprintSubspace.flipsScaled(seq, b1[i]), 1e-5)
                    .simulate(maps.t1Ms()[i], maps.t2Ms()[i]);
            double[] approx = model.fingerprint(maps.t1Ms()[i], maps.t2Ms()[i], b1[i]);
            double d = 0, n = 0;
            for (int t = 0; t < seq.length(); t++) {
                d += Math.pow(approx[2 * t] - exact[0][t], 2) + Math.pow(approx[2 * t + 1] - exact[1][t], 2);
                n += exact[0][t] * exact[0][t] + exact[1][t] * exact[1][t];
            }
            worst = Math.max(worst, Math.sqrt(d / n));
        }
        assertTrue(worst < 3e-3, "worst fingerprint error of the B1+ model against EPG with scaled flips: " + worst);
    }

    @Test
    void truthOnAFinerGridIsAcquiredAtTheMatrix() {
        // Closed form: fine maps that repeat each pixel over an s x s block are the grid image convolved with
        // that block, so each k-space sample is the grid one times H(k) = (1/s^2) sum_{a,b < s} e^{-2 pi i (ky a + kx b) / (s N)}.
        FispSequence seq = PAPER.truncate(48);
        int m = 32, s = 4;
        SubjectMaps coarse = disk(m, 10), fine = blocks(coarse, s);
        var acq = new SliceAcquisition(seq, m, SliceAcquisition.Options.defaults().withSnr(Double.POSITIVE_INFINITY).withThreads(2));
        org.mrf.scq.core.recon.RawSeries a = acq.kSpace(coarse, 1), b = acq.kSpace(fine, 1);
        double d = 0, n = 0;
        for (int t = 0; t < 48; t++) {
            int p = a.frameTrajectory()[t];
            float[] ya = a.data()[t][0], yb = b.data()[t][0];
            for (int q = 0; q < ya.length / 2; q++) {
                double hr = 0, hi = 0;
                for (int u = 0; u < s; u++) {
                    for (int v = 0; v < s; v++) {
                        double ph = -2 * Math.PI * (a.ky()[p][q] * u + a.kx()[p][q] * v) / (s * m);
                        hr += Math.cos(ph) / (s * s);
                        hi += Math.sin(ph) / (s * s);
                    }
                }
                double er = hr * ya[2 * q] - hi * ya[2 * q + 1] - yb[2 * q], ei = hr * ya[2 * q + 1] + hi * ya[2 * q] - yb[2 * q + 1];
                d += er * er + ei * ei;
                n += (double) yb[2 * q] * yb[2 * q] + (double) yb[2 * q + 1] * yb[2 * q + 1];
            }
        }
        assertTrue(Math.sqrt(d / n) < 1e-4, "fine-grid k-space vs closed form, relative error " + Math.sqrt(d / n));
    }

    @Test
    void motionMovesTheHeadOnlyAfterTheFirstMove() {
        // A quarter turn about the FOV centre is a permutation of the grid: closed form for the resampling.
        SubjectMaps maps = subject(32, 2);
        SubjectMaps turned = SliceAcquisition.moved(maps, new double[]{90, 0, 0});
        for (int iy = 1; iy < 32; iy++) {
            for (int ix = 1; ix < 32; ix++) {
                // rotation by +90 deg about (16, 16): the value at (iy, ix) comes from (16 + (ix - 16), 16 - (iy - 16))
                assertEquals(maps.t1Ms()[(ix) * 32 + (32 - iy)], turned.t1Ms()[iy * 32 + ix], 0f, "pixel " + iy + "," + ix);
            }
        }
        FispSequence seq = PAPER.truncate(96);
        var still = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(30).withThreads(2));
        var moving = new SliceAcquisition(seq, 32, SliceAcquisition.Options.defaults().withSnr(30).withThreads(2).withMotion(0.05, 5));
        SliceAcquisition.Motion motion = moving.motion(4);
        assertEquals(SliceAcquisition.Motion.MOVES + 1, motion.start().length);
        org.mrf.scq.core.recon.RawSeries a = still.kSpace(maps, 4), b = moving.kSpace(maps, 4);
        for (int t = 0; t < seq.length(); t++) {
            boolean same = java.util.Arrays.equals(a.data()[t][0], b.data()[t][0]);
            if (t < motion.start()[1]) assertTrue(same, "frame " + t + " before the first move differs");
            else if (motion.poseOf(t) > 0) assertTrue(!same, "frame " + t + " after a move is unchanged");
        }
    }

    private static SubjectMaps blocks(SubjectMaps c, int s) {
        int m = c.height(), f = m * s;
        float[] t1 = new float[f * f], t2 = new float[f * f], pd = new float[f * f];
        byte[] mask = new byte[f * f];
        for (int y = 0; y < f; y++) {
            for (int x = 0; x < f; x++) {
                int i = (y / s) * m + x / s, j = y * f + x;
                t1[j] = c.t1Ms()[i];
                t2[j] = c.t2Ms()[i];
                pd[j] = c.pd()[i];
                mask[j] = c.mask()[i];
            }
        }
        return new SubjectMaps(f, f, t1, t2, pd, mask, new byte[f * f]);
    }

    private static SubjectMaps disk(int m, double radiusPx) {
        float[] t1 = new float[m * m], t2 = new float[m * m], pd = new float[m * m];
        byte[] mask = new byte[m * m];
        for (int y = 0; y < m; y++) {
            for (int x = 0; x < m; x++) {
                double dy = y - m / 2.0, dx = x - m / 2.0;
                if (Math.hypot(dy, dx) <= radiusPx) {
                    int i = y * m + x;
                    t1[i] = 1000;
                    t2[i] = 80;
                    pd[i] = 0.8f;
                    mask[i] = 1;
                }
            }
        }
        return new SubjectMaps(m, m, t1, t2, pd, mask, new byte[m * m]);
    }
}
