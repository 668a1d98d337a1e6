package org.mrf.scq.spark.method;

import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.drone.DroneSettings;
import org.mrf.scq.spark.evaluate.Evaluation;
import org.mrf.scq.spark.reconstruct.CsmrMethod;
import org.mrf.scq.spark.train.TrainingTargets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every mapping method by name, in one table: the ones fitted from the dictionary alone (dm, sdm, csmr, dl) and the
 * learned SCQ variants (fe_only, sq_only, scq, scq_s, scq_m; each also as {@code <name>_true}, trained on a simulated
 * cohort's true maps, {@link TrainingTargets#TRUE_SUFFIX}). The methods built by one catalog share one
 * {@link SharedDictionary}, so an evaluation reads its dictionary once however many of them use it.
 */
public final class MethodCatalog {
    /** Builds a learned method: its name, variant and feature dimension D (0 = the profile's). */
    @FunctionalInterface
    public interface Learned {
        ModelMethod create(String name, Variant variant, int featureDim);
    }

    /** A method fitted from the dictionary alone; {@code order} is where it runs among them. */
    private record Fixed(int order, java.util.function.BiFunction<MethodCatalog, String, MapMethod> build) {
    }

    /** Matching first, then CSMR, then DRONE; learned methods after them all (reports list the methods in this order). */
    private static final Map<String, Fixed> FIXED = new LinkedHashMap<>();

    static {
        for (String m : MatchMethod.NAMES) FIXED.put(m, new Fixed(0, (c, n) -> new MatchMethod(n, c.dictionary, c.energy)));
        FIXED.put(CsmrMethod.NAME, new Fixed(1, (c, n) -> new CsmrMethod(c.rawDir, c.dictionary.path())));
        // DRONE learns from the dictionary's noisy fingerprints only, never from subjects (Cohen et al., MRM 2018).
        FIXED.put(DroneMethod.NAME, new Fixed(2, (c, n) -> new DroneMethod(c.dictionary, c.drone)));
    }

    /** Every method name: the fixed ones, then the learned variants. */
    public static final List<String> NAMES = Stream.concat(FIXED.keySet().stream(),
            Arrays.stream(Variant.values()).map(v -> v.name().toLowerCase(Locale.ROOT))).toList();

    private final SharedDictionary dictionary;
    private final double energy;
    private final String rawDir;
    private final DroneSettings drone;

    /**
     * @param energy SDM's share of the dictionary's energy
     * @param rawDir the slices' ISMRMRD raw folder that CSMR reconstructs from; null = none (csmr is refused)
     * @param drone  the DL baseline's settings
     */
    public MethodCatalog(String dictionaryPath, double energy, String rawDir, DroneSettings drone) {
        this.dictionary = new SharedDictionary(dictionaryPath);
        this.energy = energy;
        this.rawDir = rawDir;
        this.drone = drone;
    }

    /**
     * The names as methods will be called (trimmed, lower case, each once), checked: an unknown name, a fixed method with
     * the {@code _true} suffix, or csmr without a raw folder is one error that starts with the offending name.
     */
    public List<String> check(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String k = n.trim().toLowerCase(Locale.ROOT);
            if (out.contains(k)) continue;
            if (k.equals(CsmrMethod.NAME) && rawDir == null) {
                throw new MrfInputException("csmr reconstructs from k-space: pass the slices' raw folder with --raw DIR.");
            }
            if (!FIXED.containsKey(k)) variant(k);
            out.add(k);
        }
        return out;
    }

    /**
     * The methods of {@code names} ({@link #check}ed): the fixed ones first, then the learned ones in the order given.
     * SCQ takes its step 1 from FE-only's network of the same fold and targets when FE-only is among them (trained once).
     */
    public List<MapMethod> create(Collection<String> names, Learned learned) {
        List<MapMethod> fixed = new ArrayList<>(), trained = new ArrayList<>();
        Map<TrainingTargets, ModelMethod> feOnly = new EnumMap<>(TrainingTargets.class);
        for (String k : check(names)) {
            Fixed f = FIXED.get(k);
            if (f != null) {
                fixed.add(f.build().apply(this, k));
                continue;
            }
            Variant v = variant(k);
            TrainingTargets targets = TrainingTargets.ofMethod(k);
            ModelMethod mm = learned.create(k, v, 0).targets(targets);
            if (v == Variant.FE_ONLY) feOnly.put(targets, mm);
            if (v == Variant.SCQ && feOnly.containsKey(targets)) mm.stepOneFrom(feOnly.get(targets));
            trained.add(mm);
        }
        fixed.sort(Comparator.comparingInt(m -> FIXED.get(m.name()).order()));
        fixed.addAll(trained);
        return fixed;
    }

    /** The error-vs-D sweep: for each D, SCQ with last FE width D and SCQ_S with D / 2 complex components (scq_d<D>, scq_s_d<D>). */
    public static List<MapMethod> sweep(Collection<Integer> ds, Learned learned) {
        List<MapMethod> out = new ArrayList<>();
        for (int d : ds) {
            for (Variant v : List.of(Variant.SCQ, Variant.SCQ_S)) {
                out.add(learned.create(Evaluation.sweepName(v.name().toLowerCase(Locale.ROOT), d), v, d));
            }
        }
        return out;
    }

    /** The variant of a learned method name: {@code scq}, or {@code scq_true} for SCQ trained on the true maps. */
    static Variant variant(String name) {
        String base = TrainingTargets.ofMethod(name) == TrainingTargets.TRUE_MAPS
                ? name.substring(0, name.length() - TrainingTargets.TRUE_SUFFIX.length()) : name;
        if (FIXED.containsKey(base)) {
            throw new MrfInputException(name + ": " + base + " is not trained, so it has no targets; '" + TrainingTargets.TRUE_SUFFIX
                    + "' applies to the learned methods (e.g. scq" + TrainingTargets.TRUE_SUFFIX + ").");
        }
        try {
            return Variant.parse(base);
        } catch (MrfInputException e) {
            throw new MrfInputException(name + ": no such method. The methods are " + String.join(", ", NAMES) + "; a learned one with "
                    + "the suffix " + TrainingTargets.TRUE_SUFFIX + " (e.g. scq" + TrainingTargets.TRUE_SUFFIX + ") trains on the true maps.", e);
        }
    }
}
