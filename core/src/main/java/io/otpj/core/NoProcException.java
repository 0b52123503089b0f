package io.otpj.core;

/**
 * A call failed because the server does not exist or was dead when the call was made.
 * See {@link CallException} for the other failure modes.
 */
public final class NoProcException extends CallException {
    NoProcException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
