package org.mrf.scq.cli;

import org.apache.hadoop.conf.Configuration;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.match.DictionaryMatcher;
import org.mrf.scq.core.match.MatchResult;
import org.mrf.scq.core.match.Matcher;
import org.mrf.scq.core.match.SubspaceMatcher;
import org.mrf.scq.core.svd.SvdBasis;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;
import org.mrf.scq.spark.store.BasisStore;
import org.mrf.scq.spark.store.DictionaryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "match", mixinStandardHelpOptions = true,
        description = "Dictionary matching (DM) or SVD-subspace matching (SDM) of an MRF image series.",
        footer = {"", "The input is a complex NumPy array (T, H, W) in C order (.npy), or a .nii/.nii.gz/.mat series.",
                "Writes t1_ms, t2_ms and pd as float32 .npy (H, W) and as NIfTI, to a new directory.",
                "Runs in this JVM without a Spark session; DM is exact (docs/MATCHING.md).",
                "Examples:",
                "  mrf match --dictionary dict/ --input series.npy --out maps/",
                "  mrf match --dictionary dict/ --input series.npy --out maps_ar4/ --timepoints 576",
                "  mrf match --dictionary dict/ --input series.npy --out maps_sdm/ --method sdm --energy 0.9999",
                "  mrf match --dictionary dict/ --method csmr --raw sub-000/slice-000.h5 --out maps_csmr/"})
public final class MatchCommand implements Callable<Integer> {
    @Mixin
    Common common;
    @Mixin DatasetOptions.Dictionary dictionary;
    @Option(names = "--input", description = "Complex image series (T, H, W); required except for csmr.")
    Path input;
    @Mixin LocalOutput output;
    @Option(names = "--method", description = "dm | sdm | csmr (iterative reconstruction from --raw k-space)")
    String method;
    @Option(names = "--energy", description = "SVD energy kept by sdm (e.g. 0.9999).")
    Double energy;
    @Option(names = "--timepoints", description = "Use the first T time points (0 = all of the input).")
    Integer timepoints;
    @Mixin
    CsmrMatch csmr;

    @Override
    public Integer call() throws Exception {
        common.flag("mrf.match.method", method).flag("mrf.match.energy", energy).flag("mrf.match.timepoints", timepoints);
        MrfConfig c = common.config();
        String m = c.string("mrf.match.method");
        if (!List.of("dm", "sdm", "csmr").contains(m)) {
            throw new MrfInputException("--method / mrf.match.method = '" + m + "': use dm, sdm or csmr.");
        }
        Path out = output.checked();
        if (m.equals("csmr")) return csmr.run(dictionary.path, out);
        if (input == null) throw new MrfInputException("--input is required for --method " + m + ".");
        if (!Files.isRegularFile(input)) throw new MrfInputException("--input " + input + ": no such file.");
        NdArray x = ArrayFiles.requireComplex(ArrayFiles.read(input), input.toString());
        if (x.rank() != 3) {
            throw new MrfInputException("--input " + input + ": shape " + java.util.Arrays.toString(x.shape())
                    + " is not a (T, H, W) series.");
        }
        int frames = x.dim(0), h = x.dim(1), w = x.dim(2);
        int t = c.integer("mrf.match.timepoints") > 0 ? c.integer("mrf.match.timepoints") : frames;
        if (t > frames) {
            throw new MrfInputException("--input " + input + " has " + frames + " time points; --timepoints " + t + " asks for more.");
        }
        // One series in the driver: no Spark session; the dictionary's Parquet files are read directly.
        Configuration conf = new Configuration();
        long d0 = System.nanoTime();
        Dictionary dict = DictionaryStore.read(dictionary.path, conf, 0);
        double readS = (System.nanoTime() - d0) / 1e9;
        if (t > dict.timepoints()) {
            throw new MrfInputException("--input " + input + ": " + t + " time points are used but dictionary " + dictionary
                    + " has T=" + dict.timepoints() + ". Pass --timepoints <= " + dict.timepoints() + " or rebuild the dictionary.");
        }
        dict = dict.truncate(t);
        long s0 = System.nanoTime();
        Matcher matcher;
        String detail;
        if (m.equals("dm")) {
            matcher = new DictionaryMatcher(dict);
            detail = "dm";
        } else {
            SvdBasis basis = BasisStore.read(dictionary.path, conf);
            if (basis == null || basis.timepoints() != t) basis = SvdCommand.compute(c, dict);
            SubspaceMatcher sm = SubspaceMatcher.forEnergy(dict, basis, c.number("mrf.match.energy"));
            matcher = sm;
            detail = "sdm rank=" + sm.rank();
        }
        long t0 = System.nanoTime();
        double setupS = (t0 - s0) / 1e9;
        // The fixed start-up: JVM start to the first match (JVM, class loading, the input, the dictionary, setup).
        double startupS = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        MatchResult r;
        try {
            r = matcher.matchTimeMajor(x.re(), x.im(), frames, h, w, t);
        } catch (MrfInputException e) {
            throw new MrfInputException("--input " + input + ": " + e.getMessage(), e);
        } finally {
            matcher.release();
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        writeMaps(out, r, h, w);
        System.out.printf(Locale.ROOT, "match: method=%s timepoints=%d pixels=%d in %.2fs wrote %s/{t1_ms,t2_ms,pd}.{npy,nii}%n",
                detail, t, h * w, sec, out.toAbsolutePath());
        System.out.printf(Locale.ROOT, "match startup_s=%.2f dictionary_read_s=%.2f setup_s=%.2f match_s=%.2f%n", startupS, readS,
                setupS, sec);
        return 0;
    }

    /** Maps to a temporary sibling directory first, so a failed write never leaves half a result. */
    static void writeMaps(Path out, MatchResult r, int h, int w) throws Exception {
        LocalFiles.replaceDirectory(out, tmp -> {
            for (var e : new Object[][]{{"t1_ms", r.t1}, {"t2_ms", r.t2}, {"pd", r.pd}}) {
                NdArray map = NdArray.real((String) e[0], (float[]) e[1], h, w);
                ArrayFiles.write(tmp.resolve(e[0] + ".npy"), map);
                ArrayFiles.write(tmp.resolve(e[0] + ".nii"), List.of(map), ArrayFiles.WriteOptions.defaults());
            }
        });
    }

}
