package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.store.MapsStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Subject ids and method names from datasets become directory and file names under an output root; a dataset
 * written by hand (not through the validating ingest) must not be able to put files outside that root.
 */
class OutputRootTest {
    static final float[] MAP = {1000f, 900f, 800f, 700f};

    private static long filesUnder(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void mapImagesRefuseSubjectIdsAndMethodsThatWouldLeaveTheOutputRoot(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("out/root"));
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(root.toUri());
        for (String subject : List.of("../../escaped", "/tmp/abs", "..", "a/b")) {
            MapsStore.SliceMaps m = new MapsStore.SliceMaps(subject, 0, "dm", 1, 2, 2, MAP, MAP, null);
            MrfInputException e = assertThrows(MrfInputException.class, () -> MapsStore.writeImages(fs, out, m, null, null, null));
            assertTrue(e.getMessage().contains("subject id '" + subject + "' is not allowed"), e.getMessage());
        }
        MapsStore.SliceMaps badMethod = new MapsStore.SliceMaps("s1", 0, "../../../x", 1, 2, 2, MAP, MAP, null);
        MrfInputException e = assertThrows(MrfInputException.class, () -> MapsStore.writeImages(fs, out, badMethod, null, null, null));
        assertTrue(e.getMessage().contains("method name '../../../x' is not allowed"), e.getMessage());
        assertEquals(0, filesUnder(dir), "nothing was written anywhere");

        MapsStore.writeImages(fs, out, new MapsStore.SliceMaps("s1", 0, "dm", 1, 2, 2, MAP, MAP, null), null, null, null);
        assertTrue(Files.isRegularFile(root.resolve("s1/slice-000/dm_ar1_t1_ms.nii")));
        assertEquals(filesUnder(root), filesUnder(dir), "a valid subject writes only under the root");
    }

    @Test
    void aMapsDatasetWithAPathAsSubjectIdIsRefusedOnRead(@TempDir Path dir) {
        SparkSession spark = SparkSessions.create("output-root-test", "local[1]", "ERROR", Map.of());
        try {
            Path maps = dir.resolve("maps");
            spark.createDataFrame(List.of(RowFactory.create("../../etc", 0, "dm", 1, 2, 2, MAP, MAP, null)), MapsStore.SCHEMA)
                    .write().parquet(maps.toString());
            MrfInputException e = assertThrows(MrfInputException.class, () -> MapsStore.read(spark, maps.toString()));
            assertTrue(e.getMessage().contains(maps.toString()) && e.getMessage().contains("subject id '../../etc' is not allowed"),
                    e.getMessage());
        } finally {
            spark.stop();
        }
    }
}
