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
 *       and then park. A virtual thread's park just unmounts it and frees its carrier, and
 *       an unpark from a carrier pushes the woken process onto that carrier's own queue, so
 *       the process it waits for may well be queued behind it on the same carrier. A
 *       spinning virtual thread holds its carrier (and on a small machine the core) that the
 *       other side may need, and its {@code yield} never gives the core to the operating
 *       system. Bounds: {@code otpj.wait.vspins} and {@code otpj.wait.vyields} (default 16
 *       and 0). Measured in the benchmarks module (docs/benchmarks.md).</li>
 * </ul>
 *
 * <p>Two exceptions to "virtual threads park soon", for waits with a partner process, together
 * bounded by {@code otpj.wait.partnerSpinNanos} (default 20 µs) per wait:
 * <ul>
 *   <li><b>Partner spin.</b> A wait whose other side is a process on a carrier right now
 *       ({@link Pcb#onCarrier}) spins on: a call whose server is running (on the other
 *       carrier, since this one is busy spinning), and a receive right after answering a caller
 *       that took the reply without being woken (it will likely call again at once). Two such
 *       processes then answer each other with no park and no scheduler hand-off.</li>
 *   <li><b>Steal spin.</b> A call whose send woke a parked server: the server is now queued,
 *       most likely on this carrier, and the scheduler is waking an idle carrier, if there is
 *       one, to take it. Parking at once would make the two processes share this carrier, a
 *       park and a wake-up on every hop, for good; spinning until the server runs elsewhere
 *       turns the pair into the partner-spin case above.</li>
 * </ul>
 * A spin that runs out of time was waste (no carrier came, or the partner was slow, or blocked
 * inside the JDK where it still looks "on a carrier"), so each process backs off: its next 16
 * such waits go without spinning, doubling with each failure in a row up to 4096, reset by a
 * spin that paid ({@link Pcb#maySpin}). Neither spin is needed for correctness: both end in the
 * same Dekker-protected park as any wait, and every spin step still checks for the message or
 * reply, the deaths and the deadline.
 *
 * <p>All of these are system properties read once at class initialisation.
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
        if (PARTNER_SPIN_NANOS <= 0 || (step & 15) == 0 && System.nanoTime() - since >= PARTNER_SPIN_NANOS) {
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
