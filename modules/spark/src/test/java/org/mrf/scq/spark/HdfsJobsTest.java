package org.mrf.scq.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.dictionary.Dictionary;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.io.cohort.SliceEntry;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.dictionary.DictionaryJob;
import org.mrf.scq.spark.groundtruth.GroundTruthJob;
import org.mrf.scq.spark.hadoop.AtomicOutput;
import org.mrf.scq.spark.hadoop.JsonFiles;
import org.mrf.scq.spark.ingest.IngestJob;
import org.mrf.scq.spark.store.DictionaryStore;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.SliceStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dictionary, ingest and ground-truth jobs against a real HDFS (an in-process MiniDFSCluster
 * with one data node): every input and output is an hdfs:// path, the outputs read back to the
 * expected arrays, and the write-then-rename leaves no temporary paths behind.
 */
class HdfsJobsTest {
    static final FispSequence SEQ = Schedules.paperDefault(2.0, 18.0).truncate(48);
    static final DictionaryJob.GridSpec GRID = new DictionaryJob.GridSpec(List.of("100:1500:100", "2000:4000:1000"),
            List.of("10:100:10", "200:500:150"), true);

    @Test
    void dictionaryIngestAndGroundTruthOnHdfs(@TempDir Path tmp) throws Exception {
        Path cohort = tmp.resolve("cohort");
        new CohortSimulator(SEQ, CohortSimulator.Options.defaults(2, 2, 21).withMatrix(32)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)),
                ExportWriters.forName("npy")).run(cohort);

        MiniDFSCluster cluster = SparkTestFixtures.miniHdfs(tmp, new Configuration());
        SparkSession spark = null;
        try {
            FileSystem fs = cluster.getFileSystem();
            String root = fs.getUri() + "/mrf";
            assertTrue(root.startsWith("hdfs://"), root);
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(cohort.toUri()), new org.apache.hadoop.fs.Path(root + "/cohort"));

            spark = SparkTestFixtures.hdfsSession("hdfs-test", "WARN");
            String dict = root + "/out/dict", slices = root + "/out/slices", gt = root + "/out/gt";

            DictionaryJob.Result dr = DictionaryJob.run(spark, SEQ, GRID, 1e-5, dict, false, 3);
            assertTrue(dr.path().startsWith("hdfs://"), dr.path());
            Dictionary expected = Dictionary.simulate(SEQ, GRID.build("test"), 1e-5);
            Dictionary back = DictionaryStore.load(spark, dict, 0);
            SparkTestFixtures.assertSameDictionary(expected, back);
            assertEquals(SEQ.hash(), DictionaryStore.schedule(dict, spark.sparkContext().hadoopConfiguration()).hash());
            // Replacing it goes through AtomicOutput's move-aside on HDFS as well.
            DictionaryJob.run(spark, SEQ, GRID, 1e-5, dict, true, 2);
            assertArrayEquals(expected.re(), DictionaryStore.load(spark, dict, 0).re());

            IngestJob.Result ir = IngestJob.run(spark, root + "/cohort", slices);
            assertEquals(4, ir.slices());
            CohortReader local = CohortReader.local(cohort);
            Map<String, MrfSlice> want = new HashMap<>();
            for (SliceEntry e : local.allSlices()) {
                MrfSlice s = local.read(e);
                want.put(s.key(), s);
            }
            List<MrfSlice> got = SliceStore.slices(spark, slices, 0).collect();
            assertEquals(4, got.size());
            for (MrfSlice s : got) {
                MrfSlice w = want.get(s.key());
                assertNotNull(w, s.key());
                assertArrayEquals(w.re(), s.re(), s.key());
                assertArrayEquals(w.im(), s.im(), s.key());
                assertArrayEquals(w.mask(), s.mask(), s.key());
                assertArrayEquals(w.t1Ms(), s.t1Ms(), s.key());
            }

            GroundTruthJob.Result gr = GroundTruthJob.run(spark, slices, dict, gt, List.of(1, 4), false);
            assertEquals(4, gr.slices());
            List<MapsStore.SliceMaps> maps = MapsStore.read(spark, gt + "/maps");
            assertEquals(8, maps.size());
            for (MapsStore.SliceMaps m : maps) {
                assertEquals(32 * 32, m.t1Ms().length);
                assertTrue(Arrays.stream(toDoubles(m.t1Ms())).anyMatch(v -> v > 0), m.key());
            }
            JsonNode summary = new ObjectMapper().readTree(JsonFiles.readText(fs, new org.apache.hadoop.fs.Path(gt, "summary.json")));
            assertEquals(48, summary.get("timepoints").asInt());
            assertTrue(summary.at("/dm/ar1/t1_err_pct").isNumber(), summary.toString());
            assertEquals(slices, summary.get("slices").asText());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(gt + "/images/sub-000/slice-000/dm_ar4_t1.png")));
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(gt + "/images/sub-001/slice-001/dm_ar1_t2_ms.nii")));

            // Appending a second cohort moves its subject directories into the existing dataset, one rename each.
            Path second = tmp.resolve("second");
            new CohortSimulator(SEQ, CohortSimulator.Options.defaults(2, 2, 22).withMatrix(32)
                    .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)),
                    ExportWriters.forName("npy")).run(second);
            SparkTestFixtures.renameSubjects(second, List.of("sub-000", "sub-001"), "sub-", "new-");
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(second.toUri()), new org.apache.hadoop.fs.Path(root + "/second"));
            assertEquals(4, IngestJob.run(spark, root + "/second", slices).slices());
            assertEquals(8, SliceStore.slices(spark, slices, 0).count());

            // Nothing but the three outputs, and no temporary or moved-aside paths anywhere inside them.
            List<String> top = new ArrayList<>();
            for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(root + "/out"))) top.add(st.getPath().getName());
            top.sort(null);
            assertEquals(List.of("dict", "gt", "slices"), top);
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(root + "/out"), true);
            int files = 0;
            while (it.hasNext()) {
                String p = it.next().getPath().toUri().getPath();
                files++;
                assertFalse(p.contains("/.") || p.contains("_temporary") || p.contains(".tmp-") || p.contains(".old-")
                        || p.contains(".ingest-"), "temporary path left: " + p);
            }
            assertTrue(files > 10, "outputs hold files: " + files);
        } finally {
            if (spark != null) spark.stop();
            cluster.shutdown(true);
        }
    }

    static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
