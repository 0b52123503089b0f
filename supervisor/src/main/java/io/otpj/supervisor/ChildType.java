package io.otpj.supervisor;

/** Whether a child is a worker or itself a supervisor: the child spec's {@code type} field. */
public enum ChildType {
    /** An ordinary process. Default shutdown: 5 seconds. */
    WORKER,
    /** A supervisor (the root of a subtree). Default shutdown: infinity, so it can stop its own children. */
    SUPERVISOR
}
