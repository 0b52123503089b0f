package io.otpj.core;

import java.io.Serial;

/** Thrown by {@link StartResult#pid()} when a start did not produce a running server. */
public final class StartException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;


    private final transient StartResult result;

    StartException(StartResult result, String message) {
        super(message, result instanceof StartResult.Failed(ExitReason.Crash(Throwable cause)) ? cause : null);
        this.result = result;
    }

    /**
     * Returns the start's result.
     *
     * @return the result that was not {@link StartResult.Ok}: a {@link StartResult.Ignored} or a
     *     {@link StartResult.Failed}, whose crash exception (if its reason is a crash) is also this
     *     exception's cause
     */
    public StartResult result() {
        return result;
    }
}
