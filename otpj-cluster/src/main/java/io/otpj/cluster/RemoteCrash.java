package io.otpj.cluster;

import java.io.Serial;

/**
 * A crash that happened on another node, as this node sees it: the exception's class name,
 * message and stack trace, not the exception itself (exception classes are not sent across
 * nodes: they could be anything). It is the cause of {@code ExitReason.crash(...)} in a DOWN,
 * an exit signal or a failed call that came from another node. Two are equal when their class
 * names, messages and stack traces are.
 */
public final class RemoteCrash extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The class name of the exception on the node where it was thrown. */
    private final String className;

    /**
     * Creates the image of a remote exception.
     *
     * @param className the class name of the exception on the other node
     * @param message its message (may be null)
     * @param stack its stack trace (may be empty)
     */
    public RemoteCrash(String className, String message, StackTraceElement[] stack) {
        super(className + (message == null ? "" : ": " + message), null, false, true);
        this.className = className;
        setStackTrace(stack);
    }

    /**
     * Returns the class name of the exception on the other node.
     *
     * @return the class name of the original exception
     */
    public String className() {
        return className;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteCrash r && r.getMessage().equals(getMessage())
                && java.util.Arrays.equals(r.getStackTrace(), getStackTrace());
    }

    @Override
    public int hashCode() {
        return getMessage().hashCode();
    }
}
