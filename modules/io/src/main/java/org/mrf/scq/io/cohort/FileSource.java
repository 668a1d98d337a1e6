package org.mrf.scq.io.cohort;

import java.io.IOException;
import java.io.InputStream;

/**
 * Read access to the files of one cohort folder, by path relative to the cohort root
 * ({@code cohort.json}, {@code sub-000/subject.json}, {@code sub-000/slice-000_series.npy}). Paths
 * use '/' and have already been checked by {@link CohortReader} (no '..', not absolute), so an
 * implementation only joins them to its root. {@link LocalFileSource} reads a local folder; the
 * Spark ingest implements this over Hadoop FileSystem (file://, hdfs://, s3a://).
 */
public interface FileSource {
    /** Opens a file for reading; the caller closes the stream. A missing file may throw any IOException. */
    InputStream open(String relPath) throws IOException;

    /** Whether the file exists (and is a file). */
    boolean exists(String relPath) throws IOException;

    /** How to name the file in messages: an absolute path or URI, ending with the file name (its extension picks the format). */
    String describe(String relPath);
}
