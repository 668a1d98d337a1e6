package org.mrf.scq.core.util;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/** Work run on a pool of its own, so that the parallel streams inside it use that pool's threads, not the common pool. */
public final class Pools {
    private Pools() {}

    /** Runs {@code work} on {@code pool} and waits for it; a RuntimeException it throws is rethrown as it is. */
    public static void run(ForkJoinPool pool, Runnable work) {
        try {
            pool.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }
}
