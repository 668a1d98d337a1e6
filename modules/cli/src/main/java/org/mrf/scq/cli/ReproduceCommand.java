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
     */
    record Scale(int subjects, int slices, int matrix, String profile, List<Integer> ars, List<String> methods) {
    }

    static final Map<String, Scale> SCALES = Map.of(
            "small", new Scale(6, 1, 64, "quick", List.of(2, 4, 8, 16), List.of("dm", "sdm", "fe_only", "scq")),
            "paper", new Scale(6, 3, 256, "paper", List.of(2, 4, 8, 16), List.of("dm", "sdm", "fe_only", "scq")));
    /** The simulator's label codes of the tissues errors are reported for. */
    static final Map<Integer, Region> TISSUES = Map.of(Tissue.CSF.code, Region.CSF, Tissue.GREY_MATTER.code, Region.GREY_MATTER,
            Tissue.WHITE_MATTER.code, Region.WHITE_MATTER, Tissue.LESION.code, Region.LESION);

    @Mixin
    Common common;
    @Option(names = "--out", required = true, description = "Output directory; an existing one is continued.")
    Path out;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the cohort and of the bootstrap intervals (default 42).")
    long seed;
    @Option(names = "--scale", defaultValue = "small", description = "small (64 x 64, quick profile, for 2 cores) or paper (256 x 256, "
            + "3 slices a subject, paper profile, for a cluster or a GPU node).")
    String scale;
    @Option(names = "--master", description = "Spark master URL (default local[*]).")
    String master;
    @Option(names = "--subjects", description = "Override the scale's number of subjects (6).")
    Integer subjects;
    @Option(names = "--matrix", description = "Override the scale's matrix size.")
    Integer matrix;
    @Option(names = "--ars", split = ",", description = "Override the scale's acceleration rates (2,4,8,16).")
    List<Integer> ars;

    @Override
    public Integer call() throws Exception {
        Scale s = SCALES.get(scale);
        if (s == null) throw new MrfInputException("--scale " + scale + ": use small or paper.");
        s = new Scale(subjects != null ? subjects : s.subjects(), s.slices(), matrix != null ? matrix : s.matrix(), s.profile(),
                ars != null ? ars : s.ars(), s.methods());
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
        protocol.fixed("mrf.train.profile", s.profile(), "fixed beforehand in the '" + s.profile() + "' profile (reference.conf), "
                + "not tuned on any subject of this cohort");
        List<Path> evaluations = new ArrayList<>();
        for (int ar : s.ars()) {
            for (LosoProtocol.Fold f : protocol.folds()) {
                Path e = work.resolve("evaluation").resolve("ar" + ar).resolve(f.test());
                stage(e, "evaluate", "--slices", slices.toString(), "--ground-truth", gt.toString(), "--dictionary", dict.toString(),
                        "--out", e.toString(), "--ars", Integer.toString(ar), "--methods", String.join(",", s.methods()), "--held-out",
                        f.test(), "--profile", s.profile());
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
        if (master != null && !args[0].equals("simulate-cohort")) a.addAll(List.of("--master", master));
        int rc = Mrf.execute(a.toArray(String[]::new));
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
                        + "fixed beforehand (no setting was tuned on this cohort).%n%n", s.subjects(), protocol.seed(), s.slices(), s.matrix(),
                s.matrix(), protocol.folds().size(), s.profile()));
        md.append(c.headlineWithoutCsf() ? "Errors: mean relative absolute error in percent over the brain without CSF (CSF's T2 of about 2 s is beyond the "
                        + "dictionary's 500 ms)" : "Errors: mean relative absolute error in percent over the whole brain mask (the cohort has no "
                        + "tissue labels)")
                .append(", per slice, then per subject, then mean +- std over subjects; against the DM ground truth ")
                .append("and against the simulator's true maps. Per-tissue errors and sharpness are in report.json (docs/STATISTICS.md).\n\n")
                .append("| method | ar | T1 vs GT | T2 vs GT | T1 vs truth | T2 vs truth | s / slice |\n|---|---|---|---|---|---|---|\n");
        for (String m : c.methods()) {
            for (int ar : c.ars(m).stream().sorted().toList()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %.3f |%n", m, ar, pm(c.summary(m, ar, "t1_err_pct")),
                        pm(c.summary(m, ar, "t2_err_pct")), pm(c.summary(m, ar, "t1_err_pct_true")), pm(c.summary(m, ar, "t2_err_pct_true")),
                        c.summary(m, ar, "seconds_per_slice").mean()));
            }
        }
        md.append("\n## Paired differences, SCQ minus each method (negative: SCQ better)\n\n")
                .append("Over subjects: mean difference, 95 % percentile-bootstrap interval, Wilcoxon signed-rank p (with n subjects ")
                .append("the smallest p is 2/2^n, 0.031 for 6, reached only when SCQ is better on every subject).\n\n")
                .append("| vs | ar | map | mean diff | 95 % CI | p |\n|---|---|---|---|---|---|\n");
        if (c.methods().contains(MethodComparison.REFERENCE_METHOD)) {
            for (String m : c.methods()) {
                if (m.equals(MethodComparison.REFERENCE_METHOD)) continue;
                for (int ar : c.ars(m).stream().sorted().toList()) {
                    for (String map : List.of("t1", "t2")) {
                        PairedStatistics.Result r = c.paired(m, ar, map + "_err_pct");
                        if (r == null) continue;
                        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | [%.2f, %.2f] | %.4f |%n", m, ar, map.toUpperCase(Locale.ROOT),
                                r.meanDiff(), r.ciLow(), r.ciHigh(), r.p()));
                    }
                }
            }
        }
        md.append("\n## Error against acceleration\n\n`tables/error_vs_ar.csv`, `figures/error_vs_ar.png`.\n\n")
                .append("## Figures\n\n`figures/maps/<subject>_slice-NNN_ar<N>.png`: the DM ground truth, every method, and each method's ")
                .append("relative error against the ground truth, for T1 and T2.\n\n")
                .append("## Not yet in this report\n\n")
                .append("- Settings are fixed in a profile; no inner-validation tuning runs (LosoProtocol supports it).\n")
                .append("- CSMR and the DL baseline are not evaluated; nor are sq_only, scq_s and scq_m, so Tables III-IV are not here.\n");
        return md.toString();
    }

    private static String pm(MethodComparison.Summary s) {
        return String.format(Locale.ROOT, "%.2f +- %.2f", s.mean(), s.std());
    }

    private static void step(String what) {
        System.out.println("== reproduce " + what);
    }
}
