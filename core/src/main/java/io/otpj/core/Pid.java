package io.otpj.core;

/**
 * The identity of a process.
 *
 * <p>A pid is never reused: ids come from a 64-bit counter that is never reset, so a pid held
 * anywhere can only ever denote the one process it was created for. Two pids are equal exactly
 * when they denote the same process. Holding a pid of a dead process keeps nothing of the
 * process but its identity and exit reason: its body and what it captured, its state, its
 * mailbox, its links, monitors and timers are all released when it exits.
 *
 * <p>Pids are immutable and thread-safe. {@link #toString()} prints {@code <0.ID.0>}, as
 * Erlang does.
 */
public final class Pid implements ServerRef, Comparable<Pid> {

    private final long id;
    final Pcb pcb;

    Pid(long id, Pcb pcb) {
        this.id = id;
        this.pcb = pcb;
    }

    /** @return the unique, never reused number of this process */
    public long id() {
        return id;
    }

    /** @return whether the process is still alive at the moment of the call */
    public boolean isAlive() {
        return pcb.isAlive();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public int compareTo(Pid other) {
        return Long.compare(id, other.id);
    }

    @Override
    public String toString() {
        return "<0." + id + ".0>";
    }
}
