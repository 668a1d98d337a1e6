package org.mrf.scq.cli;

import org.apache.hadoop.conf.Configuration;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.OutputLease;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Local-file outputs of the CLI, written to a sibling temporary file and moved into place. */
final class LocalFiles {
    private LocalFiles() {
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    interface DirectoryWriter {
        void fill(Path dir) throws Exception;
    }

    /**
     * Fills a hidden sibling directory, then moves it to {@code target}, replacing a previous one: the same
     * write-then-rename, with the same leases, as every Spark job's output ({@link AtomicOutput}), so what a killed
     * run left here is cleaned up by the next run at the same path.
     */
    static void replaceDirectory(Path target, DirectoryWriter writer) throws Exception {
        try (AtomicOutput out = AtomicOutput.begin(target.toAbsolutePath().toUri().toString(), new Configuration(), true)) {
            Path tmp = Files.createDirectories(Path.of(out.tmp().toUri()));
            writer.fill(tmp);
            out.commit();
        }
    }

    /**
     * Removes what killed runs left at {@code target}; when {@code target} is missing because a replace was killed
     * between its two renames, moves the previous one back. Call before any "already exists" check.
     */
    static void restoreInterrupted(Path target) throws IOException {
        org.apache.hadoop.fs.Path t = new org.apache.hadoop.fs.Path(target.toAbsolutePath().toUri());
        OutputLease.sweep(t.getFileSystem(new Configuration()), t, System.err::println);
    }

    static void writeAtomically(Path target, String text) throws IOException {
        writeAtomically(target, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    static void writeAtomically(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                writer.write(o);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
