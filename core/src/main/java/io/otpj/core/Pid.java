package io.otpj.core;

/**
 * The identity of a process.
 *
 * <p>A pid is never reused: ids come from a 64-bit counter that is never reset, so a pid held
 * anywhere can only ever denote the one process it was created for. Two pids are equal exactly
 * when they denote the same process.
 *
 * <p>What holding a pid keeps alive. A pid refers to its process's control block, a fixed-size
 * object. While the process lives, the control block reaches everything the process has: its
 * thread and stack (so its body, what the body captured, a GenServer's implementation and state),
 * its mailbox, its links, monitors, exit hooks and name. When the process dies, its name, links,
 * exit hooks, the monitors it holds on others and the watchers of its death (callers, monitors
 * on it, timers addressed to it) are dropped as the death is carried out; its thread (with its
 * stack), its mailbox and the messages a selective receive had set aside are dropped when its
 * thread ends. From then on the pid keeps only:
 * <ul>
 *   <li>its id and the control block itself (no collections, no messages, no thread);</li>
 *   <li>its exit reason, with whatever the reason refers to: a crash's exception (its stack
 *       trace, cause and any fields of its own), the term of {@code ExitReason.of(term)} or
 *       {@code {shutdown, term}}, the value of a {@code bad_return_value}, the pid of
 *       {@code {already_started, pid}}.</li>
 * </ul>
 * A killed process whose thread is still running (a {@linkplain Proc#zombies() zombie}) keeps its
 * thread, its stack and its queued messages reachable from its pid until that thread ends.
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

    /**
     * Returns the number of this process, the {@code ID} of {@code <0.ID.0>}.
     *
     * @return the unique, never reused number of this process
     */
    public long id() {
        return id;
    }

    /**
     * Tells whether the process is alive; the same as {@link Proc#isAlive(Pid)}. A killed
     * process is dead from the moment its exit is decided, even while its code still runs.
     *
     * @return whether the process is still alive at the moment of the call
     */
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
