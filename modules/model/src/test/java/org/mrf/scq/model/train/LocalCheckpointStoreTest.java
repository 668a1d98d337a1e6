package org.mrf.scq.model.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LocalCheckpointStoreTest {
    @Test
    void aWriteThatFailsHalfWayLeavesThePreviousFileWholeAndListsNothingNew(@TempDir Path dir) throws IOException {
        CheckpointStore store = CheckpointStore.local(dir.resolve("ckpt"));
        assertEquals(List.of(), store.list(), "a store that does not exist yet is empty");
        store.write("a.zip", out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
        IOException failure = assertThrows(IOException.class, () -> store.write("a.zip", out -> {
            out.write("half of the sec".getBytes(StandardCharsets.UTF_8));
            throw new IOException("writer killed");
        }));
        assertEquals("writer killed", failure.getMessage());
        assertThrows(IOException.class, () -> store.write("b.zip", out -> {
            out.write(1);
            throw new IOException("writer killed");
        }));
        assertEquals(List.of("a.zip"), store.list(), "only complete files are listed");
        assertEquals("first", read(store, "a.zip"));
        assertFalse(store.exists("b.zip"));

        store.write("a.zip", out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second", read(store, "a.zip"));
        CheckpointStore stats = store.folder("stats");
        stats.write("x.txt", out -> out.write('x'));
        assertEquals(List.of("a.zip"), store.list(), "a sub-folder is not a file of the store");
        assertEquals(List.of("x.txt"), stats.list());
        store.delete("a.zip");
        store.delete("a.zip");
        assertEquals(List.of(), store.list());
    }

    private static String read(CheckpointStore store, String name) throws IOException {
        try (InputStream in = store.open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
