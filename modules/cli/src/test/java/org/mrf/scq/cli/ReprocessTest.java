package org.mrf.scq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;
import org.mrf.scq.model.NetConfig;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.TrainConfig;
import org.mrf.scq.model.Variant;
import org.mrf.scq.model.data.SyntheticSlices;
import org.mrf.scq.model.train.ScqTrainer;
import org.mrf.scq.sim.CohortSimulator;
import org.mrf.scq.sim.ExportWriters;
import org.mrf.scq.sim.SliceAcquisition;
import org.mrf.scq.spark.reprocess.ReprocessJob;
import org.mrf.scq.spark.store.ModelSet;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** 'mrf reprocess' through the command line: a first run, an idle run, a refused run, --break-lock. */
class ReprocessTest {
    record Run(int exit, String out, String err) {
    }

    /** Runs mrf with stdout and stderr captured; picocli's error writer and System.err (progress, log) share one buffer. */
    static synchronized Run mrf(String... args) {
        CommandLine cl = Mrf.commandLine();
        PrintStream stdout = System.out, stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        cl.setErr(new PrintWriter(errStream, true));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(errStream);
        try {
            int exit = cl.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void reprocessRunsOnceThenHasNothingToDoAndRespectsTheLock(@TempDir Path dir) throws Exception {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0).truncate(48);
        Path cohort = dir.resolve("cohort");
        new CohortSimulator(seq, CohortSimulator.Options.defaults(2, 1, 5).withMatrix(16)
                .withAcquisition(SliceAcquisition.Options.defaults().withSnr(30).withThreads(1)), ExportWriters.forName("npy"))
                .run(cohort);
        Path staging = dir.resolve("model-staging");
        for (Property p : Property.values()) {
            new ScqTrainer(p, new NetConfig(48, Variant.FE_ONLY, new int[]{8, 4}, new int[]{8, 16}, 32, 1, 0.9, 1L),
                    new TrainConfig(1, 0, 256, 0, 16, 8, false, 8, 5e-3, 0.5, 0.999, 0.5, 1L), seq.hash(), 2304.0 / 48, null,
                    new PrintStream(PrintStream.nullOutputStream()))
                    .train(new SyntheticSlices(seq).slices("train", 1, 16, 16, 6, 0.0, 1L), List.of())
                    .save(staging.resolve(ModelSet.dirName(p)));
        }
        String model = dir.resolve("model").toString();
        ModelSet.publish(staging, model, new Configuration(), false, Map.of());
        String out = dir.resolve("out").toString();
        String[] args = {"reprocess", "--cohort", cohort.toString(), "--model", model, "--out", out, "--master", "local[2]"};

        Run first = mrf(args);
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.err().startsWith("nd4j backend="), "backend line first: " + first.err());
        assertTrue(first.out().strip().matches("reprocess: new=2 changed=0 unchanged=0 removed=0 model=unchanged; ingested 2 slices, "
                + "wrote maps of 2 slices in .*"), first.out());
        assertTrue(first.err().contains("ingest 100.0%") && first.err().contains("infer 100.0%"), "progress: " + first.err());

        Run idle = mrf(args);
        assertEquals(0, idle.exit(), idle.err());
        assertTrue(idle.out().strip().startsWith("reprocess: nothing to do (new=0 changed=0 unchanged=2 removed=0"), idle.out());

        Path lock = Path.of(out, ReprocessJob.STATE_DIR, ReprocessJob.LOCK);
        Files.writeString(lock, "{\"host\":\"crashed-node\",\"pid\":7}\n");
        Run refused = mrf(args);
        assertEquals(2, refused.exit());
        String msg = refused.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(refused.err());
        assertTrue(msg.contains(lock.toUri().getPath().replaceAll("/$", "")) && msg.contains("crashed-node")
                && msg.contains("--break-lock"), msg);

        String[] breaking = java.util.Arrays.copyOf(args, args.length + 1);
        breaking[args.length] = "--break-lock";
        Run broke = mrf(breaking);
        assertEquals(0, broke.exit(), broke.err());
        assertTrue(broke.err().contains("breaking lock") && broke.err().contains("crashed-node"), broke.err());
        assertTrue(broke.out().contains("nothing to do"), broke.out());
        assertFalse(Files.exists(lock));

        List<JsonNode> log = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(Path.of(out, ReprocessJob.STATE_DIR, ReprocessJob.RUN_LOG))) {
            log.add(new ObjectMapper().readTree(l));
        }
        assertEquals(3, log.size(), "the refused run holds no lock and writes no record");
        assertEquals(2, log.get(0).at("/subjects/new").size());
        assertEquals("nothing to do", log.get(2).get("note").asText());
    }
}
