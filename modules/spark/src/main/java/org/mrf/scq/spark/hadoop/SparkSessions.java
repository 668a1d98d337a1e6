package org.mrf.scq.spark.hadoop;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.mrf.scq.core.util.MrfInputException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a SparkSession is made: embedded {@code local[*]} by default, a cluster master when
 * given (spark-submit sets spark.master itself, which then wins), quiet logs unless asked.
 */
public final class SparkSessions {
    static final int CONNECT_TIMEOUT_MS = 3000;

    private SparkSessions() {
    }

    /**
     * Jobs and tasks of one SparkContext that have started and not yet ended, as this listener saw them. The
     * status tracker cannot answer this: its executor counts are written to the status store at most every
     * {@code spark.ui.liveUpdate.period}, so right after a job fails it can say "no running tasks" while a killed
     * task is still writing.
     */
    static final class RunningWork extends SparkListener {
        private final Set<Integer> jobs = ConcurrentHashMap.newKeySet();
        private final Set<Long> tasks = ConcurrentHashMap.newKeySet();

        @Override
        public void onJobStart(SparkListenerJobStart start) { jobs.add(start.jobId()); }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) { jobs.remove(end.jobId()); }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) { tasks.add(start.taskInfo().taskId()); }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) { tasks.remove(end.taskInfo().taskId()); }

        boolean idle() { return jobs.isEmpty() && tasks.isEmpty(); }
    }

    private static final Map<SparkContext, RunningWork> RUNNING = new WeakHashMap<>();

    private static synchronized void watch(SparkContext sc) {
        RUNNING.computeIfAbsent(sc, k -> {
            RunningWork w = new RunningWork();
            k.addSparkListener(w);
            return w;
        });
    }

    private static synchronized RunningWork watcher(SparkContext sc) { return RUNNING.get(sc); }

    /**
     * Waits, at most {@code timeoutMs}, until the active session has no job open and no task running. After a task
     * fails a write job, Spark kills the job's other tasks asynchronously; one still writing would re-create
     * files inside a temporary output that is being deleted. No active session: returns at once.
     */
    public static void awaitNoRunningTasks(long timeoutMs) {
        scala.Option<SparkSession> active = SparkSession.getActiveSession();
        SparkSession spark = active.isDefined() ? active.get() : SparkSession.getDefaultSession().getOrElse(() -> null);
        if (spark == null) return;
        RunningWork work = watcher(spark.sparkContext());
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            // The failed job's task starts were posted before the driver heard of the failure, but the listener
            // bus delivers them asynchronously; Spark's own tests drain it the same way (private[spark] in Scala).
            spark.sparkContext().listenerBus().waitUntilEmpty(timeoutMs);
        } catch (java.util.concurrent.TimeoutException e) {
            return;
        }
        while (System.currentTimeMillis() < deadline) {
            if (work != null ? work.idle() : statusTrackerIdle(spark)) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** For a session not made by {@link #create}: the status tracker's (possibly stale) view. */
    private static boolean statusTrackerIdle(SparkSession spark) {
        for (org.apache.spark.SparkExecutorInfo e : spark.sparkContext().statusTracker().getExecutorInfos()) {
            if (e.numRunningTasks() > 0) return false;
        }
        return true;
    }

    /**
     * A standalone master that cannot be reached makes Spark retry for about a minute before it gives up with a
     * message about "All masters are unresponsive"; one TCP connect says what is wrong at once. Every host:port
     * of a spark:// URL (several for a high-availability master) is tried; one answering is enough.
     */
    static void checkReachable(String master, int timeoutMs) {
        if (master == null || !master.startsWith("spark://")) return;
        List<String> problems = new ArrayList<>();
        for (String hp : master.substring("spark://".length()).split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? hp : hp.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new MrfInputException("Spark master " + master + ": '" + hp.substring(colon + 1) + "' is not a port number. "
                        + "Check --master / mrf.spark.master (e.g. spark://host:7077).");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), timeoutMs);
                return;
            } catch (IOException e) {
                problems.add(host + ":" + port + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        throw new MrfInputException("cannot reach Spark master " + master + ": " + String.join("; ", problems)
                + ". Check --master / mrf.spark.master, and that the master is running and its port is open from here.");
    }

    public static SparkSession create(String appName, String master, String logLevel, Map<String, String> extra) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) conf.setMaster(master == null || master.isBlank() ? "local[*]" : master);
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.sql.shuffle.partitions", "8");
        if (conf.get("spark.master").startsWith("local")) {
            // Embedded runs must not depend on the host's network name resolving.
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
        }
        conf.setIfMissing("spark.sql.parquet.compression.codec", "snappy");
        // Slice blocks are ~16 MB rows; Parquet's writer first checks its buffer after 100 rows
        // (1.6 GB here), so ask it to check from the second row on.
        conf.setIfMissing("spark.hadoop.parquet.block.size.row.check.min", "2");
        conf.setIfMissing("spark.hadoop.parquet.page.size.row.check.min", "2");
        extra.forEach(conf::set);
        checkReachable(conf.get("spark.master"), CONNECT_TIMEOUT_MS);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel(logLevel == null ? "WARN" : logLevel);
        watch(spark.sparkContext());
        return spark;
    }
}
