package io.otpj.core;

/**
 * The one waiting policy of otpj: spin, then yield, then park. Every blocking wait (a mailbox
 * receive, a call waiting for its reply, a start waiting for {@code init}) steps through it, so
 * the trade-off between latency and burnt CPU is tuned in one place.
 *
 * <p>The policy depends on the kind of the waiting thread, because what a park costs does:
 * <ul>
 *   <li><b>Platform threads</b> (a caller that is not a process) spin, then yield, then park.
 *       Parking a platform thread costs a futex sleep and a kernel wake-up on the reply; a
 *       server on another core usually answers within a few microseconds, so a short spin
 *       pays. Bounds: {@code otpj.wait.spins} (default 256) and {@code otpj.wait.yields} (8).</li>
 *   <li><b>Virtual threads</b> (every process) spin only briefly (16 spins, well under a
 *       microsecond, which catches a reply from a server already running on the other core)
 *       and then park. A virtual thread's park
 *       just unmounts it and frees its carrier for the process it is waiting on: an unpark
 *       from a carrier pushes the woken process onto that carrier's own queue, so a
 *       process-to-process call becomes two cheap continuation switches on one carrier. A
 *       spinning virtual thread, by contrast, holds its carrier (and on a small machine the
 *       core) that the other side needs, and its {@code yield} never gives the core to the
 *       operating system. Bounds: {@code otpj.wait.vspins} and {@code otpj.wait.vyields}
 *       (default 16 and 0). Measured in the benchmarks module (docs/benchmarks.md).</li>
 * </ul>
 * <p>One exception to "virtual threads park soon": a wait whose other side is a process that is
 * on a carrier right now ({@link Pcb#onCarrier}) spins on, for at most
 * {@code otpj.wait.partnerSpinNanos} (default 20 µs). That is a call whose server is running (on
 * the other carrier, since this one is busy spinning), and a receive right after answering a
 * caller that took the reply without being woken (it will likely call again at once). Two such
 * processes then answer each other without a park or a scheduler hand-off, which halves a
 * process-to-process round trip; a process that is parked, or queued to run after a wake-up,
 * is never spun for, so a spinner never holds the carrier its partner needs.
 *
 * <p>All five are system properties read once at class initialisation.
 */
final class Backoff {

    static final int SPINS = Integer.getInteger("otpj.wait.spins", 256);
    static final int YIELDS = Integer.getInteger("otpj.wait.yields", 8);
    static final int VSPINS = Integer.getInteger("otpj.wait.vspins", 16);
    static final int VYIELDS = Integer.getInteger("otpj.wait.vyields", 0);
    static final long PARTNER_SPIN_NANOS = Long.getLong("otpj.wait.partnerSpinNanos", 20_000L);

    private Backoff() {}

    /**
     * One step of a wait that must not park because the other side is guaranteed to finish in a
     * few instructions (a delivery in progress, a signal being applied): spin, then yield.
     */
    static void pause(int step) {
        if (step < SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * One step of a wait that could park now but has a partner on a carrier: spins, checking the
     * clock every 16 steps.
     *
     * @param since when the partner spin began ({@link System#nanoTime})
     * @return {@code true} while the spin may go on, {@code false} once its time is up
     */
    static boolean partnerSpin(int step, long since) {
        if ((step & 15) == 0 && System.nanoTime() - since >= PARTNER_SPIN_NANOS) {
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    /**
     * Performs waiting step {@code step} (counted from 0 by the caller).
     *
     * @param virtual whether the waiting thread is a virtual thread
     * @return {@code true} when the caller should stop spinning and park
     */
    static boolean idle(int step, boolean virtual) {
        int spins = virtual ? VSPINS : SPINS;
        if (step < spins) {
            Thread.onSpinWait();
            return false;
        }
        if (step < spins + (virtual ? VYIELDS : YIELDS)) {
            Thread.yield();
            return false;
        }
        return true;
    }
}
