package io.otpj.core;

import java.io.Serial;

/**
 * A call failed because a process made a call to itself, which could only deadlock.
 * See {@link CallException} for the other failure modes.
 */
public final class CallingSelfException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    CallingSelfException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
