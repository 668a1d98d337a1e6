package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mrf.scq.spark.reprocess.ReprocessJob;
import org.mrf.scq.spark.hadoop.RunLock;

/**
 * A reprocess run in the making, as {@code ReprocessJob} lays it out: it takes the lock of output {@code args[0]},
 * creates its staging folder {@code .reprocess-<args[1]>} with a file in it, says so on stdout and waits to be killed.
 */
public final class ReprocessLockHolder {
    public static void main(String[] args) throws Exception {
        Path root = new Path(args[0]);
        FileSystem fs = root.getFileSystem(new Configuration());
        Path state = new Path(root, ReprocessJob.STATE_DIR);
        fs.mkdirs(state);
        try (RunLock ignored = RunLock.acquire(fs, new Path(state, ReprocessJob.LOCK), args[1], false, System.out)) {
            Path staging = new Path(root, ".reprocess-" + args[1]);
            fs.create(new Path(staging, "slices/part-0"), false).close();
            System.out.println("staging " + staging);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
