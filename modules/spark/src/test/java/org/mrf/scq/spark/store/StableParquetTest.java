package org.mrf.scq.spark.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A slice's maps written by {@link MapsStore#writeSliceParquet} have the same bytes whatever order parquet-mr's
 * encoding sets iterate in (it differs between JVMs, see {@link StableParquet}), and read back exactly.
 */
class StableParquetTest {
    @TempDir
    Path dir;

    private static MapsStore.SliceMaps maps() {
        int h = 12, w = 10;
        float[] t1 = new float[h * w], t2 = new float[h * w];
        Random r = new Random(3);
        for (int i = 0; i < t1.length; i++) {
            t1[i] = 3000 * r.nextFloat();
            t2[i] = i % 9 == 0 ? Float.NaN : 300 * r.nextFloat();
        }
        return new MapsStore.SliceMaps("sub-001", 2, "scq", 4, h, w, t1, t2, null);
    }

    private static FileMetaData footer(byte[] file) throws Exception {
        int len = ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return Util.readFileMetaData(new ByteArrayInputStream(file, file.length - 8 - len, len));
    }

    @Test
    void theBytesDoNotDependOnTheOrderOfTheEncodingSets() throws Exception {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("part.parquet").toUri());
        MapsStore.SliceMaps m = maps();
        MapsStore.writeSliceParquet(new Configuration(), p, m);
        byte[] written = Files.readAllBytes(dir.resolve("part.parquet"));

        int multi = 0;
        for (RowGroup rg : footer(written).getRow_groups()) {
            for (ColumnChunk c : rg.getColumns()) {
                List<Encoding> e = c.getMeta_data().getEncodings();
                List<Encoding> sorted = new ArrayList<>(e);
                sorted.sort(Comparator.comparingInt(Encoding::getValue));
                assertEquals(sorted, e, "encodings in ascending order");
                if (e.size() > 1) multi++;
            }
        }
        assertTrue(multi > 0, "some column chunk lists several encodings, so their order matters");
        byte[] other = StableParquet.withEncodings(written, Comparator.comparingInt(Encoding::getValue).reversed());
        assertFalse(Arrays.equals(written, other), "the reversed footer differs");
        assertArrayEquals(written, StableParquet.canonical(other));

        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), p).build()) {
            Group g = r.read();
            assertEquals("sub-001", g.getString("subject", 0));
            assertEquals(2, g.getInteger("slice", 0));
            for (int i = 0; i < m.t2Ms().length; i++) {
                assertEquals(Float.floatToIntBits(m.t1Ms()[i]), Float.floatToIntBits(g.getGroup("t1_ms", 0).getGroup("list", i).getFloat("element", 0)));
                assertEquals(Float.floatToIntBits(m.t2Ms()[i]), Float.floatToIntBits(g.getGroup("t2_ms", 0).getGroup("list", i).getFloat("element", 0)));
            }
            assertNull(r.read(), "one row");
        }
    }
}
