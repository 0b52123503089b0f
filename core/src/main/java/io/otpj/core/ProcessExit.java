package io.otpj.core;

import java.io.Serial;

/**
 * Unwinds the thread of a process that has already died (killed, or hit by an exit signal)
 * when it next touches otpj: its death has been fully processed by whoever killed it, so
 * nothing more must run. An {@link Error} so that {@code catch (Exception e)} in user code does
 * not swallow it.
 */
final class ProcessExit extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    static final ProcessExit INSTANCE = new ProcessExit();

    private ProcessExit() {
        super("process has exited", null, false, false);
    }
}
