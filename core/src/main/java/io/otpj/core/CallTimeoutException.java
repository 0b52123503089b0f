package io.otpj.core;

import java.io.Serial;

/**
 * A call failed because no reply arrived within the timeout; a late reply is dropped.
 * See {@link CallException} for the other failure modes.
 */
public final class CallTimeoutException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    CallTimeoutException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
