package org.mrf.scq.io.cohort;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A {@link FileSource} over a folder of the default (java.nio) file system. Serializable: holds the root as a string. */
public final class LocalFileSource implements FileSource, java.io.Serializable {
    private final String root;

    public LocalFileSource(Path root) {
        this.root = root.toAbsolutePath().normalize().toString();
    }

    private Path resolve(String relPath) {
        return Path.of(root).resolve(relPath);
    }

    @Override
    public InputStream open(String relPath) throws IOException {
        return new BufferedInputStream(Files.newInputStream(resolve(relPath)), 1 << 16);
    }

    @Override
    public boolean exists(String relPath) {
        return Files.isRegularFile(resolve(relPath));
    }

    @Override
    public String describe(String relPath) {
        return resolve(relPath).toString();
    }

    @Override
    public String toString() {
        return "LocalFileSource[" + root + "]";
    }
}
