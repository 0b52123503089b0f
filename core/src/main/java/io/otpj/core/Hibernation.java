package io.otpj.core;

import java.io.Serial;

/**
 * Unwinds the thread of a process that has just {@linkplain Pcb#hibernateReleasingThread() hibernated}:
 * the process lives on without a thread, and its next message, exit signal or kill starts a new
 * one. Thrown only by {@link Pcb#hibernateReleasingThread()}, from a behaviour's own loop (never from
 * inside a callback), and caught only by the process's run method, which then leaves every field
 * of the process alone: a new thread may already be running it. An {@link Error}, stackless and
 * shared, as {@link ProcessExit}.
 */
final class Hibernation extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    static final Hibernation INSTANCE = new Hibernation();

    private Hibernation() {
        super("process hibernated", null, false, false);
    }
}
