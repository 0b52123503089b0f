package io.otpj.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Batch sizes shared by otpj and its peers, so each figure is measured the same way on both sides. */
final class Batches {

    private Batches() {}

    /** Casts per invocation in the one-producer and four-producer cast benchmarks (per producer thread). */
    static final int CASTS = 10_000;
    /** Producer/consumer pairs in the "many servers" cast benchmark. */
    static final int PAIRS = 64;
    /** Casts each pair's producer sends per invocation. */
    static final int CASTS_PER_PAIR = 1_000;
    /** Sequential calls per invocation in the process-to-process round trip. */
    static final int CALLS = 1_000;
    /** Calls per invocation in the concurrent-callers benchmark, split evenly among 1, 4 or 16 callers. */
    static final int CALLS_SHARED = 4_800;
    /** Requests in flight at once in the pipelined benchmarks (a sliding window, or one batch from a plain thread). */
    static final int WINDOW = 64;
    /** Servers (actors) started per invocation of the spawn benchmarks. */
    static final int SPAWNS = 100_000;

    /** Waits for the end of a batch; a batch that never completes fails the benchmark instead of hanging it. */
    static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("batch did not complete within 2 minutes");
        }
    }
}
