package io.otpj.core;

/**
 * What {@link GenServer#handleInfo} receives when a timeout returned by a callback expires with no
 * message arriving in between: Erlang's {@code timeout} atom.
 */
public record IdleTimeout() {
    static final IdleTimeout INSTANCE = new IdleTimeout();
}
