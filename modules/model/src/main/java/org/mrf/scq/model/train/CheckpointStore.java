package org.mrf.scq.model.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@link ScqTrainer} keeps its checkpoints and training history: a flat folder of named files. A file is
 * written atomically (a reader, or a resume after the writer was killed, sees the previous file or the whole new
 * one, never a part), so the latest checkpoint a resume finds is always complete.
 * <p>
 * {@link #local} keeps them in a folder of this machine; the Spark module has one for any Hadoop path (HDFS, S3A ...),
 * so that a run survives the loss of the driver's machine.
 */
public interface CheckpointStore extends AutoCloseable {
    /** Writes a file's content to a stream. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The names of the files in the store (none when it does not exist yet); temporary files are not listed. */
    List<String> list() throws IOException;

    /** Writes (or replaces) {@code name} atomically. */
    void write(String name, Content content) throws IOException;

    /** Reads {@code name}; {@link java.io.FileNotFoundException} or {@link java.nio.file.NoSuchFileException} when it is missing. */
    InputStream open(String name) throws IOException;

    boolean exists(String name) throws IOException;

    /** Deletes {@code name} when it exists. */
    void delete(String name) throws IOException;

    /** The store of the sub-folder {@code name} (e.g. per-epoch statistics), written as atomically as this one. */
    CheckpointStore folder(String name) throws IOException;

    /** Where the files are, for messages. */
    String location();

    /** Releases what the store holds while a run writes to it (nothing for a local folder). */
    @Override
    default void close() throws IOException {
    }

    /** A folder of this machine. */
    static CheckpointStore local(Path dir) {
        return new LocalCheckpointStore(dir);
    }
}
