package org.mrf.scq.spark.hadoop;

import org.mrf.scq.core.util.MrfInputException;

/**
 * A bad input found on an executor reaches the driver wrapped in Spark's job-failure exceptions
 * (with the stack of every attempt); users need the one line that names their file.
 */
public final class SparkErrors {
    private SparkErrors() {
    }

    public static RuntimeException unwrap(Exception e, String afterwards) {
        if (e instanceof MrfInputException m) return m;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MrfInputException m) return new MrfInputException(m.getMessage() + " (" + afterwards + ")", m);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
