package org.mrf.scq.model.drone;

import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.ModelMetadata;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * What a saved DRONE model takes and how it was trained: metadata.json next to the DL4J zip.
 *
 * @param t                 time points the network takes (the first T of the schedule)
 * @param ar                acceleration rate (full schedule length / T)
 * @param scheduleHash      hash of the schedule the dictionary was simulated with
 * @param dictionaryEntries entries trained on
 * @param settings          network width and training
 * @param codeVersion       version of the code that trained it
 * @param createdUtc        ISO-8601 time of training
 */
public record DroneMetadata(int t, double ar, String scheduleHash, int dictionaryEntries, DroneSettings settings,
                            String codeVersion, String createdUtc) {
    public static final String FORMAT = "mrf-drone-model";
    public static final int FORMAT_VERSION = 1;
    public static final String INPUT = "per-fingerprint energy 2T (unit energy times sqrt(2T)) over the first T time points, turned to the "
            + "dictionary's phase (SliceInputs' phase convention); channels re_0..re_{T-1}, im_0..im_{T-1}; outputs T1/5000 ms, T2/500 ms";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("modelFile", ModelMetadata.MODEL_FILE);
        root.put("t", t);
        root.put("ar", ar);
        root.put("scheduleHash", scheduleHash);
        root.put("dictionaryEntries", dictionaryEntries);
        root.put("input", INPUT);
        ObjectNode tr = root.putObject("training");
        tr.put("hidden", settings.hidden());
        tr.put("epochs", settings.epochs());
        tr.put("batch", settings.batch());
        tr.put("lr", settings.lr());
        tr.put("snrDbMin", settings.snrDbMin());
        tr.put("snrDbMax", settings.snrDbMax());
        tr.put("seed", settings.seed());
        return ModelMetadata.signed(root, codeVersion, createdUtc);
    }

    public static DroneMetadata fromJson(String json, String where) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (Exception e) {
            throw new MrfInputException(where + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new MrfInputException(where + ": field 'format' is not '" + FORMAT + "'; this is not a DRONE model");
        }
        if (root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new MrfInputException(where + ": field 'formatVersion' is " + root.path("formatVersion")
                    + ", this code reads " + FORMAT_VERSION + "; retrain the model with this version");
        }
        JsonNode tr = req(root, "training", where);
        try {
            DroneSettings s = new DroneSettings(req(tr, "hidden", where).asInt(), req(tr, "epochs", where).asInt(),
                    req(tr, "batch", where).asInt(), req(tr, "lr", where).asDouble(), req(tr, "snrDbMin", where).asDouble(),
                    req(tr, "snrDbMax", where).asDouble(), req(tr, "seed", where).asLong());
            int t = req(root, "t", where).asInt();
            if (t < 1) throw new MrfInputException(where + ": field 't' is " + t + "; it must be at least 1");
            return new DroneMetadata(t, req(root, "ar", where).asDouble(), req(root, "scheduleHash", where).asText(),
                    req(root, "dictionaryEntries", where).asInt(), s, root.path("codeVersion").asText(""),
                    root.path("createdUtc").asText(""));
        } catch (IllegalArgumentException e) {
            throw new MrfInputException(where + ": field 'training' is invalid: " + e.getMessage(), e);
        }
    }

    private static JsonNode req(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new MrfInputException(where + ": field '" + field + "' is missing");
        return v;
    }
}
