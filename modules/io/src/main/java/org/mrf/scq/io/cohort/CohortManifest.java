package org.mrf.scq.io.cohort;

import org.mrf.scq.core.sequence.FispSequence;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed, validated {@code cohort.json}.
 *
 * @param format       {@code mrf-sim-cohort} (simulator) or {@code mrf-cohort} (written by hand / by a site's export script)
 * @param version      1
 * @param exportFormat the writer's format name ({@code npy}, {@code nifti}, {@code mat}, ...), or null when not given
 * @param subjects     subject ids in manifest order, validated ({@code [A-Za-z0-9._-]}, no path parts) and distinct
 * @param matrix       the image size H = W when the manifest gives {@code matrix}, else 0 (not checked)
 * @param schedule     the acquisition schedule the series were acquired with
 * @param source       the manifest's description (file name / URI) for messages
 */
public record CohortManifest(String format, int version, String exportFormat, List<String> subjects, int matrix,
                             Schedule schedule, String source) implements Serializable {
    public CohortManifest {
        subjects = List.copyOf(subjects);
    }

    /**
     * The schedule block: {@code name}, {@code hash} (FispSequence.hash(); may be null in a
     * hand-written {@code mrf-cohort} manifest), {@code timepoints} T, {@code te_ms},
     * {@code inversion_ms}.
     */
    public record Schedule(String name, String hash, int timepoints, double teMs, double inversionMs) implements Serializable {
        /** The schedule block of {@code seq} as the writers of cohort.json put it (the simulator, mrf reconstruct). */
        public static Map<String, Object> json(FispSequence seq) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", seq.name());
            m.put("hash", seq.hash());
            m.put("timepoints", seq.length());
            m.put("te_ms", seq.teMs(0));
            m.put("inversion_ms", seq.inversionMs());
            return m;
        }
    }
}
