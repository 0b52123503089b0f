package io.otpj.core;

/** Thrown by {@link StartResult#pid()} when a start did not produce a running server. */
public final class StartException extends RuntimeException {

    private final transient StartResult result;

    StartException(StartResult result, String message) {
        super(message, result instanceof StartResult.Failed(ExitReason.Crash(Throwable cause)) ? cause : null);
        this.result = result;
    }

    /** @return the result that was not {@link StartResult.Ok} */
    public StartResult result() {
        return result;
    }
}
