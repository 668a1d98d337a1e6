package org.mrf.scq.spark.method;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.spark.store.SliceBlock;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A model that maps each pixel on its own (DM, SDM, a per-pixel network): it works on the stored blocks of a slice
 * as they come, without putting the slice together first, and the maps of the blocks are joined per slice.
 */
public abstract class BlockMapModel extends MapModelBase {
    protected BlockMapModel(String method, int t, int ar) {
        super(method, t, ar);
    }

    /** {t1 ms, t2 ms, pd or null} for the block's rows x width pixels, from its first {@link #timepoints()} time points. */
    protected abstract float[][] mapBlock(SliceBlock b);

    record BlockMaps(String subject, int slice, int y0, int rows, int height, int width, float[][] maps, double seconds)
            implements Serializable {
    }

    @Override
    public Dataset<Row> transform(Dataset<SliceBlock> slices) {
        JavaRDD<Row> rows = slices.javaRDD().map(b -> {
            requireTimepoints(b.getSubject(), b.getSlice(), b.getT(), this);
            long a = System.nanoTime();
            float[][] maps = mapBlock(b);
            return new BlockMaps(b.getSubject(), b.getSlice(), b.getY0(), b.getRows(), b.getHeight(), b.getWidth(), maps,
                    (System.nanoTime() - a) / 1e9);
        }).mapToPair(m -> new Tuple2<>(m.subject() + "/" + m.slice(), m)).groupByKey().map(g -> join(g._2(), method(), ar()));
        return SparkSession.active().createDataFrame(rows, SCHEMA);
    }

    /** A slice's maps from its blocks' maps; seconds add up. */
    static Row join(Iterable<BlockMaps> blocks, String method, int ar) {
        List<BlockMaps> l = new ArrayList<>();
        blocks.forEach(l::add);
        BlockMaps f = l.get(0);
        int px = f.height() * f.width();
        float[][] maps = new float[3][];
        double seconds = 0;
        for (BlockMaps b : l) {
            for (int k = 0; k < 3; k++) {
                if (b.maps()[k] == null) continue;
                if (maps[k] == null) maps[k] = new float[px];
                System.arraycopy(b.maps()[k], 0, maps[k], b.y0() * b.width(), b.maps()[k].length);
            }
            seconds += b.seconds();
        }
        return RowFactory.create(f.subject(), f.slice(), method, ar, f.height(), f.width(), maps[0], maps[1], maps[2], seconds);
    }

    /** Refuses a slice with fewer time points than the model reads, naming the slice and the model. */
    static void requireTimepoints(String subject, int slice, int t, MapModel m) {
        if (t < m.timepoints()) {
            throw new MrfInputException("slices dataset: subject " + subject + " slice " + slice + " has T=" + t + " time points, but "
                    + m.method() + " at ar " + m.ar() + " reads the first " + m.timepoints() + ". Use slices of the full schedule "
                    + "(or a dictionary / model of the slices' schedule).");
        }
    }
}
