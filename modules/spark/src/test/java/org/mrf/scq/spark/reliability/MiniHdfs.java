package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.nio.file.Path;

/** A real HDFS in this JVM for tests: one name node and one data node under {@code dir}, replication 1. */
public final class MiniHdfs {
    private MiniHdfs() {
    }

    /** Started and active; {@link MiniDFSCluster#shutdown(boolean) shut it down} (deleting its files) when done. */
    public static MiniDFSCluster start(Path dir) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.toString());
        conf.setInt("dfs.replication", 1);
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            hdfs.waitActive();
        } catch (IOException | RuntimeException e) {
            hdfs.shutdown(true);
            throw e;
        }
        return hdfs;
    }
}
