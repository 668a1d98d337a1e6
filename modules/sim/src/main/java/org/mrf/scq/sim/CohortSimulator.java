package org.mrf.scq.sim;

import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.cohort.CohortManifest;
import org.mrf.scq.io.ismrmrd.IsmrmrdRaw;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Simulates a cohort: N subjects x S slices, deterministic from one seed, written as a folder
 * that looks like a set of scanner exports plus the truth (layout: COHORT-FORMAT.md).
 *
 * <p>Seeds: subject i draws from seed_i = mix(seed, i); its tissue table (+-{@code variation}
 * around {@link TissueTable#literature3T()}) is shared by all its slices. Slice s uses phantom
 * {@code phantoms[s mod |phantoms|]} (with {@code anatomyPerSubject}: {@code phantoms[(i + s) mod |phantoms|]},
 * so subjects differ by base anatomy, not only by a warp) with its own geometry / texture / lesion
 * seed mix(seed_i, 2s) and noise seed mix(seed_i, 2s + 1). With {@code heldOutAnatomy} set, that
 * anatomy is left out of every subject but the last, and the last subject has only it: a test
 * subject whose anatomy no training subject has. Nothing depends on time or thread count, so the
 * same options give byte-identical folders.
 *
 * <p>Truth on a finer grid ({@code supersample} s > 1): the subject is generated on an s M x s M
 * grid over the same FOV and acquired from it ({@link SliceAcquisition}); the exported true maps
 * are its samples at the M x M pixel centres (the fine pixel (s iy, s ix) sits exactly at the
 * centre of pixel (iy, ix)), so they name the tissue at each pixel centre while the images carry
 * partial volume and ringing.
 */
public final class CohortSimulator {
    /** Name of the hydra-128 continuous phantom in {@link Options#phantoms()}. */
    public static final String HYDRA = "hydra";

    public record Options(int subjects, int slicesPerSubject, long seed, List<String> phantoms, int maxLesions,
                          double variation, DigitalSubjectGenerator.Options subject, SliceAcquisition.Options acquisition,
                          int supersample, boolean anatomyPerSubject, String heldOutAnatomy, boolean raw) {
        public static Options defaults(int subjects, int slicesPerSubject, long seed) {
            return new Options(subjects, slicesPerSubject, seed, List.of("axial", "coronal", "sagittal"), 3, 0.10,
                    DigitalSubjectGenerator.Options.defaults(), SliceAcquisition.Options.defaults(), 1, false, null, false);
        }

        /** The {@code ideal} preset (docs/ACQUISITION.md): truth on the grid, {@link SliceAcquisition.Options#ideal()}. */
        public static Options ideal(int subjects, int slicesPerSubject, long seed) {
            return defaults(subjects, slicesPerSubject, seed).withAcquisition(SliceAcquisition.Options.ideal());
        }

        /**
         * The {@code invivo} preset: {@link SliceAcquisition.Options#invivo()}, truth on a grid 4x finer
         * than the matrix, and the base anatomy varying between subjects.
         */
        public static Options invivo(int subjects, int slicesPerSubject, long seed) {
            return defaults(subjects, slicesPerSubject, seed).withAcquisition(SliceAcquisition.Options.invivo())
                    .withSupersample(4).withAnatomyPerSubject(true);
        }

        public Options withMatrix(int m) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject.withMatrix(m), acquisition,
                    supersample, anatomyPerSubject, heldOutAnatomy, raw);
        }

        public Options withAcquisition(SliceAcquisition.Options a) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject, a,
                    supersample, anatomyPerSubject, heldOutAnatomy, raw);
        }

        public Options withPhantoms(List<String> p) {
            return new Options(subjects, slicesPerSubject, seed, p, maxLesions, variation, subject, acquisition,
                    supersample, anatomyPerSubject, heldOutAnatomy, raw);
        }

        public Options withSupersample(int s) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject, acquisition,
                    s, anatomyPerSubject, heldOutAnatomy, raw);
        }

        public Options withAnatomyPerSubject(boolean on) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject, acquisition,
                    supersample, on, heldOutAnatomy, raw);
        }

        public Options withHeldOutAnatomy(String name) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject, acquisition,
                    supersample, anatomyPerSubject, name, raw);
        }

        /**
         * Also write each slice's k-space as an ISMRMRD file next to its series
         * ({@code SUBJECT/slice-NNN.h5}, docs/RAW-DATA.md), so that {@code mrf reconstruct --raw COHORT}
         * gives the series back.
         */
        public Options withRaw(boolean on) {
            return new Options(subjects, slicesPerSubject, seed, phantoms, maxLesions, variation, subject, acquisition,
                    supersample, anatomyPerSubject, heldOutAnatomy, on);
        }

        /** The phantom of subject i's slice s. */
        String phantom(int i, int s) {
            if (heldOutAnatomy != null) {
                if (i == subjects - 1) return heldOutAnatomy;
                List<String> rest = phantoms.stream().filter(p -> !p.equals(heldOutAnatomy)).toList();
                return rest.get(((anatomyPerSubject ? i : 0) + s) % rest.size());
            }
            return phantoms.get(((anatomyPerSubject ? i : 0) + s) % phantoms.size());
        }
    }

    private final FispSequence sequence;
    private final Options options;
    private final ExportWriter writer;

    public CohortSimulator(FispSequence sequence, Options options, ExportWriter writer) {
        if (options.subjects() < 1 || options.slicesPerSubject() < 1) {
            throw new MrfInputException("cohort size " + options.subjects() + " subjects x " + options.slicesPerSubject()
                    + " slices: both must be >= 1");
        }
        if (options.phantoms().isEmpty()) throw new MrfInputException("cohort phantoms: list at least one of " + LabelMap.BUNDLED + " or hydra");
        if (options.supersample() < 1 || options.supersample() > 8) {
            throw new MrfInputException("cohort truth supersampling " + options.supersample() + ": use 1 (truth on the grid) to 8");
        }
        String held = options.heldOutAnatomy();
        if (held != null && (!options.phantoms().contains(held) || options.phantoms().size() < 2 || options.subjects() < 2)) {
            throw new MrfInputException("cohort held-out anatomy '" + held + "': must be one of the phantoms " + options.phantoms()
                    + ", with at least one other phantom and at least 2 subjects");
        }
        for (String p : options.phantoms()) {
            if (!p.equals(HYDRA) && !LabelMap.BUNDLED.contains(p)) {
                throw new MrfInputException("cohort phantom '" + p + "': use one of " + LabelMap.BUNDLED + " or " + HYDRA);
            }
        }
        this.sequence = sequence;
        this.options = options;
        this.writer = writer;
    }

    /** Subject id of index i: {@code sub-000}, {@code sub-001}, ... (matches [A-Za-z0-9._-]). */
    public static String subjectId(int i) {
        return String.format(java.util.Locale.ROOT, "sub-%03d", i);
    }

    static long mix(long a, long b) {
        // SplitMix64 finaliser over a combination: independent-looking streams for nearby inputs.
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Simulates and writes the whole cohort under {@code outDir}; returns the cohort manifest's path. */
    public Path run(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        int matrix = options.subject().matrix();
        SliceAcquisition acquisition = new SliceAcquisition(sequence, matrix, options.acquisition());
        // NIfTI headers carry the pixel size: give the writer this cohort's FOV.
        ExportWriter writer = this.writer instanceof NiftiExportWriter n ? n.withFov(options.subject().fovMm()) : this.writer;
        Map<String, LabelMap> labelMaps = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < options.subjects(); i++) {
            String id = subjectId(i);
            ids.add(id);
            long subjectSeed = mix(options.seed(), i);
            TissueTable values = TissueTable.literature3T().perturbed(new Random(subjectSeed), options.variation());
            Path dir = outDir.resolve(id);
            List<Object> slices = new ArrayList<>();
            for (int s = 0; s < options.slicesPerSubject(); s++) {
                String phantom = options.phantom(i, s);
                long sliceSeed = mix(subjectSeed, 2L * s), noiseSeed = mix(subjectSeed, 2L * s + 1);
                int lesions = options.maxLesions() > 0 ? new Random(sliceSeed).nextInt(options.maxLesions() + 1) : 0;
                int sup = options.supersample();
                DigitalSubjectGenerator gen = new DigitalSubjectGenerator(
                        new DigitalSubjectGenerator.Options(matrix * sup, options.subject().fovMm(), options.subject().maxRotationDeg(),
                                options.subject().maxScale(), options.subject().maxShear(), options.subject().maxShiftMm(),
                                options.subject().elasticMm(), options.subject().textureFraction(), lesions));
                SubjectMaps fine = phantom.equals(HYDRA)
                        ? gen.fromHydra(options.variation(), sliceSeed)
                        : gen.fromLabels(labelMaps.computeIfAbsent(phantom, LabelMap::bundled), values, sliceSeed);
                String name = String.format(java.util.Locale.ROOT, "slice-%03d", s);
                ComplexSeries series;
                String rawFile = null;
                if (options.raw()) {
                    SliceAcquisition.Acquired acquired = acquisition.acquireWithRaw(fine, noiseSeed);
                    series = acquired.series();
                    Files.createDirectories(dir);
                    rawFile = name + ".h5";
                    IsmrmrdRaw.write(dir.resolve(rawFile), acquired.raw(), options.subject().fovMm(), sequence);
                } else {
                    series = acquisition.acquire(fine, noiseSeed);
                }
                SubjectMaps maps = sup == 1 ? fine : pixelCentres(fine, sup);
                Map<String, String> files = writer.writeSlice(dir, name, series, maps);
                Map<String, Object> slice = new LinkedHashMap<>();
                slice.put("slice", s);
                slice.put("phantom", phantom);
                slice.put("seed", sliceSeed);
                slice.put("noise_seed", noiseSeed);
                slice.put("lesions", phantom.equals(HYDRA) ? 0 : lesions);
                slice.put("shape", List.of(series.timepoints(), series.height(), series.width()));
                slice.put("mask_pixels", maps.maskCount());
                Map<String, Object> listed = new LinkedHashMap<>(files);
                if (rawFile != null) listed.put("raw", rawFile);
                slice.put("files", listed);
                slices.add(slice);
            }
            Map<String, Object> subject = new LinkedHashMap<>();
            subject.put("subject", id);
            subject.put("seed", subjectSeed);
            Map<String, Object> tissues = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : values.asMap().entrySet()) tissues.put(e.getKey(), e.getValue());
            subject.put("tissues_t1ms_t2ms_pd", tissues);
            subject.put("slices", slices);
            writeText(dir.resolve("subject.json"), Json.write(subject));
        }
        Map<String, Object> cohort = new LinkedHashMap<>();
        cohort.put("format", "mrf-sim-cohort");
        cohort.put("version", 1);
        cohort.put("export_format", writer.format());
        cohort.put("seed", options.seed());
        cohort.put("subjects", ids);
        cohort.put("slices_per_subject", options.slicesPerSubject());
        cohort.put("phantoms", new ArrayList<Object>(options.phantoms()));
        cohort.put("matrix", matrix);
        cohort.put("fov_mm", options.subject().fovMm());
        cohort.put("pixel_mm", options.subject().fovMm() / matrix);
        cohort.put("tissue_variation", options.variation());
        cohort.put("texture_fraction", options.subject().textureFraction());
        cohort.put("max_lesions", options.maxLesions());
        cohort.put("truth_supersampling", options.supersample());
        cohort.put("anatomy_per_subject", options.anatomyPerSubject());
        if (options.heldOutAnatomy() != null) cohort.put("held_out_anatomy", options.heldOutAnatomy());
        cohort.put("schedule", CohortManifest.Schedule.json(sequence));
        SliceAcquisition.Options a = options.acquisition();
        Map<String, Object> acq = new LinkedHashMap<>();
        acq.put("trajectory", "variable-density spiral, one interleaf per time point, rotated by 360/interleaves deg per time point");
        acq.put("interleaves", a.interleaves());
        acq.put("samples_per_interleaf", acquisition.trajectory().samplesPerInterleaf());
        acq.put("centre_density", a.centreDensity());
        acq.put("sample_spacing", a.sampleSpacing());
        acq.put("snr", Double.isInfinite(a.snr()) ? "inf" : a.snr());
        acq.put("reconstruction", a.coils() > 1
                ? "Kaiser-Bessel gridding adjoint per coil, Pipe-Menon DCF x interleaves, Walsh adaptive coil combination from the time average"
                : "Kaiser-Bessel gridding adjoint, Pipe-Menon DCF x interleaves");
        acq.put("k_max_over_half_matrix", a.kRadius());
        acq.put("coils", a.coils());
        acq.put("coil_noise_correlation", a.coilCorrelation());
        acq.put("phase_rms_rad", a.phaseRad());
        acq.put("b1", List.of(a.b1Lo(), a.b1Hi()));
        acq.put("motion_max_shift_fov", a.motionFov());
        acq.put("motion_max_rotation_deg", a.motionDeg());
        acq.put("kernel_width", org.mrf.scq.core.nufft.NufftOperator.DEFAULT_WIDTH);
        acq.put("grid_oversampling", a.gridOversampling());
        acq.put("reconstruction_kernel_width", org.mrf.scq.core.recon.GriddingReconstruction.KERNEL_WIDTH);
        acq.put("reconstruction_grid_oversampling", org.mrf.scq.core.recon.GriddingReconstruction.GRID_OVERSAMPLING);
        acq.put("epg_tolerance", a.epgTolerance());
        acq.put("subspace_tolerance", a.basisTolerance());
        acq.put("subspace_log_step", a.logStep());
        cohort.put("acquisition", acq);
        Path manifest = outDir.resolve("cohort.json");
        writeText(manifest, Json.write(cohort));
        return manifest;
    }

    /** The maps sampled at the centres of the M x M pixels: fine pixel (s iy, s ix) of an s M grid. */
    static SubjectMaps pixelCentres(SubjectMaps fine, int s) {
        int fm = fine.height();
        return fine.resampled(fm / s, (iy, ix) -> s * iy * fm + s * ix);
    }

    private static void writeText(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
