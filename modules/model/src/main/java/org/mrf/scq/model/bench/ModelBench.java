package org.mrf.scq.model.bench;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.nn.RelativeDifferenceLoss;
import org.mrf.scq.model.nn.ScqNetworks;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Training and inference speed of the SCQ networks on random data (speed does not depend on values).
 * Every figure is the median of {@code repeats} timed runs after one warm-up. Usage:
 * <pre>java [--add-opens ...] -cp ... org.mrf.scq.model.bench.ModelBench [T=576] [repeats=3] [what=all|fe|step1|step2|infer|quick]</pre>
 * what: fe = FE as SameDiff GEMM vs as 1x1 convolutions; step1 = pixels/s (quick, paper); step2 = patches/s (quick,
 * paper); infer = seconds per 256x256 slice (quick, paper); quick = step-2 patches/s of quick-profile candidates;
 * train = an end-to-end quick-profile run (FE-only vs SCQ, T1) on noisy synthetic 64x64 EPG phantoms (not part of "all").
 */
public final class ModelBench {
    private ModelBench() {
    }

    interface Run {
        void run();
    }

    static double median(Run warm, Run r, int repeats) {
        warm.run();
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    static DataSet randomData(long n, long h, long w, long c) {
        INDArray x = Nd4j.rand(DataType.FLOAT, n, h, w, c).subi(0.5).divi(Math.sqrt(c / 4.0));
        INDArray y = Nd4j.rand(DataType.FLOAT, n, h, w, 1).muli(0.5).addi(0.1);
        return new DataSet(x, y);
    }

    static Adam adam() {
        return Adam.builder().learningRate(2e-4).beta1(0.5).build();
    }

    /** The FE + per-pixel head as 1x1 convolutions (the slow alternative the design notes measured). */
    static ComputationGraph feAsConv(NetConfig c) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(adam()).weightInit(WeightInit.RELU).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, c.inputChannels(), CNN2DFormat.NHWC));
        String prev = "input";
        int[] w = c.feWidths();
        for (int i = 0; i < w.length; i++) {
            g.addLayer("c" + i, new ConvolutionLayer.Builder(1, 1).nOut(w[i]).hasBias(false).activation(Activation.IDENTITY)
                    .dataFormat(CNN2DFormat.NHWC).build(), prev);
            g.addLayer("c" + i + "_bn", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).nOut(w[i]).build(), "c" + i);
            g.addLayer("c" + i + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "c" + i + "_bn");
            prev = "c" + i + "_relu";
        }
        g.addLayer("head", new ConvolutionLayer.Builder(1, 1).nOut(1).activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NHWC).build(), prev);
        g.addLayer("out", new CnnLossLayer.Builder(new RelativeDifferenceLoss()).format(CNN2DFormat.NHWC).activation(Activation.IDENTITY).build(), "head");
        g.setOutputs("out");
        ComputationGraph cg = new ComputationGraph(g.build());
        cg.init();
        return cg;
    }

    static ComputationGraph fnn(NetConfig c) {
        return ScqNetworks.init(ScqNetworks.extendedFnn(c, adam()));
    }

    static ComputationGraph scq(NetConfig c) {
        return ScqNetworks.init(ScqNetworks.spatial(c, adam(), 0));
    }

    static void line(String what, double seconds, double units, String unit) {
        System.out.printf(Locale.ROOT, "%-58s %9.3f s/step  %10.1f %s/s%n", what, seconds, units / seconds, unit);
    }

    public static void main(String[] args) {
        int t = args.length > 0 ? Integer.parseInt(args[0]) : 576;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String what = args.length > 2 ? args[2] : "all";
        boolean all = what.equals("all");
        NetConfig paper = NetConfig.paper(t, Variant.SCQ);
        NetConfig quick = NetConfig.quick(t, Variant.SCQ);
        System.out.printf("ModelBench T=%d (C=%d), repeats=%d (median), OMP_NUM_THREADS=%s, load %s%n", t, 2 * t, repeats,
                System.getenv("OMP_NUM_THREADS"), loadAvg());
        System.out.println("paper " + paper);
        System.out.println("quick " + quick);

        if (all || what.equals("fe")) {
            DataSet d = randomData(16, 32, 32, 2 * t); // 16,384 pixels as 16 images of 32x32
            ComputationGraph gemm = fnn(paper), conv = feAsConv(paper);
            line("FE paper widths, SameDiff GEMM, 16x32x32 px (train)", median(() -> gemm.fit(d), () -> gemm.fit(d), repeats), 16 * 1024, "px");
            line("FE paper widths, 1x1 convolutions, 16x32x32 px (train)", median(() -> conv.fit(d), () -> conv.fit(d), repeats), 16 * 1024, "px");
        }
        if (all || what.equals("step1")) {
            DataSet d = randomData(4096, 1, 1, 2 * t);
            for (NetConfig c : List.of(quick, paper)) {
                ComputationGraph g = fnn(c);
                line("step 1 " + name(c, quick) + ", minibatch 4096 px", median(() -> g.fit(d), () -> g.fit(d), repeats), 4096, "px");
            }
        }
        if (all || what.equals("step2")) {
            for (NetConfig c : List.of(quick, paper)) {
                int n = c == paper ? 4 : 8, p = 64;
                DataSet d = randomData(n, p, p, 2 * t);
                ComputationGraph g = scq(c);
                line("step 2 " + name(c, quick) + ", " + n + " patches 64x64", median(() -> g.fit(d), () -> g.fit(d), repeats), n, "patches");
            }
        }
        if (all || what.equals("quick")) {
            List<NetConfig> cands = new ArrayList<>();
            cands.add(new NetConfig(t, Variant.SCQ, new int[]{64, 16}, new int[]{8, 16}, 32, 1, 0.9, 1));
            cands.add(new NetConfig(t, Variant.SCQ, new int[]{64, 16}, new int[]{16, 32}, 64, 1, 0.9, 1));
            cands.add(new NetConfig(t, Variant.SCQ, new int[]{64, 16}, new int[]{16, 32, 64}, 128, 1, 0.9, 1));
            cands.add(new NetConfig(t, Variant.SCQ, new int[]{128, 32}, new int[]{16, 32}, 64, 2, 0.9, 1));
            for (int p : new int[]{32, 64}) {
                DataSet d = randomData(8, p, p, 2 * t);
                for (NetConfig c : cands) {
                    ComputationGraph g = scq(c);
                    line("quick candidate fe=" + Arrays.toString(c.feWidths()) + " unet=" + Arrays.toString(c.unetWidths()) + "/"
                            + c.unetBottom() + "x" + c.convsPerBlock() + " 8x" + p + "^2", median(() -> g.fit(d), () -> g.fit(d), repeats), 8, "patches");
                }
            }
        }
        if (what.equals("train")) {
            trainDemo(t);
        }
        if (all || what.equals("infer")) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 256, 256, 2 * t);
            for (NetConfig c : List.of(quick, paper)) {
                ComputationGraph g = scq(c);
                double s = median(() -> g.outputSingle(false, x), () -> g.outputSingle(false, x), repeats);
                System.out.printf(Locale.ROOT, "%-58s %9.3f s/slice%n", "inference SCQ " + name(c, quick) + ", one 256x256 slice", s);
            }
        }
    }

    /** Quick-profile training, FE-only vs SCQ for T1, on noisy synthetic slices; prints times and held-out errors. */
    static void trainDemo(int t) {
        org.mrf.scq.core.sequence.FispSequence seq = org.mrf.scq.core.sequence.Schedules.paperDefault(2.0, 18.0).truncate(t);
        org.mrf.scq.model.data.SyntheticSlices gen = new org.mrf.scq.model.data.SyntheticSlices(seq);
        List<org.mrf.scq.model.data.TrainingSlice> train = gen.slices("train", 16, 64, 64, 12, 0.5, 1);
        List<org.mrf.scq.model.data.TrainingSlice> val = gen.slices("val", 4, 64, 64, 12, 0.5, 2);
        org.mrf.scq.model.TrainConfig tc = org.mrf.scq.model.TrainConfig.quick().withEpochs(10, 10);
        org.mrf.scq.core.dictionary.Dictionary dict = org.mrf.scq.core.dictionary.Dictionary.simulate(seq,
                org.mrf.scq.core.dictionary.DictionaryGrid.paper(), org.mrf.scq.core.epg.EpgSimulator.DEFAULT_TOLERANCE);
        float[][] subspace = org.mrf.scq.core.svd.RandomizedSvd.ofDictionary(dict).realProjection(NetConfig.quick(t, Variant.SCQ).subspaceRank());
        for (Variant v : List.of(Variant.FE_ONLY, Variant.SCQ)) {
            long t0 = System.nanoTime();
            org.mrf.scq.model.ScqModel m = new org.mrf.scq.model.train.ScqTrainer(org.mrf.scq.model.Property.T1,
                    NetConfig.quick(t, v), tc, seq.hash(), 2304.0 / t, null, System.out).projection(subspace)
                    .train(new org.mrf.scq.model.train.LocalEpochRunner(train, val, System.out).progressEvery(30));
            System.out.printf(Locale.ROOT, "train demo %s T=%d: %.1f s, held-out T1 error %.2f%%%n", v, t, (System.nanoTime() - t0) / 1e9,
                    m.metadata().metrics().get("val_rel_err_pct"));
        }
    }

    /**
     * {@code mrf bench train}: for each network profile, step-1 pixels/s (the extended FNN on the profile's pixel
     * minibatch) and step-2 patches/s (FE + U-Net on {@code patches} patches of the profile's patch side), each
     * as a median of {@code repeats} fits after one warm-up, with the FLOP rate they reach and the sgemm rate of
     * this JVM. FLOPs of a fit: 2 x weights x positions for every dense (per pixel) and convolution layer
     * forward, three times that for a trainable layer (forward, input gradient, weight gradient), once for the
     * fixed projection; batch normalisation, activations, pooling, the loss and the updater are not counted.
     */
    public static void trainKeys(int t, int repeats, List<String> profiles, java.io.PrintStream out) {
        double sgemm = org.mrf.scq.core.match.bench.MatchBench.sgemmGflops();
        for (String profile : profiles) {
            NetConfig c = NetConfig.profile(profile, t, Variant.SCQ);
            org.mrf.scq.model.TrainConfig tc = profile.equals("paper") ? org.mrf.scq.model.TrainConfig.paper()
                    : org.mrf.scq.model.TrainConfig.quick();
            int px = tc.pixelBatch(), side = tc.patchSize(), patches = Math.min(tc.patchBatch(), 8);
            DataSet d1 = randomData(px, 1, 1, c.inputChannels());
            ComputationGraph g1 = fnn(c);
            double s1 = median(() -> g1.fit(d1), () -> g1.fit(d1), repeats);
            double f1 = trainFlops(g1, 1, 1, c.inputChannels()) * px;
            DataSet d2 = randomData(patches, side, side, c.inputChannels());
            ComputationGraph g2 = scq(c);
            double s2 = median(() -> g2.fit(d2), () -> g2.fit(d2), repeats);
            double f2 = trainFlops(g2, side, side, c.inputChannels()) * patches;
            out.printf(Locale.ROOT, "train profile=%s step1_px_per_s=%.0f step2_patches_per_s=%.2f step1_gflops=%.2f step2_gflops=%.2f "
                            + "sgemm_gflops=%.1f step1_pct_of_sgemm=%.1f step2_pct_of_sgemm=%.1f step1_batch_px=%d step2_batch=%dx%dx%d t=%d "
                            + "channels=%d repeats=%d%n", profile, px / s1, patches / s2, f1 / s1 / 1e9, f2 / s2 / 1e9, sgemm,
                    100 * f1 / s1 / 1e9 / sgemm, 100 * f2 / s2 / 1e9 / sgemm, px, patches, side, side, t, c.inputChannels(), repeats);
        }
    }

    /** Training FLOPs of one example of {@code h x w x channels} (see {@link #trainKeys}). */
    static double trainFlops(ComputationGraph g, int h, int w, int channels) {
        var conf = g.getConfiguration();
        var types = conf.getLayerActivationTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(h, w, channels, CNN2DFormat.NHWC));
        double flops = 0;
        for (var e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv)) continue;
            var l = lv.getLayerConf().getLayer();
            if (!(types.get(e.getKey()) instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional o)) continue;
            double positions = (double) o.getHeight() * o.getWidth();
            if (l instanceof org.mrf.scq.model.nn.DenseNhwcLayer dl) {
                flops += (dl.isFixed() ? 1 : 3) * 2.0 * dl.getInSize() * dl.getOutSize() * positions;
            } else if (l instanceof ConvolutionLayer cl) { // also Deconvolution2D, whose output is stride x its input
                int[] k = cl.getKernelSize(), st = cl.getStride();
                flops += 3 * 2.0 * cl.getNIn() * cl.getNOut() * k[0] * k[1] * positions / (st[0] * st[1]);
            }
        }
        return flops;
    }

    static String name(NetConfig c, NetConfig quick) {
        return (c.equals(quick) ? "quick" : "paper") + " fe=" + Arrays.toString(c.feWidths()) + " unet=" + Arrays.toString(c.unetWidths())
                + "/" + c.unetBottom() + "x" + c.convsPerBlock();
    }

    static String loadAvg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
