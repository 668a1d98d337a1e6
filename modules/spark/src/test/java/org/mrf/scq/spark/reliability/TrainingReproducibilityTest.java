package org.mrf.scq.spark.reliability;

import org.junit.jupiter.api.Test;
import org.mrf.scq.model.Property;
import org.mrf.scq.model.ScqModel;
import org.mrf.scq.model.train.ScqTrainer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.mrf.scq.spark.reliability.DeterminismTest.*;

/**
 * Training twice with the same seed: single JVM ({@link ScqTrainer}), one Spark worker on local[1], two workers on
 * local[2]. The numbers it prints are those in docs/DETERMINISM.md.
 */
class TrainingReproducibilityTest {
    @Test
    void trainingReproducibility() {
        long t0 = System.nanoTime();
        ScqModel a = new ScqTrainer(Property.T2, NET, TC, SEQ.hash(), 2304.0 / T, null, QUIET).train(TRAIN, List.of());
        ScqModel b = new ScqTrainer(Property.T2, NET, TC, SEQ.hash(), 2304.0 / T, null, QUIET).train(TRAIN, List.of());
        double single = maxAbsDiff(a, b);

        System.out.printf("single JVM twice: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        ScqModel[] one = withSpark("local[1]", s -> new ScqModel[]{spark(s, 1), spark(s, 1)});
        double local1 = maxAbsDiff(one[0], one[1]);
        ScqModel[] two = withSpark("local[2]", s -> new ScqModel[]{spark(s, 2), spark(s, 2)});
        double local2 = maxAbsDiff(two[0], two[1]);
        double oneVsSingle = maxAbsDiff(one[0], a);
        double maxParam = a.graph().params().amaxNumber().doubleValue();
        System.out.printf("training, max |param difference| between two runs with the same seed (%d parameters, max |param| %.3g):%n"
                        + "  ScqTrainer (one JVM)            %.3g%n  Spark runner local[1], 1 worker  %.3g%n"
                        + "  Spark runner local[2], 2 workers %.3g%n  local[1] 1 worker vs one JVM  %.3g%n",
                a.graph().params().length(), maxParam, single, local1, local2, oneVsSingle);
        assertEquals(0.0, single, "single-JVM training is bit-reproducible");
        assertEquals(0.0, local1, "one Spark worker is bit-reproducible");
        // Two workers' parameters are averaged as a + b, and float addition is commutative: the order in which the
        // workers finish cannot change the sum (with three or more it can: DeterminismTest.threeWorkersRepeatWithinRounding).
        assertEquals(0.0, local2, "two Spark workers are bit-reproducible");
    }
}
