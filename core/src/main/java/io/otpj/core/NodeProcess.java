package io.otpj.core;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One entry of {@link Node#list()}: a snapshot of a process, each field read at a slightly
 * different instant; diagnostics, not a synchronisation point.
 *
 * @param pid the process
 * @param name its local name, if it has one
 * @param status what it was doing when looked at
 * @param mailboxLength messages queued and not yet received (an estimate while senders send)
 * @param behaviour for a GenServer or gen_statem, its implementation's class name; empty for a
 *     plain process
 * @param currentCallback for a server handling a message now, the callback handling it
 *     ({@code handleCall}, {@code handleCast}, {@code handleInfo}, {@code handleEvent}, or
 *     {@code sys} for a system request); empty while it waits, and for a plain process
 * @param messagesHandled for a server, the messages it has taken from its mailbox since init
 *     (system requests included), as {@link Sys#statistics} counts them; empty for a plain process
 * @param parent for a server started linked (by a supervisor, or {@code startLink}), the process
 *     that started it, alive or not; empty otherwise
 */
public record NodeProcess(Pid pid, Optional<Object> name, Status status, int mailboxLength, Optional<String> behaviour,
        Optional<String> currentCallback, OptionalLong messagesHandled, Optional<Pid> parent) {

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
