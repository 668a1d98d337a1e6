package org.mrf.scq.model.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link CheckpointStore} in a folder of the local file system: each file is written as {@code .NAME.tmp} and then
 * renamed over {@code NAME} (an atomic rename within one folder). A killed writer leaves at most that one hidden
 * file per name, which the next write of the name replaces and {@link #list} never shows.
 */
final class LocalCheckpointStore implements CheckpointStore {
    private final Path dir;

    LocalCheckpointStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public List<String> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Override
    public void write(String name, Content content) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + name + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            content.writeTo(out);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(dir.resolve(name));
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(dir.resolve(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }

    @Override
    public CheckpointStore folder(String name) {
        return new LocalCheckpointStore(dir.resolve(name));
    }

    @Override
    public String location() {
        return dir.toString();
    }
}
