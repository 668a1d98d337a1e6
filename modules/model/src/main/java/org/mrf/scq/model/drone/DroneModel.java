package org.mrf.scq.model.drone;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.data.SliceInputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;

/** A trained DRONE network ({@link DroneNetwork}) with its metadata: maps fingerprints to T1 and T2. */
public final class DroneModel {
    /** Pixels per forward pass: bounds the activations' memory (a 256 x 256 slice is 65536 pixels). */
    static final int CHUNK = 16384;
    private final MultiLayerNetwork net;
    private final DroneMetadata metadata;

    public DroneModel(MultiLayerNetwork net, DroneMetadata metadata) {
        this.net = net;
        this.metadata = metadata;
    }

    public DroneMetadata metadata() { return metadata; }
    public MultiLayerNetwork network() { return net; }

    /** T1 and T2 in ms, one value per pixel. */
    public record Maps(float[] t1Ms, float[] t2Ms) {
    }

    /**
     * Maps a pixel-major series to T1 and T2: pixel p's time point k is {@code re[p * seriesT + k]} (and im), and the
     * network reads the first T of its {@code seriesT} points. Pixels with no signal in them get T1 = T2 = 0.
     */
    public Maps apply(float[] re, float[] im, int seriesT) {
        int t = metadata.t();
        if (seriesT < t) {
            throw new MrfInputException("the series has " + seriesT + " time points, the DRONE model needs the first " + t
                    + " (it was trained at ar " + metadata.ar() + "); use a model trained for this acceleration");
        }
        if (re.length != im.length || re.length % seriesT != 0) {
            throw new IllegalArgumentException("re/im of " + re.length + "/" + im.length + " values are not pixels x " + seriesT);
        }
        int pixels = re.length / seriesT;
        float[] t1 = new float[pixels], t2 = new float[pixels];
        for (int start = 0; start < pixels; start += CHUNK) {
            int n = Math.min(CHUNK, pixels - start);
            float[] x = new float[n * 2 * t];
            boolean[] signal = new boolean[n];
            for (int i = 0; i < n; i++) signal[i] = scaledFingerprint(re, im, (start + i) * seriesT, t, x, i * 2 * t);
            INDArray out = net.output(Nd4j.create(x, new long[]{n, 2L * t}, DataType.FLOAT), false);
            float[] y = out.castTo(DataType.FLOAT).data().asFloat();
            for (int i = 0; i < n; i++) {
                if (!signal[i]) continue;
                t1[start + i] = (float) (y[2 * i] * Property.T1.scaleMs());
                t2[start + i] = (float) (y[2 * i + 1] * Property.T2.scaleMs());
            }
        }
        return new Maps(t1, t2);
    }

    /**
     * The same for a time-major series (C order T x pixels, as slices are stored): pixel p's time point k is
     * {@code re[k * pixels + p]}, of which the network reads the first T.
     */
    public Maps applyTimeMajor(float[] re, float[] im, int seriesT, int pixels) {
        if (seriesT < metadata.t()) return apply(re, im, seriesT); // refused there, with the model's T
        int t = metadata.t();
        if (re.length != im.length || re.length != (long) seriesT * pixels) {
            throw new IllegalArgumentException("re/im of " + re.length + "/" + im.length + " values are not " + seriesT + " x " + pixels);
        }
        float[] pr = new float[pixels * t], pi = new float[pixels * t];
        for (int k = 0; k < t; k++) {
            for (int p = 0; p < pixels; p++) {
                pr[p * t + k] = re[k * pixels + p];
                pi[p * t + k] = im[k * pixels + p];
            }
        }
        return apply(pr, pi, t);
    }

    /**
     * Writes {@code t} points of a fingerprint (re/im from {@code off}) to {@code out} from {@code outOff} as the
     * network's 2T channels: the unit-energy fingerprint times sqrt(2T), so that each channel has unit mean square.
     * The factor is a fixed reparametrisation of the first layer: at unit energy alone its Xavier-initialised
     * pre-activations have a standard deviation of about sqrt(2 / (2T + hidden)), so small that the tanh layer
     * starts out linear and trains slowly. The fingerprint is first turned to the dictionary's own phase (the phase
     * convention of {@link SliceInputs#referencePhasor}): the dictionary's entries are real and already in it, so the
     * training input is unchanged, while a measured fingerprint carrying its subject's phase meets the network as they
     * did. False (channels left 0) when the fingerprint is all zero.
     */
    static boolean scaledFingerprint(float[] re, float[] im, int off, int t, float[] out, int outOff) {
        double e = 0;
        for (int k = 0; k < t; k++) e += (double) re[off + k] * re[off + k] + (double) im[off + k] * im[off + k];
        if (e == 0) return false;
        float inv = (float) Math.sqrt(2.0 * t / e);
        double[] rot = new double[2];
        SliceInputs.referencePhasor(re, im, off, 1, t, rot, 0);
        for (int k = 0; k < t; k++) {
            float a = re[off + k], b = im[off + k];
            out[outOff + k] = (float) (a * rot[0] - b * rot[1]) * inv;
            out[outOff + t + k] = (float) (a * rot[1] + b * rot[0]) * inv;
        }
        return true;
    }

    /**
     * Writes {@code dir} (model.zip + metadata.json) through a temporary sibling renamed into place, so a killed save
     * leaves nothing at {@code dir}. Refuses an existing {@code dir}.
     */
    public void save(Path dir) throws IOException {
        if (Files.exists(dir)) throw new MrfInputException(dir + ": already exists; remove it or save elsewhere");
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
        try {
            ModelSerializer.writeModel(net, tmp.resolve(ModelMetadata.MODEL_FILE).toFile(), false);
            Files.writeString(tmp.resolve("metadata.json"), metadata.toJson(), StandardCharsets.UTF_8);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                try (var s = Files.walk(tmp)) {
                    for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
                }
            }
        }
    }

    /** Loads a directory written by {@link #save}, checking the metadata and the zip's contents first. */
    public static DroneModel load(Path dir) {
        Path meta = dir.resolve("metadata.json"), zip = dir.resolve(ModelMetadata.MODEL_FILE);
        if (!Files.isRegularFile(meta) || !Files.isRegularFile(zip)) {
            throw new MrfInputException(dir + ": not a DRONE model directory (needs metadata.json and " + ModelMetadata.MODEL_FILE + ")");
        }
        DroneMetadata md;
        try {
            if (Files.size(meta) > 1 << 20) throw new MrfInputException(meta + ": metadata larger than 1 MiB");
            md = DroneMetadata.fromJson(Files.readString(meta, StandardCharsets.UTF_8), meta.toString());
        } catch (IOException e) {
            throw new MrfInputException(meta + ": cannot read (" + e.getMessage() + ")", e);
        }
        ScqModel.checkZip(zip);
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        } catch (Exception e) {
            throw new MrfInputException(zip + ": cannot restore the DL4J network (" + e.getMessage() + ")", e);
        }
        long nIn = net.layerInputSize(0), nOut = net.layerSize(net.getnLayers() - 1);
        if (nIn != 2L * md.t() || nOut != 2) {
            throw new MrfInputException(zip + ": the network takes " + nIn + " inputs and gives " + nOut
                    + " outputs; its metadata says 2T = " + 2 * md.t() + " and (T1, T2)");
        }
        return new DroneModel(net, md);
    }
}
