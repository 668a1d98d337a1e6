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
     * Fills a hidden sibling directory, then moves it to {@code target}. A previous {@code target} is first renamed
     * aside ({@code .<name>.old-*}) and deleted only after the new one is in place: deleting it first would leave a
     * half-deleted directory at the final path if the process is killed meanwhile (a cohort takes seconds to delete).
     * A kill between the two renames leaves the previous directory under its .old name; {@link #restoreInterrupted}
     * (called here and before any "already exists" check) moves it back.
     */
    static void replaceDirectory(Path target, DirectoryWriter writer) throws Exception {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        restoreInterrupted(abs);
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp");
        try {
            writer.fill(tmp);
            Path old = null;
            if (Files.exists(abs)) {
                old = abs.resolveSibling("." + abs.getFileName() + ".old-" + java.util.UUID.randomUUID());
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (old != null) Files.move(old, abs, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            if (old != null) org.apache.commons.io.FileUtils.deleteDirectory(old.toFile());
        } finally {
            if (Files.exists(tmp)) org.apache.commons.io.FileUtils.deleteDirectory(tmp.toFile());
        }
    }

    /** When {@code target} is missing but a replace was killed between its two renames, moves the previous one back. */
    static void restoreInterrupted(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        if (Files.exists(abs) || parent == null || !Files.isDirectory(parent)) return;
        String prefix = "." + abs.getFileName() + ".old-";
        Path newest = null;
        try (var s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                if (newest == null || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(newest)) > 0) newest = p;
            }
        }
        if (newest != null) Files.move(newest, abs, StandardCopyOption.ATOMIC_MOVE);
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
