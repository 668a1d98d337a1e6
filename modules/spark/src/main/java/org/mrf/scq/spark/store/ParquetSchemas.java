package org.mrf.scq.spark.store;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mrf.scq.core.util.MrfInputException;

import java.util.Arrays;
import java.util.Set;

/**
 * Refuses a Parquet dataset whose columns are not those a store writes, before any row is decoded: otherwise a
 * missing or retyped column surfaces as a ClassCastException or an analysis error deep inside a job.
 */
public final class ParquetSchemas {
    private ParquetSchemas() {
    }

    /**
     * @param what      e.g. "dictionary", "slices dataset", for the message
     * @param untyped   columns whose type is not checked (Hive partition columns: Spark infers their type from the
     *                  directory names, so subject ids like 001 read back as integers)
     * @param fix       what to do, e.g. "Rebuild it with 'mrf dictionary --overwrite'."
     */
    static void require(String what, String path, StructType actual, StructType expected, Set<String> untyped, String fix) {
        for (StructField f : expected.fields()) {
            if (!Arrays.asList(actual.fieldNames()).contains(f.name())) {
                throw new MrfInputException(what + " " + path + ": column '" + f.name() + "' is missing (has "
                        + Arrays.toString(actual.fieldNames()) + "). " + fix);
            }
            DataType got = actual.apply(f.name()).dataType();
            if (!untyped.contains(f.name()) && !sameIgnoringNulls(got, f.dataType())) {
                throw new MrfInputException(what + " " + path + ": column '" + f.name() + "' is " + got.simpleString()
                        + ", but must be " + f.dataType().simpleString() + ". " + fix);
            }
        }
    }

    private static boolean sameIgnoringNulls(DataType a, DataType b) {
        if (a instanceof ArrayType x && b instanceof ArrayType y) return sameIgnoringNulls(x.elementType(), y.elementType());
        return a.equals(b);
    }
}
