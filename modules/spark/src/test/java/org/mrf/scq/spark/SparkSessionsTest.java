package org.mrf.scq.spark;

import org.junit.jupiter.api.Test;
import org.mrf.scq.core.util.MrfInputException;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.*;

/** The spark:// reachability check that replaces Spark's minute of silent retries with one line. */
class SparkSessionsTest {
    @Test
    void unreachableMasterIsReportedAtOnceAndReachableOnesPass() throws Exception {
        long t0 = System.nanoTime();
        MrfInputException e = assertThrows(MrfInputException.class, () -> SparkSessions.checkReachable("spark://127.0.0.1:1", 500));
        assertTrue(e.getMessage().startsWith("cannot reach Spark master spark://127.0.0.1:1: 127.0.0.1:1: "), e.getMessage());
        assertTrue(e.getMessage().contains("Check --master / mrf.spark.master"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5);

        e = assertThrows(MrfInputException.class, () -> SparkSessions.checkReachable("spark://head:70x7", 500));
        assertTrue(e.getMessage().contains("'70x7' is not a port number"), e.getMessage());

        try (ServerSocket master = new ServerSocket(0)) {
            // High availability: one live master of several is enough.
            SparkSessions.checkReachable("spark://127.0.0.1:1,127.0.0.1:" + master.getLocalPort(), 500);
        }
        SparkSessions.checkReachable("local[2]", 1);
        SparkSessions.checkReachable("yarn", 1);
    }
}
