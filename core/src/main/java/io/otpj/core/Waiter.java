package io.otpj.core;

/**
 * The one waiting and yielding policy of otpj, as an object that carries its own state: how a
 * thread waits (spin, yield, spin for a partner, then park) and when a running one gives its
 * carrier away (its slice). Every blocking wait of the runtime (a receive in {@link Mailbox#take}, a
 * call or start waiting in {@link Completion#await}) asks its waiter, step by step, whether to go
 * on spinning; the park itself belongs to the wait site, because each site has its own wake-up
 * protocol.
 *
 * <p>Who owns a waiter. A process is its own waiter ({@link Pcb} extends this class, so the state
 * costs no extra object and sits with the other owner-written fields); a thread that is not a
 * process gets one from {@link #forThisThread()}. Either way only the waiting thread touches it:
 * no field needs more than plain access.
 *
 * <table>
 *   <caption>Fields (all owner-only, plain)</caption>
 *   <tr><th>field</th><th>writer</th><th>readers</th><th>why</th></tr>
 *   <tr><td>{@code credit}</td><td>owner</td><td>owner</td><td>0 or more: partner spins allowed;
 *       negative: that many more waits go without one (the back-off)</td></tr>
 *   <tr><td>{@code backoff}</td><td>owner</td><td>owner</td><td>the pause after the next failed
 *       spin: 16, doubling per failure in a row, up to 4096</td></tr>
 *   <tr><td>{@code partnerSince}</td><td>owner</td><td>owner</td><td>per wait: when its partner
 *       spin began ({@link System#nanoTime}), 0 before</td></tr>
 *   <tr><td>{@code partnerSeen}</td><td>owner</td><td>owner</td><td>per wait: the partner's
 *       on-carrier hint as last read, 1 or 0 (it is re-read every 16 steps only)</td></tr>
 *   <tr><td>{@code reductions}</td><td>owner</td><td>owner</td><td>operations left before the
 *       next look at the clock (see "Fairness")</td></tr>
 *   <tr><td>{@code sliceStart}</td><td>owner</td><td>owner</td><td>when the running slice
 *       began, in {@link #ticks} (about a microsecond each); 0 when it has not begun</td></tr>
 * </table>
 * All six are 4 or 8 bytes wide, so the class leaves no gap that the JVM could fill with a field
 * of a subclass: the layout chain of {@link Pcb} relies on that.
 *
 * <h2>The phases of a wait</h2>
 * <ol>
 *   <li><b>Short spin</b> ({@code otpj.wait.spins}, 256 for platform threads;
 *       {@code otpj.wait.vspins}, 16 for virtual threads): catches an answer from a partner already
 *       running on another core. Skipped where nothing can be on its way yet (a process's first
 *       receive; a process waiting for the {@code init} of one it started, which was pushed onto
 *       its own carrier's queue).</li>
 *   <li><b>Yield</b> ({@code otpj.wait.yields}, 8 for platform threads; {@code otpj.wait.vyields},
 *       0 for virtual threads, whose yield never gives the core back to the operating system).</li>
 *   <li><b>Partner spin</b>, virtual threads only, at most {@code otpj.wait.partnerSpinNanos}
 *       (20 µs) per wait: while the process on the other side of the wait is on a carrier
 *       ({@link Pcb#onCarrier}), an answer is microseconds away and a park would cost two
 *       scheduler hand-offs. A call whose send just woke its server also spins while that server
 *       is <em>off</em> a carrier (the <b>steal spin</b>): it is queued, most likely on this
 *       carrier, and spinning until another carrier takes it lets the two answer each other from
 *       two carriers instead of sharing one with a park per hop.</li>
 *   <li><b>Park</b>, at the wait site, behind its own Dekker-protected flag.</li>
 * </ol>
 * A partner spin that runs out of time was waste (no carrier came, or the partner was slow, or
 * blocked inside the JDK where it still looks "on a carrier"), so the waiter backs off: its next
 * 16 such waits go without one, doubling with each failure in a row up to 4096, reset by a spin
 * that paid. None of this is needed for correctness: every spin step still checks for the message
 * or reply, the deaths and the deadline, and every wait ends in the same protected park.
 *
 * <h2>Fairness</h2>
 * Virtual threads are never preempted: a process that never waits would keep its carrier, and on a
 * small machine a few such processes starve everything else, supervisors and timers included.
 * otpj gives the effect of the BEAM's reductions instead: every otpj operation a process performs
 * (every effect, every receive, a failed call) {@linkplain #reduce counts}, and at every
 * {@value #CHECK_EVERY}th the process reads the clock; once it has run for a whole slice
 * ({@code otpj.sliceMicros}, default 1000 µs) since it last parked, it {@linkplain #yieldNow gives
 * its carrier away}. A thread that is not a process counts its calls (a loop of failing calls
 * parks nowhere). A park ends the slice: a process that waits is fair by itself.
 *
 * <p>The settings are system properties read once at class initialisation.
 */
class Waiter {

    static final int SPINS = Integer.getInteger("otpj.wait.spins", 256);
    static final int YIELDS = Integer.getInteger("otpj.wait.yields", 8);
    static final int VSPINS = Integer.getInteger("otpj.wait.vspins", 16);
    static final int VYIELDS = Integer.getInteger("otpj.wait.vyields", 0);
    static final long PARTNER_SPIN_NANOS = Long.getLong("otpj.wait.partnerSpinNanos", 20_000L);

    static final int BACKOFF_MIN = 16, BACKOFF_MAX = 4096;

    /** A tick is 2^10 ns, about a microsecond: the clock's unit for slices, wrapping every 35 minutes. */
    static final int TICK_SHIFT = 10;
    /** Operations between two looks at the clock. */
    static final int CHECK_EVERY = 64;
    /** While the scheduler is not congested, one yield in this many goes through the ticker's line. */
    static final int PROBE_EVERY = 8;
    /** The slice, in {@link #ticks}: how long a thread may run its otpj operations without parking. */
    static final int SLICE_TICKS = (int) Math.max(1L, Long.getLong("otpj.sliceMicros", 1_000L) * 1_000L >>> TICK_SHIFT);

    private static final ThreadLocal<Waiter> THREADS = ThreadLocal.withInitial(ThreadWaiter::new);

    private int credit;
    private int backoff = BACKOFF_MIN;
    private long partnerSince;
    private int partnerSeen;
    private int reductions = CHECK_EVERY;
    private int sliceStart;
    /** Owner only: yields since the last one through the ticker's line (see {@link #yieldNow}). */
    private int cheapYields;

    Waiter() {}

    /** @return the calling thread's waiter: its process, or one kept for a thread that is not a process */
    static Waiter forThisThread() {
        Pcb self = Pcb.current();
        return self != null ? self : THREADS.get();
    }

    /** @return a waiter for the calling thread, which is not a process (for {@link Completion#await}) */
    static Waiter forPlainThread() {
        return THREADS.get();
    }

    /** @return whether the waiting thread is a virtual thread (every process's is) */
    boolean isVirtual() {
        return true;
    }

    /** The waiter of a thread that is not a process: platform or virtual. */
    private static final class ThreadWaiter extends Waiter {
        private final boolean virtual = Thread.currentThread().isVirtual();

        @Override
        boolean isVirtual() {
            return virtual;
        }
    }

    /** Owner: starts a wait. */
    final void begin() {
        partnerSince = 0L;
    }

    // ------------------------------------------------------------------ fairness

    static int ticks() {
        return (int) (System.nanoTime() >>> TICK_SHIFT);
    }

    /**
     * Owner: counts one otpj operation; at every {@link #CHECK_EVERY}th, gives the carrier away if
     * the slice is spent. Called outside any effect (never while the gate is held).
     */
    final void reduce() {
        if (--reductions <= 0) {
            budgetSpent();
        }
    }

    private void budgetSpent() {
        reductions = CHECK_EVERY;
        int now = ticks();
        budgetChecked(now);
        int start = sliceStart;
        if (start == 0) {
            sliceStart = now == 0 ? 1 : now;
        } else if (now - start >= SLICE_TICKS) {
            sliceStart = 0;
            yieldNow();
        }
    }

    /**
     * Owner: called at every {@value #CHECK_EVERY}th operation, with the clock just read; a
     * process looks at its mailbox's high water there (see {@link Pcb}).
     */
    void budgetChecked(int now) {}

    /** Owner, before it parks: a parked thread has given its carrier away; its next slice starts afresh. */
    final void sliceEnds() {
        sliceStart = 0;
    }

    /**
     * Gives the carrier away fairly: while the scheduler is congested, a virtual thread goes to
     * the back of the line the {@link Ticker} keeps, behind the work waiting there; otherwise it
     * yields plainly, and one yield in {@value #PROBE_EVERY} takes the line as a probe. A platform
     * thread yields its core.
     */
    final void yieldNow() {
        if (isVirtual()) {
            // While the scheduler is not congested, a plain Thread.yield() is enough (nothing waits
            // for the carrier for long) and costs no hop through the ticker; every PROBE_EVERY-th
            // yield still takes the line, which is how the ticker sees congestion begin.
            if (Ticker.congested() || ++cheapYields >= PROBE_EVERY) {
                cheapYields = 0;
                Ticker.yieldVirtual();
            } else {
                Thread.yield();
            }
        } else {
            Thread.yield();
        }
        // The next slice starts now, not at the next look at the clock.
        int now = ticks();
        sliceStart = now == 0 ? 1 : now;
    }

    /**
     * Owner: one step of a wait that has found nothing yet.
     *
     * @param step the steps of this wait so far, counted from 0 by the wait site
     * @param quick whether the short spin and yield phases apply to this wait
     * @param partner the process on the other side of the wait, or null
     * @param steal whether a partner that is off a carrier is worth spinning for too
     * @return {@code true} when the step has been spent spinning or yielding and the wait site
     *     should look again; {@code false} when it should park now (the partner spin, if any, is
     *     over for this wait)
     */
    final boolean spin(int step, boolean quick, Pcb partner, boolean steal) {
        boolean virtual = isVirtual();
        if (quick) {
            int spins = virtual ? VSPINS : SPINS;
            if (step < spins) {
                Thread.onSpinWait();
                return true;
            }
            if (step < spins + (virtual ? VYIELDS : YIELDS)) {
                Thread.yield();
                return true;
            }
        }
        if (partner == null || !virtual || PARTNER_SPIN_NANOS <= 0) {
            return false;
        }
        long since = partnerSince;
        if (since < 0L) {
            return false; // this wait's partner spin is over
        }
        if (since == 0L) {
            if (!maySpin()) {
                partnerSince = -1L;
                return false;
            }
            since = partnerSince = System.nanoTime();
            partnerSeen = partner.onCarrier() ? 1 : 0;
        } else if ((step & 15) == 0) {
            // Every 16th step only: the partner's hint shares a line with fields its owner writes,
            // and each read would pull that line across cores.
            partnerSeen = partner.onCarrier() ? 1 : 0;
            if (System.nanoTime() - since >= PARTNER_SPIN_NANOS) {
                if (partnerSeen != 0 || steal) {
                    spinFailed();
                }
                partnerSince = -1L;
                return false;
            }
        }
        if (partnerSeen == 0 && !steal) {
            // The partner parked: nothing is coming from it soon.
            partnerSince = -1L;
            return false;
        }
        Thread.onSpinWait();
        return true;
    }

    /** Owner: the wait got what it waited for; a partner spin that led to it paid. */
    final void satisfied() {
        if (partnerSince > 0L) {
            credit = 0;
            backoff = BACKOFF_MIN;
        }
    }

    /** @return whether the current wait has begun a partner spin (and not ended it by time) */
    final boolean partnerSpinning() {
        return partnerSince > 0L;
    }

    /** Owner: whether this wait may spin for a partner (see the class comment). */
    final boolean maySpin() {
        if (credit >= 0) {
            return true;
        }
        credit++;
        return false;
    }

    /** Owner: a partner spin ran out of time. */
    final void spinFailed() {
        credit = -backoff;
        backoff = Math.min(BACKOFF_MAX, backoff * 2);
    }

    /** Owner: a partner spin paid. */
    final void spinWorked() {
        credit = 0;
        backoff = BACKOFF_MIN;
    }
}
