package io.otpj.core;

/**
 * Something that must learn of one process's death: a caller parked on it ({@link Completion}),
 * a monitor on it ({@link MonitorRef}), a timer addressed to it ({@link TimerRef}), a link asked
 * for while it was dying. Each is a node of an intrusive doubly linked list headed by the process
 * ({@link PcbRelations#watchHead}), so adding and removing one costs O(1) and allocates nothing.
 *
 * <p>{@link #prev} and {@link #next} are guarded by the lock of the process whose list holds the
 * node. A node is in at most one list, once: {@link Pcb#addWatch} links it, {@link Pcb#removeWatch}
 * unlinks it, and the death's tail takes the whole list (after which neither touches it again)
 * and calls {@link #processDied} on each node, outside the lock.
 */
abstract class DeathWatch {

    DeathWatch prev, next;

    /**
     * Called under the watched process's lock when the node is added after that process's exit
     * was decided: its death is no news to this watcher, so it will hear {@code noproc}.
     */
    void late() {}

    /**
     * The watched process has died and its death is settled (name released, exit hooks run).
     * Called once, on the thread settling it, outside any lock.
     */
    abstract void processDied(Pcb process, ExitReason reason);
}
