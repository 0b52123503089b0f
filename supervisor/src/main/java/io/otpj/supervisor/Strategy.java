package io.otpj.supervisor;

/** What a {@link Supervisor} restarts when one child exits and must be restarted. */
public enum Strategy {
    /** Only the child that exited. */
    ONE_FOR_ONE,
    /**
     * Every child: the others are terminated (in reverse start order), then all are started
     * again in start order. Temporary children that this terminates are dropped.
     */
    ONE_FOR_ALL,
    /**
     * The child that exited and every child started after it: those are terminated in reverse
     * order, then started again in order. Temporary children that this terminates are dropped.
     */
    REST_FOR_ONE
}
