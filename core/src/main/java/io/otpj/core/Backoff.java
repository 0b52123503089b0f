package io.otpj.core;

/**
 * The one waiting policy of otpj: spin, then yield, then park. Every blocking wait (a mailbox
 * receive, a call waiting for its reply, a start waiting for {@code init}) steps through it, so
 * the trade-off between latency and burnt CPU is tuned in one place.
 *
 * <p>Spinning pays off when the other side is running on another core and answers within a few
 * microseconds: a park/unpark pair costs a scheduler round trip (a virtual thread resubmitted to
 * its carrier pool, or a futex wake for a platform thread). Yielding lets other virtual threads
 * on the same carrier run before we give up. The bounds are system properties
 * {@code otpj.wait.spins} and {@code otpj.wait.yields}, read once at class initialisation.
 */
final class Backoff {

    static final int SPINS = Integer.getInteger("otpj.wait.spins", 256);
    static final int YIELDS = Integer.getInteger("otpj.wait.yields", 8);
    /** The step at which {@link #idle(int)} first answers "park now". */
    static final int PARK = SPINS + YIELDS;

    private Backoff() {}

    /**
     * Performs waiting step {@code step} (counted from 0 by the caller).
     *
     * @return {@code true} when the caller should stop spinning and park
     */
    static boolean idle(int step) {
        if (step < SPINS) {
            Thread.onSpinWait();
            return false;
        }
        if (step < PARK) {
            Thread.yield();
            return false;
        }
        return true;
    }
}
