package io.otpj.core;

import java.util.Optional;

/**
 * One entry of {@link Node#list()}: a snapshot of a process, each field read at a slightly
 * different instant; diagnostics, not a synchronisation point.
 *
 * @param pid the process
 * @param name its local name, if it has one
 * @param status what it was doing when looked at
 * @param mailboxLength messages queued and not yet received (an estimate while senders send)
 */
public record NodeProcess(Pid pid, Optional<Object> name, Status status, int mailboxLength) {

    /** What a process is doing. */
    public enum Status {
        /** On a carrier, running its code (or spinning briefly for a message). */
        RUNNING,
        /** Parked, waiting for a message or a reply. */
        WAITING,
        /**
         * Hibernated ({@link Action#hibernate()}, {@link StartOptions#hibernateAfter}): alive, with
         * no thread; its next message, exit signal or kill starts one.
         */
        HIBERNATED,
        /** A GenServer suspended by {@link Sys#suspend}: it handles only system messages. */
        SUSPENDED,
        /** Its exit is decided; its thread has not ended yet (a zombie, if it stays so). */
        EXITING
    }
}
