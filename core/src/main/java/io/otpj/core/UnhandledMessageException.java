package io.otpj.core;

import java.io.Serial;

/**
 * A GenServer received a call, cast or continue it has no clause for. It crashes the server, as
 * in Elixir, and the message names what was not handled.
 */
public final class UnhandledMessageException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;


    UnhandledMessageException(String kind, Object message, Object server) {
        super(server.getClass().getName() + " has no handler for " + kind + ": " + message);
    }
}
