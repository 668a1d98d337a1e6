package org.mrf.scq.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * The one place a SparkSession is made: embedded {@code local[*]} by default, a cluster master when
 * given (spark-submit sets spark.master itself, which then wins), quiet logs unless asked.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(String appName, String master, String logLevel, Map<String, String> extra) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) conf.setMaster(master == null || master.isBlank() ? "local[*]" : master);
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.sql.shuffle.partitions", "8");
        if (conf.get("spark.master").startsWith("local")) {
            // Embedded runs must not depend on the host's network name resolving.
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
        }
        conf.setIfMissing("spark.sql.parquet.compression.codec", "snappy");
        // Slice blocks are ~16 MB rows; Parquet's writer first checks its buffer after 100 rows
        // (1.6 GB here), so ask it to check from the second row on.
        conf.setIfMissing("spark.hadoop.parquet.block.size.row.check.min", "2");
        conf.setIfMissing("spark.hadoop.parquet.page.size.row.check.min", "2");
        extra.forEach(conf::set);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel(logLevel == null ? "WARN" : logLevel);
        return spark;
    }
}
