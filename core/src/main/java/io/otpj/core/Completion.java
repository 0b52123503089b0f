package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot cell that one thread waits on and any thread completes: the reply slot of a call,
 * the acknowledgement of a start. One state word decides, as in {@code FutureTask}:
 * <pre>
 *   PENDING -> value | NULL | Failed   completed (CAS by the completer: a reply, or the
 *                                      server's death through {@link #processDied})
 *   PENDING -> CLOSED                  the waiter gave up (timeout, interrupt, its own death)
 * </pre>
 * The first transition wins; later completions are dropped, which is what makes a late reply
 * harmless and a reply impossible to mistake for the answer to another call.
 *
 * <p>Wake-up protocol: the completer CASes {@code outcome} and then loads {@code waiterParked}
 * (volatile); the waiter stores {@code waiterParked = 1} (volatile) and then loads
 * {@code outcome} before parking. All four accesses are volatile, hence sequentially consistent:
 * one of the two loads sees the other side's write, so the waiter is never left parked on a
 * completed cell.
 *
 * <p>While it waits for a server, the cell is a {@link DeathWatch} on it: the server's death
 * completes it with {@link Failed} even while the waiter is parked.
 *
 * <p>Interrupts are never swallowed. A plain thread interrupted while it waits closes the cell and
 * gets {@link InterruptedException}, with the interrupt status cleared, as {@code
 * java.util.concurrent} does; if the outcome won the race, the outcome is returned and the
 * interrupt status is set again. A process's wait is not interruptible (a kill ends it instead);
 * an interrupt aimed at a live process is kept and set again when the wait returns.
 *
 * <p>Memory consistency: everything the completing thread did before completing happens-before
 * the waiter's return from {@link #await} (the CAS is a volatile write, the waiter's read of
 * {@code outcome} a volatile read of that value).
 */
abstract class Completion extends DeathWatch {

    /** No outcome yet. */
    static final Object PENDING = new Object() {
        @Override public String toString() { return "pending"; }
    };
    /** Stands for a {@code null} reply, which is legal. */
    static final Object NULL = new Object() {
        @Override public String toString() { return "null"; }
    };
    /** The outcome of a cell its waiter gave up on. */
    static final Object CLOSED = new Object() {
        @Override public String toString() { return "closed"; }
    };

    /** A call a bounded mailbox refused because it was full: the caller fails at once. */
    static final Object OVERLOADED = new Object() {
        @Override public String toString() { return "overloaded"; }
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
    @SuppressWarnings("unused") private volatile Object outcome;
    @SuppressWarnings("unused") private volatile int waiterParked;

    Completion(Thread waiter) {
        this.waiter = waiter;
        // Plain: the cell reaches its completer through a message, which orders this store.
        OUTCOME.set(this, PENDING);
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
        if (this instanceof RequestSet.Member m) {
            m.set.arrived(m); // its waiter parks on the set, not on this cell
            return true;
        }
        if (this instanceof RemoteFrom rf) {
            rf.forward(value); // its caller is on another node
            return true;
        }
        if ((int) PARKED.getVolatile(this) == 1) {
            Ticker.unpark(waiter);
        }
        return true;
    }

    @Override
    final void processDied(Pcb process, ExitReason reason) {
        serverGone(new Failed(reason));
    }

    /**
     * Completes with the server's death. A call to another node's process then needs no reply
     * any more: its connection forgets it (cold path: deaths only).
     */
    private void serverGone(Failed failed) {
        if (complete(failed) && this instanceof From f && f.server != null && f.server.remote != null) {
            f.server.remote.forget(f);
        }
    }

    /**
     * Waits for the outcome. Waiter thread only.
     *
     * @param server if non-null, a process whose death completes the cell with {@link Failed}
     * @param self the waiting process, or null for a thread that is not one; its death throws
     *     {@link ProcessExit}
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
        final Waiter w = self != null ? self : Waiter.forPlainThread();
        final boolean call = this instanceof From;
        // A start's acknowledgement is waited for without the short spin: the new process was
        // pushed onto this very carrier's queue, and spinning could only delay it. A call spins
        // for its server (on a carrier, or woken by this call's send and about to be taken).
        final boolean quick = call || !w.isVirtual();
        final Pcb partner = call ? server : null;
        boolean registered = false;
        boolean interrupted = false;
        Ticker.Deadline timer = null;
        w.begin();
        try {
            for (int step = 0; ; step++) {
                o = outcome();
                if (o != PENDING) {
                    w.satisfied();
                    return o;
                }
                // Every 16th step only while spinning: the server's settled flag sits on a line
                // others read; once registered its death completes us anyway (see Pcb.tail).
                if (server != null && (registered || (step & 15) == 0) && server.settled) {
                    serverGone(new Failed(server.exitReason));
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
                if (w.spin(step, quick, partner, true)) {
                    continue;
                }
                if (server != null && !registered) {
                    // From here on the server's death completes us even while we are parked.
                    registered = server.addWatch(this);
                    if (!registered) {
                        serverGone(new Failed(server.exitReason)); // its death is already settled
                    }
                    continue;
                }
                if (self != null) {
                    self.parking();
                }
                w.sliceEnds();
                PARKED.setVolatile(this, 1);
                if (outcome() == PENDING) {
                    if (!timed) {
                        LockSupport.park(this);
                    } else if (deadline - System.nanoTime() > 0) {
                        if (timer == null) {
                            // Untimed park, the deadline on the ticker: it needs no carrier to fire.
                            timer = Ticker.unparkAt(deadline);
                        }
                        LockSupport.park(this);
                    }
                }
                PARKED.setOpaque(this, 0);
                if (self != null) {
                    self.unparked();
                }
                if (Thread.interrupted()) {
                    if (self != null) {
                        if (self.exitReason != null) {
                            close();
                            throw ProcessExit.INSTANCE;
                        }
                        interrupted = true; // not ours to consume: set again when we return
                    } else if (close()) {
                        throw new InterruptedException();
                    } else {
                        interrupted = true; // the outcome won the race: return it, interrupt kept
                    }
                }
                if (timed && deadline - System.nanoTime() <= 0 && close()) {
                    return PENDING;
                }
            }
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            if (registered) {
                server.removeWatch(this);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes a pending cell so no completion lands any more. @return whether we closed it */
    final boolean close() {
        boolean closed = OUTCOME.compareAndSet(this, PENDING, CLOSED);
        if (closed && this instanceof From f && f.server != null && f.server.remote != null) {
            f.server.remote.forget(f); // a call to another node that gave up: no reply expected
        }
        return closed;
    }
}
