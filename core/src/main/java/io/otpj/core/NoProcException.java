package io.otpj.core;

import java.io.Serial;

/**
 * A call failed because the server does not exist or was dead when the call was made (reason
 * {@code noproc}), or is on a node this one is not connected to (reason {@code noconnection}).
 * See {@link CallException} for the other failure modes.
 */
public final class NoProcException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    NoProcException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
