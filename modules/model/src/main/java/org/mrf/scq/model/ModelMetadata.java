package org.mrf.scq.model;

import org.mrf.scq.core.util.MrfInputException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a saved model is for and how it was made: written as metadata.json next to the DL4J zip.
 *
 * @param property      T1 or T2
 * @param t             time points the network takes (the first T of the schedule)
 * @param ar            acceleration rate of the run (full schedule length / T)
 * @param scheduleHash  {@link org.mrf.scq.core.sequence.FispSequence#hash()} of the schedule the data were acquired with
 * @param net           architecture (variant, widths, D, and the switches residual head, BN folding, subspace input,
 *                      phase reference)
 * @param train         training settings (null when not trained here)
 * @param projectionRank real channels out of the fixed input projection (SCQ_S's, or the FE's subspace projection;
 *                      0 without one)
 * @param metrics       e.g. final validation relative error
 * @param codeVersion   version of the code that trained it
 * @param createdUtc    ISO-8601 time of writing
 */
public record ModelMetadata(Property property, int t, double ar, String scheduleHash, NetConfig net, TrainConfig train,
                            int projectionRank, Map<String, Double> metrics, String codeVersion, String createdUtc) {
    public static final int FORMAT_VERSION = 1;
    public static final String MODEL_FILE = "model.zip";

    public ModelMetadata {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        if (net != null && net.t() != t) throw new IllegalArgumentException("metadata T " + t + " differs from the network's " + net.t());
    }

    public static String currentCodeVersion() {
        String v = ModelMetadata.class.getPackage().getImplementationVersion();
        return System.getProperty("mrf.codeVersion", v != null ? v : "0.1.0-SNAPSHOT");
    }

    public ModelMetadata withMetrics(Map<String, Double> m) {
        return new ModelMetadata(property, t, ar, scheduleHash, net, train, projectionRank, m, codeVersion, createdUtc);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static ArrayNode ints(ObjectMapper m, int[] a) {
        ArrayNode n = m.createArrayNode();
        for (int v : a) n.add(v);
        return n;
    }

    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "mrf-scq-model");
        root.put("formatVersion", FORMAT_VERSION);
        root.put("modelFile", MODEL_FILE);
        root.put("property", property.name());
        root.put("variant", net.variant().name());
        root.put("t", t);
        root.put("ar", ar);
        root.put("d", net.variant() == Variant.SCQ_S ? projectionRank : net.variant() == Variant.SQ_ONLY ? net.inputChannels() : net.d());
        root.put("inputChannels", net.inputChannels());
        root.put("targetScaleMs", property.scaleMs());
        root.put("normalisation", org.mrf.scq.model.data.SliceInputs.normalisation(net.inputForm()));
        root.put("scheduleHash", scheduleHash);
        root.put("projectionRank", projectionRank);
        ObjectNode n = root.putObject("net");
        n.put("t", net.t());
        n.put("variant", net.variant().name());
        n.set("feWidths", ints(MAPPER, net.feWidths()));
        n.set("unetWidths", ints(MAPPER, net.unetWidths()));
        n.put("unetBottom", net.unetBottom());
        n.put("convsPerBlock", net.convsPerBlock());
        n.put("bnDecay", net.bnDecay());
        n.put("seed", net.seed());
        n.put("subspaceRank", net.subspaceRank());
        n.put("residualHead", net.residualHead());
        n.put("foldBn", net.foldBn());
        n.put("phaseReference", net.phaseReference());
        // This project's deviations from the paper's network and training, by name (ScqSettings#switches);
        // derived from net and training, written for reports and ablation tables.
        ObjectNode sw = root.putObject("switches");
        ScqSettings.switches(net, train).forEach((k, v) -> sw.set(k, MAPPER.valueToTree(v)));
        if (train != null) {
            ObjectNode tr = root.putObject("training");
            tr.put("pixelEpochs", train.pixelEpochs());
            tr.put("pixelsPerSlice", train.pixelsPerSlice());
            tr.put("pixelBatch", train.pixelBatch());
            tr.put("patchEpochs", train.patchEpochs());
            tr.put("patchSize", train.patchSize());
            tr.put("patchStride", train.patchStride());
            tr.put("augment", train.augment());
            tr.put("patchBatch", train.patchBatch());
            tr.put("lr", train.lr());
            tr.put("patchLr", train.patchLr());
            tr.put("beta1", train.beta1());
            tr.put("beta2", train.beta2());
            tr.put("decayFraction", train.decayFraction());
            tr.put("seed", train.seed());
        }
        ObjectNode m = root.putObject("metrics");
        metrics.forEach(m::put);
        return signed(root, codeVersion, createdUtc);
    }

    /** {@code root} with the code version and time that wrote it, as the indented JSON text of a model's metadata file. */
    public static String signed(ObjectNode root, String codeVersion, String createdUtc) {
        root.put("codeVersion", codeVersion);
        root.put("createdUtc", createdUtc);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode req(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new MrfInputException(where + ": field '" + field + "' is missing");
        return v;
    }

    private static int[] intArray(JsonNode n, String where) {
        if (!n.isArray()) throw new MrfInputException(where + ": expected an array of integers");
        int[] a = new int[n.size()];
        for (int i = 0; i < a.length; i++) {
            if (!n.get(i).canConvertToInt()) throw new MrfInputException(where + ": expected integers");
            a[i] = n.get(i).asInt();
        }
        return a;
    }

    /** Parses metadata.json; {@code where} names the file in error messages. */
    public static ModelMetadata fromJson(String json, String where) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || !root.isObject() || !"mrf-scq-model".equals(root.path("format").asText())) {
                throw new MrfInputException(where + ": not an SCQ model metadata file (format must be 'mrf-scq-model')");
            }
            int fv = req(root, "formatVersion", where).asInt();
            if (fv != FORMAT_VERSION) throw new MrfInputException(where + ": metadata format version " + fv + " is not supported (this code reads " + FORMAT_VERSION + ")");
            if (!MODEL_FILE.equals(req(root, "modelFile", where).asText())) {
                throw new MrfInputException(where + ": modelFile must be '" + MODEL_FILE + "'");
            }
            Property p;
            try {
                p = Property.valueOf(req(root, "property", where).asText());
            } catch (IllegalArgumentException e) {
                throw new MrfInputException(where + ": property must be T1 or T2");
            }
            JsonNode n = req(root, "net", where);
            NetConfig net = new NetConfig(req(n, "t", where).asInt(), Variant.parse(req(n, "variant", where).asText()),
                    intArray(req(n, "feWidths", where), where + " net.feWidths"), intArray(req(n, "unetWidths", where), where + " net.unetWidths"),
                    req(n, "unetBottom", where).asInt(), req(n, "convsPerBlock", where).asInt(), req(n, "bnDecay", where).asDouble(),
                    req(n, "seed", where).asLong(), n.path("subspaceRank").asInt(0),
                    // Models from before these were switches all had the residual head and BN folding.
                    n.path("residualHead").asBoolean(true), n.path("foldBn").asBoolean(true),
                    // Models from before the phase convention took re/im as acquired.
                    n.path("phaseReference").asBoolean(false));
            TrainConfig train = null;
            JsonNode tr = root.get("training");
            if (tr != null && tr.isObject()) {
                train = new TrainConfig(tr.path("pixelEpochs").asInt(), tr.path("pixelsPerSlice").asInt(), tr.path("pixelBatch").asInt(1),
                        tr.path("patchEpochs").asInt(), tr.path("patchSize").asInt(1), tr.path("patchStride").asInt(1),
                        tr.path(tr.has("augment") ? "augment" : "flips").asBoolean(), tr.path("patchBatch").asInt(1), tr.path("lr").asDouble(),
                        // Models from before step 2 had its own rate trained both steps at "lr".
                        tr.path(tr.has("patchLr") ? "patchLr" : "lr").asDouble(), tr.path("beta1").asDouble(),
                        tr.path("beta2").asDouble(), tr.path("decayFraction").asDouble(), tr.path("seed").asLong());
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            JsonNode m = root.get("metrics");
            if (m != null && m.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    metrics.put(e.getKey(), e.getValue().asDouble());
                }
            }
            return new ModelMetadata(p, req(root, "t", where).asInt(), root.path("ar").asDouble(), req(root, "scheduleHash", where).asText(),
                    net, train, root.path("projectionRank").asInt(), metrics, root.path("codeVersion").asText(""), root.path("createdUtc").asText(""));
        } catch (MrfInputException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new MrfInputException(where + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new MrfInputException(where + ": cannot read model metadata JSON (" + e.getMessage() + ")", e);
        }
    }
}
