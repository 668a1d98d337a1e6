package org.mrf.scq.spark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.mrf.scq.spark.hadoop.AtomicOutput;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run that begins an output, writes a file into its temporary folder, says so on stdout, and then waits until
 * the file {@code args[1]} appears (then commits) or it is killed.
 */
public final class LeaseHolder {
    public static void main(String[] args) throws Exception {
        try (AtomicOutput out = AtomicOutput.begin(args[0], new Configuration(), true)) {
            out.fs().mkdirs(out.tmp());
            out.fs().create(new org.apache.hadoop.fs.Path(out.tmp(), "part-0")).close();
            System.out.println("holding " + out.tmp());
            System.out.flush();
            while (!Files.exists(Path.of(args[1]))) Thread.sleep(20);
            out.commit();
        }
        System.out.println("committed");
    }
}
