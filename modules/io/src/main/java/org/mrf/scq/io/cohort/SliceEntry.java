package org.mrf.scq.io.cohort;

import java.io.Serializable;
import java.util.Map;

/**
 * One slice listed in a {@code subject.json}: what {@link CohortReader#read(SliceEntry)} loads.
 * Serializable, so a driver can list slices and ship them to executors.
 *
 * @param subject   subject id (validated)
 * @param slice     slice number, unique within the subject
 * @param files     role -> file path relative to the subject folder (checked: stays inside it); always has {@code series}
 * @param variables role -> MAT/HDF5 variable name, where the manifest names one (optional {@code variables} object)
 * @param manifest  description of the subject.json that listed it, for messages
 */
public record SliceEntry(String subject, int slice, Map<String, String> files, Map<String, String> variables, String manifest)
        implements Serializable {
    public SliceEntry {
        files = Map.copyOf(files);
        variables = Map.copyOf(variables);
    }

    /** Path of a role's file relative to the cohort root, or null when the slice has no such file. */
    public String path(String role) {
        String f = files.get(role);
        return f == null ? null : subject + "/" + f;
    }

    public String key() {
        return subject + "/" + slice;
    }
}
