package org.mrf.scq.spark.hadoop;

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

    /**
     * The cleanup of a failed job's temporary output drains Spark's listener bus through
     * {@code SparkContext.listenerBus().waitUntilEmpty(long)}, which Scala declares {@code private[spark]} (public in
     * the bytecode) and Spark's own test suites use. No public API says when a failed job's killed tasks have been
     * seen. This test fails, naming the call, when a Spark upgrade renames or removes it.
     */
    @Test
    void theListenerBusDrainThatTheCleanupWaitUsesStillExists() throws Exception {
        var listenerBus = org.apache.spark.SparkContext.class.getMethod("listenerBus");
        assertEquals("org.apache.spark.scheduler.LiveListenerBus", listenerBus.getReturnType().getName(),
                "SparkContext.listenerBus() changed type: revisit SparkSessions.awaitNoRunningTasks");
        var drain = listenerBus.getReturnType().getMethod("waitUntilEmpty", long.class);
        assertEquals(void.class, drain.getReturnType(), "LiveListenerBus.waitUntilEmpty(long) changed: revisit SparkSessions.awaitNoRunningTasks");
        assertTrue(java.util.Arrays.asList(drain.getExceptionTypes()).contains(java.util.concurrent.TimeoutException.class)
                || drain.getExceptionTypes().length == 0, "waitUntilEmpty's timeout contract changed");
    }
}
