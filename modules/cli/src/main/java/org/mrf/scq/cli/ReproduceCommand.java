package org.mrf.scq.cli;

import org.mrf.scq.core.eval.LosoProtocol;
import org.mrf.scq.core.eval.MethodComparison;
import org.mrf.scq.core.eval.PairedStatistics;
import org.mrf.scq.core.eval.TissueErrors.Region;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.EvaluationStatistics;
import org.mrf.scq.io.MapImages;
import org.mrf.scq.sim.Tissue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "The paper's experiment end to end (docs/STATISTICS.md): simulate the in-vivo-preset cohort, ingest it, build the "
                + "dictionary and the DM ground truth, evaluate every method at every ar over all leave-one-subject-out folds, "
                + "and write the report with per-tissue errors, paired statistics and figures. Each stage writes its own "
                + "folder under OUT and is skipped when that folder exists (every stage commits its output atomically), so "
                + "a rerun continues where a killed run stopped.",
        footer = {"", "Writes OUT/report.json (<method>.ar<N>.t1_err_pct ..., paired.scq_vs_<other>.ar<N>.<t1|t2>.{mean_diff,ci_low,",
                "ci_high,p}, protocol), OUT/report.md, OUT/tables/error_vs_ar.csv, OUT/figures/ (error_vs_ar.png and one",
                "ground truth + methods + errors figure per held-out slice and ar); the stages under OUT/work/.",
                "Examples:", "  mrf reproduce --out repro/ --seed 7", "  mrf reproduce --out repro/ --scale paper --master spark://host:7077"})
public final class ReproduceCommand implements Callable<Integer> {
    /**
     * What a scale runs. Settings come from a profile fixed beforehand, never from this cohort's subjects.
     *
     * @param slices slices per subject
     * @param chosen where the profile's settings were chosen, for the protocol record and the report
     */
    record Scale(int subjects, int slices, int matrix, String profile, String chosen, List<Integer> ars, List<String> methods) {
    }

    /**
     * The claim's ar and the one where the paper reports blurring: each ar costs about 34 minutes of an idle 2-core machine
     * (docs/RESULTS.md, "Cost"), so all four (2, 4, 8, 16) would not fit the 90 minutes the small scale has; --ars adds
     * the others.
     */
    static final List<Integer> SMALL_ARS = List.of(4, 8);
    static final Map<String, Scale> SCALES = Map.of(
            "small", new Scale(6, 1, 64, "demo", "fixed beforehand in conf/profiles/demo.conf, whose values were chosen on sub-000 of "
                    + "the development demo cohort (seed 42, single-coil acquisition, not the in-vivo preset); "
                    + TrainSettings.PHASE_REFERENCE_CHOICE + "; nothing was tuned on any subject of this cohort", SMALL_ARS, List.of("dm", "sdm", "dl", "fe_only", "scq")),
            "paper", new Scale(6, 3, 256, "paper", "fixed beforehand in conf/profiles/paper.conf, the authors' published settings; "
                    + TrainSettings.PHASE_REFERENCE_CHOICE + "; nothing was tuned on any subject of this cohort", List.of(2, 4, 8, 16), List.of("dm", "sdm", "dl", "fe_only", "scq")));
    /** Methods that learn nothing from subjects (matching, and DRONE, fitted on the dictionary): no folds needed. */
    static final java.util.Set<String> SUBJECT_FREE = java.util.Set.of("dm", "sdm", "dl");
    /** The evaluation folder of the methods in {@link #SUBJECT_FREE}, beside the folds' {@code ar<N>/<subject>}. */
    static final String ALL_SUBJECTS = "all-subjects";
    /** The ar of the ablations, the paper's claim's (Tables III-IV of Fang et al. are at ar 4). */
    static final int ABLATION_AR = 4;
    /** Table III: the two steps (fe_only, sq_only, scq); Table IV: the input (scq against scq_m, magnitude only). */
    static final List<String> TABLE_III = List.of("fe_only", "sq_only", "scq"), TABLE_IV = List.of("scq", "scq_m");
    /** The simulator's label codes of the tissues errors are reported for. */
    static final Map<Integer, Region> TISSUES = Map.of(Tissue.CSF.code, Region.CSF, Tissue.GREY_MATTER.code, Region.GREY_MATTER,
            Tissue.WHITE_MATTER.code, Region.WHITE_MATTER, Tissue.LESION.code, Region.LESION);

    @Mixin
    SparkCommon common;
    @Option(names = "--out", required = true, description = "Output directory; an existing one is continued.")
    Path out;
    // Not 42: the demo cohort, on which the demo profile was chosen, has seed 42, and the reproduction must not test on it.
    @Option(names = "--seed", defaultValue = "1234", description = "Seed of the cohort and of the bootstrap intervals (default 1234; "
            + "42 is the demo cohort the demo profile was chosen on).")
    long seed;
    @Option(names = "--scale", defaultValue = "small", description = "small (64 x 64, demo profile, ar 4 and 8, for 2 cores) or paper (256 x 256, "
            + "3 slices a subject, paper profile, for a cluster or a GPU node).")
    String scale;
    @Option(names = "--subjects", description = "Override the scale's number of subjects (6).")
    Integer subjects;
    @Option(names = "--matrix", description = "Override the scale's matrix size.")
    Integer matrix;
    @Option(names = "--ars", split = ",", description = "Override the scale's acceleration rates (small 4,8; paper 2,4,8,16).")
    List<Integer> ars;
    @Option(names = "--methods", split = ",", description = "Override the scale's methods (dm,sdm,dl,fe_only,scq).")
    List<String> methods;
    @Option(names = "--ablations", description = "Also Tables III-IV of Fang et al. at ar " + ABLATION_AR + " over all folds: sq_only "
            + "(SQ without FE) and scq_m (magnitude input), beside the run's fe_only and scq.")
    boolean ablations;
    @Option(names = "--csmr", description = "Also CSMR at every ar: simulates the cohort again with its k-space (the same seed gives "
            + "the same cohort) and reconstructs from it (docs/RAW-DATA.md).")
    boolean csmr;

    @Override
    public Integer call() throws Exception {
        Scale s = SCALES.get(scale);
        if (s == null) throw new MrfInputException("--scale " + scale + ": use small or paper.");
        s = new Scale(subjects != null ? subjects : s.subjects(), s.slices(), matrix != null ? matrix : s.matrix(), s.profile(), s.chosen(),
                ars != null ? ars : s.ars(), methods != null ? methods : s.methods());
        long t0 = System.nanoTime();
        Path dir = Files.createDirectories(out.toAbsolutePath()), work = Files.createDirectories(dir.resolve("work"));
        common.defaultLog(dir.resolve("mrf.log"));
        Path cohort = work.resolve("cohort"), slices = work.resolve("slices"), dict = work.resolve("dictionary"), gt = work.resolve("ground-truth");
        stage(cohort, "simulate-cohort", "--out", cohort.toString(), "--subjects", Integer.toString(s.subjects()), "--slices",
                Integer.toString(s.slices()), "--matrix", Integer.toString(s.matrix()), "--seed", Long.toString(seed), "--preset", "invivo");
        stage(slices, "ingest", "--cohort", cohort.toString(), "--out", slices.toString());
        stage(dict, "dictionary", "--out", dict.toString());
        stage(gt, "ground-truth", "--slices", slices.toString(), "--dictionary", dict.toString(), "--out", gt.toString(), "--ars", "1");

        LosoProtocol protocol = new LosoProtocol(subjects(cohort), 0, seed);
        protocol.fixed("mrf.train.profile", s.profile(), s.chosen());
        List<Path> evaluations = new ArrayList<>();
        // Methods that learn nothing from subjects are fitted once per ar and applied to every subject in one evaluation
        // (DRONE's fit alone takes minutes); the others are trained per fold.
        List<String> perFold = s.methods().stream().filter(m -> !SUBJECT_FREE.contains(m)).toList(),
                once = s.methods().stream().filter(SUBJECT_FREE::contains).toList();
        for (int ar : s.ars()) {
            if (!once.isEmpty()) {
                Path e = work.resolve("evaluation").resolve("ar" + ar).resolve(ALL_SUBJECTS);
                stage(e, "evaluate", "--slices", slices.toString(), "--ground-truth", gt.toString(), "--dictionary", dict.toString(),
                        "--out", e.toString(), "--ars", Integer.toString(ar), "--methods", String.join(",", once), "--profile", s.profile());
                evaluations.add(e);
            }
            for (LosoProtocol.Fold f : perFold.isEmpty() ? List.<LosoProtocol.Fold>of() : protocol.folds()) {
                Path e = work.resolve("evaluation").resolve("ar" + ar).resolve(f.test());
                stage(e, "evaluate", "--slices", slices.toString(), "--ground-truth", gt.toString(), "--dictionary", dict.toString(),
                        "--out", e.toString(), "--ars", Integer.toString(ar), "--methods", String.join(",", perFold), "--held-out",
                        f.test(), "--profile", s.profile());
                evaluations.add(e);
            }
        }
        if (ablations) {
            for (LosoProtocol.Fold f : protocol.folds()) {
                Path e = work.resolve("ablations").resolve("ar" + ABLATION_AR).resolve(f.test());
                stage(e, "evaluate", "--slices", slices.toString(), "--ground-truth", gt.toString(), "--dictionary", dict.toString(),
                        "--out", e.toString(), "--ars", Integer.toString(ABLATION_AR), "--methods", "sq_only,scq_m", "--held-out", f.test(),
                        "--profile", s.profile());
                evaluations.add(e);
            }
        }
        if (csmr) {
            // CSMR learns nothing, so one evaluation per ar covers every subject.
            Path raw = work.resolve("cohort-raw");
            stage(raw, "simulate-cohort", "--out", raw.toString(), "--subjects", Integer.toString(s.subjects()), "--slices",
                    Integer.toString(s.slices()), "--matrix", Integer.toString(s.matrix()), "--seed", Long.toString(seed), "--preset", "invivo",
                    "--raw");
            for (int ar : s.ars()) {
                Path e = work.resolve("csmr").resolve("ar" + ar);
                stage(e, "evaluate", "--slices", slices.toString(), "--ground-truth", gt.toString(), "--dictionary", dict.toString(),
                        "--out", e.toString(), "--ars", Integer.toString(ar), "--methods", "csmr", "--raw", raw.toString());
                evaluations.add(e);
            }
        }
        step("report");
        MethodComparison c = EvaluationStatistics.read(evaluations, cohort, TISSUES, seed);
        Map<String, Object> report = new LinkedHashMap<>(c.report());
        report.put("protocol", protocol.record());
        Files.createDirectories(dir.resolve("tables"));
        Files.createDirectories(dir.resolve("figures/maps"));
        Files.writeString(dir.resolve("report.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(dir.resolve("tables/error_vs_ar.csv"), errorVsAr(c));
        var figure = EvaluationStatistics.errorVsAr(c);
        if (figure != null) {
            try (OutputStream o = Files.newOutputStream(dir.resolve("figures/error_vs_ar.png"))) {
                MapImages.writePng(figure, o);
            }
        }
        for (Path e : evaluations) EvaluationStatistics.writeFigures(e, dir.resolve("figures/maps"));
        Files.writeString(dir.resolve("report.md"), markdown(c, protocol, s));
        System.out.printf(Locale.ROOT, "reproduce: scale=%s seed=%d in %.1f min wrote %s and %s%n", scale, seed, (System.nanoTime() - t0) / 6e10,
                dir.resolve("report.md"), dir.resolve("report.json"));
        return 0;
    }

    /** Runs one stage's command unless its output exists (each command writes its output atomically). */
    private void stage(Path output, String... args) {
        if (Files.exists(output)) {
            step(args[0] + ": " + output + " exists, skipped");
            return;
        }
        step(String.join(" ", args));
        List<String> a = new ArrayList<>(List.of(args));
        if (common.configFile != null) a.addAll(List.of("--config", common.configFile.toString()));
        common.dProps.forEach((k, v) -> a.add("-D" + k + "=" + v));
        Object master = common.flags.get("mrf.spark.master");
        if (master != null && !args[0].equals("simulate-cohort")) a.addAll(List.of("--master", master.toString()));
        long t0 = System.nanoTime();
        int rc = Mrf.execute(a.toArray(String[]::new));
        step(String.format(Locale.ROOT, "%s %s took %.1f min", args[0], output.getFileName(), (System.nanoTime() - t0) / 6e10));
        if (rc != 0) {
            throw new MrfInputException("stage '" + args[0] + "' failed (exit " + rc + "), see the lines above; 'mrf reproduce --out " + out
                    + "' continues from it.");
        }
    }

    private static List<String> subjects(Path cohort) throws IOException {
        try (var l = Files.list(cohort)) {
            List<String> s = l.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            if (s.size() < 2) throw new MrfInputException("cohort " + cohort + " has " + s.size() + " subjects; LOSO needs 2 or more.");
            return s;
        }
    }

    static String errorVsAr(MethodComparison c) {
        StringBuilder csv = new StringBuilder("method,ar,subjects,t1_err_pct_mean,t1_err_pct_std,t2_err_pct_mean,t2_err_pct_std\n");
        for (String m : c.methods()) {
            for (int ar : c.ars(m).stream().sorted().toList()) {
                MethodComparison.Summary t1 = c.summary(m, ar, "t1_err_pct"), t2 = c.summary(m, ar, "t2_err_pct");
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.4f,%.4f%n", m, ar, t1.subjects(), t1.mean(), t1.std(), t2.mean(), t2.std()));
            }
        }
        return csv.toString();
    }

    private static String markdown(MethodComparison c, LosoProtocol protocol, Scale s) {
        StringBuilder md = new StringBuilder("# Reproduction of Fang et al., IEEE TMI 2019\n\n");
        md.append(String.format(Locale.ROOT, "Cohort: %d simulated subjects (in-vivo preset, seed %d), %d slice(s) each, %d x %d. "
                        + "Leave-one-subject-out over all %d folds; each test subject is predicted once. Training settings: the '%s' profile, "
                        + "%s.%n%n", protocol.folds().size(), protocol.seed(), s.slices(), s.matrix(),
                s.matrix(), protocol.folds().size(), s.profile(), s.chosen()));
        md.append(c.headlineWithoutCsf() ? "Errors: mean relative absolute error in percent over the brain without CSF (CSF's T2 of about 2 s is beyond the "
                        + "dictionary's 500 ms)" : "Errors: mean relative absolute error in percent over the whole brain mask (the cohort has no "
                        + "tissue labels)")
                .append(", per slice, then per subject, then mean +- std over subjects; against the DM ground truth ")
                .append("and against the simulator's true maps (docs/STATISTICS.md).\n\n")
                .append("| method | ar | T1 vs GT | T2 vs GT | T1 vs truth | T2 vs truth | s / slice |\n|---|---|---|---|---|---|---|\n");
        for (String m : c.methods()) {
            for (int ar : sortedArs(c, m)) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %.3f |%n", m, ar, pm(c.summary(m, ar, "t1_err_pct")),
                        pm(c.summary(m, ar, "t2_err_pct")), pm(c.summary(m, ar, "t1_err_pct_true")), pm(c.summary(m, ar, "t2_err_pct_true")),
                        c.summary(m, ar, "seconds_per_slice").mean()));
            }
        }
        md.append(claim(c));
        md.append("\n## Paired differences, SCQ minus each method (negative: SCQ better)\n\n")
                .append("Over subjects: mean difference, 95 % percentile-bootstrap interval, Wilcoxon signed-rank p (with n subjects ")
                .append("the smallest p is 2/2^n, 0.031 for 6, reached only when SCQ is better on every subject).\n\n")
                .append("| vs | ar | map | mean diff | 95 % CI | p |\n|---|---|---|---|---|---|\n");
        for (String m : c.methods()) {
            if (m.equals(MethodComparison.REFERENCE_METHOD)) continue;
            for (int ar : sortedArs(c, m)) {
                for (String map : List.of("t1", "t2")) {
                    PairedStatistics.Result r = c.paired(m, ar, map + "_err_pct");
                    if (r == null) continue;
                    md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | [%.2f, %.2f] | %.4f |%n", m, ar, map.toUpperCase(Locale.ROOT),
                            r.meanDiff(), r.ciLow(), r.ciHigh(), r.p()));
                }
            }
        }
        md.append("\n## Per held-out subject (headline error against the DM ground truth)\n\n");
        List<String> subjects = protocol.folds().stream().map(LosoProtocol.Fold::test).toList();
        md.append("| method | ar | map | ").append(String.join(" | ", subjects)).append(" |\n|---|---|---|")
                .append("---|".repeat(subjects.size())).append('\n');
        for (String m : c.methods()) {
            for (int ar : sortedArs(c, m)) {
                for (String map : List.of("t1", "t2")) {
                    Map<String, Double> v = c.perSubject(m, ar, map + "_err_pct");
                    md.append(String.format(Locale.ROOT, "| %s | %d | %s |", m, ar, map.toUpperCase(Locale.ROOT)));
                    for (String subject : subjects) md.append(String.format(Locale.ROOT, " %.2f |", v.getOrDefault(subject, Double.NaN)));
                    md.append('\n');
                }
            }
        }
        if (c.headlineWithoutCsf()) {
            md.append("\n## Per tissue (against the DM ground truth, mean +- std over subjects)\n\n")
                    .append("| method | ar | map | WM | GM | lesion | CSF | whole mask |\n|---|---|---|---|---|---|---|---|\n");
            for (String m : c.methods()) {
                for (int ar : sortedArs(c, m)) {
                    for (String map : List.of("t1", "t2")) {
                        md.append(String.format(Locale.ROOT, "| %s | %d | %s |", m, ar, map.toUpperCase(Locale.ROOT)));
                        for (String region : List.of("wm", "gm", "lesion", "csf", "brain")) {
                            md.append(' ').append(pm(c.summary(m, ar, map + "_err_pct_" + region))).append(" |");
                        }
                        md.append('\n');
                    }
                }
            }
        }
        md.append("\n## Sharpness: high-frequency energy ratio against the DM ground truth (1 = as sharp; below 1 = blurred)\n\n")
                .append("| method | ar | T1 | T2 |\n|---|---|---|---|\n");
        for (String m : c.methods()) {
            for (int ar : sortedArs(c, m)) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s |%n", m, ar, pm(c.summary(m, ar, "t1_hf_ratio")),
                        pm(c.summary(m, ar, "t2_hf_ratio"))));
            }
        }
        ablationTable(md, c, "Table III: the two steps (FE only, SQ only, both)", TABLE_III);
        ablationTable(md, c, "Table IV: the input (complex, magnitude only: does phase matter?)", TABLE_IV);
        md.append("\n## Error against acceleration\n\n`tables/error_vs_ar.csv`")
                .append(c.methods().stream().anyMatch(m -> c.ars(m).size() > 1) ? ", `figures/error_vs_ar.png`" : " (one ar only: no figure)")
                .append(".\n\n## Figures\n\n`figures/maps/<subject>_slice-NNN_ar<N>.png`: the DM ground truth, every method, and each method's ")
                .append("relative error against the ground truth, for T1 and T2.\n\n")
                .append("## Not in this report\n\n")
                .append("- Settings are fixed in a profile; no inner-validation tuning runs (LosoProtocol supports it).\n");
        if (!c.methods().contains("csmr")) md.append("- CSMR (`--csmr`).\n");
        if (!c.methods().contains("sq_only") || !c.methods().contains("scq_m")) md.append("- Tables III-IV (`--ablations`).\n");
        return md.toString();
    }

    private static List<Integer> sortedArs(MethodComparison c, String method) {
        return c.ars(method).stream().sorted().toList();
    }

    /**
     * The paper's claim at ar 4, as the issue states it: SCQ's paired difference against FE-only and against DM has a 95 %
     * interval entirely below zero, for T1 and for T2.
     */
    static String claim(MethodComparison c) {
        if (!c.ars(MethodComparison.REFERENCE_METHOD).contains(ABLATION_AR)) return "";
        StringBuilder md = new StringBuilder();
        boolean all = true;
        for (String other : List.of("fe_only", "dm")) {
            for (String map : List.of("t1", "t2")) {
                PairedStatistics.Result r = c.paired(other, ABLATION_AR, map + "_err_pct");
                if (r == null) {
                    return String.format(Locale.ROOT, "%n**The claim at ar %d** cannot be judged: %s was not evaluated at ar %d.%n",
                            ABLATION_AR, other, ABLATION_AR);
                }
                boolean below = r.ciHigh() < 0;
                all &= below;
                md.append(String.format(Locale.ROOT, "- SCQ - %s, %s: %+.2f points, 95 %% CI [%.2f, %.2f], p %.4f: %s%n", other,
                        map.toUpperCase(Locale.ROOT), r.meanDiff(), r.ciLow(), r.ciHigh(), r.p(),
                        below ? "entirely below zero" : "not entirely below zero"));
            }
        }
        return String.format(Locale.ROOT, "%n**The claim at ar %d** (SCQ's 95 %% CI against FE-only and against DM entirely below zero, T1 and T2): "
                + "**%s**.%n%n", ABLATION_AR, all ? "holds on this cohort" : "does not hold on this cohort") + md;
    }

    /** An ablation table at the ablation ar, when at least two of its methods ran. */
    private static void ablationTable(StringBuilder md, MethodComparison c, String title, List<String> rows) {
        List<String> present = rows.stream().filter(m -> c.ars(m).contains(ABLATION_AR)).toList();
        if (present.size() < 2) return;
        md.append("\n## ").append(title).append(String.format(Locale.ROOT, ", ar %d%n%n", ABLATION_AR))
                .append("| method | T1 vs GT | T2 vs GT | T1 vs truth | T2 vs truth | SCQ - method, T1: mean [95 % CI], p | T2 |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (String m : present) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", m, pm(c.summary(m, ABLATION_AR, "t1_err_pct")),
                    pm(c.summary(m, ABLATION_AR, "t2_err_pct")), pm(c.summary(m, ABLATION_AR, "t1_err_pct_true")),
                    pm(c.summary(m, ABLATION_AR, "t2_err_pct_true"))));
            for (String map : List.of("t1", "t2")) {
                PairedStatistics.Result r = m.equals(MethodComparison.REFERENCE_METHOD) ? null : c.paired(m, ABLATION_AR, map + "_err_pct");
                md.append(r == null ? " - |" : String.format(Locale.ROOT, " %.2f [%.2f, %.2f], p %.3f |", r.meanDiff(), r.ciLow(), r.ciHigh(), r.p()));
            }
            md.append('\n');
        }
    }

    private static String pm(MethodComparison.Summary s) {
        return String.format(Locale.ROOT, "%.2f +- %.2f", s.mean(), s.std());
    }

    private static void step(String what) {
        System.out.println("== reproduce " + what);
    }
}
