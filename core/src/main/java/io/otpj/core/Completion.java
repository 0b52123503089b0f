package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot cell that one thread waits on and any thread completes: the reply slot of a call,
 * the acknowledgement of a start. The first completion wins (a CAS from {@link #PENDING});
 * later ones are dropped, which is what makes a late reply harmless.
 *
 * <p>Wake-up protocol, the same Dekker pair as {@link Mailbox}: the completer CASes
 * {@code outcome} and then loads {@code waiterParked} (volatile); the waiter stores
 * {@code waiterParked = 1} (volatile) and then loads {@code outcome} before parking. One of the
 * two sees the other's write, so the waiter is never left parked on a completed cell.
 *
 * <p>Memory consistency: everything the completing thread did before completing happens-before
 * the waiter's return from {@link #await} (the CAS is a volatile write, the waiter's read of
 * {@code outcome} a volatile read of that value).
 */
abstract class Completion {

    /** No outcome yet. */
    static final Object PENDING = new Object() {
        @Override public String toString() { return "pending"; }
    };
    /** Stands for a {@code null} reply, which is legal. */
    static final Object NULL = new Object() {
        @Override public String toString() { return "null"; }
    };

    /** A failed outcome: the server exited (or was absent) with {@code reason}. */
    record Failed(ExitReason reason) {}

    private static final VarHandle OUTCOME, PARKED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OUTCOME = l.findVarHandle(Completion.class, "outcome", Object.class);
            PARKED = l.findVarHandle(Completion.class, "waiterParked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread waiter;
    @SuppressWarnings("unused") private volatile Object outcome = PENDING;
    @SuppressWarnings("unused") private volatile int waiterParked;

    Completion(Thread waiter) {
        this.waiter = waiter;
    }

    /** @return the outcome, or {@link #PENDING} */
    final Object outcome() {
        return OUTCOME.getVolatile(this);
    }

    /**
     * Sets the outcome if none is set yet and wakes the waiter. Any thread.
     *
     * @return whether this call set it
     */
    final boolean complete(Object value) {
        if (!OUTCOME.compareAndSet(this, PENDING, value == null ? NULL : value)) {
            return false;
        }
        if ((int) PARKED.getVolatile(this) == 1) {
            LockSupport.unpark(waiter);
        }
        return true;
    }

    /**
     * Waits for the outcome. Waiter thread only.
     *
     * @param server if non-null, a process whose death completes the cell with {@link Failed}
     * @param self the waiting process, or null for a plain thread; its death throws {@link ProcessExit}
     * @param timeoutNanos negative for no limit
     * @return the outcome, or {@link #PENDING} if the timeout passed (the cell is then closed:
     *     a later completion is dropped)
     * @throws InterruptedException if a plain waiting thread is interrupted (the cell is closed)
     */
    final Object await(Pcb server, Pcb self, long timeoutNanos) throws InterruptedException {
        Object o = outcome();
        if (o != PENDING) {
            return o;
        }
        final boolean timed = timeoutNanos >= 0;
        final long deadline = timed ? System.nanoTime() + timeoutNanos : 0L;
        boolean registered = false;
        final boolean virtual = waiter.isVirtual();
        // A process starting another parks for its init at once (no short spin, no partner
        // spin): the new process was pushed onto this very carrier's queue, and spinning here
        // could only delay it.
        final boolean spinFirst = !virtual || this instanceof From;
        // The partner spins of a call (see Backoff), at most PARTNER_SPIN_NANOS in all per wait:
        // a steal spin while the server is not on a carrier (only a process: it keeps the
        // back-off credit), a partner spin while it is. Skipped while the caller's recent spins
        // did not pay (Pcb.maySpin).
        boolean spin = virtual && server != null && this instanceof From && (self == null || self.maySpin());
        long spinSince = 0L;
        boolean serverOnCarrier = false;
        try {
            for (int step = 0; ; step++) {
                o = outcome();
                if (o != PENDING) {
                    if (spin && spinSince != 0L && self != null) {
                        self.spinWorked();
                    }
                    return o;
                }
                // Every 16th step only while spinning: the server's control block shares lines
                // with fields its own thread writes, and each read would pull them across cores.
                // A death while we are registered completes us anyway (see below).
                if (server != null && (registered || (step & 15) == 0) && server.settled) {
                    complete(new Failed(server.exitReason));
                    continue;
                }
                if (self != null && self.exitReason != null) {
                    close();
                    throw ProcessExit.INSTANCE;
                }
                if (timed && (step & 63) == 0 && deadline - System.nanoTime() <= 0) {
                    if (close()) {
                        return PENDING;
                    }
                    continue;
                }
                if (spinFirst && !Backoff.idle(step, virtual)) {
                    continue;
                }
                if (spin) {
                    // The server's state is read on the first step and then every 16th only
                    // (its line is written by its owner; each read would pull it across cores).
                    if (spinSince == 0L || (step & 15) == 0) {
                        serverOnCarrier = server.onCarrier();
                    }
                    // On a carrier: running on another one (ours is busy spinning), so the reply
                    // is likely microseconds away, and a park would cost two scheduler
                    // hand-offs. Not on one: parked or queued, most likely on this carrier's
                    // queue after our send woke it, while an idle carrier, if any, is being woken
                    // to take it; spinning for that lets the two of us answer each other from
                    // two carriers instead of sharing this one with a park per hop.
                    if (serverOnCarrier || self != null) {
                        if (spinSince == 0L) {
                            spinSince = System.nanoTime();
                        }
                        if (Backoff.partnerSpin(step, spinSince)) {
                            continue;
                        }
                        if (self != null) {
                            self.spinFailed();
                        }
                    }
                    spin = false;
                }
                if (server != null && !registered) {
                    // From here on the server's death completes us even while we are parked.
                    // Re-checked at the top of the loop: see Pcb.die for the other half.
                    registered = server.addWaiter(this);
                    if (!registered) {
                        // Its death is already settled.
                        complete(new Failed(server.exitReason));
                    }
                    continue;
                }
                if (self != null) {
                    self.parking();
                }
                PARKED.setVolatile(this, 1);
                if (outcome() == PENDING) {
                    if (timed) {
                        long left = deadline - System.nanoTime();
                        if (left > 0) {
                            LockSupport.parkNanos(this, left);
                        }
                    } else {
                        LockSupport.park(this);
                    }
                }
                PARKED.setOpaque(this, 0);
                if (self != null) {
                    self.unparked();
                }
                if (Thread.interrupted()) {
                    if (self != null && self.exitReason != null) {
                        close();
                        throw ProcessExit.INSTANCE;
                    }
                    if (self == null) {
                        if (close()) {
                            throw new InterruptedException();
                        }
                    }
                }
                if (timed && deadline - System.nanoTime() <= 0 && close()) {
                    return PENDING;
                }
            }
        } finally {
            if (registered) {
                server.removeWaiter(this);
            }
        }
    }

    /** Closes a pending cell so no completion lands any more. @return whether we closed it */
    private boolean close() {
        return OUTCOME.compareAndSet(this, PENDING, CLOSED);
    }

    /** The outcome of a cell its waiter gave up on. */
    static final Object CLOSED = new Object() {
        @Override public String toString() { return "closed"; }
    };
}
