package org.mrf.scq.cli;

import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.SliceAcquisition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
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
                "  mrf simulate-cohort --out c/ --format nifti --snr 30"})
public final class SimulateCohortCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Option(names = "--out", required = true, description = "Cohort folder to create (must not exist unless --overwrite).")
    Path out;
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
    @Option(names = "--snr", defaultValue = "50", description = "SNR of a fully sampled image (default 50; inf = no noise).")
    String snr;
    @Option(names = "--phantoms", split = ",", description = "Phantoms cycled over slices: axial, coronal, sagittal, hydra.")
    List<String> phantoms;
    @Option(names = "--overwrite", description = "Replace an existing cohort folder.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        FispSequence seq = common.sequence();
        org.mrf.scq.sim.ExportWriter writer = org.mrf.scq.sim.ExportWriters.forName(format);
        double s = snr.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(snr);
        if (!(s > 0)) throw new MrfInputException("--snr " + snr + ": must be > 0 or inf.");
        if (matrix < 16 || matrix % 2 != 0) throw new MrfInputException("--matrix " + matrix + ": use an even size >= 16.");
        Path abs = out.toAbsolutePath();
        LocalFiles.restoreInterrupted(abs);
        if (Files.exists(abs) && !overwrite) {
            throw new MrfInputException("output " + out + " already exists. Pass --overwrite or choose another --out.");
        }
        CohortSimulator.Options o = CohortSimulator.Options.defaults(subjects, slices, seed).withMatrix(matrix)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(s));
        if (phantoms != null) o = o.withPhantoms(phantoms);
        long t0 = System.nanoTime();
        CohortSimulator.Options options = o;
        LocalFiles.replaceDirectory(abs, tmp -> new CohortSimulator(seq, options, writer).run(tmp));
        System.out.printf(Locale.ROOT, "simulate-cohort: subjects=%d slices=%d matrix=%d T=%d format=%s in %.1fs wrote %s%n",
                subjects, subjects * slices, matrix, seq.length(), format, (System.nanoTime() - t0) / 1e9, abs);
        return 0;
    }
}
