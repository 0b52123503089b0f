package io.otpj.core;

import java.io.Serial;

/**
 * A call failed at once because the server's mailbox is bounded with
 * {@link MailboxLimit.Overflow#DROP} and full: the request was not queued, so the server never
 * sees it, and the caller may retry or shed the load. Its reason is {@code mailbox_full}. See
 * {@link CallException} for the other failure modes.
 */
public final class MailboxFullException extends CallException {
    @Serial
    private static final long serialVersionUID = 1L;

    MailboxFullException(String message, ExitReason reason, ServerRef server) {
        super(message, reason, server);
    }
}
