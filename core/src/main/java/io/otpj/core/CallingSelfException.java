package io.otpj.core;

/**
 * A call failed because a process made a call to itself, which could only deadlock.
 * See {@link CallException} for the other failure modes.
 */
public final class CallingSelfException extends CallException {
    CallingSelfException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
