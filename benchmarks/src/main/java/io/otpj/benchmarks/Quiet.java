package io.otpj.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits until the JVM stops burning CPU: the way to know that freshly started processes have
 * finished their start-up and are really idle. A new otpj server first spins and yields in its
 * empty mailbox before it parks (otpj's wait policy), so "start returned" is not yet "idle"; a
 * benchmark that means to measure beside idle processes waits here first.
 */
final class Quiet {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Below this many cores' worth of CPU over one window, the JVM counts as quiet (JIT and GC threads included). */
    private static final double QUIET_CORES = 0.10;
    private static final long WINDOW_MILLIS = 250;

    private Quiet() {}

    /** @return this JVM's CPU time so far, in nanoseconds (all threads) */
    static long cpuNanos() {
        return OS.getProcessCpuTime();
    }

    /**
     * Waits until the JVM uses less than a tenth of a core over a quarter of a second, or {@code max}.
     *
     * @return the time waited
     */
    static Duration await(Duration max) throws InterruptedException {
        long start = System.nanoTime();
        long lastCpu = cpuNanos(), last = start;
        for (;;) {
            Thread.sleep(WINDOW_MILLIS);
            long cpu = cpuNanos(), now = System.nanoTime();
            double cores = (cpu - lastCpu) / (double) (now - last);
            if (cores < QUIET_CORES) {
                return Duration.ofNanos(now - start);
            }
            if (now - start > max.toNanos()) {
                System.out.printf("quiet: still using %.2f cores after %s; going on%n", cores, max);
                return Duration.ofNanos(now - start);
            }
            lastCpu = cpu;
            last = now;
        }
    }
}
