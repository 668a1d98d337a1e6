package org.mrf.scq.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.spark.hadoop.SparkSessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** What several Spark job tests set up the same way: an in-process HDFS, its Spark session, cohorts, dictionaries. */
public final class SparkTestFixtures {
    /**
     * A client closing a file polls the name node for completion, first after 400 ms by default; the ground-truth job
     * writes ~40 small NIfTI/PNG files, so the fixtures poll sooner.
     */
    static final String CLOSE_POLL_KEY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";

    private SparkTestFixtures() {
    }

    /**
     * A one-data-node HDFS under {@code tmp}, configured through {@code conf} (FileSystem instances are cached per URI
     * and user, so this conf, not Spark's, may be the one the jobs' clients use). Callers shut it down.
     */
    static MiniDFSCluster miniHdfs(Path tmp, Configuration conf) throws Exception {
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("minidfs").toString());
        conf.setInt("dfs.replication", 1);
        conf.setInt(CLOSE_POLL_KEY, 20);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return cluster;
    }

    /** A local[2] session whose HDFS clients use the settings of {@link #miniHdfs}. */
    static SparkSession hdfsSession(String name, String logLevel) {
        return SparkSessions.create(name, "local[2]", logLevel, Map.of("spark.hadoop.dfs.replication", "1",
                "spark.hadoop." + CLOSE_POLL_KEY, "20"));
    }

    /** Renames the subjects {@code ids} of a cohort folder from prefix {@code from} to {@code to}, manifests included. */
    public static void renameSubjects(Path cohort, List<String> ids, String from, String to) throws Exception {
        for (String id : ids) {
            String nid = id.replace(from, to);
            Files.move(cohort.resolve(id), cohort.resolve(nid));
            Path sj = cohort.resolve(nid).resolve("subject.json");
            Files.writeString(sj, Files.readString(sj).replace("\"" + id + "\"", "\"" + nid + "\""));
        }
        Path cj = cohort.resolve("cohort.json");
        Files.writeString(cj, Files.readString(cj).replace("\"" + from, "\"" + to));
    }

    /** Grid and series equal to the last bit. */
    public static void assertSameDictionary(Dictionary expected, Dictionary actual) {
        assertArrayEquals(expected.t1Values(), actual.t1Values());
        assertArrayEquals(expected.t2Values(), actual.t2Values());
        assertArrayEquals(expected.re(), actual.re());
        assertArrayEquals(expected.im(), actual.im());
    }
}
