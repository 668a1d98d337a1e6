package org.mrf.scq.core.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The evaluation protocol of docs/STATISTICS.md ("Protocol"): leave-one-subject-out folds in which every choice is made
 * on inner validation subjects drawn from the fold's own training subjects, so that the test subject is predicted once
 * and never tunes anything; and the record of what was chosen and how.
 *
 * <p>A fold's validation subjects are drawn without replacement from its training subjects by a generator seeded from
 * the protocol's seed and the test subject's id, so the plan depends only on the set of subjects and the seed, not on
 * the order they are listed in.
 */
public final class LosoProtocol {
    /**
     * One fold.
     *
     * @param test       the held-out subject, predicted once with the fold's chosen settings
     * @param training   every other subject, sorted
     * @param validation the inner validation subjects (a subset of {@code training}, sorted) that choices are made on
     */
    public record Fold(String test, List<String> training, List<String> validation) {
        /** The training subjects that are not validation subjects: what a candidate setting is fitted on while tuning. */
        public List<String> fitting() {
            return training.stream().filter(s -> !validation.contains(s)).toList();
        }
    }

    /**
     * A recorded choice.
     *
     * @param fold       the test subject of the fold it was made for, or {@code all} for a setting fixed beforehand
     * @param setting    what was chosen (e.g. {@code step2.learning-rate})
     * @param chosen     the chosen value
     * @param how        how it was chosen, in words
     * @param validation the subjects the choice was made on (empty for a fixed setting)
     * @param scores     each candidate's mean validation error in percent, in the order tried (empty for a fixed setting)
     */
    public record Selection(String fold, String setting, String chosen, String how, List<String> validation, Map<String, Double> scores) {
    }

    private final long seed;
    private final List<Fold> folds;
    private final List<Selection> selections = new ArrayList<>();

    /**
     * @param subjects            the cohort's subjects (at least 2; duplicates are one subject)
     * @param validationSubjects  inner validation subjects per fold (0 when every setting is fixed beforehand)
     * @param seed                seeds the draw of the validation subjects
     */
    public LosoProtocol(Collection<String> subjects, int validationSubjects, long seed) {
        TreeSet<String> all = new TreeSet<>(subjects);
        if (all.size() < 2) throw new IllegalArgumentException("LOSO needs at least 2 subjects, not " + all.size());
        if (validationSubjects < 0 || validationSubjects > all.size() - 2) {
            throw new IllegalArgumentException(validationSubjects + " validation subjects of " + all.size() + ": each fold needs its test"
                    + " subject and at least one training subject besides them, so at most " + (all.size() - 2));
        }
        this.seed = seed;
        List<Fold> f = new ArrayList<>();
        for (String test : all) {
            List<String> training = all.stream().filter(s -> !s.equals(test)).toList();
            f.add(new Fold(test, training, draw(training, validationSubjects, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * test.hashCode())))));
        }
        this.folds = List.copyOf(f);
    }

    /** {@code k} of {@code from}, without replacement (a partial Fisher-Yates shuffle), sorted. */
    private static List<String> draw(List<String> from, int k, SplittableRandom rng) {
        List<String> pool = new ArrayList<>(from);
        for (int i = 0; i < k; i++) java.util.Collections.swap(pool, i, i + rng.nextInt(pool.size() - i));
        return pool.subList(0, k).stream().sorted().toList();
    }

    public long seed() {
        return seed;
    }

    /** One fold per subject, in sorted order of the test subject. */
    public List<Fold> folds() {
        return folds;
    }

    /**
     * Chooses, for one fold, the candidate with the lowest mean error over the fold's validation subjects (the first
     * such candidate on a tie), and records it.
     *
     * @param errors each candidate's error per validation subject, in percent; every fold's validation subject must
     *               be there and no other subject may be (in particular not the test subject)
     */
    public Selection choose(Fold fold, String setting, Map<String, Map<String, Double>> errors) {
        if (!folds.contains(fold)) throw new IllegalArgumentException("fold of " + fold.test() + " is not one of this protocol's");
        if (fold.validation().isEmpty()) {
            throw new IllegalArgumentException("fold " + fold.test() + " has no validation subjects: fix " + setting + " beforehand (fixed())");
        }
        if (errors.isEmpty()) throw new IllegalArgumentException("no candidates for " + setting);
        Map<String, Double> scores = new LinkedHashMap<>();
        errors.forEach((candidate, bySubject) -> {
            if (!bySubject.keySet().equals(Set.copyOf(fold.validation()))) {
                throw new IllegalArgumentException(setting + " = " + candidate + " in fold " + fold.test() + " was scored on " + bySubject.keySet()
                        + ", not on the fold's validation subjects " + fold.validation()
                        + (bySubject.containsKey(fold.test()) ? ": the test subject may never tune anything" : ""));
            }
            scores.put(candidate, TissueErrors.nanMean(bySubject.values().stream().mapToDouble(Double::doubleValue).toArray()));
        });
        String best = null;
        for (var e : scores.entrySet()) {
            if (!Double.isNaN(e.getValue()) && (best == null || e.getValue() < scores.get(best))) best = e.getKey();
        }
        if (best == null) throw new IllegalArgumentException("no candidate of " + setting + " has a validation error in fold " + fold.test());
        Selection s = new Selection(fold.test(), setting, best, "lowest mean error over the fold's validation subjects", fold.validation(), scores);
        selections.add(s);
        return s;
    }

    /** Records a setting fixed beforehand for every fold (e.g. in a profile, or on a development cohort of another seed). */
    public Selection fixed(String setting, String value, String how) {
        Selection s = new Selection("all", setting, value, how, List.of(), Map.of());
        selections.add(s);
        return s;
    }

    public List<Selection> selections() {
        return List.copyOf(selections);
    }

    /** The plan and the selections as nested maps and lists, for report.json. */
    public Map<String, Object> record() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", seed);
        List<Map<String, Object>> fs = new ArrayList<>();
        for (Fold f : folds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test", f.test());
            m.put("training", f.training());
            m.put("validation", f.validation());
            fs.add(m);
        }
        out.put("folds", fs);
        List<Map<String, Object>> ss = new ArrayList<>();
        for (Selection s : selections) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fold", s.fold());
            m.put("setting", s.setting());
            m.put("chosen", s.chosen());
            m.put("how", s.how());
            m.put("validation", s.validation());
            m.put("scores", s.scores());
            ss.add(m);
        }
        out.put("selections", ss);
        return out;
    }
}
