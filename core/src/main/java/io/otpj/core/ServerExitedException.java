package io.otpj.core;

/**
 * A call failed because the server died during the call; the caller is told at once.
 * See {@link CallException} for the other failure modes.
 */
public final class ServerExitedException extends CallException {
    ServerExitedException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
