package io.otpj.core;

/**
 * The identity of a process: a value made of its node's name, its node's creation and its
 * number in that node.
 *
 * <p>Equality. Two pids are equal exactly when they have the same node name, creation and id,
 * so a pid denotes one process and is never reused: ids come from a 64-bit counter per node
 * that is never reset, and a node started again under the same name has a new
 * {@linkplain Node#creation() creation}. Pids are ordered by node name, then creation, then id.
 * {@link #toString()} prints {@code <node.id.creation>}, e.g. {@code <nonode@nohost.42.61234567>};
 * the stand-in sender of exit signals from plain threads prints {@code <0.0.0>}.
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
 *   <li>its node's name, its id and the control block itself (no collections, no messages, no
 *       thread, no process state); the control block refers to its {@link Node}, whose own
 *       tables are emptied when the node stops;</li>
 *   <li>its exit reason, with whatever the reason refers to: a crash's exception (its stack
 *       trace, cause and any fields of its own), the term of {@code ExitReason.of(term)} or
 *       {@code {shutdown, term}}, the value of a {@code bad_return_value}, the pid of
 *       {@code {already_started, pid}}.</li>
 * </ul>
 * A killed process whose thread is still running (a {@linkplain Proc#zombies() zombie}) keeps its
 * thread, its stack and its queued messages reachable from its pid until that thread ends.
 *
 * <p>Pids are immutable and thread-safe. A pid of another node in the same JVM is used like a
 * local one: sends, links, monitors and exit signals reach its process.
 */
public final class Pid implements ServerRef, Comparable<Pid> {

    private final String node;
    private final int creation;
    private final long id;
    final Pcb pcb;

    Pid(String node, int creation, long id, Pcb pcb) {
        this.node = node;
        this.creation = creation;
        this.id = id;
        this.pcb = pcb;
    }

    /**
     * Returns the number of this process in its node, the {@code ID} of {@code <node.ID.creation>}.
     *
     * @return the unique, never reused number of this process in its node
     */
    public long id() {
        return id;
    }

    /**
     * Returns the name of the node the process belongs to.
     *
     * @return the node's name
     */
    public String node() {
        return node;
    }

    /**
     * Returns the creation of the node the process belongs to.
     *
     * @return the node's {@linkplain Node#creation() creation}
     */
    public int creation() {
        return creation;
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
        return this == o || o instanceof Pid p && p.id == id && p.creation == creation && p.node.equals(node);
    }

    @Override
    public int hashCode() {
        return (31 * node.hashCode() + creation) * 31 + Long.hashCode(id);
    }

    @Override
    public int compareTo(Pid other) {
        int c = node.compareTo(other.node);
        if (c == 0) {
            c = Integer.compare(creation, other.creation);
        }
        return c != 0 ? c : Long.compare(id, other.id);
    }

    @Override
    public String toString() {
        return id == 0 && creation == 0 ? "<0.0.0>" : "<" + node + "." + id + "." + creation + ">";
    }
}
