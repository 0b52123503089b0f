package io.otpj.core;

import java.io.Serial;

/**
 * A call failed because the calling non-process thread was interrupted; its interrupt status is kept.
 * See {@link CallException} for the other failure modes.
 */
public final class CallInterruptedException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    CallInterruptedException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
