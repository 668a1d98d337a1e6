package org.mrf.scq.core.epg;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.dictionary.DictionaryGrid;
import org.mrf.scq.core.sequence.FispSequence;
import org.mrf.scq.core.sequence.Schedules;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default tolerance holds for every entry of the paper grid on the paper schedule (2304 TRs). */
class EpgTruncationTest {
    @Test
    void everyPaperGridFingerprintWithinDefaultTolerance() {
        FispSequence seq = Schedules.paperDefault(2.0, 18.0);
        DictionaryGrid grid = DictionaryGrid.paper();
        assertEquals(13123, grid.size());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        double[] worst = new double[threads];
        int[] worstAt = new int[threads];
        AtomicInteger next = new AtomicInteger();
        IntStream.range(0, threads).parallel().forEach(w -> {
            EpgSimulator exact = EpgSimulator.exact(seq);
            EpgSimulator cut = new EpgSimulator(seq, EpgSimulator.DEFAULT_TOLERANCE);
            for (int i = next.getAndIncrement(); i < grid.size(); i = next.getAndIncrement()) {
                double[][] x = exact.simulate(grid.t1(i), grid.t2(i));
                double[][] y = cut.simulate(grid.t1(i), grid.t2(i));
                double num = 0, den = 0;
                for (int k = 0; k < seq.length(); k++) {
                    double dr = x[0][k] - y[0][k], di = x[1][k] - y[1][k];
                    num += dr * dr + di * di;
                    den += x[0][k] * x[0][k] + x[1][k] * x[1][k];
                }
                double rel = Math.sqrt(num / den);
                if (rel > worst[w]) {
                    worst[w] = rel;
                    worstAt[w] = i;
                }
            }
        });
        for (int w = 0; w < threads; w++) {
            int i = worstAt[w];
            assertTrue(worst[w] < EpgSimulator.DEFAULT_TOLERANCE, "entry T1=" + grid.t1(i) + " T2=" + grid.t2(i)
                    + " has relative error " + worst[w]);
        }
    }
}
