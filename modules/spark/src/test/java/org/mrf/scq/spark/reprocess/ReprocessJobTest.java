package org.mrf.scq.spark.reprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.slice.MrfSlice;
import org.mrf.scq.core.util.MrfInputException;
import org.mrf.scq.io.ArrayFiles;
import org.mrf.scq.io.NdArray;
import org.mrf.scq.io.cohort.CohortReader;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.data.TrainingSlice;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.TaskFailureTest;
import org.mrf.scq.spark.hadoop.ContentHashes;
import org.mrf.scq.spark.hadoop.SparkSessions;
import org.mrf.scq.spark.store.MapsStore;
import org.mrf.scq.spark.store.ModelSet;
import org.mrf.scq.spark.store.SliceStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * mrf reprocess on a real cohort (4 simulated subjects, one 16 x 16 slice each, T = 48), real ingest,
 * real DL4J inference (a tiny FE-only model set and a shifted copy of it), local[2]: only new and changed subjects are
 * processed, nothing is done twice, a new model re-infers everything, a second run is refused while
 * one holds the lock, and a run failing in inference or half-way through its commit leaves the
 * previous outputs and manifest.
 */
class ReprocessJobTest {
    static final FispSequence SEQ = TaskFailureTest.SEQ;
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path shared;
    static SparkSession spark;
    static String modelA, modelB;
    static Path pristine;

    @BeforeAll
    static void setUp() throws Exception {
        long t0 = System.nanoTime();
        pristine = shared.resolve("cohort");
        new CohortSimulator(SEQ, CohortSimulator.Options.defaults(4, 1, 31).withMatrix(16)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)),
                ExportWriters.forName("npy")).run(pristine);
        long t1 = System.nanoTime();
        spark = SparkSessions.create("reprocess-test", "local[2]", "ERROR", Map.of());
        modelA = modelSet("model-a", 1L);
        modelB = shifted("model-a", "model-b");
        System.out.printf("setup: cohort %.1fs, session + models %.1fs%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) spark.stop();
    }

    /** A published T1 + T2 model set: FE-only, one pixel epoch on synthetic slices of the cohort's schedule. */
    static String modelSet(String name, long seed) throws Exception {
        List<TrainingSlice> train = new SyntheticSlices(SEQ).slices("train", 2, 16, 16, 6, 0.0, seed);
        Path staging = shared.resolve(name + "-staging");
        for (Property p : Property.values()) {
            NetConfig net = new NetConfig(SEQ.length(), Variant.FE_ONLY, new int[]{8, 4}, new int[]{8, 16}, 32, 1, 0.9, seed);
            TrainConfig tc = new TrainConfig(1, 0, 256, 0, 16, 8, false, 8, 5e-3, 0.5, 0.999, 0.5, seed);
            ScqModel m = new ScqTrainer(p, net, tc, SEQ.hash(), 2304.0 / SEQ.length(), null,
                    new PrintStream(PrintStream.nullOutputStream())).train(train, List.of());
            m.save(staging.resolve(ModelSet.dirName(p)));
        }
        String target = shared.resolve(name).toString();
        ModelSet.publish(staging, target, new Configuration(), false, Map.of());
        return target;
    }

    /** Another model set: model {@code from}'s networks with every parameter shifted (new content, new maps). */
    static String shifted(String from, String name) throws Exception {
        Path staging = shared.resolve(name + "-staging");
        for (Property p : Property.values()) {
            ScqModel m = ScqModel.load(shared.resolve(from + "-staging").resolve(ModelSet.dirName(p)));
            m.graph().params().addi(0.05);
            m.save(staging.resolve(ModelSet.dirName(p)));
        }
        String target = shared.resolve(name).toString();
        ModelSet.publish(staging, target, new Configuration(), false, Map.of());
        return target;
    }

    /** A copy of the simulated cohort whose cohort.json lists {@code subjects}. */
    static Path cohort(Path dir, String... subjects) throws Exception {
        Path c = dir.resolve("cohort");
        try (var s = Files.walk(pristine)) {
            for (Path p : s.toList()) {
                Path q = c.resolve(pristine.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        list(c, subjects);
        return c;
    }

    static void list(Path cohort, String... subjects) throws Exception {
        Path cj = cohort.resolve("cohort.json");
        ObjectNode n = (ObjectNode) JSON.readTree(cj.toFile());
        ArrayNode a = n.putArray("subjects");
        for (String s : subjects) a.add(s);
        Files.writeString(cj, JSON.writeValueAsString(n));
    }

    /** Halves a subject's series: new content, same shapes. */
    static void modify(Path cohort, String subject) throws Exception {
        String rel = CohortReader.local(cohort).slices(subject).get(0).path("series");
        Path f = cohort.resolve(rel);
        NdArray a = ArrayFiles.read(f);
        float[] re = a.re(), im = a.im();
        for (int i = 0; i < re.length; i++) {
            re[i] *= 0.5f;
            im[i] *= 0.5f;
        }
        ArrayFiles.write(f, NdArray.complex(a.name(), re, im, a.shape()));
    }

    static ReprocessJob.Result run(Path cohort, String model, Path out) {
        return run(cohort, model, out, ReprocessJob.INFERENCE_JOB, false);
    }

    static ReprocessJob.Result run(Path cohort, String model, Path out, ReprocessJob.Inference inf, boolean breakLock) {
        ReprocessJob.Result r = ReprocessJob.run(spark, cohort.toString(), model, out.toString(), inf,
                new ReprocessJob.Options(breakLock), new PrintStream(new ByteArrayOutputStream()));
        System.out.println(r.summary());
        return r;
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** Every file under OUT (but the run log, which every run appends to) with its size and modification time. */
    static Map<String, String> snapshot(Path out) throws Exception {
        Map<String, String> m = new TreeMap<>();
        FileSystem fs = FileSystem.getLocal(new Configuration());
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(out.toUri()), true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            String rel = out.toUri().relativize(st.getPath().toUri()).getPath();
            if (rel.endsWith(ReprocessJob.RUN_LOG) || rel.endsWith(ReprocessJob.RUN_LOG + ".crc")) continue;
            m.put(rel, st.getLen() + "@" + st.getModificationTime());
        }
        return m;
    }

    static Map<String, String> subjectFiles(Map<String, String> snap, String subject) {
        return snap.entrySet().stream().filter(e -> e.getKey().contains("subject=" + subject + "/")
                        || e.getKey().startsWith("images/" + subject + "/"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    static List<JsonNode> runLog(Path out) throws Exception {
        return ReprocessJob.runLog(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(out.toUri()));
    }

    static JsonNode manifest(Path out) throws Exception {
        return JSON.readTree(out.resolve(ReprocessJob.STATE_DIR).resolve(ReprocessJob.MANIFEST).toFile());
    }

    /** The maps under OUT are the model's predictions of the slices under OUT, for exactly {@code subjects}. */
    static void assertMapsAreModelsPredictions(Path out, String model, List<String> subjects) {
        ModelSet set = ModelSet.load(model, spark.sparkContext().hadoopConfiguration());
        Map<String, MrfSlice> slices = new TreeMap<>();
        for (MrfSlice s : SliceStore.slices(spark, out.resolve("slices").toString(), 0).collect()) slices.put(s.key(), s);
        List<MapsStore.SliceMaps> maps = MapsStore.read(spark, out.resolve("maps").toString());
        assertEquals(subjects, maps.stream().map(MapsStore.SliceMaps::subject).sorted().toList());
        assertEquals(subjects, slices.values().stream().map(MrfSlice::subject).sorted().toList());
        for (MapsStore.SliceMaps m : maps) {
            float[][] want = set.predictMs(slices.get(m.key()));
            assertArrayEquals(want[0], m.t1Ms(), 1e-3f, "T1 of " + m.key() + " by " + model);
            assertArrayEquals(want[1], m.t2Ms(), 1e-3f, "T2 of " + m.key() + " by " + model);
            assertTrue(Files.isRegularFile(out.resolve("images").resolve(m.subject()).resolve("slice-000")
                    .resolve(m.method() + "_ar" + m.ar() + "_t1_ms.nii")), "NIfTI map of " + m.key());
        }
    }

    @Test
    void onlyNewAndChangedSubjectsAreProcessedAndANewModelReinfersAll(@TempDir Path dir) throws Exception {
        Path cohort = cohort(dir, "sub-000", "sub-001", "sub-002");
        Path out = dir.resolve("out");

        ReprocessJob.Result first = run(cohort, modelA, out);
        assertEquals(List.of("sub-000", "sub-001", "sub-002"), first.added());
        assertEquals(3, first.slicesIngested());
        assertEquals(3, first.mapsWritten());
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002"));
        JsonNode man = manifest(out);
        assertEquals(3, man.get("subjects").size());
        assertEquals(ContentHashes.ofTree(modelA, new Configuration(), "model"), man.get("model_hash").asText());

        // No change: nothing but a log record.
        Map<String, String> before = snapshot(out);
        ReprocessJob.Result idle = run(cohort, modelA, out);
        assertTrue(idle.nothingToDo(), idle.summary());
        assertTrue(idle.summary().contains("nothing to do"), idle.summary());
        assertEquals(before, snapshot(out));

        // A new subject: only it is ingested and inferred; the others' files are the very same.
        list(cohort, "sub-000", "sub-001", "sub-002", "sub-003");
        ReprocessJob.Result add = run(cohort, modelA, out);
        assertEquals(List.of("sub-003"), add.added());
        assertEquals(List.of(), add.changed());
        assertEquals(3, add.unchanged().size());
        assertEquals(1, add.slicesIngested());
        Map<String, String> afterAdd = snapshot(out);
        for (String s : List.of("sub-000", "sub-001", "sub-002")) {
            assertEquals(subjectFiles(before, s), subjectFiles(afterAdd, s), s + " untouched");
            assertFalse(subjectFiles(before, s).isEmpty());
        }
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002", "sub-003"));

        // One file of one subject changes: that subject's slices and maps are replaced, nothing else.
        modify(cohort, "sub-001");
        ReprocessJob.Result mod = run(cohort, modelA, out);
        assertEquals(List.of(), mod.added());
        assertEquals(List.of("sub-001"), mod.changed());
        Map<String, String> afterMod = snapshot(out);
        for (String s : List.of("sub-000", "sub-002", "sub-003")) assertEquals(subjectFiles(afterAdd, s), subjectFiles(afterMod, s), s);
        assertNotEquals(subjectFiles(afterAdd, "sub-001"), subjectFiles(afterMod, "sub-001"));
        MrfSlice now = SliceStore.slices(spark, out.resolve("slices").toString(), 0).filter(s -> s.subject().equals("sub-001")).first();
        MrfSlice want = CohortReader.local(cohort).read(CohortReader.local(cohort).slices("sub-001").get(0));
        assertArrayEquals(want.re(), now.re(), "the changed series is in the dataset");
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002", "sub-003"));

        // A subject leaves the cohort: reported, kept, nothing to do.
        list(cohort, "sub-000", "sub-001", "sub-003");
        ReprocessJob.Result rem = run(cohort, modelA, out);
        assertTrue(rem.nothingToDo());
        assertEquals(List.of("sub-002"), rem.removed());
        assertEquals(afterMod, snapshot(out));

        // Another model: every subject in the outputs is inferred again (sub-002 too), no slice is re-ingested.
        ReprocessJob.Result model = run(cohort, modelB, out);
        assertTrue(model.modelChanged());
        assertEquals(0, model.slicesIngested());
        assertEquals(4, model.mapsWritten());
        Map<String, String> afterModel = snapshot(out);
        assertEquals(afterMod.keySet().stream().filter(k -> k.startsWith("slices/")).collect(Collectors.toMap(k -> k, afterMod::get)),
                afterModel.keySet().stream().filter(k -> k.startsWith("slices/")).collect(Collectors.toMap(k -> k, afterModel::get)));
        assertMapsAreModelsPredictions(out, modelB, List.of("sub-000", "sub-001", "sub-002", "sub-003"));
        assertEquals(ContentHashes.ofTree(modelB, new Configuration(), "model"), manifest(out).get("model_hash").asText());

        List<JsonNode> log = runLog(out);
        assertEquals(6, log.size());
        for (JsonNode r : log) {
            assertEquals("ok", r.get("outcome").asText(), r.toString());
            for (String k : List.of("run_id", "start", "end", "host", "user", "model", "model_hash")) {
                assertTrue(r.hasNonNull(k), k + " in " + r);
            }
        }
        assertEquals("nothing to do", log.get(1).get("note").asText());
        assertEquals("[\"sub-003\"]", log.get(2).at("/subjects/new").toString());
        assertEquals("[\"sub-001\"]", log.get(3).at("/subjects/changed").toString());
        assertEquals(3, log.get(3).at("/subjects/unchanged").asInt());
        assertEquals("[\"sub-002\"]", log.get(4).at("/subjects/removed").toString());
        assertTrue(log.get(5).get("model_changed").asBoolean());
        assertFalse(Files.exists(out.resolve(ReprocessJob.STATE_DIR).resolve(ReprocessJob.LOCK)), "lock released");
        try (var s = Files.list(out)) {
            assertEquals(List.of("_reprocess", "images", "maps", "slices"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging directory left");
        }
    }

    @Test
    void aSecondRunIsRefusedWhileOneHoldsTheLock(@TempDir Path dir) throws Exception {
        Path cohort = cohort(dir, "sub-000", "sub-001");
        Path out = dir.resolve("out");
        Path lock = out.resolve(ReprocessJob.STATE_DIR).resolve(ReprocessJob.LOCK);

        // A lock left by a run on another host.
        Files.createDirectories(lock.getParent());
        String stale = "{\"run_id\":\"old\",\"host\":\"other-host\",\"pid\":4242}\n";
        Files.writeString(lock, stale);
        MrfInputException e = assertThrows(MrfInputException.class, () -> run(cohort, modelA, out));
        assertTrue(e.getMessage().contains(lock.getFileName().toString()) && e.getMessage().contains(ReprocessJob.STATE_DIR)
                && e.getMessage().contains("--break-lock") && e.getMessage().contains("other-host"), e.getMessage());
        assertEquals(stale, Files.readString(lock), "a refused run leaves the lock alone");
        assertFalse(Files.exists(out.resolve("slices")) || Files.exists(out.resolve("maps")));
        ReprocessJob.Result broke = run(cohort, modelA, out, ReprocessJob.INFERENCE_JOB, true);
        assertEquals(2, broke.added().size());
        assertFalse(Files.exists(lock));

        // A run in another thread holds the lock (paused inside its inference): a second run is refused at once.
        list(cohort, "sub-000", "sub-001", "sub-002");
        Map<String, String> before = snapshot(out);
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        AtomicReference<Object> first = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                first.set(run(cohort, modelA, out, (sp, sl, m, o) -> {
                    inside.countDown();
                    assertTrue(release.await(120, TimeUnit.SECONDS));
                    ReprocessJob.INFERENCE_JOB.run(sp, sl, m, o);
                }, false));
            } catch (Throwable x) {
                first.set(x);
            }
        });
        t.start();
        assertTrue(inside.await(120, TimeUnit.SECONDS), "first run reached inference: " + first.get());
        String held = Files.readString(lock);
        MrfInputException busy = assertThrows(MrfInputException.class, () -> run(cohort, modelA, out));
        assertTrue(busy.getMessage().contains("another reprocess run holds the lock") && busy.getMessage().contains("--break-lock"),
                busy.getMessage());
        assertEquals(held, Files.readString(lock), "the refused run did not touch the holder's lock");
        // Outside the holder's lock and staging directory, nothing has changed yet.
        assertEquals(before, snapshot(out).entrySet().stream()
                .filter(x -> !x.getKey().startsWith(".reprocess-") && !x.getKey().equals("_reprocess/lock"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new)));
        release.countDown();
        t.join(120_000);
        assertInstanceOf(ReprocessJob.Result.class, first.get(), String.valueOf(first.get()));
        assertEquals(List.of("sub-002"), ((ReprocessJob.Result) first.get()).added());
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002"));
        assertFalse(Files.exists(lock));
        assertEquals(2, runLog(out).size(), "refused runs write no record: they do not hold the lock");

        // Maps deleted by hand: the manifest cannot vouch for that subject any more, so it is processed again.
        deleteTree(out.resolve("maps").resolve("subject=sub-001"));
        ReprocessJob.Result healed = run(cohort, modelA, out);
        assertEquals(List.of("sub-001"), healed.changed());
        assertEquals(List.of(), healed.added());
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002"));
    }

    @Test
    void aRunFailingInInferenceOrInItsCommitKeepsThePreviousState(@TempDir Path dir) throws Exception {
        Path cohort = cohort(dir, "sub-000", "sub-001");
        Path out = dir.resolve("out");
        run(cohort, modelA, out);
        Map<String, String> before = snapshot(out);
        String manifest = Files.readString(out.resolve(ReprocessJob.STATE_DIR).resolve(ReprocessJob.MANIFEST));

        modify(cohort, "sub-000");
        list(cohort, "sub-000", "sub-001", "sub-002");
        // Inference dies after writing part of its output (as when executors are lost).
        RuntimeException boom = assertThrows(RuntimeException.class, () -> run(cohort, modelA, out, (sp, sl, m, o) -> {
            ReprocessJob.INFERENCE_JOB.run(sp, sl, m, o);
            throw new IllegalStateException("executors lost");
        }, false));
        assertTrue(boom.getMessage().contains("executors lost"), boom.getMessage());
        assertEquals(before, snapshot(out), "outputs and manifest as before");

        // The commit fails after two of its moves (sub-000's slices and sub-002's): both are undone.
        System.setProperty(ReprocessJob.FAIL_AT_MOVE_KEY, "2");
        try {
            assertThrows(RuntimeException.class, () -> run(cohort, modelA, out));
        } finally {
            System.clearProperty(ReprocessJob.FAIL_AT_MOVE_KEY);
        }
        assertEquals(before, snapshot(out), "outputs and manifest as before the failed commit");
        assertEquals(manifest, Files.readString(out.resolve(ReprocessJob.STATE_DIR).resolve(ReprocessJob.MANIFEST)));
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001"));

        // The failures are on record, and the next run does the same work again, completely.
        List<JsonNode> log = runLog(out);
        assertEquals(List.of("ok", "failed", "failed"), log.stream().map(r -> r.get("outcome").asText()).toList());
        assertTrue(log.get(1).get("error").asText().contains("executors lost"), log.get(1).toString());
        assertTrue(log.get(2).get("error").asText().contains("injected failure"), log.get(2).toString());
        ReprocessJob.Result retry = run(cohort, modelA, out);
        assertEquals(List.of("sub-002"), retry.added());
        assertEquals(List.of("sub-000"), retry.changed());
        assertMapsAreModelsPredictions(out, modelA, List.of("sub-000", "sub-001", "sub-002"));
        assertEquals(List.of(), new ArrayList<>(retry.removed()));
    }
}
