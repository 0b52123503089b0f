package io.otpj.finance.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that a timer makes true (a periodic batch or flush), by polling a
 * synchronous query, with a generous deadline. Never used to wait for something a synchronous
 * call could confirm directly.
 */
public final class Eventually {

    private Eventually() {}

    /** Polls {@code condition} until it holds; fails with {@code what} after {@code deadline}. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
