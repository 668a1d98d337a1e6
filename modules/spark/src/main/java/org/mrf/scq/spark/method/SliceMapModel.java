package org.mrf.scq.spark.method;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.spark.store.SliceBlock;
import org.mrf.scq.spark.store.SliceStore;
import scala.Tuple2;

/**
 * A model that needs a whole slice at once (SCQ's U-Net sees pixel neighbourhoods): each slice's blocks are put
 * together on an executor and mapped there.
 */
public abstract class SliceMapModel extends MapModelBase {
    protected SliceMapModel(String method, int t, int ar) {
        super(method, t, ar);
    }

    /** {t1 ms, t2 ms, pd or null} of the slice; it may hold more than {@link #timepoints()} time points. */
    public abstract float[][] mapSlice(MrfSlice s);

    @Override
    public Dataset<Row> transform(Dataset<SliceBlock> slices) {
        JavaRDD<Row> rows = slices.javaRDD().mapToPair(b -> new Tuple2<>(b.sliceKey(), b)).groupByKey().map(g -> {
            MrfSlice s = SliceStore.assemble(g._2());
            BlockMapModel.requireTimepoints(s.subject(), s.slice(), s.timepoints(), this);
            long a = System.nanoTime();
            float[][] maps = mapSlice(s);
            double seconds = (System.nanoTime() - a) / 1e9;
            return RowFactory.create(s.subject(), s.slice(), method(), ar(), s.height(), s.width(), maps[0], maps[1],
                    maps.length > 2 ? maps[2] : null, seconds);
        });
        return SparkSession.active().createDataFrame(rows, SCHEMA);
    }
}
