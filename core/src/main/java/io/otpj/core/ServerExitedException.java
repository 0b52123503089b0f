package io.otpj.core;

import java.io.Serial;

/**
 * A call failed because the server died during the call; the caller is told at once.
 * See {@link CallException} for the other failure modes.
 */
public final class ServerExitedException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    ServerExitedException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
