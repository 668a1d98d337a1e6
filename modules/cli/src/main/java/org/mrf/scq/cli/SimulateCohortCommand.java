package org.mrf.scq.cli;

import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.SliceAcquisition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "simulate-cohort", mixinStandardHelpOptions = true,
        description = "Simulate in-vivo-like subjects (BrainWeb-derived digital brains) through a spiral-undersampled "
                + "FISP-MRF acquisition and write them as a cohort folder (see COHORT-FORMAT.md).",
        footer = {"", "Examples:",
                "  mrf simulate-cohort --out cohort/                               # 6 subjects x 1 slice, 256 x 256",
                "  mrf simulate-cohort --out quick/ --subjects 6 --slices 2 --matrix 64 --seed 7",
                "  mrf simulate-cohort --out c/ --format nifti --snr 30",
                "  mrf simulate-cohort --out ideal/ --preset ideal --matrix 128   # correctness checks (docs/ACQUISITION.md)",
                "  mrf simulate-cohort --out c/ --coils 32 --b1 0.8:1.2 --held-out-anatomy sagittal",
                "  mrf simulate-cohort --out c/ --matrix 64 --raw && mrf reconstruct --raw c/ --out recon/   # raw data (docs/RAW-DATA.md)"})
public final class SimulateCohortCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Mixin LocalOutput out;
    @Option(names = "--subjects", defaultValue = "6", description = "Number of subjects (default 6, the paper's LOSO size).")
    int subjects;
    @Option(names = "--slices", defaultValue = "1", description = "Slices per subject (default 1).")
    int slices;
    @Option(names = "--matrix", defaultValue = "256", description = "Matrix size M (M x M over a 30 cm FOV; default 256).")
    int matrix;
    @Option(names = "--seed", defaultValue = "42", description = "Seed; the same seed gives a byte-identical cohort.")
    long seed;
    @Option(names = "--format", defaultValue = "npy", description = "Export format: npy (default), nifti (.nii.gz), nii, mat (v5), mat73.")
    String format;
    @Option(names = "--preset", defaultValue = "invivo", description = "invivo (default: coils, B1+, phase, truth on a 4x finer grid, "
            + "anatomy varying per subject) or ideal (1 coil, B1 = 1, no noise, no phase, truth on the grid); docs/ACQUISITION.md.")
    String preset;
    @Option(names = "--snr", description = "SNR of a fully sampled coil-combined image (invivo default 50; inf = no noise; docs/ACQUISITION.md).")
    String snr;
    @Option(names = "--coils", description = "Receive coils, 1 to 32 (invivo default 8).")
    Integer coils;
    @Option(names = "--b1", description = "B1+ scale range LO:HI of every flip angle, not in the dictionary (invivo default 0.75:1.25; 1:1 = off).")
    String b1;
    @Option(names = "--motion", defaultValue = "0", description = "In-plane rigid motion: 3 sudden moves, each up to MM mm and MM degrees (default 0: none).")
    double motionMm;
    @Option(names = "--held-out-anatomy", description = "Phantom used only by the last subject (a test subject with an unseen anatomy).")
    String heldOutAnatomy;
    @Option(names = "--phantoms", split = ",", description = "Phantoms cycled over slices: axial, coronal, sagittal, hydra.")
    List<String> phantoms;
    @Option(names = "--raw", description = "Also write each slice's multi-coil k-space as an ISMRMRD file next to its series "
            + "(SUBJECT/slice-NNN.h5); mrf reconstruct --raw COHORT gives the series back (docs/RAW-DATA.md).")
    boolean raw;

    @Override
    public Integer call() throws Exception {
        FispSequence seq = common.sequence();
        org.mrf.scq.sim.ExportWriter writer = org.mrf.scq.sim.ExportWriters.forName(format);
        if (matrix < 16 || matrix % 2 != 0) throw new MrfInputException("--matrix " + matrix + ": use an even size >= 16.");
        CohortSimulator.Options o = switch (preset) {
            case "invivo" -> CohortSimulator.Options.invivo(subjects, slices, seed);
            case "ideal" -> CohortSimulator.Options.ideal(subjects, slices, seed);
            default -> throw new MrfInputException("--preset " + preset + ": use invivo or ideal.");
        };
        SliceAcquisition.Options a = o.acquisition();
        if (snr != null) {
            double s;
            try {
                s = snr.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(snr);
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
            if (!(s > 0)) throw new MrfInputException("--snr " + snr + ": must be a number > 0 or inf.");
            a = a.withSnr(s);
        }
        if (coils != null) {
            if (coils < 1 || coils > SliceAcquisition.MAX_COILS) {
                throw new MrfInputException("--coils " + coils + ": use 1 to " + SliceAcquisition.MAX_COILS + ".");
            }
            a = a.withCoils(coils, coils == 1 ? 0 : Math.max(a.coilCorrelation(), SliceAcquisition.Options.invivo().coilCorrelation()));
        }
        if (b1 != null) {
            String[] p = b1.split(":");
            double lo = Double.NaN, hi = Double.NaN;
            try {
                if (p.length == 2) {
                    lo = Double.parseDouble(p[0]);
                    hi = Double.parseDouble(p[1]);
                }
            } catch (NumberFormatException e) {
                lo = Double.NaN;
            }
            if (!(lo > 0 && lo <= hi && hi < 3)) throw new MrfInputException("--b1 " + b1 + ": use LO:HI with 0 < LO <= HI < 3, e.g. 0.75:1.25.");
            a = a.withB1(lo, hi);
        }
        if (!(motionMm >= 0 && motionMm <= 20)) throw new MrfInputException("--motion " + motionMm + ": use 0 (none) to 20 mm.");
        if (motionMm > 0) a = a.withMotion(motionMm / o.subject().fovMm(), motionMm);
        o = o.withMatrix(matrix).withAcquisition(a);
        if (heldOutAnatomy != null) o = o.withHeldOutAnatomy(heldOutAnatomy);
        Path abs = out.checked();
        if (phantoms != null) o = o.withPhantoms(phantoms);
        o = o.withRaw(raw);
        long t0 = System.nanoTime();
        CohortSimulator.Options options = o;
        LocalFiles.replaceDirectory(abs, tmp -> new CohortSimulator(seq, options, writer).run(tmp));
        System.out.printf(Locale.ROOT, "simulate-cohort: preset=%s subjects=%d slices=%d matrix=%d T=%d coils=%d format=%s in %.1fs wrote %s%n",
                preset, subjects, subjects * slices, matrix, seq.length(), options.acquisition().coils(), format,
                (System.nanoTime() - t0) / 1e9, abs);
        return 0;
    }
}
