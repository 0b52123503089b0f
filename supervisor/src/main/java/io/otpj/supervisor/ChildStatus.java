package io.otpj.supervisor;

/** The state of a child as {@link Supervisor#whichChildren} reports it. */
public enum ChildStatus {
    /** The child has a live process (as far as the supervisor has been told). */
    RUNNING,
    /**
     * The child exited and its restart failed; the supervisor retries it (each retry counts toward
     * the restart intensity). It has no pid meanwhile. OTP shows {@code restarting}.
     */
    RESTARTING,
    /**
     * The spec is kept but no process runs: the child was terminated with
     * {@code terminateChild}, exited in a way its restart type does not restart (a transient
     * child exiting normally), or its start returned ignore. OTP shows {@code undefined}.
     */
    NOT_RUNNING
}
