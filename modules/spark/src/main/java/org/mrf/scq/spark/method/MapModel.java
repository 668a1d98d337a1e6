package org.mrf.scq.spark.method;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceBlock;

import java.io.Serializable;

/**
 * A fitted {@link MapMethod} (a Model, after Spark MLlib): maps the slices of a slices dataset to T1/T2 maps on the
 * executors. Implementations are serialisable and small (what they need on the executors travels by broadcast or by
 * path), and save themselves to a directory that their class's static {@code load} reads back.
 */
public interface MapModel extends Serializable {
    /** {@link MapsStore#SCHEMA} plus {@value #SECONDS}: the executor time the model spent on the slice. */
    StructType SCHEMA = MapsStore.SCHEMA.add(DataTypes.createStructField(MapModel.SECONDS, DataTypes.DoubleType, false));
    String SECONDS = "seconds";

    /** The method name the maps carry. */
    String method();

    /** The time points the model reads: the first {@code timepoints()} of every slice; slices with fewer are refused. */
    int timepoints();

    /** The acceleration rate the maps are stored under (full T / {@link #timepoints()}). */
    int ar();

    /**
     * One row of {@link #SCHEMA} per slice of {@code slices} (blocks as {@link org.mrf.scq.spark.store.SliceStore#blocks} reads
     * them, with at least {@link #timepoints()} time points). Lazy, like every Spark transformation.
     */
    Dataset<Row> transform(Dataset<SliceBlock> slices);

    /** Writes the model to {@code path} (any Hadoop path) so that its class's {@code load(path, ...)} restores it. */
    void save(String path);
}
