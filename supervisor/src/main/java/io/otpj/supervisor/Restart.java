package io.otpj.supervisor;

/**
 * When a supervisor restarts a child that exited: the child spec's {@code restart} field.
 */
public enum Restart {
    /** Always restarted, whatever the exit reason. The default. */
    PERMANENT,
    /**
     * Restarted only after an abnormal exit: not after {@code normal}, {@code shutdown} or
     * {@code {shutdown, term}} (see {@link io.otpj.core.ExitReason#isClean()}).
     */
    TRANSIENT,
    /**
     * Never restarted. Its spec is dropped when it exits or is terminated, also when a sibling's
     * exit makes a one_for_all or rest_for_one supervisor terminate it.
     */
    TEMPORARY
}
