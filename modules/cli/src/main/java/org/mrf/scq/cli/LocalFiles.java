package org.mrf.scq.cli;

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
     * Fills a hidden sibling directory, then moves it to {@code target} (replacing what was there
     * only once the new content is complete); the temporary directory never survives a failure.
     */
    static void replaceDirectory(Path target, DirectoryWriter writer) throws Exception {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp");
        try {
            writer.fill(tmp);
            if (Files.exists(abs)) org.apache.commons.io.FileUtils.deleteDirectory(abs.toFile());
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) org.apache.commons.io.FileUtils.deleteDirectory(tmp.toFile());
        }
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
