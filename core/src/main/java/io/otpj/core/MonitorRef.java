package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A monitor: created by {@link Proc#monitor(Pid)}, delivered back in exactly one {@link Down}
 * unless cancelled with {@link Proc#demonitor(MonitorRef, boolean)}.
 *
 * <p>Each monitor is a one-shot state machine: ACTIVE, then either FIRED (its DOWN was sent) or
 * CANCELLED. The transition is a CAS, so a target's death and a demonitor racing each other
 * agree on one outcome: at most one DOWN, and none after a demonitor that won. A monitor set on
 * a process whose exit was already decided fires {@code noproc}, as on a process already gone.
 * Thread-safe; holding a ref keeps only the two pids' identities.
 */
public final class MonitorRef extends DeathWatch {

    private static final int ACTIVE = 0, FIRED = 1, CANCELLED = 2;
    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(MonitorRef.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Pcb watcher;
    final Pcb target;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** Written under the target's lock when the monitor was set on a process already dying. */
    private boolean late;
    /** Written and read only by the watcher's own thread: DOWN for this ref must be dropped. */
    boolean flushed;

    MonitorRef(Pcb watcher, Pcb target) {
        this.watcher = watcher;
        this.target = target;
    }

    /**
     * Returns the monitored process.
     *
     * @return the monitored process, the {@code pid} of this monitor's {@link Down}
     */
    public Pid target() {
        return target.pid;
    }

    @Override
    void late() {
        late = true;
    }

    @Override
    void processDied(Pcb process, ExitReason reason) {
        fire(late ? process.lateReason() : reason);
    }

    /** Sends DOWN unless the monitor was cancelled or has fired. */
    void fire(ExitReason reason) {
        if (STATE.compareAndSet(this, ACTIVE, FIRED)) {
            watcher.removeWatching(this);
            watcher.deliver(new Down(this, target.pid, reason));
        }
    }

    /** @return true if this call cancelled an active monitor (no DOWN will ever be sent) */
    boolean cancel() {
        return STATE.compareAndSet(this, ACTIVE, CANCELLED);
    }

    @Override
    public String toString() {
        return "#Ref<" + Integer.toHexString(System.identityHashCode(this)) + " -> " + target.pid + ">";
    }
}
