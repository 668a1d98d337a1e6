package org.mrf.scq.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.hadoop.ContentHashes;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.infer.InferenceJob;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.reprocess.ReprocessJob;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Inference and reprocessing against a real HDFS (MiniDFSCluster, one data node): cohort, model set,
 * slices, maps and the reprocess state all on hdfs:// paths. Checks the maps against the model's
 * own predictions, the idempotence of both jobs, the lock's atomic create on HDFS, and that no
 * temporary or staging paths are left.
 */
class HdfsReprocessTest {
    @Test
    void inferenceAndReprocessOnHdfs(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path cohort = tmp.resolve("cohort");
        new CohortSimulator(TaskFailureTest.SEQ, CohortSimulator.Options.defaults(3, 1, 41).withMatrix(16)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)),
                ExportWriters.forName("npy")).run(cohort);
        java.nio.file.Path staging = tmp.resolve("model-staging");
        for (Property p : Property.values()) {
            new ScqTrainer(p, new NetConfig(48, Variant.FE_ONLY, new int[]{8, 4}, new int[]{8, 16}, 32, 1, 0.9, 1L),
                    new TrainConfig(1, 0, 256, 0, 16, 8, false, 8, 5e-3, 0.5, 0.999, 0.5, 1L), TaskFailureTest.SEQ.hash(),
                    2304.0 / 48, null, new PrintStream(PrintStream.nullOutputStream()))
                    .train(new SyntheticSlices(TaskFailureTest.SEQ).slices("train", 1, 16, 16, 6, 0.0, 1L), List.of())
                    .save(staging.resolve(ModelSet.dirName(p)));
        }

        Configuration conf = new Configuration();
        MiniDFSCluster cluster = SparkTestFixtures.miniHdfs(tmp, conf);
        SparkSession spark = null;
        try {
            FileSystem fs = cluster.getFileSystem();
            String root = fs.getUri() + "/mrf";
            fs.copyFromLocalFile(false, true, new Path(cohort.toUri()), new Path(root + "/cohort"));
            String hcohort = root + "/cohort";
            listSubjects(fs, new Path(hcohort, "cohort.json"), "sub-000", "sub-001");
            SparkSession session = SparkTestFixtures.hdfsSession("hdfs-reprocess-test", "ERROR");
            spark = session;
            String model = root + "/models/a";
            ModelSet.Info published = ModelSet.publish(staging, model, conf, false, Map.of());
            assertTrue(published.path().startsWith("hdfs://"), published.path());

            // mrf infer on HDFS: slices, model and output there; a re-run skips every finished slice.
            String slices = root + "/slices", infer = root + "/infer";
            assertEquals(2, IngestJob.run(spark, hcohort, slices).slices());
            InferenceJob.Result ir = InferenceJob.run(spark, slices, model, infer);
            assertEquals(2, ir.written());
            assertEquals(0, InferenceJob.run(spark, slices, model, infer).written());
            assertPredictions(spark, slices, infer + "/maps", model, 2);

            // mrf reprocess on HDFS.
            String out = root + "/reprocess";
            ReprocessJob.Result first = ReprocessJob.run(spark, hcohort, model, out, new ReprocessJob.Options(false), quiet());
            assertEquals(List.of("sub-000", "sub-001"), first.added());
            assertTrue(first.out().startsWith("hdfs://"), first.out());
            assertPredictions(spark, out + "/slices", out + "/maps", model, 2);
            assertTrue(ReprocessJob.run(spark, hcohort, model, out, new ReprocessJob.Options(false), quiet()).nothingToDo());

            listSubjects(fs, new Path(hcohort, "cohort.json"), "sub-000", "sub-001", "sub-002");
            ReprocessJob.Result add = ReprocessJob.run(spark, hcohort, model, out, new ReprocessJob.Options(false), quiet());
            assertEquals(List.of("sub-002"), add.added());
            assertEquals(1, add.slicesIngested());
            assertPredictions(spark, out + "/slices", out + "/maps", model, 3);
            assertTrue(fs.exists(new Path(out + "/images/sub-002/slice-000")));

            // HDFS's create(overwrite=false) is the lock: a second run is refused while the file exists.
            Path lock = new Path(out + "/" + ReprocessJob.STATE_DIR + "/" + ReprocessJob.LOCK);
            try (var o = fs.create(lock, false)) {
                o.write("{\"host\":\"other-node\"}\n".getBytes(StandardCharsets.UTF_8));
            }
            MrfInputException busy = assertThrows(MrfInputException.class,
                    () -> ReprocessJob.run(session, hcohort, model, out, new ReprocessJob.Options(false), quiet()));
            assertTrue(busy.getMessage().contains(lock.toUri().getPath()) && busy.getMessage().contains("other-node"), busy.getMessage());
            fs.delete(lock, false);

            List<JsonNode> log = ReprocessJob.runLog(fs, new Path(out));
            assertEquals(List.of("ok", "ok", "ok"), log.stream().map(r -> r.get("outcome").asText()).toList());
            assertEquals(ContentHashes.ofTree(model, conf, "model"), log.get(2).get("model_hash").asText());
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(new Path(root), true);
            while (it.hasNext()) {
                String p = it.next().getPath().toUri().getPath();
                assertFalse(p.contains("/.") || p.contains("_temporary") || p.contains(".tmp-") || p.contains(".reprocess-"),
                        "temporary path left: " + p);
            }
        } finally {
            if (spark != null) spark.stop();
            cluster.shutdown(true);
        }
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    static void listSubjects(FileSystem fs, Path cohortJson, String... ids) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = (ObjectNode) json.readTree(JsonFiles.readText(fs, cohortJson));
        var a = n.putArray("subjects");
        for (String id : ids) a.add(id);
        JsonFiles.writeText(fs, cohortJson, json.writeValueAsString(n));
    }

    static void assertPredictions(SparkSession spark, String slices, String maps, String model, int n) {
        // DL4J restores from local files: cached() copies a set on HDFS to a local directory first.
        ModelSet set = ModelSet.cached(model, ModelSet.inspect(model, spark.sparkContext().hadoopConfiguration()).fingerprint());
        Map<String, MrfSlice> byKey = new HashMap<>();
        for (MrfSlice s : SliceStore.slices(spark, slices, 0).collect()) byKey.put(s.key(), s);
        List<MapsStore.SliceMaps> got = MapsStore.read(spark, maps);
        assertEquals(n, got.size());
        for (MapsStore.SliceMaps m : got) {
            float[][] want = set.predictMs(byKey.get(m.key()));
            assertArrayEquals(want[0], m.t1Ms(), 1e-3f, m.key());
            assertArrayEquals(want[1], m.t2Ms(), 1e-3f, m.key());
        }
    }
}
