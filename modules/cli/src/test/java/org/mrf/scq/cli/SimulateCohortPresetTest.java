package org.mrf.scq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mrf simulate-cohort --preset}: what each preset records in the manifest, and one clear error per bad option. */
class SimulateCohortPresetTest {
    @Test
    void presetsReachTheManifest(@TempDir Path dir) throws Exception {
        Path ideal = dir.resolve("ideal"), invivo = dir.resolve("invivo");
        assertEquals(0, Mrf.execute("simulate-cohort", "--out", ideal.toString(), "--subjects", "1", "--matrix", "16", "--preset", "ideal",
                "--raw"));
        // --raw: the slice's k-space next to its series, listed in subject.json (the round trip: ReconstructJobTest).
        assertTrue(Files.size(ideal.resolve("sub-000/slice-000.h5")) > 0);
        assertTrue(Files.readString(ideal.resolve("sub-000/subject.json")).replaceAll("\\s", "").contains("\"raw\":\"slice-000.h5\""));
        String m = Files.readString(ideal.resolve("cohort.json")).replaceAll("\\s", "");
        assertTrue(m.contains("\"coils\":1") && m.contains("\"snr\":\"inf\"") && m.contains("\"truth_supersampling\":1")
                && m.contains("\"k_max_over_half_matrix\":1.42"), m);
        assertEquals(0, Mrf.execute("simulate-cohort", "--out", invivo.toString(), "--subjects", "2", "--matrix", "16",
                "--coils", "4", "--b1", "0.8:1.2", "--motion", "2", "--held-out-anatomy", "sagittal"));
        m = Files.readString(invivo.resolve("cohort.json")).replaceAll("\\s", "");
        assertTrue(m.contains("\"coils\":4") && m.contains("\"b1\":[0.8,1.2]") && m.contains("\"truth_supersampling\":4")
                && m.contains("\"held_out_anatomy\":\"sagittal\"") && m.contains("\"motion_max_rotation_deg\":2.0"), m);
        String last = Files.readString(invivo.resolve("sub-001/subject.json")).replaceAll("\\s", "");
        String first = Files.readString(invivo.resolve("sub-000/subject.json")).replaceAll("\\s", "");
        assertTrue(last.contains("\"phantom\":\"sagittal\"") && !first.contains("sagittal"), first + "\n" + last);
    }

    @Test
    void badOptionsGetOneClearErrorAndWriteNothing(@TempDir Path dir) {
        String[][] bad = {{"--preset", "scanner"}, {"--coils", "33"}, {"--b1", "1.2:0.8"}, {"--b1", "x"}, {"--snr", "-1"},
                {"--motion", "-1"}, {"--held-out-anatomy", "hydra"}};
        String[] named = {"--preset", "--coils", "--b1", "--b1", "--snr", "--motion", "held-out anatomy"};
        for (int i = 0; i < bad.length; i++) {
            Path out = dir.resolve("c" + i);
            OverwriteKillTest.ByteArrayErr err = new OverwriteKillTest.ByteArrayErr();
            String[] args = {"simulate-cohort", "--out", out.toString(), "--subjects", "2", "--matrix", "16", bad[i][0], bad[i][1]};
            int rc = err.run(() -> Mrf.execute(args));
            assertEquals(2, rc, String.join(" ", bad[i]) + ": " + err.text());
            assertTrue(err.text().contains(named[i]), err.text());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", bad[i]));
        }
    }
}
